import * as assert from "assert";
import { artifactsLifecycle, Data } from "../../components/data";
import { loadStackConfig, mapConfigSource } from "../../config";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { readStack } from "../../tools/offline/stack-files";
import { evaluate, named, policyDocument, REPO_ROOT, typeCounts } from "../helpers/offline";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts-topic-0123456";
const K = (name: string) => `agent-platform:${name}`;

function load(stack: string, overrides: Record<string, string> = {}) {
  const input = readStack(REPO_ROOT, stack);
  const values = { ...input.config, ...overrides };
  return {
    values,
    config: loadStackConfig(mapConfigSource(values, input.secretKeys), "agent-platform", stack),
  };
}

async function dataOf(stack: string, overrides: Record<string, string> = {}) {
  const { values, config } = load(stack, overrides);
  const { resources } = await evaluate(
    () =>
      new Data("data", {
        ...config.data,
        protect: config.protectStateful,
        alarmTopicArn: TOPIC,
      }),
    { stack, config: values, region: config.region },
  );
  return resources;
}

describe("Data", () => {
  let dev: RegisteredResource[];
  let prod: RegisteredResource[];
  before(async function () {
    this.timeout(60_000);
    [dev, prod] = await Promise.all([dataOf("dev"), dataOf("prod")]);
  });

  it("creates exactly the table, the bucket with its configuration, one key and one alarm", () => {
    assert.deepStrictEqual(typeCounts(dev), {
      "agent-platform:index:Data": 1,
      "aws:cloudwatch/metricAlarm:MetricAlarm": 1,
      "aws:dynamodb/table:Table": 1,
      "aws:kms/key:Key": 1,
      "aws:s3/bucket:Bucket": 1,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
      "aws:s3/bucketPolicy:BucketPolicy": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
      "aws:s3/bucketVersioning:BucketVersioning": 1,
    });
  });

  it("builds seed 003's single table: keys, GSI1/GSI2, on demand, PITR, CMK, TTL, stream", () => {
    const table = named(dev, "data-table");
    const key = named(dev, "data-key");
    assert.strictEqual(table.inputs.billingMode, "PAY_PER_REQUEST");
    assert.strictEqual(table.inputs.hashKey, "PK");
    assert.strictEqual(table.inputs.rangeKey, "SK");
    assert.deepStrictEqual(
      table.inputs.attributes,
      ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"].map((name) => ({ name, type: "S" })),
    );
    assert.deepStrictEqual(
      (table.inputs.globalSecondaryIndexes as Record<string, unknown>[]).map((i) => [
        i.name,
        i.keySchemas,
        i.projectionType,
      ]),
      ["GSI1", "GSI2"].map((n) => [
        n,
        [
          { attributeName: `${n}PK`, keyType: "HASH" },
          { attributeName: `${n}SK`, keyType: "RANGE" },
        ],
        "ALL",
      ]),
    );
    assert.deepStrictEqual(table.inputs.pointInTimeRecovery, { enabled: true });
    assert.deepStrictEqual(table.inputs.serverSideEncryption, { enabled: true, kmsKeyArn: key.outputs.arn });
    assert.deepStrictEqual(table.inputs.ttl, { attributeName: "ttl", enabled: true });
    assert.strictEqual(table.inputs.streamEnabled, true);
    assert.strictEqual(table.inputs.streamViewType, "NEW_AND_OLD_IMAGES");
    assert.strictEqual(key.inputs.enableKeyRotation, true);
  });

  it("protects the table, bucket and key in prod only (deletion protection and Pulumi protect)", () => {
    for (const [rs, on] of [
      [dev, false],
      [prod, true],
    ] as const) {
      assert.strictEqual(named(rs, "data-table").inputs.deletionProtectionEnabled, on);
      for (const n of ["data-table", "data-artifacts", "data-key"])
        assert.strictEqual(named(rs, n).options.protect, on, n);
    }
  });

  it("encrypts the artifacts bucket with the key, blocks public access, versions it, denies plain HTTP", () => {
    const bucket = named(dev, "data-artifacts");
    const key = named(dev, "data-key");
    assert.strictEqual(bucket.inputs.forceDestroy, false);
    const sse = named(dev, "data-artifacts-sse");
    assert.deepStrictEqual(sse.inputs.rules, [
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.outputs.arn },
        bucketKeyEnabled: true,
      },
    ]);
    const pab = named(dev, "data-artifacts-pab");
    for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
      assert.strictEqual(pab.inputs[flag], true, flag);
    const versioning = named(dev, "data-artifacts-versioning");
    assert.deepStrictEqual(versioning.inputs.versioningConfiguration, { status: "Enabled" });
    const policy = named(dev, "data-artifacts-policy");
    const sids = policyDocument(policy).Statement.map((s) => s.Sid);
    assert.deepStrictEqual(sids, [
      "DenyInsecureTransport",
      "DenyOtherEncryption",
      "DenyOtherKmsKeys",
      "DenyCustomerProvidedKeys",
    ]);
    assert.deepStrictEqual(policyDocument(policy).Statement[0].Condition, {
      Bool: { "aws:SecureTransport": "false" },
    });
  });

  it("archives artifacts after the configured days (seed 003: 90) and expires old versions", () => {
    const lifecycle = named(dev, "data-artifacts-lifecycle");
    assert.deepStrictEqual(lifecycle.inputs.rules, [
      {
        id: "artifacts",
        status: "Enabled",
        filter: { prefix: "" },
        transitions: [{ days: 90, storageClass: "GLACIER_IR" }],
        expiration: { expiredObjectDeleteMarker: true },
        noncurrentVersionExpiration: { noncurrentDays: 30 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ]);
    assert.strictEqual(
      artifactsLifecycle({ artifactsArchiveDays: 0, artifactsNoncurrentExpirationDays: 5 })[0].transitions,
      undefined,
    );
  });

  it("is the data's key only: the account administers it, no service is admitted by the key policy", () => {
    const statements = policyDocument(named(dev, "data-key")).Statement;
    assert.deepStrictEqual(
      statements.map((s) => s.Sid),
      ["AccountAdministers"],
    );
  });

  it("alarms on more than 10 throttled table requests in 5 minutes (seed 003), notifying the topic", () => {
    const alarm = named(dev, "data-throttles");
    const table = named(dev, "data-table");
    assert.strictEqual(alarm.inputs.threshold, 10);
    assert.strictEqual(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
    assert.deepStrictEqual(alarm.inputs.alarmActions, [TOPIC]);
    const queries = alarm.inputs.metricQueries as { id: string; metric?: Record<string, unknown> }[];
    assert.deepStrictEqual(
      queries
        .filter((q) => q.metric)
        .map((q) => [q.metric!.metricName, q.metric!.dimensions, q.metric!.period]),
      [
        ["ReadThrottleEvents", { TableName: table.outputs.name }, 300],
        ["WriteThrottleEvents", { TableName: table.outputs.name }, 300],
      ],
    );
  });

  it("reads the artifacts lifecycle from config and rejects bad values", () => {
    assert.deepStrictEqual(load("dev").config.data, {
      artifactsArchiveDays: 90,
      artifactsNoncurrentExpirationDays: 30,
    });
    assert.throws(() => load("dev", { [K("artifactsArchiveDays")]: "-1" }), /artifactsArchiveDays/);
    assert.throws(
      () => load("dev", { [K("artifactsNoncurrentExpirationDays")]: "0" }),
      /artifactsNoncurrentExpirationDays/,
    );
  });
});
