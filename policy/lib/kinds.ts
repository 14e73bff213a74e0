import * as aws from "@pulumi/aws";

/*
 * A "kind" is one AWS resource under every type token @pulumi/aws gives it: `aws.lb.LoadBalancer` and
 * `aws.alb.LoadBalancer` (the provider documents them as the same resource), each with the legacy token it
 * declares as an alias (`aws:elasticloadbalancingv2/...`, `aws:applicationloadbalancing/...`), and the v7
 * S3 bucket with its deprecated `BucketV2`. Policies match kinds, never a single class, so a resource declared
 * through an alias is checked, not silently skipped (AWSGuard 0.3.1 skips `aws.lb`; Compliance-Ready skips
 * `BucketV2`). The tokens come from the classes themselves (`__pulumiType` and the `aliases` their
 * constructors declare), and test/policy/aliases.spec.ts proves against the installed @pulumi/aws that no
 * alias of a covered type is missing.
 */

/** A generated @pulumi/aws resource class (its `__pulumiType` is internal to the SDK's declarations). */
type ResourceClass = abstract new (...args: never[]) => unknown;

/** The class's own token plus the alias tokens its constructor declares (read from its source). */
export function tokensOf(cls: ResourceClass): string[] {
  const token = (cls as unknown as { __pulumiType?: unknown }).__pulumiType;
  if (typeof token !== "string") throw new Error(`${cls.name} is not a @pulumi/aws resource class`);
  const tokens = [token];
  const m = /aliases: \[([^\]]*)\]/.exec(cls.toString());
  if (m) for (const a of m[1].matchAll(/type: "([^"]+)"/g)) tokens.push(a[1]);
  return tokens;
}

export interface Kind {
  /** Readable name used in messages ("load balancer"). */
  readonly label: string;
  readonly types: ReadonlySet<string>;
  has(type: string): boolean;
}

export function kind(label: string, ...classes: ResourceClass[]): Kind {
  const types = new Set(classes.flatMap(tokensOf));
  return { label, types, has: (t) => types.has(t) };
}

export const K = {
  bucket: kind("S3 bucket", aws.s3.Bucket, aws.s3.BucketV2),
  bucketSse: kind(
    "S3 bucket encryption configuration",
    aws.s3.BucketServerSideEncryptionConfiguration,
    aws.s3.BucketServerSideEncryptionConfigurationV2,
  ),
  bucketPolicy: kind("S3 bucket policy", aws.s3.BucketPolicy),
  bucketPublicAccessBlock: kind("S3 public access block", aws.s3.BucketPublicAccessBlock),
  bucketNotification: kind("S3 bucket notification", aws.s3.BucketNotification),
  bucketAcl: kind("S3 bucket ACL", aws.s3.BucketAcl, aws.s3.BucketAclV2),
  bucketVersioning: kind("S3 bucket versioning", aws.s3.BucketVersioning, aws.s3.BucketVersioningV2),
  bucketLogging: kind("S3 bucket logging", aws.s3.BucketLogging, aws.s3.BucketLoggingV2),
  accountPublicAccessBlock: kind("S3 account public access block", aws.s3.AccountPublicAccessBlock),
  queue: kind("SQS queue", aws.sqs.Queue),
  queuePolicy: kind("SQS queue policy", aws.sqs.QueuePolicy),
  queueRedrivePolicy: kind("SQS redrive policy", aws.sqs.RedrivePolicy),
  topic: kind("SNS topic", aws.sns.Topic),
  topicPolicy: kind("SNS topic policy", aws.sns.TopicPolicy),
  topicSubscription: kind("SNS subscription", aws.sns.TopicSubscription),
  kmsKey: kind("KMS key", aws.kms.Key),
  dynamoTable: kind("DynamoDB table", aws.dynamodb.Table),
  dbInstance: kind("RDS instance", aws.rds.Instance),
  dbCluster: kind("RDS cluster", aws.rds.Cluster),
  dbClusterInstance: kind("RDS cluster instance", aws.rds.ClusterInstance),
  dbParameterGroup: kind("RDS parameter group", aws.rds.ParameterGroup),
  dbClusterParameterGroup: kind("RDS cluster parameter group", aws.rds.ClusterParameterGroup),
  cacheReplicationGroup: kind("ElastiCache replication group", aws.elasticache.ReplicationGroup),
  cacheCluster: kind("ElastiCache cluster", aws.elasticache.Cluster),
  ebsVolume: kind("EBS volume", aws.ebs.Volume),
  ebsEncryptionByDefault: kind("EBS encryption by default", aws.ebs.EncryptionByDefault),
  launchTemplate: kind("launch template", aws.ec2.LaunchTemplate),
  launchConfiguration: kind("launch configuration", aws.ec2.LaunchConfiguration),
  instance: kind("EC2 instance", aws.ec2.Instance),
  eksCluster: kind("EKS cluster", aws.eks.Cluster),
  eksNodeGroup: kind("EKS node group", aws.eks.NodeGroup),
  logGroup: kind("log group", aws.cloudwatch.LogGroup),
  logDeliverySource: kind("log delivery source", aws.cloudwatch.LogDeliverySource),
  metricAlarm: kind("alarm", aws.cloudwatch.MetricAlarm),
  secret: kind("secret", aws.secretsmanager.Secret),
  secretPolicy: kind("secret policy", aws.secretsmanager.SecretPolicy),
  secretRotation: kind("secret rotation", aws.secretsmanager.SecretRotation),
  loadBalancer: kind("load balancer", aws.lb.LoadBalancer, aws.alb.LoadBalancer),
  listener: kind("listener", aws.lb.Listener, aws.alb.Listener),
  listenerRule: kind("listener rule", aws.lb.ListenerRule, aws.alb.ListenerRule),
  targetGroup: kind("target group", aws.lb.TargetGroup, aws.alb.TargetGroup),
  distribution: kind("CloudFront distribution", aws.cloudfront.Distribution),
  securityGroup: kind("security group", aws.ec2.SecurityGroup),
  defaultSecurityGroup: kind("default security group", aws.ec2.DefaultSecurityGroup),
  securityGroupRule: kind("security group rule", aws.ec2.SecurityGroupRule),
  securityGroupIngressRule: kind("security group ingress rule", aws.vpc.SecurityGroupIngressRule),
  subnet: kind("subnet", aws.ec2.Subnet),
  vpc: kind("VPC", aws.ec2.Vpc),
  flowLog: kind("flow log", aws.ec2.FlowLog),
  natGateway: kind("NAT gateway", aws.ec2.NatGateway),
  ecsCluster: kind("ECS cluster", aws.ecs.Cluster),
  ecsService: kind("ECS service", aws.ecs.Service),
  ecsTaskDefinition: kind("ECS task definition", aws.ecs.TaskDefinition),
  lambdaFunction: kind("Lambda function", aws.lambda.Function),
  lambdaFunctionUrl: kind("Lambda function URL", aws.lambda.FunctionUrl),
  lambdaPermission: kind("Lambda permission", aws.lambda.Permission),
  lambdaEventSourceMapping: kind("event source mapping", aws.lambda.EventSourceMapping),
  lambdaEventInvokeConfig: kind("Lambda event invoke config", aws.lambda.FunctionEventInvokeConfig),
  eventTarget: kind("EventBridge target", aws.cloudwatch.EventTarget),
  restApiStage: kind("API Gateway stage", aws.apigateway.Stage),
  httpApiStage: kind("API Gateway v2 stage", aws.apigatewayv2.Stage),
  role: kind("IAM role", aws.iam.Role),
  rolePolicy: kind("IAM role policy", aws.iam.RolePolicy),
  managedPolicy: kind("IAM policy", aws.iam.Policy),
  userPolicy: kind("IAM user policy", aws.iam.UserPolicy),
  groupPolicy: kind("IAM group policy", aws.iam.GroupPolicy),
  rolePolicyAttachment: kind("IAM role policy attachment", aws.iam.RolePolicyAttachment),
  policyAttachment: kind("IAM policy attachment", aws.iam.PolicyAttachment),
  userPolicyAttachment: kind("IAM user policy attachment", aws.iam.UserPolicyAttachment),
  groupPolicyAttachment: kind("IAM group policy attachment", aws.iam.GroupPolicyAttachment),
  ecrRepositoryPolicy: kind("ECR repository policy", aws.ecr.RepositoryPolicy),
  ecrRepository: kind("ECR repository", aws.ecr.Repository),
  logResourcePolicy: kind("CloudWatch Logs resource policy", aws.cloudwatch.LogResourcePolicy),
  eventBusPolicy: kind("EventBridge bus policy", aws.cloudwatch.EventBusPolicy),
  restApi: kind("REST API", aws.apigateway.RestApi),
  restApiPolicy: kind("REST API policy", aws.apigateway.RestApiPolicy),
  httpApi: kind("API Gateway v2 API", aws.apigatewayv2.Api),
  httpApiRoute: kind("API Gateway v2 route", aws.apigatewayv2.Route),
  restMethod: kind("REST API method", aws.apigateway.Method),
  restResource: kind("REST API resource", aws.apigateway.Resource),
  wafAssociation: kind("WAF web ACL association", aws.wafv2.WebAclAssociation),
} as const;

export type KindName = keyof typeof K;

/** Every token of the listed kinds. */
export function typesOf(...kinds: Kind[]): Set<string> {
  return new Set(kinds.flatMap((k) => [...k.types]));
}
