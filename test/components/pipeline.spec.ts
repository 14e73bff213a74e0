import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkPipelineArgs, Pipeline, PipelineArgs } from "../../components/pipeline/pipeline";
import { codeHash, functionBundles } from "../../components/lambda/function";
import { deployabilityPolicies } from "../../policy/deployability";
import { encryptionPolicies } from "../../policy/encryption";
import { iamPolicies } from "../../policy/iam";
import { lambdaPolicies } from "../../policy/lambda";
import { loggingPolicies } from "../../policy/logging";
import { networkPolicies } from "../../policy/network";
import { resiliencePolicies } from "../../policy/resilience";
import { requiredTags } from "../../policy/tagging";
import { buildFunctions } from "../../lib/build-functions";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { check, named, ofType } from "../helpers/offline";
import {
  ACCOUNT,
  arnOf,
  bucketOf,
  K,
  pipelineOf,
  resolve,
  statementsOf,
  TOPIC,
  urlOf,
  urnOf,
} from "./pipeline-helpers";

const FUNCTIONS = ["process", "vectorize"] as const;
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
const SIG = "4dabf18193072939515e22adb298388d";

/** What the stack files say per stack (see test/config/pipeline.spec.ts for the config itself). */
const STACKS = {
  dev: {
    cors: ["http://localhost:3000"],
    rawRule: { expiration: { days: 30 } },
    noncurrentDays: 7,
    logDays: 7,
    reserved: { process: -1, vectorize: -1 },
    maxConcurrency: { process: 2, vectorize: 2 },
  },
  staging: {
    cors: [],
    rawRule: { transitions: [{ days: 30, storageClass: "STANDARD_IA" }], expiration: { days: 180 } },
    noncurrentDays: 30,
    logDays: 30,
    reserved: { process: 5, vectorize: 5 },
    maxConcurrency: { process: 5, vectorize: 5 },
  },
  prod: {
    cors: ["https://agents.example.com"],
    rawRule: { transitions: [{ days: 30, storageClass: "STANDARD_IA" }], expiration: { days: 365 } },
    noncurrentDays: 30,
    logDays: 90,
    reserved: { process: 20, vectorize: 10 },
    maxConcurrency: { process: 20, vectorize: 10 },
  },
} as const;

const BUCKET_PARTS = ["sse", "pab", "ownership", "versioning", "lifecycle", "policy"];
const BUCKET_PART_TYPES: Record<string, string> = {
  sse: "BucketServerSideEncryptionConfiguration",
  pab: "BucketPublicAccessBlock",
  ownership: "BucketOwnershipControls",
  versioning: "BucketVersioning",
  lifecycle: "BucketLifecycleConfiguration",
  policy: "BucketPolicy",
};

/** `<Type> <name>` of every resource, sorted. */
function inventory(resources: RegisteredResource[]): string[] {
  return resources
    .filter((r) => r.type !== "pulumi:providers:aws")
    .map((r) => `${r.type.split(":").pop()} ${r.name}`)
    .sort();
}

function expectedInventory(opts: { cors: boolean; accessLogs: boolean }): string[] {
  const buckets = ["raw", "processed", ...(opts.accessLogs ? ["access-logs"] : [])];
  return [
    "Pipeline pipeline",
    "Key pipeline-key",
    ...buckets.flatMap((b) => [
      `Bucket pipeline-${b}`,
      ...BUCKET_PARTS.map((p) => `${BUCKET_PART_TYPES[p]} pipeline-${b}-${p}`),
    ]),
    ...(opts.accessLogs
      ? ["BucketLogging pipeline-raw-logging", "BucketLogging pipeline-processed-logging"]
      : []),
    ...(opts.cors ? ["BucketCorsConfiguration pipeline-raw-cors"] : []),
    "BucketNotification pipeline-raw-notifications",
    "BucketNotification pipeline-processed-notifications",
    ...FUNCTIONS.flatMap((f) => [
      `PipelineQueue pipeline-${f}-queue`,
      `Queue pipeline-${f}`,
      `Queue pipeline-${f}-dlq`,
      `QueuePolicy pipeline-${f}-policy`,
      `QueuePolicy pipeline-${f}-dlq-policy`,
      `RedriveAllowPolicy pipeline-${f}-dlq-redrive-allow`,
      `MetricAlarm pipeline-${f}-dlq-depth`,
      `MetricAlarm pipeline-${f}-oldest-message`,
      `LogGroup pipeline-${f}-logs`,
      `Role pipeline-${f}-role`,
      `RolePolicy pipeline-${f}-role-policy`,
      `Function pipeline-${f}-fn`,
      `EventSourceMapping pipeline-${f}-events`,
      `QueryDefinition pipeline-${f}-dead-letters`,
      ...["errors", "throttles", "duration", "failures"].map((a) => `MetricAlarm pipeline-${f}-${a}`),
    ]),
    "Secret pipeline-upstash",
    "SecretVersion pipeline-upstash-credentials",
    "Role pipeline-uploader",
    "RolePolicy pipeline-uploader-policy",
  ].sort();
}

describe("Pipeline", function () {
  // The first evaluation bundles the functions with esbuild.
  this.timeout(60000);

  for (const stack of ["dev", "staging", "prod"] as const) {
    describe(`${stack}, from the real stack files`, () => {
      const expected = STACKS[stack];
      let resources: RegisteredResource[];
      let pipeline: Pipeline;
      before(async () => ({ resources, pipeline } = await pipelineOf(stack)));
      const bucket = (b: string) => bucketOf(resources, `pipeline-${b}-policy`);
      const keyArn = () => arnOf(named(resources, "pipeline-key"));

      it("creates exactly the pipeline's resources", () => {
        assert.deepStrictEqual(
          inventory(resources),
          expectedInventory({ cors: expected.cors.length > 0, accessLogs: true }),
        );
      });

      it("encrypts every bucket with the pipeline's key and a bucket key, versions it and closes it", () => {
        for (const b of ["raw", "processed", "access-logs"]) {
          const res = named(resources, `pipeline-${b}`);
          assert.strictEqual(res.inputs.forceDestroy, false);
          assert.strictEqual(res.options.protect, stack === "prod", `${b} protect`);
          const name = res.outputs.bucket as string;
          assert.match(name, new RegExp(`^pipeline-${b}-[0-9a-f]{7}$`));
          assert.deepStrictEqual(named(resources, `pipeline-${b}-sse`).inputs, {
            bucket: name,
            rules: [
              {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn() },
                bucketKeyEnabled: true,
              },
            ],
          });
          assert.deepStrictEqual(named(resources, `pipeline-${b}-pab`).inputs, {
            bucket: name,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
          });
          assert.deepStrictEqual(named(resources, `pipeline-${b}-ownership`).inputs, {
            bucket: name,
            rule: { objectOwnership: "BucketOwnerEnforced" },
          });
          assert.deepStrictEqual(named(resources, `pipeline-${b}-versioning`).inputs, {
            bucket: name,
            versioningConfiguration: { status: "Enabled" },
          });
          const dependsOn = (child: string, on: string) =>
            assert.ok(
              named(resources, `pipeline-${b}-${child}`).dependencies.includes(
                urnOf(resources, `pipeline-${b}-${on}`),
              ),
            );
          dependsOn("lifecycle", "versioning");
          dependsOn("policy", "pab");
        }
        assert.strictEqual(named(resources, "pipeline-key").inputs.enableKeyRotation, true);
        assert.strictEqual(named(resources, "pipeline-key").options.protect, stack === "prod");
      });

      it("applies the stack's lifecycle: raw uploads transition then expire, old versions expire", () => {
        assert.deepStrictEqual(named(resources, "pipeline-raw-lifecycle").inputs.rules, [
          {
            id: "raw-uploads",
            status: "Enabled",
            filter: { prefix: "" },
            ...expected.rawRule,
            noncurrentVersionExpiration: { noncurrentDays: expected.noncurrentDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ]);
        assert.deepStrictEqual(named(resources, "pipeline-processed-lifecycle").inputs.rules, [
          {
            id: "processed-documents",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { expiredObjectDeleteMarker: true },
            noncurrentVersionExpiration: { noncurrentDays: expected.noncurrentDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ]);
        assert.deepStrictEqual(named(resources, "pipeline-access-logs-lifecycle").inputs.rules, [
          {
            id: "expire-access-logs",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: expected.logDays },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ]);
      });

      it(
        expected.cors.length > 0
          ? `allows browser PUTs from ${expected.cors.join(", ")} only`
          : "allows no browser uploads (no CORS configuration)",
        () => {
          const cors = resources.filter(
            (r) => r.type === "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
          );
          if (expected.cors.length === 0) {
            assert.strictEqual(cors.length, 0);
            return;
          }
          assert.deepStrictEqual(named(resources, "pipeline-raw-cors").inputs, {
            bucket: bucket("raw"),
            corsRules: [
              {
                id: "browser-uploads",
                allowedMethods: ["PUT"],
                allowedOrigins: expected.cors,
                allowedHeaders: ["content-type", "content-md5", "x-amz-*"],
                exposeHeaders: ["ETag", "x-amz-version-id"],
                maxAgeSeconds: 3000,
              },
            ],
          });
        },
      );

      it("denies plain HTTP, other encryption, other KMS keys and customer keys on both data buckets", () => {
        for (const b of ["raw", "processed"]) {
          const arn = arnOf(named(resources, `pipeline-${b}`));
          assert.deepStrictEqual(statementsOf(named(resources, `pipeline-${b}-policy`)), [
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [arn, `${arn}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
              Sid: "DenyOtherEncryption",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:PutObject",
              Resource: `${arn}/*`,
              Condition: {
                StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
                Null: { "s3:x-amz-server-side-encryption": "false" },
              },
            },
            {
              Sid: "DenyOtherKmsKeys",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:PutObject",
              Resource: `${arn}/*`,
              Condition: {
                StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn() },
                Null: { "s3:x-amz-server-side-encryption": "false" },
              },
            },
            {
              Sid: "DenyCustomerProvidedKeys",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:PutObject",
              Resource: `${arn}/*`,
              Condition: { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } },
            },
          ]);
        }
      });

      it("logs both data buckets' requests to the log bucket, which only S3 log delivery writes", () => {
        const logs = arnOf(named(resources, "pipeline-access-logs"));
        assert.deepStrictEqual(statementsOf(named(resources, "pipeline-access-logs-policy")), [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [logs, `${logs}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
          {
            Sid: "S3WritesAccessLogs",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: [`${logs}/raw/*`, `${logs}/processed/*`],
            Condition: {
              ArnLike: {
                "aws:SourceArn": [
                  arnOf(named(resources, "pipeline-raw")),
                  arnOf(named(resources, "pipeline-processed")),
                ],
              },
              StringEquals: { "aws:SourceAccount": ACCOUNT },
            },
          },
        ]);
        for (const b of ["raw", "processed"]) {
          const logging = named(resources, `pipeline-${b}-logging`);
          assert.deepStrictEqual(logging.inputs, {
            bucket: bucket(b),
            targetBucket: bucket("access-logs"),
            targetPrefix: `${b}/`,
          });
          assert.ok(logging.dependencies.includes(urnOf(resources, "pipeline-access-logs-policy")));
        }
      });

      it("lets S3, CloudWatch Logs and S3 log delivery use the key for these buckets and log groups only", () => {
        const buckets = [
          arnOf(named(resources, "pipeline-raw")),
          arnOf(named(resources, "pipeline-processed")),
        ];
        const fromBuckets = {
          ArnLike: { "aws:SourceArn": buckets },
          StringEquals: { "aws:SourceAccount": ACCOUNT },
        };
        const key = named(resources, "pipeline-key");
        assert.strictEqual(
          key.inputs.description,
          "Encrypts the buckets, queues, Upstash secret and function logs of pipeline",
        );
        assert.deepStrictEqual(statementsOf(key), [
          {
            Sid: "AccountAdministers",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: "kms:*",
            Resource: "*",
          },
          {
            Sid: "S3SendsNotificationsToTheQueues",
            Effect: "Allow",
            Principal: { Service: "s3.amazonaws.com" },
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
            Condition: fromBuckets,
          },
          {
            Sid: "S3WritesAccessLogs",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
            Condition: fromBuckets,
          },
          {
            Sid: "CloudWatchLogsEncryptsTheFunctionLogs",
            Effect: "Allow",
            Principal: { Service: "logs.us-east-1.amazonaws.com" },
            Action: [
              "kms:Encrypt*",
              "kms:Decrypt*",
              "kms:ReEncrypt*",
              "kms:GenerateDataKey*",
              "kms:Describe*",
            ],
            Resource: "*",
            Condition: {
              ArnEquals: {
                "kms:EncryptionContext:aws:logs:arn": FUNCTIONS.map(
                  (f) =>
                    `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/agent-platform-${stack}-pipeline-${f}`,
                ),
              },
            },
          },
        ]);
      });

      it("gives each function a KMS-encrypted queue and DLQ that admit only their own bucket as sender", () => {
        const senders = { process: "raw", vectorize: "processed" };
        for (const f of FUNCTIONS) {
          const queue = named(resources, `pipeline-${f}`);
          const dlq = named(resources, `pipeline-${f}-dlq`);
          for (const q of [queue, dlq]) {
            assert.strictEqual(q.inputs.kmsMasterKeyId, keyArn());
            assert.strictEqual(q.inputs.kmsDataKeyReusePeriodSeconds, 300);
          }
          assert.deepStrictEqual(JSON.parse(queue.inputs.redrivePolicy as string), {
            deadLetterTargetArn: arnOf(dlq),
            maxReceiveCount: 3,
          });
          assert.deepStrictEqual(statementsOf(named(resources, `pipeline-${f}-policy`)), [
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "sqs:*",
              Resource: arnOf(queue),
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
              Sid: "BucketSendsObjectCreatedEvents",
              Effect: "Allow",
              Principal: { Service: "s3.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: arnOf(queue),
              Condition: {
                ArnEquals: { "aws:SourceArn": arnOf(named(resources, `pipeline-${senders[f]}`)) },
                StringEquals: { "aws:SourceAccount": ACCOUNT },
              },
            },
          ]);
        }
      });

      it("sends raw uploads to the process queue and processed documents to the vectorize queue", () => {
        const raw = named(resources, "pipeline-raw-notifications");
        assert.deepStrictEqual(raw.inputs, {
          bucket: bucket("raw"),
          queues: [
            {
              id: "uploads-to-process",
              queueArn: arnOf(named(resources, "pipeline-process")),
              events: ["s3:ObjectCreated:*"],
              filterPrefix: "uploads/",
            },
          ],
        });
        const processed = named(resources, "pipeline-processed-notifications");
        assert.deepStrictEqual(processed.inputs, {
          bucket: bucket("processed"),
          queues: [
            {
              id: "documents-to-vectorize",
              queueArn: arnOf(named(resources, "pipeline-vectorize")),
              events: ["s3:ObjectCreated:*"],
              filterPrefix: "documents/",
              filterSuffix: ".jsonl",
            },
          ],
        });
        // S3 tests the destination when the notification is set: the queue policy must be in place first.
        assert.ok(raw.dependencies.includes(urnOf(resources, "pipeline-process-policy")));
        assert.ok(processed.dependencies.includes(urnOf(resources, "pipeline-vectorize-policy")));
      });

      it("runs each function on Node 22 arm64 with X-Ray, its own log group and the stack's limits", () => {
        for (const f of FUNCTIONS) {
          const fn = named(resources, `pipeline-${f}-fn`);
          const logs = named(resources, `pipeline-${f}-logs`);
          const name = `agent-platform-${stack}-pipeline-${f}`;
          const { code, environment, sourceCodeHash, tags, ...rest } = fn.inputs;
          assert.deepStrictEqual(rest, {
            name,
            description:
              f === "process"
                ? "Cleans and chunks raw uploads into processed documents"
                : "Embeds processed documents with Bedrock and indexes them in Upstash Vector",
            role: arnOf(named(resources, `pipeline-${f}-role`)),
            runtime: "nodejs22.x",
            architectures: ["arm64"],
            handler: "index.handler",
            memorySize: f === "process" ? 1024 : 512,
            timeout: 300,
            reservedConcurrentExecutions: expected.reserved[f],
            tracingConfig: { mode: "Active" },
            loggingConfig: { logFormat: "JSON", logGroup: `/aws/lambda/${name}` },
          });
          assert.deepStrictEqual(tags, { Function: "pipeline" });
          assert.deepStrictEqual(code, {
            [SIG]: "0def7320c3a5731c473e5ecbe6d01bc7",
            __pulumiArchive: true,
            path: path.join(path.resolve(__dirname, "..", ".."), ".build", "functions", f),
          });
          assert.match(sourceCodeHash as string, /^[A-Za-z0-9+/]{43}=$/);
          assert.ok(environment);
          assert.deepStrictEqual(logs.inputs, {
            name: `/aws/lambda/${name}`,
            retentionInDays: expected.logDays,
            kmsKeyId: keyArn(),
            tags: { Function: "pipeline" },
          });
          // Permissions first: the role policy is in place before the function (and its event source) exist.
          assert.ok(fn.dependencies.includes(urnOf(resources, `pipeline-${f}-role-policy`)));
        }
      });

      it("builds each function's environment with the shared typed module (the secret by ARN only)", () => {
        const common = {
          LOG_LEVEL: "INFO",
          MAX_RECEIVE_COUNT: "3",
          NODE_OPTIONS: "--enable-source-maps",
          POWERTOOLS_METRICS_NAMESPACE: `agent-platform-${stack}/pipeline`,
          PROCESSED_BUCKET: bucket("processed"),
          PROCESSED_PREFIX: "documents/",
          RAW_BUCKET: bucket("raw"),
        };
        const env = (f: string) =>
          (named(resources, `pipeline-${f}-fn`).inputs.environment as { variables: Record<string, string> })
            .variables;
        assert.deepStrictEqual(env("process"), {
          ...common,
          POWERTOOLS_SERVICE_NAME: `agent-platform-${stack}-pipeline-process`,
          RAW_PREFIX: "uploads/",
          MAX_OBJECT_BYTES: "20971520",
          CHUNK_MAX_CHARS: "2000",
          CHUNK_OVERLAP_CHARS: "200",
        });
        assert.deepStrictEqual(env("vectorize"), {
          ...common,
          POWERTOOLS_SERVICE_NAME: `agent-platform-${stack}-pipeline-vectorize`,
          MAX_OBJECT_BYTES: "67108864",
          EMBEDDING_MODEL_ID: "amazon.titan-embed-text-v2:0",
          EMBEDDING_DIMENSIONS: "1024",
          BEDROCK_REGION: "",
          BEDROCK_CONCURRENCY: "8",
          UPSTASH_SECRET_ARN: arnOf(named(resources, "pipeline-upstash")),
          UPSTASH_NAMESPACE: stack,
          UPSTASH_CONCURRENCY: "4",
          UPSTASH_MAX_REQUEST_BYTES: "1000000",
        });
      });

      it("feeds each function from its queue with partial batch responses and bounded concurrency", () => {
        for (const f of FUNCTIONS) {
          const mapping = named(resources, `pipeline-${f}-events`);
          assert.deepStrictEqual(mapping.inputs, {
            eventSourceArn: arnOf(named(resources, `pipeline-${f}`)),
            functionName: arnOf(named(resources, `pipeline-${f}-fn`)),
            batchSize: f === "process" ? 5 : 10,
            maximumBatchingWindowInSeconds: 0,
            scalingConfig: { maximumConcurrency: expected.maxConcurrency[f] },
            functionResponseTypes: ["ReportBatchItemFailures"],
            tags: { Function: "pipeline" },
          });
          assert.ok(mapping.dependencies.includes(urnOf(resources, `pipeline-${f}-role-policy`)));
        }
        // The vectorize function starts on messages only once the secret has its value.
        assert.ok(
          named(resources, "pipeline-vectorize-events").dependencies.includes(
            urnOf(resources, "pipeline-upstash-credentials"),
          ),
        );
      });

      it("keeps each queue's visibility timeout at its function's timeout + 60 s", async () => {
        for (const f of FUNCTIONS) {
          const timeout = named(resources, `pipeline-${f}-fn`).inputs.timeout as number;
          assert.strictEqual(named(resources, `pipeline-${f}`).inputs.visibilityTimeoutSeconds, timeout + 60);
        }
        const policy = deployabilityPolicies.filter((p) => p.name === "sqs-visibility-timeout");
        assert.deepStrictEqual(await check(policy, resources), []);
      });

      it("alarms to the alerts topic on errors, throttles, duration, own failures, DLQ depth and queue age", () => {
        assert.strictEqual(pipeline.alarms.length, 12);
        const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.strictEqual(alarms.length, 12);
        for (const a of alarms) {
          assert.deepStrictEqual([a.inputs.alarmActions, a.inputs.okActions], [[TOPIC], [TOPIC]], a.name);
          assert.strictEqual(a.inputs.treatMissingData, "notBreaching", a.name);
        }
        for (const f of FUNCTIONS) {
          const fn = `agent-platform-${stack}-pipeline-${f}`;
          const lambda = (id: string, metricName: string) => ({
            id,
            metric: {
              namespace: "AWS/Lambda",
              metricName,
              dimensions: { FunctionName: fn },
              period: 300,
              stat: "Sum",
            },
            returnData: false,
          });
          const own = (id: string, metricName: string) => ({
            id,
            metric: {
              namespace: `agent-platform-${stack}/pipeline`,
              metricName,
              dimensions: { service: fn },
              period: 300,
              stat: "Sum",
            },
            returnData: false,
          });
          const pick = (name: string) => {
            const {
              alarmActions: _a,
              okActions: _o,
              treatMissingData: _t,
              alarmDescription: _d,
              tags: _g,
              name: _n,
              ...rest
            } = named(resources, name).inputs;
            return rest;
          };
          assert.deepStrictEqual(pick(`pipeline-${f}-errors`), {
            metricQueries: [
              lambda("errors", "Errors"),
              lambda("invocations", "Invocations"),
              {
                id: "rate",
                expression: "IF(invocations > 0, 100 * errors / invocations, 0)",
                label: "Error rate (%)",
                returnData: true,
              },
            ],
            evaluationPeriods: 1,
            threshold: 5,
            comparisonOperator: "GreaterThanThreshold",
          });
          assert.deepStrictEqual(pick(`pipeline-${f}-throttles`), {
            namespace: "AWS/Lambda",
            metricName: "Throttles",
            dimensions: { FunctionName: fn },
            statistic: "Sum",
            period: 300,
            evaluationPeriods: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
          });
          assert.deepStrictEqual(pick(`pipeline-${f}-duration`), {
            namespace: "AWS/Lambda",
            metricName: "Duration",
            dimensions: { FunctionName: fn },
            extendedStatistic: "p99",
            period: 300,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
            threshold: 240000,
            comparisonOperator: "GreaterThanThreshold",
          });
          assert.deepStrictEqual(pick(`pipeline-${f}-failures`), {
            metricQueries: [
              own("failures", "Failures"),
              own("rejected", "Rejected"),
              {
                id: "retryable",
                expression: "FILL(failures, 0) - FILL(rejected, 0)",
                label: "Failed records (not rejected)",
                returnData: true,
              },
            ],
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
          });
          assert.strictEqual(named(resources, `pipeline-${f}-dlq-depth`).inputs.threshold, 0);
          assert.strictEqual(named(resources, `pipeline-${f}-oldest-message`).inputs.threshold, 360 * 3);
        }
      });

      it("names, in each DLQ alarm, the saved query that lists why its records were dead-lettered", () => {
        for (const f of FUNCTIONS) {
          const fn = `agent-platform-${stack}-pipeline-${f}`;
          const query = named(resources, `pipeline-${f}-dead-letters`).inputs;
          assert.strictEqual(query.name, `${fn}/dead-lettered records`);
          assert.deepStrictEqual(query.logGroupNames, [`/aws/lambda/${fn}`]);
          // The line the function logs on a record's last receive (functions/shared/sqs-batch.ts).
          assert.match(
            String(query.queryString),
            /filter level = "ERROR" and message like \/on its last receive\//,
          );
          assert.match(
            String(query.queryString),
            /^fields @timestamp, object, model, reason, error\.message, messageId/,
          );
          const alarm = named(resources, `pipeline-${f}-dlq-depth`).inputs;
          assert.match(
            String(alarm.alarmDescription),
            new RegExp(`Why: CloudWatch Logs Insights saved query "${fn}/dead-lettered records"`),
          );
        }
      });

      it("stores the Upstash credentials in one KMS-encrypted secret, and nowhere else", () => {
        const secret = named(resources, "pipeline-upstash");
        assert.strictEqual(secret.inputs.kmsKeyId, keyArn());
        const version = named(resources, "pipeline-upstash-credentials");
        assert.strictEqual(version.inputs.secretId, secret.id);
        const url = `https://placeholder-${stack}.upstash.io`;
        const token = `placeholder-${stack}-token`;
        assert.deepStrictEqual(version.inputs.secretString, {
          [SIG]: SECRET_SIGNATURE,
          value: JSON.stringify({ url, token }),
        });
        for (const r of resources.filter((x) => x !== version && x.type !== "pulumi:providers:aws")) {
          const text = JSON.stringify({ inputs: r.inputs, outputs: r.outputs });
          for (const value of [url, token, "placeholder-"])
            assert.ok(!text.includes(value), `${value} in ${r.name}`);
        }
      });

      it("outputs bucket names, queue URLs, function names, the secret and uploader ARNs", async () => {
        const values = await resolve({
          raw: pipeline.rawBucketName,
          processed: pipeline.processedBucketName,
          logs: pipeline.accessLogBucketName,
          queues: pipeline.queues,
          functions: pipeline.functionNames,
          secret: pipeline.upstashSecretArn,
          uploader: pipeline.uploaderRoleArn,
        });
        const q = (n: string) => ({
          url: urlOf(named(resources, n)),
          arn: arnOf(named(resources, n)),
          dlqUrl: urlOf(named(resources, `${n}-dlq`)),
          dlqArn: arnOf(named(resources, `${n}-dlq`)),
        });
        assert.deepStrictEqual(values, {
          raw: bucket("raw"),
          processed: bucket("processed"),
          logs: bucket("access-logs"),
          queues: { process: q("pipeline-process"), vectorize: q("pipeline-vectorize") },
          functions: {
            process: `agent-platform-${stack}-pipeline-process`,
            vectorize: `agent-platform-${stack}-pipeline-vectorize`,
          },
          secret: arnOf(named(resources, "pipeline-upstash")),
          uploader: arnOf(named(resources, "pipeline-uploader")),
        });
        assert.strictEqual(pipeline.uploadPrefix, "uploads/");
      });

      it("passes the policy pack's tagging, IAM, encryption, network, resilience, logging, Lambda and limit policies", async () => {
        const violations = await check(
          [
            requiredTags,
            ...iamPolicies,
            ...encryptionPolicies,
            ...networkPolicies,
            ...resiliencePolicies,
            ...loggingPolicies,
            ...lambdaPolicies,
            ...deployabilityPolicies,
          ],
          resources,
        );
        assert.deepStrictEqual(
          violations.map((v) => `${v.policy}: ${v.message}`),
          [],
        );
      });
    });
  }

  describe("other settings", () => {
    it("uses SSE-S3, no log bucket, the given uploaders and longer timeouts when configured so", async () => {
      const uploader = "arn:aws:iam::123456789012:role/upload-service";
      const { resources } = await pipelineOf("dev", {
        [K("pipelineBucketEncryption")]: "s3",
        [K("pipelineAccessLogs")]: "false",
        [K("pipelineCorsOrigins")]: "[]",
        [K("pipelineUploaderPrincipals")]: JSON.stringify([uploader]),
        [K("pipelineProcessTimeoutSeconds")]: "600",
        [K("pipelineVectorizeTimeoutSeconds")]: "900",
      });
      assert.deepStrictEqual(inventory(resources), expectedInventory({ cors: false, accessLogs: false }));
      for (const b of ["raw", "processed"]) {
        assert.deepStrictEqual(named(resources, `pipeline-${b}-sse`).inputs.rules, [
          { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ]);
        const arn = arnOf(named(resources, `pipeline-${b}`));
        assert.deepStrictEqual(
          statementsOf(named(resources, `pipeline-${b}-policy`)).map((s) => [s.Sid, s.Condition]),
          [
            ["DenyInsecureTransport", { Bool: { "aws:SecureTransport": "false" } }],
            [
              "DenyOtherEncryption",
              {
                StringNotEquals: { "s3:x-amz-server-side-encryption": "AES256" },
                Null: { "s3:x-amz-server-side-encryption": "false" },
              },
            ],
            [
              "DenyCustomerProvidedKeys",
              { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } },
            ],
          ],
          arn,
        );
      }
      assert.deepStrictEqual(
        statementsOf(named(resources, "pipeline-key")).map((s) => s.Sid),
        ["AccountAdministers", "S3SendsNotificationsToTheQueues", "CloudWatchLogsEncryptsTheFunctionLogs"],
      );
      assert.strictEqual(named(resources, "pipeline-process").inputs.visibilityTimeoutSeconds, 660);
      assert.strictEqual(named(resources, "pipeline-vectorize").inputs.visibilityTimeoutSeconds, 960);
      assert.strictEqual(named(resources, "pipeline-vectorize-duration").inputs.threshold, 720000);
      // The policy pack requires SSE-KMS: SSE-S3 is for accounts whose pack config says otherwise.
      const violations = await check(encryptionPolicies, resources);
      assert.deepStrictEqual(
        violations.map((v) => `${v.policy} ${v.name}`),
        ["s3-bucket-encryption pipeline-raw", "s3-bucket-encryption pipeline-processed"],
      );
    });

    it("alarms without actions when no topic is given, and uses a given Upstash namespace", async () => {
      const { resources } = await pipelineOf(
        "dev",
        {},
        { alarmTopicArn: undefined, upstashNamespace: "team_a" },
      );
      for (const a of ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
        assert.strictEqual(a.inputs.alarmActions, undefined, a.name);
      }
      const env = named(resources, "pipeline-vectorize-fn").inputs.environment as {
        variables: Record<string, string>;
      };
      assert.strictEqual(env.variables.UPSTASH_NAMESPACE, "team_a");
    });
  });

  describe("guard", () => {
    it("refuses bad arguments before registering anything, naming each", async () => {
      const { config } = await pipelineOf("dev");
      const args: PipelineArgs = {
        ...config.pipeline!,
        upstashUrl: "u",
        upstashToken: "t",
        logRetentionDays: 10,
        upstashNamespace: "a.b",
        rawTransitionDays: 90,
        rawExpirationDays: 60,
        corsOrigins: ["example.com"],
        vectorize: { ...config.pipeline!.vectorize, memoryMb: 64 },
      };
      assert.throws(() => checkPipelineArgs("pipeline", args), {
        message:
          "Pipeline pipeline: rawExpirationDays = 60: must be later than rawTransitionDays (90): objects move to " +
          'Standard-IA first, then expire; corsOrigins[0] = "example.com": must be an origin such as ' +
          "https://app.example.com: https, a host (optionally *.domain) and an optional port, no path; http only " +
          "for localhost; vectorize.memoryMb = 64: must be a whole number of MB from 128 to 10240 (Lambda's " +
          'range); logRetentionDays = 10: must be a CloudWatch Logs retention value; upstashNamespace = "a.b": ' +
          "must be 1-64 letters, digits, '-' or '_'",
      });
    });
  });

  describe("function code", () => {
    it("builds once per process and deploys that build's archive and hash", async () => {
      const first = functionBundles();
      assert.strictEqual(functionBundles(), first);
      const bundles = await first;
      const { resources } = await pipelineOf("dev");
      for (const f of FUNCTIONS) {
        const fn = named(resources, `pipeline-${f}-fn`);
        assert.strictEqual((fn.inputs.code as { path: string }).path, bundles[f].dir);
        assert.strictEqual(fn.inputs.sourceCodeHash, codeHash(bundles[f]));
        assert.strictEqual(codeHash(bundles[f]), Buffer.from(bundles[f].sha256, "hex").toString("base64"));
      }
    });

    it("gives the same bytes for the same sources, so an unchanged function shows no diff", async () => {
      // The process's build (the one the program deploys) and an independent one in another directory.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-build-"));
      try {
        const [a, b] = [await functionBundles(), await buildFunctions({ outDir: dir, only: FUNCTIONS })];
        for (const f of FUNCTIONS) {
          assert.strictEqual(a[f].sha256, b[f].sha256, f);
          for (const file of ["index.js", "index.js.map"])
            assert.deepStrictEqual(
              fs.readFileSync(path.join(a[f].dir, file)),
              fs.readFileSync(path.join(b[f].dir, file)),
              `${f}/${file}`,
            );
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
