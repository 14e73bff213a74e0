import * as pulumi from "@pulumi/pulumi";

/*
 * Resource-policy statements that buckets, queues and topics share (key policies: kms-statements.ts).
 */

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
