import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext } from "../shared/aws-context";
import { elbLogDeliveryStatement, LOAD_BALANCER_SUFFIX, TARGET_GROUP_SUFFIX } from "./plan";
import { accessLogLifecycle, denyInsecureTransport } from "../pipeline/bucket-rules";
import { configureBucket } from "../pipeline/storage";

/*
 * The web service's Application Load Balancer. Only CloudFront reaches it: its security group admits the
 * CloudFront origin-facing prefix list on the one listener port CloudFront uses, and the listener refuses
 * (403) every request that lacks the origin-verify header CloudFront adds, so a request sent to the ALB's
 * DNS name from a CloudFront distribution of another account is refused too.
 */

/** Header CloudFront adds to each origin request; the listener forwards only requests that carry it. */
export const ORIGIN_VERIFY_HEADER = "X-Origin-Verify";
/** ELB security policy of the HTTPS listener: TLS 1.3 and 1.2 only, forward-secret ciphers. */
export const ALB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export interface AlbArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly publicSubnetIds: pulumi.Input<string[]>;
  readonly containerPort: number;
  readonly healthCheckPath: string;
  readonly originVerifySecret: pulumi.Input<string>;
  /** A validated certificate for the origin name: the listener is HTTPS on 443 and HTTP redirects to it. */
  readonly certificateArn?: pulumi.Input<string>;
  /** Days access logs are kept; undefined: no access logs. */
  readonly accessLogDays?: number;
  /** Sets `protect` on the access log bucket. */
  readonly protectLogs: boolean;
  readonly ctx: AwsContext;
}

export interface Alb {
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly targetGroup: aws.lb.TargetGroup;
  readonly securityGroup: aws.ec2.SecurityGroup;
  /** The listener CloudFront reaches (443 with a certificate, else 80). */
  readonly listener: aws.lb.Listener;
  readonly forwardRule: aws.lb.ListenerRule;
  readonly logBucket?: aws.s3.Bucket;
}

export function createAlb(parent: pulumi.Resource, name: string, args: AlbArgs): Alb {
  const opts = { parent };
  const https = args.certificateArn !== undefined;
  const port = https ? 443 : 80;

  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-alb-sg`,
    {
      vpcId: args.vpcId,
      description: `Load balancer of ${name}: CloudFront only, on port ${port}`,
      tags: { Name: `${name}-alb-sg` },
    },
    opts,
  );
  // Managed prefix lists count as their maximum size (55 for CloudFront's) against the rules quota of the
  // group (60 by default), so the group references it once, on the listener port CloudFront uses.
  const cloudfront = aws.ec2.getManagedPrefixListOutput(
    { name: "com.amazonaws.global.cloudfront.origin-facing" },
    { parent },
  );
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-alb-from-cloudfront`,
    {
      securityGroupId: securityGroup.id,
      description: "CloudFront origin-facing servers",
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      prefixListId: cloudfront.id,
    },
    opts,
  );

  const targetGroup = new aws.lb.TargetGroup(
    `${name}${TARGET_GROUP_SUFFIX}`,
    {
      vpcId: args.vpcId,
      targetType: "ip",
      protocol: "HTTP",
      port: args.containerPort,
      // Spot tasks get a two-minute notice; draining within 30 s leaves time for the new task to register.
      deregistrationDelay: 30,
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: args.healthCheckPath,
        matcher: "200-399",
        interval: 60,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
    },
    opts,
  );

  const logBucket = args.accessLogDays !== undefined ? createLogBucket(parent, name, args) : undefined;
  const loadBalancer = new aws.lb.LoadBalancer(
    `${name}${LOAD_BALANCER_SUFFIX}`,
    {
      loadBalancerType: "application",
      internal: false,
      subnets: args.publicSubnetIds,
      securityGroups: [securityGroup.id],
      ipAddressType: "ipv4",
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "strictest",
      idleTimeout: 60,
      ...(logBucket
        ? { accessLogs: { bucket: logBucket.bucket.id, prefix: LOG_PREFIX, enabled: true } }
        : {}),
    },
    // ELB writes a test object when access logs are switched on: the bucket policy must be in place first.
    { parent, dependsOn: logBucket ? [logBucket.policy] : [] },
  );

  // Egress to the tasks is added by the service, which owns the tasks' security group.
  const refused = {
    type: "fixed-response",
    fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "Forbidden" },
  };
  const listener = new aws.lb.Listener(
    `${name}-${https ? "https" : "http"}`,
    {
      loadBalancerArn: loadBalancer.arn,
      port,
      protocol: https ? "HTTPS" : "HTTP",
      ...(https ? { sslPolicy: ALB_TLS_POLICY, certificateArn: args.certificateArn } : {}),
      defaultActions: [refused],
      // Without a domain there is no certificate CloudFront could validate, so CloudFront reaches the ALB
      // over HTTP; the finding is accepted here, with its reason, rather than hidden.
      ...(https
        ? {}
        : {
            tags: {
              "policy-exempt:lb-http-redirects-to-https":
                "no domain so no certificate: only CloudFront reaches this listener - the prefix list in its " +
                `security group - and only requests with the ${ORIGIN_VERIFY_HEADER} header are forwarded - others get 403`,
            },
          }),
    },
    opts,
  );
  const forwardRule = new aws.lb.ListenerRule(
    `${name}-from-cloudfront`,
    {
      listenerArn: listener.arn,
      priority: 1,
      conditions: [
        { httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: [args.originVerifySecret] } },
      ],
      actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
    },
    opts,
  );
  if (https) {
    // CloudFront uses 443 only, and the security group admits nothing else; should the group ever admit
    // port 80, this listener redirects instead of serving plain HTTP.
    new aws.lb.Listener(
      `${name}-http-redirect`,
      {
        loadBalancerArn: loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [
          { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ],
      },
      opts,
    );
  }
  return { loadBalancer, targetGroup, securityGroup, listener, forwardRule, logBucket: logBucket?.bucket };
}

const LOG_PREFIX = "alb";

/**
 * The access log bucket: SSE-S3 (the only encryption ELB log delivery supports), no public access, no ACLs,
 * TLS only, versioned, and logs expire after the stack's retention.
 */
function createLogBucket(parent: pulumi.Resource, name: string, args: AlbArgs) {
  const bucket = new aws.s3.Bucket(
    `${name}-alb-logs`,
    { forceDestroy: false },
    { parent, protect: args.protectLogs },
  );
  const { ctx } = args;
  const { policy } = configureBucket(parent, `${name}-alb-logs`, bucket, {
    // ELB writes access logs to SSE-S3 buckets only.
    encryption: { kind: "s3" },
    lifecycleRules: accessLogLifecycle(args.accessLogDays!),
    statements: (arn) => [
      denyInsecureTransport(arn),
      pulumi
        .all([ctx.region, ctx.partition, ctx.accountId, arn])
        .apply(([region, partition, accountId, bucketArn]) =>
          elbLogDeliveryStatement(region, partition, accountId, bucketArn, LOG_PREFIX),
        ),
    ],
  });
  return { bucket, policy };
}
