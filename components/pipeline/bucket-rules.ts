import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BucketEncryption } from "./args";
import type { AwsContext } from "../shared/aws-context";
import { denyInsecureTransport as denyWithoutTls } from "../shared/policy-statements";

/*
 * What the pipeline's buckets say: policy statements, lifecycle rules and CORS. Plain values (with Outputs for
 * ARNs), so tests and the component read the same definitions.
 */

/** Key prefixes of the access log bucket, one per source bucket. */
export const ACCESS_LOG_PREFIXES = { raw: "raw/", processed: "processed/" } as const;

/** Days before S3 removes the parts of an upload that was never completed. */
const INCOMPLETE_UPLOAD_DAYS = 7;

/** A bucket's default encryption: SSE-KMS with this key, or SSE-S3 (AES256), which needs no key. */
export type Encryption =
  | { readonly kind: Extract<BucketEncryption, "kms">; readonly keyArn: pulumi.Input<string> }
  | { readonly kind: Extract<BucketEncryption, "s3"> };

/** Denies every request to the bucket and its objects that does not use TLS. */
export function denyInsecureTransport(bucketArn: pulumi.Input<string>) {
  return denyWithoutTls("s3:*", [bucketArn, pulumi.interpolate`${bucketArn}/*`]);
}

/**
 * Refuses uploads that ask for another encryption than the bucket's own. An upload without encryption headers
 * gets the bucket's default encryption (S3 encrypts every object), so the headers are never required: the
 * process function writes without them, and multipart parts cannot carry them. Each statement pairs a negated
 * comparison with `Null: false`, so it applies only to requests that send the encryption header.
 */
export function denyOtherEncryption(bucketArn: pulumi.Input<string>, encryption: Encryption) {
  const objects = pulumi.interpolate`${bucketArn}/*`;
  const header = "s3:x-amz-server-side-encryption";
  const keyHeader = "s3:x-amz-server-side-encryption-aws-kms-key-id";
  const customerKey = "s3:x-amz-server-side-encryption-customer-algorithm";
  return [
    {
      Sid: "DenyOtherEncryption",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: objects,
      Condition: {
        StringNotEquals: { [header]: encryption.kind === "kms" ? "aws:kms" : "AES256" },
        Null: { [header]: "false" },
      },
    },
    ...(encryption.kind === "kms"
      ? [
          {
            // "aws:kms" without a key id means the AWS managed aws/s3 key, and another key could be anyone's:
            // a request that asks for SSE-KMS must name the pipeline's key (by ARN), or send no header at all.
            Sid: "DenyOtherKmsKeys",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:PutObject",
            Resource: objects,
            Condition: {
              StringNotEquals: { [keyHeader]: encryption.keyArn },
              Null: { [header]: "false" },
            },
          },
        ]
      : []),
    {
      // SSE-C: the client keeps the key, and the pipeline could never read the object.
      Sid: "DenyCustomerProvidedKeys",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: objects,
      Condition: { Null: { [customerKey]: "false" } },
    },
  ];
}

/** Raw uploads: optionally to Standard-IA, then deleted; old versions and abandoned uploads cleaned up. */
export function rawLifecycle(s: {
  rawTransitionDays: number;
  rawExpirationDays: number;
  noncurrentExpirationDays: number;
}): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  return [
    {
      id: "raw-uploads",
      status: "Enabled",
      filter: { prefix: "" },
      ...(s.rawTransitionDays > 0
        ? { transitions: [{ days: s.rawTransitionDays, storageClass: "STANDARD_IA" }] }
        : {}),
      // Without an expiration, delete markers whose versions have all expired are removed instead.
      expiration:
        s.rawExpirationDays > 0 ? { days: s.rawExpirationDays } : { expiredObjectDeleteMarker: true },
      noncurrentVersionExpiration: { noncurrentDays: s.noncurrentExpirationDays },
      abortIncompleteMultipartUpload: { daysAfterInitiation: INCOMPLETE_UPLOAD_DAYS },
    },
  ];
}

/** Processed documents stay (they are what the index is built from); old versions go. */
export function processedLifecycle(
  noncurrentDays: number,
): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  return [
    {
      id: "processed-documents",
      status: "Enabled",
      filter: { prefix: "" },
      expiration: { expiredObjectDeleteMarker: true },
      noncurrentVersionExpiration: { noncurrentDays },
      abortIncompleteMultipartUpload: { daysAfterInitiation: INCOMPLETE_UPLOAD_DAYS },
    },
  ];
}

/** Access logs expire after the stack's log retention. */
export function accessLogLifecycle(days: number): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  return [
    {
      id: "expire-access-logs",
      status: "Enabled",
      filter: { prefix: "" },
      expiration: { days },
      noncurrentVersionExpiration: { noncurrentDays: 1 },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
  ];
}

/** Browser uploads with a pre-signed PUT URL from the configured origins; nothing else crosses origins. */
export function uploadCors(origins: readonly string[]): aws.types.input.s3.BucketCorsConfigurationCorsRule[] {
  return [
    {
      id: "browser-uploads",
      allowedMethods: ["PUT"],
      allowedOrigins: [...origins],
      // The headers a pre-signed PUT may sign: content type and MD5, encryption and checksum headers (x-amz-*).
      allowedHeaders: ["content-type", "content-md5", "x-amz-*"],
      exposeHeaders: ["ETag", "x-amz-version-id"],
      maxAgeSeconds: 3000,
    },
  ];
}

/** Lets S3 write the server access logs of the given buckets, each under its own prefix. */
export function logDeliveryStatement(
  ctx: AwsContext,
  logBucketArn: pulumi.Input<string>,
  sources: { arn: pulumi.Input<string>; prefix: string }[],
) {
  return {
    Sid: "S3WritesAccessLogs",
    Effect: "Allow",
    Principal: { Service: "logging.s3.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: sources.map((s) => pulumi.interpolate`${logBucketArn}/${s.prefix}*`),
    Condition: {
      ArnLike: { "aws:SourceArn": sources.map((s) => s.arn) },
      StringEquals: { "aws:SourceAccount": ctx.accountId },
    },
  };
}
