import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "./aws-context";

/*
 * Key policy statements that several components' KMS keys share. Each component names its statements (Sid),
 * so a key policy still reads as that component's own.
 */

/** The account administers the key, and its IAM policies decide who uses it; without this nobody could. */
export function accountAdministersKey(
  sid: string,
  partition: pulumi.Input<string>,
  accountId: pulumi.Input<string>,
) {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${accountId}:root` },
    Action: "kms:*",
    Resource: "*",
  };
}

/**
 * CloudWatch Logs in the region may use the key for the log groups whose ARN matches `logGroupArn` (one ARN
 * with ArnEquals; with ArnLike a pattern, or a list of patterns any of which may match), and for nothing else.
 */
export function logsMayEncrypt(
  sid: string,
  region: pulumi.Input<string>,
  dnsSuffix: pulumi.Input<string>,
  logGroupArn: pulumi.Input<string> | pulumi.Input<string>[],
  operator: "ArnEquals" | "ArnLike" = "ArnEquals",
) {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: pulumi.interpolate`logs.${region}.${dnsSuffix}` },
    Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    Resource: "*",
    Condition: { [operator]: { "kms:EncryptionContext:aws:logs:arn": logGroupArn } },
  };
}

export interface KeyWithLogsArgs {
  /** What the key encrypts (its description). */
  readonly description: string;
  /** Sid of the CloudWatch Logs statement. */
  readonly logsSid: string;
  /**
   * The log group the key encrypts, by name; with `pattern`, a name pattern (`/aws/elasticache/x/*`) matched
   * with ArnLike. Log group names are fixed so the key policy can name them before the groups exist.
   */
  readonly logGroupName: pulumi.Input<string>;
  readonly pattern?: boolean;
}

/**
 * `${name}-key`: a component's own rotated key (30-day deletion window). The account administers it, and the
 * services storing the component's data with it (RDS, ElastiCache, Secrets Manager) use it through grants the
 * caller's IAM allows; CloudWatch Logs in the region may use it for the component's log group(s) only.
 */
export function keyWithLogs(
  parent: pulumi.Resource,
  name: string,
  ctx: AwsContext,
  args: KeyWithLogsArgs,
): aws.kms.Key {
  const logGroupArn = pulumi.interpolate`arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:${args.logGroupName}`;
  return new aws.kms.Key(
    `${name}-key`,
    {
      description: args.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          accountAdministersKey("AccountAdministersKey", ctx.partition, ctx.accountId),
          logsMayEncrypt(
            args.logsSid,
            ctx.region,
            ctx.dnsSuffix,
            logGroupArn,
            args.pattern ? "ArnLike" : "ArnEquals",
          ),
        ],
      }),
    },
    { parent },
  );
}
