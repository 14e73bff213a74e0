/**
 * The ingestion pipeline on loopback, for tests of the clients that drive it from outside (the smoke test): the
 * raw and processed buckets in the local S3 (s3rver), whose ObjectCreated notifications run the real process and
 * vectorize handlers (as S3 -> SQS -> Lambda do, one delivery each), which embed with the loopback Bedrock and
 * index into the loopback Upstash, its credentials in the loopback Secrets Manager. STS hands the uploader role's
 * session the local S3's credentials, so URLs it signs pass s3rver's signature check.
 *
 * `outputs` are the stack outputs a deployed Pipeline exports (index.ts); `env` is what a client process needs to
 * find these servers (the SDK's AWS_ENDPOINT_URL_<SERVICE> variables and credentials).
 */
import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { processRuntime } from "../../functions/process/runtime";
import { formatUpstashSecret, readProcessEnv, readVectorizeEnv } from "../../contracts/pipeline-env";
import { createSqsHandler } from "../../functions/shared/sqs-batch";
import { createBedrockClient } from "../../functions/shared/bedrock";
import { vectorizeRuntime } from "../../functions/vectorize/runtime";
import { LocalS3, ObjectCreatedEvent, S3RVER_CREDENTIALS, startLocalS3 } from "../../tools/local/s3";
import { objectCreatedBody, sqsEvent } from "../functions/helpers/events";
import { FakeBedrock } from "../functions/helpers/fake-bedrock";
import { FakeSecretsManager } from "../functions/helpers/fake-secrets-manager";
import { FakeSts } from "../functions/helpers/fake-sts";
import { FakeUpstash } from "../functions/helpers/fake-upstash";
import { RecordingTelemetry } from "../functions/helpers/telemetry";

const REGION = "us-east-1";
const RAW = "pipeline-raw-local";
const PROCESSED = "pipeline-processed-local";
const UPLOAD_PREFIX = "uploads/";
const PROCESSED_PREFIX = "documents/";
const NAMESPACE = "local";
const DIMENSIONS = 256;
const TOKEN = "upstash-local-token";
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:123456789012:secret:agent-platform/local/upstash-AbCdEf`;
const UPLOADER_ROLE_ARN = "arn:aws:iam::123456789012:role/pipeline-uploader-local";

export interface LocalPipeline {
  readonly outputs: Record<string, string>;
  readonly env: Record<string, string>;
  readonly s3: LocalS3;
  readonly bedrock: FakeBedrock;
  readonly upstash: FakeUpstash;
  readonly sts: FakeSts;
  readonly namespace: string;
  /** Each handler's outcomes, in order (Telemetry records them). */
  readonly process: RecordingTelemetry;
  readonly vectorize: RecordingTelemetry;
  /** Resolves when every notification so far has been handled. */
  settled(): Promise<void>;
  /** What a handler threw (it reports a failed record as a batch item failure instead). */
  readonly errors: unknown[];
  close(): Promise<void>;
}

export async function startLocalPipeline(): Promise<LocalPipeline> {
  const credentials = { accessKeyId: "local", secretAccessKey: "local" };
  const processTelemetry = new RecordingTelemetry();
  const vectorizeTelemetry = new RecordingTelemetry();
  let queue: Promise<void> = Promise.resolve();
  const errors: unknown[] = [];
  let handle: (event: ObjectCreatedEvent) => Promise<void> = async () => undefined;
  // Notifications are handled one after another, after the request that caused them has been answered.
  const s3 = await startLocalS3([RAW, PROCESSED], 0, {
    onObjectCreated: (event) => {
      queue = queue
        .then(() => new Promise((resolve) => setImmediate(resolve)))
        .then(() => handle(event))
        .catch((error: unknown) => void errors.push(error));
    },
  });
  const bedrock = await new FakeBedrock().start();
  const upstash = await new FakeUpstash(TOKEN, DIMENSIONS).start();
  const secrets = await new FakeSecretsManager().start();
  secrets.secrets.set(SECRET_ARN, formatUpstashSecret({ url: upstash.url, token: TOKEN }));
  const sts = await new FakeSts().start();
  sts.roles.set(UPLOADER_ROLE_ARN, { ...S3RVER_CREDENTIALS, sessionToken: "local-session-token" });

  const bedrockClient: BedrockRuntimeClient = createBedrockClient({
    endpoint: bedrock.url,
    region: REGION,
    credentials,
  });
  const secretsClient = new SecretsManagerClient({
    endpoint: secrets.url,
    region: REGION,
    credentials,
    maxAttempts: 1,
  });
  const common = { POWERTOOLS_METRICS_NAMESPACE: "Local", RAW_BUCKET: RAW, PROCESSED_BUCKET: PROCESSED };
  const processHandler = createSqsHandler(processTelemetry, () =>
    processRuntime(
      readProcessEnv({
        ...common,
        POWERTOOLS_SERVICE_NAME: "process-local",
        RAW_PREFIX: UPLOAD_PREFIX,
        PROCESSED_PREFIX,
      }),
      processTelemetry,
      { s3: s3.client },
    ),
  );
  const vectorizeHandler = createSqsHandler(vectorizeTelemetry, () =>
    vectorizeRuntime(
      readVectorizeEnv({
        ...common,
        POWERTOOLS_SERVICE_NAME: "vectorize-local",
        PROCESSED_PREFIX,
        UPSTASH_SECRET_ARN: SECRET_ARN,
        UPSTASH_NAMESPACE: NAMESPACE,
        EMBEDDING_DIMENSIONS: String(DIMENSIONS),
      }),
      vectorizeTelemetry,
      {
        s3: s3.client,
        bedrock: bedrockClient,
        secretsManager: secretsClient,
        retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
      },
    ),
  );
  handle = async (event) => {
    const body = objectCreatedBody(event);
    if (event.bucket === RAW && event.key.startsWith(UPLOAD_PREFIX)) await processHandler(sqsEvent([body]));
    else if (event.bucket === PROCESSED) await vectorizeHandler(sqsEvent([body]));
  };

  return {
    outputs: {
      rawBucketName: RAW,
      processedBucketName: PROCESSED,
      uploadPrefix: UPLOAD_PREFIX,
      processedPrefix: PROCESSED_PREFIX,
      uploaderRoleArn: UPLOADER_ROLE_ARN,
      upstashSecretArn: SECRET_ARN,
      vectorNamespace: NAMESPACE,
    },
    env: {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      AWS_EC2_METADATA_DISABLED: "true",
    },
    s3,
    bedrock,
    upstash,
    sts,
    namespace: NAMESPACE,
    process: processTelemetry,
    vectorize: vectorizeTelemetry,
    settled: () => queue,
    errors,
    async close() {
      await queue;
      bedrockClient.destroy();
      secretsClient.destroy();
      await Promise.all([s3.close(), bedrock.close(), upstash.close(), secrets.close(), sts.close()]);
    },
  };
}
