import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "../lib/problems";
import { TABLE_KEYS, TTL_ATTRIBUTE } from "../contracts/table";
import { BACKUP_TAG } from "./backups";
import { DataSettings, dataProblems } from "./data-args";
import { awsContext, AwsContext } from "./shared/aws-context";
import { accountAdministersKey } from "./shared/kms-statements";
import { denyInsecureTransport, denyOtherEncryption, Encryption } from "./pipeline/bucket-rules";
import { configureBucket } from "./pipeline/storage";
import { PlatformComponent } from "./shared/tagging";

/** Days before S3 removes the parts of an upload that was never completed. */
const INCOMPLETE_UPLOAD_DAYS = 7;
/** Alarm when more than 10 requests are throttled in 5 minutes. */
const THROTTLE_THRESHOLD = 10;

export interface DataArgs extends DataSettings {
  /** AWS deletion protection on the table and Pulumi `protect` on the table, bucket and key. No default. */
  readonly protect: boolean;
  /** The alerts topic; the throttling alarm notifies it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/** Artifacts move to Glacier Instant Retrieval (still downloadable at once), old versions expire. */
export function artifactsLifecycle(
  s: Pick<DataSettings, "artifactsArchiveDays" | "artifactsNoncurrentExpirationDays">,
): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  return [
    {
      id: "artifacts",
      status: "Enabled",
      filter: { prefix: "" },
      ...(s.artifactsArchiveDays > 0
        ? { transitions: [{ days: s.artifactsArchiveDays, storageClass: "GLACIER_IR" }] }
        : {}),
      expiration: { expiredObjectDeleteMarker: true },
      noncurrentVersionExpiration: { noncurrentDays: s.artifactsNoncurrentExpirationDays },
      abortIncompleteMultipartUpload: { daysAfterInitiation: INCOMPLETE_UPLOAD_DAYS },
    },
  ];
}

/**
 * `agent-platform:index:Data`: the data tier. One DynamoDB table (single-table design: PK/SK, GSI1 by
 * owner, GSI2 by status/type) billed on demand, with point-in-time recovery, a TTL attribute and a stream of
 * new and old images; and the artifacts bucket (projects/, plans/, templates/), encrypted, versioned, private
 * and TLS-only. One customer managed key encrypts both, and the API's logs.
 */
export class Data extends PlatformComponent {
  readonly tableName: pulumi.Output<string>;
  readonly tableArn: pulumi.Output<string>;
  readonly streamArn: pulumi.Output<string>;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** The customer managed key; functions need kms:Decrypt and kms:GenerateDataKey on it. */
  readonly keyArn: pulumi.Output<string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: DataArgs, opts?: pulumi.ComponentResourceOptions) {
    throwIfProblems("Data", name, dataProblems(args));
    super("agent-platform:index:Data", name, "data", opts);
    const ctx = awsContext(this);
    // The pack requires SSE-KMS with a customer managed key on buckets; the table and the API logs share it.
    const key = this.createKey(name, ctx, args);

    const table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        // Selected by the Backups component's daily plan (on top of point-in-time recovery).
        tags: { [BACKUP_TAG.key]: BACKUP_TAG.value },
        billingMode: "PAY_PER_REQUEST",
        hashKey: TABLE_KEYS.partition,
        rangeKey: TABLE_KEYS.sort,
        attributes: [
          TABLE_KEYS.partition,
          TABLE_KEYS.sort,
          TABLE_KEYS.gsi1.partition,
          TABLE_KEYS.gsi1.sort,
          TABLE_KEYS.gsi2.partition,
          TABLE_KEYS.gsi2.sort,
        ].map((attribute) => ({ name: attribute, type: "S" })),
        globalSecondaryIndexes: [TABLE_KEYS.gsi1, TABLE_KEYS.gsi2].map((index) => ({
          name: index.name,
          keySchemas: [
            { attributeName: index.partition, keyType: "HASH" },
            { attributeName: index.sort, keyType: "RANGE" },
          ],
          projectionType: "ALL",
        })),
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
        ttl: { attributeName: TTL_ATTRIBUTE, enabled: true },
        streamEnabled: true,
        streamViewType: "NEW_AND_OLD_IMAGES",
        deletionProtectionEnabled: args.protect,
      },
      { parent: this, protect: args.protect },
    );

    const bucket = new aws.s3.Bucket(
      `${name}-artifacts`,
      { forceDestroy: false },
      { parent: this, protect: args.protect },
    );
    const encryption: Encryption = { kind: "kms", keyArn: key.arn };
    configureBucket(this, `${name}-artifacts`, bucket, {
      encryption,
      lifecycleRules: artifactsLifecycle(args),
      statements: (arn) => [denyInsecureTransport(arn), ...denyOtherEncryption(arn, encryption)],
    });

    this.alarms = [this.throttleAlarm(name, table, args.alarmTopicArn)];
    this.tableName = table.name;
    this.tableArn = table.arn;
    this.streamArn = table.streamArn;
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.keyArn = key.arn;
    this.registerOutputs({
      tableName: this.tableName,
      tableArn: this.tableArn,
      bucketName: this.bucketName,
      keyArn: this.keyArn,
    });
  }

  /** The account administers the key through IAM; services use it through the IAM grants of their callers. */
  private createKey(name: string, ctx: AwsContext, args: DataArgs): aws.kms.Key {
    return new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the ${name} table and artifacts bucket`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [accountAdministersKey("AccountAdministers", ctx.partition, ctx.accountId)],
        }),
      },
      // Losing the key loses every item and artifact it encrypts.
      { parent: this, protect: args.protect },
    );
  }

  /** Throttled reads and writes (table and indexes) above 10 in 5 minutes. */
  private throttleAlarm(
    name: string,
    table: aws.dynamodb.Table,
    alarmTopicArn: pulumi.Input<string> | undefined,
  ): aws.cloudwatch.MetricAlarm {
    const metric = (id: string, metricName: string) => ({
      id,
      metric: {
        namespace: "AWS/DynamoDB",
        metricName,
        dimensions: { TableName: table.name },
        period: 300,
        stat: "Sum",
      },
      returnData: false,
    });
    return new aws.cloudwatch.MetricAlarm(
      `${name}-throttles`,
      {
        alarmDescription: `More than ${THROTTLE_THRESHOLD} reads or writes of the ${name} table were throttled in 5 minutes`,
        metricQueries: [
          metric("reads", "ReadThrottleEvents"),
          metric("writes", "WriteThrottleEvents"),
          {
            id: "throttled",
            expression: "FILL(reads, 0) + FILL(writes, 0)",
            label: "Throttled requests",
            returnData: true,
          },
        ],
        evaluationPeriods: 1,
        threshold: THROTTLE_THRESHOLD,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...(alarmTopicArn ? { alarmActions: [alarmTopicArn], okActions: [alarmTopicArn] } : {}),
      },
      { parent: this },
    );
  }
}
