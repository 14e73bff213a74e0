import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PipelineSettings } from "./args";
import type { AwsContext } from "../shared/aws-context";
import { accountAdministersKey, logsMayEncrypt } from "../shared/kms-statements";
import {
  ACCESS_LOG_PREFIXES,
  accessLogLifecycle,
  denyInsecureTransport,
  denyOtherEncryption,
  Encryption,
  logDeliveryStatement,
  processedLifecycle,
  rawLifecycle,
  uploadCors,
} from "./bucket-rules";

/*
 * The pipeline's storage: its KMS key and its buckets (raw, processed and, when access logging is on, a log
 * bucket). Every bucket is encrypted by default, versioned, closed to the public and to ACLs, TLS-only, and
 * expires what it no longer needs.
 */

export interface KeyArgs {
  readonly ctx: AwsContext;
  /** Buckets whose event notifications S3 sends to the (encrypted) queues, and whose access logs S3 writes. */
  readonly bucketArns: pulumi.Input<string>[];
  /** Log groups CloudWatch Logs encrypts with the key. */
  readonly logGroupArns: pulumi.Input<string>[];
  /** Whether S3 server access logs are written to a bucket encrypted with the key. */
  readonly accessLogs: boolean;
  readonly protect: boolean;
}

/**
 * One customer managed key for the whole pipeline: buckets (with SSE-KMS), queues, the Upstash secret and the
 * functions' logs. The account administers it through IAM; the services that encrypt on the pipeline's behalf
 * without a caller's credentials (S3 sending notifications and access logs, CloudWatch Logs) are admitted for
 * these buckets and log groups only.
 */
export function createPipelineKey(parent: pulumi.Resource, name: string, args: KeyArgs): aws.kms.Key {
  const { ctx } = args;
  const fromThePipelineBuckets = {
    ArnLike: { "aws:SourceArn": args.bucketArns },
    StringEquals: { "aws:SourceAccount": ctx.accountId },
  };
  return new aws.kms.Key(
    `${name}-key`,
    {
      description: `Encrypts the buckets, queues, Upstash secret and function logs of ${name}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          accountAdministersKey("AccountAdministers", ctx.partition, ctx.accountId),
          {
            Sid: "S3SendsNotificationsToTheQueues",
            Effect: "Allow",
            Principal: { Service: "s3.amazonaws.com" },
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
            Condition: fromThePipelineBuckets,
          },
          ...(args.accessLogs
            ? [
                {
                  Sid: "S3WritesAccessLogs",
                  Effect: "Allow",
                  Principal: { Service: "logging.s3.amazonaws.com" },
                  Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                  Resource: "*",
                  Condition: fromThePipelineBuckets,
                },
              ]
            : []),
          logsMayEncrypt(
            "CloudWatchLogsEncryptsTheFunctionLogs",
            ctx.region,
            ctx.dnsSuffix,
            args.logGroupArns,
          ),
        ],
      }),
    },
    // Losing the key loses every object, message and log it encrypts.
    { parent, protect: args.protect },
  );
}

export interface BucketArgs {
  readonly encryption: Encryption;
  readonly lifecycleRules: aws.types.input.s3.BucketLifecycleConfigurationRule[];
  /** The bucket policy's statements, given the bucket's ARN. */
  readonly statements: (bucketArn: pulumi.Output<string>) => pulumi.Input<object>[];
  readonly corsRules?: aws.types.input.s3.BucketCorsConfigurationCorsRule[];
  /** Where the bucket's server access logs go. */
  readonly accessLogs?: {
    readonly bucket: aws.s3.Bucket;
    readonly prefix: string;
    readonly ready: pulumi.Resource;
  };
}

/**
 * A bucket's configuration resources. The bucket itself is created apart (its ARN goes into the key policy,
 * which the encryption configuration needs first).
 */
export function configureBucket(
  parent: pulumi.Resource,
  name: string,
  bucket: aws.s3.Bucket,
  args: BucketArgs,
): { policy: aws.s3.BucketPolicy } {
  const opts = { parent };
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-sse`,
    {
      bucket: bucket.id,
      rules: [
        args.encryption.kind === "kms"
          ? {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyId: args.encryption.keyArn,
              },
              // One data key per bucket instead of one KMS request per object: far fewer KMS calls and costs.
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    },
    opts,
  );
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    `${name}-pab`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
  );
  const versioning = new aws.s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    opts,
  );
  // Rules on noncurrent versions need versioning on first.
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    { bucket: bucket.id, rules: args.lifecycleRules },
    { parent, dependsOn: [versioning] },
  );
  const policy = new aws.s3.BucketPolicy(
    `${name}-policy`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: args.statements(bucket.arn) }),
    },
    // S3 refuses concurrent changes to one bucket's access settings ("conflicting conditional operation").
    { parent, dependsOn: [publicAccessBlock] },
  );
  if (args.corsRules) {
    new aws.s3.BucketCorsConfiguration(
      `${name}-cors`,
      { bucket: bucket.id, corsRules: args.corsRules },
      opts,
    );
  }
  if (args.accessLogs) {
    new aws.s3.BucketLogging(
      `${name}-logging`,
      { bucket: bucket.id, targetBucket: args.accessLogs.bucket.id, targetPrefix: args.accessLogs.prefix },
      { parent, dependsOn: [args.accessLogs.ready] },
    );
  }
  return { policy };
}

export interface StorageArgs {
  readonly ctx: AwsContext;
  readonly settings: PipelineSettings;
  /** The functions' log groups, which CloudWatch Logs encrypts with the pipeline's key. */
  readonly logGroupArns: pulumi.Input<string>[];
  /** Expiry of the access logs, in days. */
  readonly logRetentionDays: number;
  readonly protect: boolean;
}

export interface PipelineStorage {
  readonly raw: aws.s3.Bucket;
  readonly processed: aws.s3.Bucket;
  readonly logs?: aws.s3.Bucket;
  readonly key: aws.kms.Key;
}

/**
 * The key and the buckets, configured. Buckets come first: the key policy names them, and their encryption
 * configuration needs the key.
 */
export function createPipelineStorage(
  parent: pulumi.Resource,
  name: string,
  args: StorageArgs,
): PipelineStorage {
  const { ctx, settings: s } = args;
  const bucket = (suffix: string) =>
    new aws.s3.Bucket(`${name}-${suffix}`, { forceDestroy: false }, { parent, protect: args.protect });
  const raw = bucket("raw");
  const processed = bucket("processed");
  const logs = s.accessLogs ? bucket("access-logs") : undefined;
  const key = createPipelineKey(parent, name, {
    ctx,
    bucketArns: [raw.arn, processed.arn],
    logGroupArns: args.logGroupArns,
    accessLogs: s.accessLogs,
    protect: args.protect,
  });
  const encryption: Encryption =
    s.bucketEncryption === "kms" ? { kind: "kms", keyArn: key.arn } : { kind: "s3" };

  let accessLogs: (prefix: string) => BucketArgs["accessLogs"] = () => undefined;
  if (logs) {
    const { policy } = configureBucket(parent, `${name}-access-logs`, logs, {
      encryption,
      lifecycleRules: accessLogLifecycle(args.logRetentionDays),
      statements: (arn) => [
        denyInsecureTransport(arn),
        logDeliveryStatement(ctx, arn, [
          { arn: raw.arn, prefix: ACCESS_LOG_PREFIXES.raw },
          { arn: processed.arn, prefix: ACCESS_LOG_PREFIXES.processed },
        ]),
      ],
    });
    accessLogs = (prefix) => ({ bucket: logs, prefix, ready: policy });
  }
  configureBucket(parent, `${name}-raw`, raw, {
    encryption,
    lifecycleRules: rawLifecycle(s),
    statements: (arn) => [denyInsecureTransport(arn), ...denyOtherEncryption(arn, encryption)],
    ...(s.corsOrigins.length > 0 ? { corsRules: uploadCors(s.corsOrigins) } : {}),
    accessLogs: accessLogs(ACCESS_LOG_PREFIXES.raw),
  });
  configureBucket(parent, `${name}-processed`, processed, {
    encryption,
    lifecycleRules: processedLifecycle(s.noncurrentExpirationDays),
    statements: (arn) => [denyInsecureTransport(arn), ...denyOtherEncryption(arn, encryption)],
    accessLogs: accessLogs(ACCESS_LOG_PREFIXES.processed),
  });
  return { raw, processed, logs, key };
}
