/*
 * AWS services that, when they assume a customer's role, put the resource they act for in the request
 * (aws:SourceArn) and its account (aws:SourceAccount), and whose own guide recommends conditioning the role's
 * trust policy on them against the cross-service confused deputy. A service not listed here either does not
 * set the keys on AssumeRole (a condition on them would lock it out of the role, e.g. lambda.amazonaws.com,
 * ec2.amazonaws.com) or documents them only for resource policies (backup.amazonaws.com): the pack asks for
 * a source condition only where the service's guide says it works. Checked on 2026-12-06; add a service
 * with its guide's page when the platform trusts a new one.
 */

export interface SourceConditionService {
  /** What aws:SourceArn names when the service assumes the role. */
  readonly sourceArn: string;
  /** The service guide's page on confused-deputy prevention for the role. */
  readonly guide: string;
}

export const SOURCE_CONDITION_SERVICES: Readonly<Record<string, SourceConditionService>> = {
  "codedeploy.amazonaws.com": {
    sourceArn:
      "the deployment group (arn:<partition>:codedeploy:<region>:<account>:deploymentgroup:<app>/<group>)",
    guide: "https://docs.aws.amazon.com/codedeploy/latest/userguide/security_confused_deputy.html",
  },
  "eks.amazonaws.com": {
    sourceArn: "the cluster (arn:<partition>:eks:<region>:<account>:cluster/<name>), for the cluster role",
    guide: "https://docs.aws.amazon.com/eks/latest/userguide/cross-service-confused-deputy-prevention.html",
  },
  "events.amazonaws.com": {
    sourceArn: "the rule whose target uses the role (arn:<partition>:events:<region>:<account>:rule/...)",
    guide:
      "https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html",
  },
  "ecs-tasks.amazonaws.com": {
    sourceArn: "the ECS resource of this account and region (arn:<partition>:ecs:<region>:<account>:*)",
    guide: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html",
  },
  "monitoring.rds.amazonaws.com": {
    sourceArn: "the DB instance (arn:<partition>:rds:<region>:<account>:db:<name>)",
    guide:
      "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html#USER_Monitoring.OS.confused-deputy",
  },
  "vpc-flow-logs.amazonaws.com": {
    sourceArn: "the flow log (arn:<partition>:ec2:<region>:<account>:vpc-flow-log/*)",
    guide: "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html",
  },
};

/** The condition keys that bind a service's AssumeRole to this account's resources. */
export const SOURCE_CONDITION_KEYS = ["aws:sourcearn", "aws:sourceaccount"];
