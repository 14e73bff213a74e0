import type { MockTable } from "./context";
import { ACM_OUTPUTS } from "./acm";
import { APIGATEWAY_OUTPUTS } from "./apigateway";
import { BACKUP_OUTPUTS } from "./backup";
import { CLOUDFRONT_OUTPUTS } from "./cloudfront";
import { CLOUDWATCH_OUTPUTS } from "./cloudwatch";
import { CODEDEPLOY_OUTPUTS } from "./codedeploy";
import { DYNAMODB_OUTPUTS } from "./dynamodb";
import { EC2_OUTPUTS } from "./ec2";
import { ECR_OUTPUTS } from "./ecr";
import { ECS_OUTPUTS } from "./ecs";
import { EKS_OUTPUTS } from "./eks";
import { ELASTICACHE_OUTPUTS } from "./elasticache";
import { IAM_OUTPUTS } from "./iam";
import { KMS_OUTPUTS } from "./kms";
import { KUBERNETES_OUTPUTS } from "./kubernetes";
import { LAMBDA_OUTPUTS } from "./lambda";
import { LB_OUTPUTS } from "./lb";
import { PROVIDERS_OUTPUTS } from "./providers";
import { RDS_OUTPUTS } from "./rds";
import { ROUTE53_OUTPUTS } from "./route53";
import { S3_OUTPUTS } from "./s3";
import { SECRETSMANAGER_OUTPUTS } from "./secretsmanager";
import { SES_OUTPUTS } from "./ses";
import { SNS_OUTPUTS } from "./sns";
import { SQS_OUTPUTS } from "./sqs";
import { WAFV2_OUTPUTS } from "./wafv2";

/** What AWS (or the cluster) answers for each resource type the platform uses, one table per service. */
export const MOCK_OUTPUTS: MockTable = {
  ...ACM_OUTPUTS,
  ...APIGATEWAY_OUTPUTS,
  ...BACKUP_OUTPUTS,
  ...CLOUDFRONT_OUTPUTS,
  ...CLOUDWATCH_OUTPUTS,
  ...CODEDEPLOY_OUTPUTS,
  ...DYNAMODB_OUTPUTS,
  ...EC2_OUTPUTS,
  ...ECR_OUTPUTS,
  ...ECS_OUTPUTS,
  ...EKS_OUTPUTS,
  ...ELASTICACHE_OUTPUTS,
  ...IAM_OUTPUTS,
  ...KMS_OUTPUTS,
  ...KUBERNETES_OUTPUTS,
  ...LAMBDA_OUTPUTS,
  ...LB_OUTPUTS,
  ...PROVIDERS_OUTPUTS,
  ...RDS_OUTPUTS,
  ...ROUTE53_OUTPUTS,
  ...S3_OUTPUTS,
  ...SECRETSMANAGER_OUTPUTS,
  ...SES_OUTPUTS,
  ...SNS_OUTPUTS,
  ...SQS_OUTPUTS,
  ...WAFV2_OUTPUTS,
};

export type { MockAnswer, MockContext, MockTable } from "./context";
export { digits, hex, uuid } from "./context";
