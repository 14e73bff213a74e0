import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as lambda from "../../policy/lambda";
import * as resilience from "../../policy/resilience";
import { check, fakeResource } from "../helpers/offline";
import { dependsOn, expectFindings, res, UNKNOWN_STRING } from "./helpers";

const T = {
  queue: "aws:sqs/queue:Queue",
  redrive: "aws:sqs/redrivePolicy:RedrivePolicy",
  fn: "aws:lambda/function:Function",
  permission: "aws:lambda/permission:Permission",
  notification: "aws:s3/bucketNotification:BucketNotification",
  invokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  db: "aws:rds/instance:Instance",
  cluster: "aws:rds/cluster:Cluster",
  clusterInstance: "aws:rds/clusterInstance:ClusterInstance",
  table: "aws:dynamodb/table:Table",
  rg: "aws:elasticache/replicationGroup:ReplicationGroup",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  service: "aws:ecs/service:Service",
  bucket: "aws:s3/bucket:Bucket",
  taskDef: "aws:ecs/taskDefinition:TaskDefinition",
};

const queue = (name: string, extra: Record<string, unknown> = {}) =>
  res(T.queue, name, {
    name: `${name}-1`,
    arn: `arn:aws:sqs:us-east-1:123456789012:${name}-1`,
    url: `https://sqs.us-east-1.amazonaws.com/123456789012/${name}-1`,
    ...extra,
  });
const redrive = (dlq: string) =>
  JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:123456789012:${dlq}-1`, maxReceiveCount: 3 });
const fn = (name: string, extra: Record<string, unknown> = {}) =>
  res(T.fn, name, {
    name: `${name}-1`,
    arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}-1`,
    role: "r",
    ...extra,
  });

describe("policy: sqs-queue-dlq", () => {
  it("passes a queue with a longer-lived DLQ, and queues that are failure destinations", async () => {
    const failures = queue("failures", { messageRetentionSeconds: 1209600 });
    await expectFindings(
      resilience.sqsQueueDlq,
      [
        queue("jobs", { redrivePolicy: redrive("jobs-dlq") }),
        queue("jobs-dlq", { messageRetentionSeconds: 1209600 }),
        failures,
        fn("worker", { deadLetterConfig: { targetArn: "arn:aws:sqs:us-east-1:123456789012:failures-1" } }),
        queue("unknown-dlq", { redrivePolicy: UNKNOWN_STRING }),
      ],
      [],
    );
  });

  it("follows a standalone RedrivePolicy and property dependencies", async () => {
    const dlq = queue("dlq", { messageRetentionSeconds: 1209600 });
    const src = queue("src");
    await expectFindings(
      resilience.sqsQueueDlq,
      [
        src,
        dlq,
        dependsOn(
          res(T.redrive, "rp", { queueUrl: src.inputs.url, redrivePolicy: UNKNOWN_STRING }),
          "redrivePolicy",
          dlq,
        ),
      ],
      [],
    );
  });

  it("flags queues without a DLQ, short-lived DLQs and FIFO/standard mixes", async () => {
    await expectFindings(
      resilience.sqsQueueDlq,
      [
        queue("lonely"),
        queue("jobs", { redrivePolicy: redrive("jobs-dlq") }),
        queue("jobs-dlq"),
        queue("orders", { fifoQueue: true, redrivePolicy: redrive("orders-dlq") }),
        queue("orders-dlq", { messageRetentionSeconds: 1209600 }),
      ],
      [
        "SQS queue 'lonely' has no dead-letter queue (redrivePolicy) and is not one.",
        "SQS queue 'jobs' keeps messages 345600 s but its dead-letter queue 'jobs-dlq' only 345600 s; moved messages keep their enqueue time and would expire early.",
        "SQS queue 'orders' and its dead-letter queue 'orders-dlq' differ in type (FIFO and standard); SQS rejects this.",
      ],
    );
  });
});

describe("policy: lambda-async-dlq", () => {
  it("ignores synchronously invoked functions and passes async ones with a DLQ or on-failure destination", async () => {
    await expectFindings(
      resilience.lambdaAsyncDlq,
      [
        fn("api"),
        fn("ingest", { deadLetterConfig: { targetArn: "arn:aws:sqs:us-east-1:123456789012:d" } }),
        res(T.permission, "ingest-s3", {
          action: "lambda:InvokeFunction",
          function: "ingest-1",
          principal: "s3.amazonaws.com",
        }),
        fn("notify"),
        res(T.subscription, "sub", {
          topic: "t",
          protocol: "lambda",
          endpoint: "arn:aws:lambda:us-east-1:123456789012:function:notify-1",
        }),
        res(T.invokeConfig, "notify-cfg", {
          functionName: "notify-1",
          destinationConfig: { onFailure: { destination: "arn:aws:sqs:q" } },
        }),
      ],
      [],
    );
  });
  it("flags async functions without a failure path", async () => {
    await expectFindings(
      resilience.lambdaAsyncDlq,
      [
        fn("process"),
        res(T.notification, "n", {
          bucket: "b",
          lambdaFunctions: [
            {
              lambdaFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:process-1",
              events: ["s3:ObjectCreated:*"],
            },
          ],
        }),
      ],
      [
        "Lambda function 'process' is invoked asynchronously by S3 notifications but has no dead-letter queue or on-failure destination.",
      ],
    );
  });
});

describe("policy: backups", () => {
  it("applies to staging and prod only, with RDS's API default of 1 day", async () => {
    const bare = [res(T.db, "db", {}, { environment: "dev" }), res(T.table, "t", {}, { environment: "dev" })];
    await expectFindings(resilience.backups, bare, []);
    await expectFindings(
      resilience.backups,
      [
        res(T.db, "db", {}, { environment: "prod" }),
        res(T.cluster, "c", { backupRetentionPeriod: 14 }, { environment: "prod" }),
        res(T.table, "t", {}, { environment: "staging" }),
        res(T.rg, "r", { description: "d", snapshotRetentionLimit: 1 }, { environment: "prod" }),
      ],
      [
        "RDS instance 'db' keeps backups 1 day(s), less than 7.",
        "DynamoDB table 't' has no point-in-time recovery.",
        "ElastiCache replication group 'r' keeps snapshots 1 day(s), less than 7.",
      ],
    );
  });
});

describe("policy: multi-az", () => {
  it("passes highly available prod resources and ignores dev", async () => {
    const cluster = res(
      T.cluster,
      "c",
      { clusterIdentifier: "c-1", engine: "aurora-postgresql" },
      { environment: "prod" },
    );
    await expectFindings(
      resilience.multiAz,
      [
        res(T.db, "db", { multiAz: true }, { environment: "prod" }),
        cluster,
        res(T.clusterInstance, "c-0", { clusterIdentifier: "c-1" }, { environment: "prod" }),
        res(T.clusterInstance, "c-1", { clusterIdentifier: "c-1" }, { environment: "prod" }),
        res(
          T.rg,
          "r",
          { multiAzEnabled: true, automaticFailoverEnabled: true, numCacheClusters: 2 },
          { environment: "prod" },
        ),
        res(
          T.service,
          "svc",
          { desiredCount: 2, networkConfiguration: { subnets: ["a", "b"] } },
          { environment: "prod" },
        ),
        res(T.db, "dev-db", {}, { environment: "dev" }),
      ],
      [],
    );
  });
  it("flags single-AZ prod resources", async () => {
    await expectFindings(
      resilience.multiAz,
      [
        res(T.db, "db", {}, { environment: "prod" }),
        res(T.cluster, "c", { clusterIdentifier: "c-1" }, { environment: "prod" }),
        res(T.rg, "r", { numCacheClusters: 1 }, { environment: "prod" }),
        res(T.nodeGroup, "ng", { subnetIds: ["a"] }, { environment: "prod" }),
        res(T.service, "svc", { desiredCount: 1 }, { environment: "prod" }),
      ],
      [
        "RDS instance 'db' runs in a single availability zone (multiAz is not true).",
        "RDS cluster 'c' has 0 cluster instance(s); a failover needs at least 2.",
        "ElastiCache replication group 'r' is not Multi-AZ with automatic failover and a replica.",
        "EKS node group 'ng' uses 1 subnet(s); use at least 2 AZs.",
        "ECS service 'svc' runs 1 task(s); run at least 2 for an AZ failure.",
      ],
    );
  });
});

describe("policy: deletion-protection", () => {
  it("passes protected prod resources and ignores dev", async () => {
    await expectFindings(
      resilience.deletionProtection,
      [
        res(T.db, "db", { deletionProtection: true }, { environment: "prod", options: protectedOptions() }),
        res(T.bucket, "b", {}, { environment: "prod", options: protectedOptions() }),
        res(T.table, "t", {}, { environment: "dev" }),
      ],
      [],
    );
  });
  it("names what a prod resource lacks", async () => {
    await expectFindings(
      resilience.deletionProtection,
      [
        res(T.table, "t", {}, { environment: "prod" }),
        res(T.bucket, "b", { forceDestroy: true }, { environment: "prod" }),
      ],
      [
        "DynamoDB table 't' lacks deletionProtectionEnabled: true, the protect resource option.",
        "S3 bucket 'b' lacks forceDestroy: false, the protect resource option.",
      ],
    );
  });
  it("treats a resource without an Environment tag as production (the stricter rule)", async () => {
    const vs = await check(resilience.deletionProtection, [
      fakeResource(T.table, "t", { deletionProtectionEnabled: true }),
    ]);
    assert.deepStrictEqual(
      vs.map((v) => v.message.split("\n")[1]),
      ["DynamoDB table 't' lacks the protect resource option."],
    );
  });
});

function protectedOptions() {
  return {
    protect: true,
    ignoreChanges: [],
    aliases: [],
    additionalSecretOutputs: [],
    retainOnDelete: false,
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  };
}

describe("policy: lambda-supported-runtime", () => {
  it("passes supported runtimes and container images", async () => {
    await expectFindings(
      lambda.lambdaSupportedRuntime,
      [fn("a", { runtime: "nodejs22.x" }), fn("img", { packageType: "Image", imageUri: "x" })],
      [],
    );
  });
  it("flags deprecated and unlisted runtimes", async () => {
    await expectFindings(
      lambda.lambdaSupportedRuntime,
      [fn("old", { runtime: "nodejs18.x" }), fn("none", {})],
      [
        `Lambda function 'old' uses nodejs18.x, deprecated by AWS on 2025-09-01; use one of ${lambda.SUPPORTED_RUNTIMES.join(", ")}.`,
        "Lambda function 'none' sets no runtime.",
      ],
    );
  });
});

describe("policy: lambda-explicit-limits and lambda-tracing", () => {
  it("pass explicit limits and active tracing", async () => {
    const ok = fn("a", { timeout: 30, memorySize: 512, tracingConfig: { mode: "Active" } });
    await expectFindings(lambda.lambdaExplicitLimits, [ok], []);
    await expectFindings(lambda.lambdaTracing, [ok], []);
  });
  it("flag defaults (absent, or filled in by the provider's Check) and no tracing", async () => {
    await expectFindings(
      lambda.lambdaExplicitLimits,
      [fn("a", {}), fn("b", { timeout: 3, memorySize: 1024, __defaults: ["timeout"] })],
      [
        "Lambda function 'a' leaves timeout and memorySize at the default.",
        "Lambda function 'b' leaves timeout at the default.",
      ],
    );
    await expectFindings(
      lambda.lambdaTracing,
      [fn("a", { tracingConfig: { mode: "PassThrough" } })],
      ["Lambda function 'a' does not trace (tracingConfig.mode is not Active)."],
    );
  });
});

describe("policy: no-plaintext-secrets", () => {
  it("passes references and ordinary settings", async () => {
    await expectFindings(
      lambda.noPlaintextSecrets,
      [
        fn("a", {
          environment: {
            variables: {
              UPSTASH_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:1:secret:x",
              AUTH_MODE: "jwt",
              TOKEN_TTL: "3600",
              TABLE_NAME: "t",
              AUTH_HEADER: "x-api-key",
              LOG_LEVEL: "INFO",
            },
          },
        }),
      ],
      [],
    );
  });
  it("flags secret names and credential-shaped values in Lambda and ECS", async () => {
    const containers = JSON.stringify([
      {
        name: "web",
        image: "x",
        environment: [
          { name: "DB_PASSWORD", value: "hunter2" },
          { name: "NOTE", value: "AKIAABCDEFGHIJKLMNOP" },
        ],
      },
    ]);
    await expectFindings(
      lambda.noPlaintextSecrets,
      [
        fn("a", {
          environment: {
            variables: { UPSTASH_VECTOR_REST_TOKEN: "offline-placeholder-secret", dbPassword: "hunter2" },
          },
        }),
        res(T.taskDef, "td", { family: "f", containerDefinitions: containers }),
      ],
      [
        "Lambda function 'a' variable UPSTASH_VECTOR_REST_TOKEN looks like a secret in plain text; pass a Secrets Manager ARN.",
        "Lambda function 'a' variable dbPassword looks like a secret in plain text; pass a Secrets Manager ARN.",
        "ECS task definition 'td' container 'web' variable DB_PASSWORD looks like a secret in plain text; pass a Secrets Manager ARN.",
        "ECS task definition 'td' container 'web' variable NOTE holds an AWS access key id.",
      ],
    );
  });
});

describe("lambda runtimes against @pulumi/aws", () => {
  it("every allowed runtime is in the provider's Runtime enum and not marked deprecated there", () => {
    const dts = fs.readFileSync(
      path.join(path.dirname(require.resolve("@pulumi/aws/package.json")), "types/enums/lambda/index.d.ts"),
      "utf8",
    );
    const body = dts.slice(dts.indexOf("export declare const Runtime"), dts.indexOf("};"));
    const deprecated = [...body.matchAll(/@deprecated[^\n]*\n[^\n]*\n\s*readonly \w+: "([^"]+)"/g)].map(
      (m) => m[1],
    );
    const all = [...body.matchAll(/readonly \w+: "([^"]+)"/g)].map((m) => m[1]);
    for (const r of lambda.SUPPORTED_RUNTIMES) {
      assert.ok(all.includes(r), `${r} is not in aws.lambda.Runtime`);
      assert.ok(!deprecated.includes(r), `${r} is deprecated in @pulumi/aws`);
    }
    assert.ok(deprecated.includes("nodejs16.x"));
  });
});
