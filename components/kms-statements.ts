import * as pulumi from "@pulumi/pulumi";

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
