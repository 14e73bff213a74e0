import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrust } from "../shared/policy-statements";

export interface FlowLogsArgs {
  readonly vpcId: pulumi.Input<string>;
  /** Retention of the log group, in days (a CloudWatch Logs retention value). */
  readonly retentionInDays: number;
  /** The group's KMS key: the stack's operations key, which admits `/aws/vpc/flow-logs/vpc-*` groups. */
  readonly keyArn: pulumi.Input<string>;
}

/**
 * Flow logs of all of a VPC's traffic to a log group with the given retention, delivered by a role that can
 * write to that one group only. Children go under `parent`, named `<name>-flow-logs`, `-flow-logs-role`,
 * `-flow-logs-policy` and `-flow-log`.
 *
 * The group is encrypted with the key given (the stack's operations key), whose policy admits CloudWatch Logs
 * for `/aws/vpc/flow-logs/vpc-*` groups: hence the group's name fixed from the VPC id, unique per account and
 * region.
 */
export function createFlowLogs(parent: pulumi.Resource, name: string, args: FlowLogsArgs): aws.ec2.FlowLog {
  const opts = { parent };
  const partition = aws.getPartitionOutput({}, opts);
  const region = aws.getRegionOutput({}, opts);
  const identity = aws.getCallerIdentityOutput({}, opts);
  const groupName = pulumi.interpolate`/aws/vpc/flow-logs/${args.vpcId}`;

  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-flow-logs`,
    { name: groupName, retentionInDays: args.retentionInDays, kmsKeyId: args.keyArn },
    opts,
  );
  const role = new aws.iam.Role(
    `${name}-flow-logs-role`,
    {
      description: "Delivers the VPC's flow logs to their log group",
      // Only flow logs of this account may use the role (confused-deputy protection).
      assumeRolePolicy: serviceTrust("vpc-flow-logs.amazonaws.com", {
        condition: {
          StringEquals: { "aws:SourceAccount": identity.accountId },
          ArnLike: {
            "aws:SourceArn": pulumi.interpolate`arn:${partition.partition}:ec2:${region.region}:${identity.accountId}:vpc-flow-log/*`,
          },
        },
      }),
    },
    opts,
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-flow-logs-policy`,
    {
      role: role.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "WriteThisLogGroup",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
          },
        ],
      }),
    },
    opts,
  );
  return new aws.ec2.FlowLog(
    `${name}-flow-log`,
    {
      vpcId: args.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 600,
      tags: { Name: `${name}-flow-log` },
    },
    // Without the policy in place the first deliveries fail and the flow log reports an access error.
    { parent, dependsOn: [policy] },
  );
}
