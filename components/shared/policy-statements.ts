import * as pulumi from "@pulumi/pulumi";

/*
 * Resource-policy statements that buckets, queues and topics share (key policies: shared/kms-statements.ts), and the
 * trust policy of every role an AWS service assumes.
 */

/** `arn:<partition>:iam::aws:policy/<name>` for an AWS managed policy (`name` with its path, e.g. service-role/X). */
export function awsManagedPolicy(partition: pulumi.Input<string>, name: string): pulumi.Output<string> {
  return pulumi.interpolate`arn:${partition}:iam::aws:policy/${name}`;
}

/** Denies `action` on `resource` to every request that does not use TLS; the account's IAM policies grant the rest. */
export function denyInsecureTransport(
  action: string,
  resource: pulumi.Input<string> | pulumi.Input<string>[],
) {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * The trust policy of a role `service` assumes (`sts:AssumeRole` unless `actions` says otherwise), with
 * `condition` where the service sets confused-deputy keys (aws:SourceAccount, aws:SourceArn).
 */
export function serviceTrust(
  service: string,
  options: { actions?: string | string[]; condition?: Record<string, unknown> } = {},
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: options.actions ?? "sts:AssumeRole",
        ...(options.condition ? { Condition: options.condition } : {}),
      },
    ],
  });
}
