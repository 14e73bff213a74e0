import { strict as assert } from "node:assert";
import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { processRuntime } from "../../functions/process/runtime";
import {
  formatUpstashSecret,
  readProcessEnv,
  readVectorizeEnv,
  VectorizeEnvironment,
} from "../../contracts/pipeline-env";
import {
  ProcessedDocument,
  processedKey,
  serializeProcessed,
} from "../../functions/shared/processed-document";
import { createSqsHandler } from "../../functions/shared/sqs-batch";
import type { SqsHandler } from "../../functions/shared/sqs-types";
import { createBedrockClient } from "../../functions/shared/bedrock";
import { documentId } from "../../functions/vectorize/vector-ids";
import { VectorizeClients, vectorizeRuntime } from "../../functions/vectorize/runtime";
import { objectCreatedBody, sqsEvent } from "./helpers/events";
import {
  bedrockError,
  fakeEmbedding,
  FakeBedrock,
  INTERNAL,
  THROTTLED,
  UNAVAILABLE,
} from "./helpers/fake-bedrock";
import { FakeSecretsManager } from "./helpers/fake-secrets-manager";
import { FakeUpstash } from "./helpers/fake-upstash";
import { LocalS3, startLocalS3 } from "../../tools/local/s3";
import { RecordingTelemetry } from "./helpers/telemetry";

const RAW = "raw-bucket";
const PROCESSED = "processed-bucket";
const NAMESPACE = "test";
const TOKEN = "upstash-test-token";
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent-platform/test/upstash-AbCdEf";
const DIMENSIONS = 256;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

const baseVars = {
  POWERTOOLS_SERVICE_NAME: "vectorize-test",
  POWERTOOLS_METRICS_NAMESPACE: "Test",
  RAW_BUCKET: RAW,
  PROCESSED_BUCKET: PROCESSED,
  PROCESSED_PREFIX: "processed/",
  UPSTASH_SECRET_ARN: SECRET_ARN,
  UPSTASH_NAMESPACE: NAMESPACE,
  EMBEDDING_DIMENSIONS: String(DIMENSIONS),
  BEDROCK_CONCURRENCY: "4",
  UPSTASH_CONCURRENCY: "2",
};

describe("vectorize function against local S3, Bedrock, Upstash and Secrets Manager servers", function () {
  this.timeout(30_000);
  let s3: LocalS3;
  let bedrock: FakeBedrock;
  let upstash: FakeUpstash;
  let secrets: FakeSecretsManager;
  let bedrockClient: BedrockRuntimeClient;
  let secretsClient: SecretsManagerClient;

  before(async () => {
    s3 = await startLocalS3([RAW, PROCESSED]);
    bedrock = await new FakeBedrock().start();
    // The fake enforces the same request size limit the function packs to by default.
    upstash = await new FakeUpstash(TOKEN, DIMENSIONS, 1_000_000).start();
    secrets = await new FakeSecretsManager().start();
    secrets.secrets.set(SECRET_ARN, formatUpstashSecret({ url: upstash.url, token: TOKEN }));
    // The production client settings (one attempt, shared HTTP/2 connection), pointed at the local server.
    bedrockClient = createBedrockClient({ endpoint: bedrock.url, region: "us-east-1", credentials });
    secretsClient = new SecretsManagerClient({
      endpoint: secrets.url,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
  });
  after(async () => {
    bedrockClient?.destroy();
    secretsClient?.destroy();
    await Promise.all([s3?.close(), bedrock?.close(), upstash?.close(), secrets?.close()]);
  });
  beforeEach(() => {
    for (const server of [bedrock, upstash, secrets]) {
      server.clearFaults();
      server.requests.length = 0;
    }
    bedrock.embedded.length = 0;
    upstash.namespaces.clear();
  });

  function handlerFor(
    telemetry: RecordingTelemetry,
    vars: Record<string, string> = {},
    clients: VectorizeClients = {},
  ) {
    const env: VectorizeEnvironment = readVectorizeEnv({ ...baseVars, ...vars });
    const runtime = vectorizeRuntime(env, telemetry, {
      s3: s3.client,
      bedrock: bedrockClient,
      secretsManager: secretsClient,
      retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 40 },
      bedrockTimeoutMs: 500,
      upstashTimeoutMs: 500,
      ...clients,
    });
    return createSqsHandler(telemetry, () => runtime);
  }

  /** Uploads a raw source and its processed document made of `texts` (one chunk each); returns its event. */
  async function processedFixture(
    sourceKey: string,
    texts: readonly string[],
    title = "Doc",
  ): Promise<{ body: string; doc: ProcessedDocument }> {
    const source = await s3.client.send(
      new PutObjectCommand({ Bucket: RAW, Key: sourceKey, Body: texts.join("") }),
    );
    const eTag = (source.ETag ?? "").replace(/"/g, "");
    let offset = 0;
    const doc: ProcessedDocument = {
      header: {
        type: "document",
        schemaVersion: 1,
        sourceBucket: RAW,
        sourceKey,
        eTag,
        contentType: "text/plain",
        format: "text",
        encoding: "utf-8",
        title,
        chunkCount: texts.length,
        textLength: texts.join("").length,
        chunking: { maxChars: 2000, overlapChars: 0 },
      },
      chunks: texts.map((text, index) => {
        const start = offset;
        offset += text.length;
        return { type: "chunk" as const, index, text, start, end: offset, headingPath: [title] };
      }),
    };
    return { body: await putProcessed(doc), doc };
  }

  async function putProcessed(doc: ProcessedDocument): Promise<string> {
    const key = processedKey({
      processedPrefix: "processed/",
      rawPrefix: "",
      sourceKey: doc.header.sourceKey,
      eTag: doc.header.eTag,
    });
    const body = serializeProcessed(doc);
    const put = await s3.client.send(new PutObjectCommand({ Bucket: PROCESSED, Key: key, Body: body }));
    return objectCreatedBody({
      bucket: PROCESSED,
      key,
      size: Buffer.byteLength(body),
      eTag: (put.ETag ?? "").replace(/"/g, ""),
    });
  }

  const texts = (n: number, prefix = "chunk") =>
    Array.from({ length: n }, (_, i) => `${prefix} ${i}: ${"lorem ipsum ".repeat(3)}`);
  const stored = () => upstash.vectors(NAMESPACE);

  it("embeds a processed upload end to end and stores one vector per chunk with its metadata", async () => {
    // Prepare: a raw upload, processed by the process function.
    const processTelemetry = new RecordingTelemetry();
    const processEnv = readProcessEnv({
      ...baseVars,
      POWERTOOLS_SERVICE_NAME: "process-test",
      CHUNK_MAX_CHARS: "120",
      CHUNK_OVERLAP_CHARS: "20",
    });
    const process: SqsHandler = createSqsHandler(processTelemetry, () =>
      processRuntime(processEnv, processTelemetry, { s3: s3.client }),
    );
    const sourceKey = "handbook/intro.md";
    const markdown =
      "# Handbook\n\nWelcome to the team. Read this first.\n\n## Tools\n\nWe use the pipeline to index documents. It splits them into chunks, embeds them and stores vectors.\n\n## People\n\nAsk anyone for help.";
    const raw = await s3.client.send(new PutObjectCommand({ Bucket: RAW, Key: sourceKey, Body: markdown }));
    const rawETag = (raw.ETag ?? "").replace(/"/g, "");
    await process(
      sqsEvent([objectCreatedBody({ bucket: RAW, key: sourceKey, size: markdown.length, eTag: rawETag })]),
    );
    const key = `processed/handbook/intro.md@${rawETag}.jsonl`;
    const { Body, ETag } = await s3.client.send(new GetObjectCommand({ Bucket: PROCESSED, Key: key }));
    const jsonl = (await Body?.transformToString()) ?? "";
    const chunkCount = jsonl.trimEnd().split("\n").length - 1;
    const telemetry = new RecordingTelemetry();
    // Act
    const response = await handlerFor(telemetry)(
      sqsEvent([
        objectCreatedBody({
          bucket: PROCESSED,
          key,
          size: jsonl.length,
          eTag: (ETag ?? "").replace(/"/g, ""),
        }),
      ]),
    );
    // Assess
    assert.deepEqual(response.batchItemFailures, []);
    const vectors = [...stored().values()].sort(
      (a, b) => Number(a.metadata?.chunkIndex) - Number(b.metadata?.chunkIndex),
    );
    assert.equal(vectors.length, chunkCount);
    const docId = documentId(RAW, sourceKey);
    vectors.forEach((v, i) => {
      assert.match(v.id, new RegExp(`^${docId}-${i}-[0-9a-f]{16}$`));
      assert.deepEqual(v.vector, fakeEmbedding(v.data ?? "", DIMENSIONS));
      assert.equal(v.metadata?.sourceKey, sourceKey);
      assert.equal(v.metadata?.title, "Handbook");
    });
    assert.ok(vectors.some((v) => JSON.stringify(v.metadata?.headingPath) === '["Handbook","Tools"]'));
    assert.equal(bedrock.invocations().length, chunkCount, "Titan: one request per chunk");
    assert.equal(upstash.commands("upsert").length, 1);
    assert.equal(upstash.commands("range").length, 1);
    assert.equal(secrets.requests.length, 1);
    assert.equal(telemetry.metric("Vectors"), chunkCount);
    assert.equal(telemetry.metric("Documents"), 1);
  });

  it("creates no duplicates and embeds nothing when the message is delivered again", async () => {
    // Prepare
    const { body } = await processedFixture("again.txt", texts(5));
    const handler = handlerFor(new RecordingTelemetry());
    await handler(sqsEvent([body]));
    const invocations = bedrock.invocations().length;
    const telemetry = new RecordingTelemetry();
    // Act
    const response = await handlerFor(telemetry)(sqsEvent([body, body]));
    // Assess
    assert.deepEqual(response.batchItemFailures, []);
    assert.equal(stored().size, 5);
    assert.equal(bedrock.invocations().length, invocations, "no new embeddings");
    assert.deepEqual(
      telemetry.outcomes().map((o) => o.reason),
      ["unchanged", "unchanged"],
    );
    assert.equal(secrets.requests.length, 2, "one secret fetch per container (two containers here)");
  });

  it("deletes the vectors a re-processed document no longer has, and re-embeds only changed chunks", async () => {
    // Prepare
    const first = await processedFixture("shrinks.txt", texts(6));
    await handlerFor(new RecordingTelemetry())(sqsEvent([first.body]));
    const before = new Set(stored().keys());
    bedrock.embedded.length = 0;
    const shorter = [...texts(2), "a new third chunk"];
    const second = await processedFixture("shrinks.txt", shorter);
    const telemetry = new RecordingTelemetry();
    // Act
    const response = await handlerFor(telemetry)(sqsEvent([second.body]));
    // Assess
    assert.deepEqual(response.batchItemFailures, []);
    assert.equal(stored().size, 3);
    const kept = [...stored().keys()].filter((id) => before.has(id));
    assert.equal(kept.length, 2, "the two unchanged chunks keep their ids");
    assert.deepEqual(bedrock.embedded, ["a new third chunk"]);
    assert.equal(telemetry.metric("VectorsDeleted"), 4);
    assert.equal(telemetry.metric("ChunksUnchanged"), 2);
  });

  it("skips a processed document whose source has been replaced or deleted since", async () => {
    // Prepare
    const old = await processedFixture("moving.txt", texts(2));
    await s3.client.send(new PutObjectCommand({ Bucket: RAW, Key: "moving.txt", Body: "a newer version" }));
    const gone = await processedFixture("gone.txt", texts(1));
    await s3.client.send(new DeleteObjectCommand({ Bucket: RAW, Key: "gone.txt" }));
    const telemetry = new RecordingTelemetry();
    // Act
    const response = await handlerFor(telemetry)(sqsEvent([old.body, gone.body]));
    // Assess
    assert.deepEqual(response.batchItemFailures, []);
    assert.deepEqual(
      telemetry
        .outcomes()
        .map((o) => o.reason)
        .sort(),
      ["object-missing", "superseded"],
    );
    assert.equal(bedrock.invocations().length, 0);
    assert.equal(stored().size, 0);
  });

  it("rides out Bedrock throttling, 5xx and a timeout with retries", async () => {
    // Prepare
    const { body } = await processedFixture("flaky.txt", texts(3));
    bedrock.inject(THROTTLED, 2).inject(UNAVAILABLE).inject(INTERNAL).inject({ hang: true });
    const telemetry = new RecordingTelemetry();
    // Act
    const response = await handlerFor(telemetry)(sqsEvent([body]));
    // Assess
    assert.deepEqual(response.batchItemFailures, []);
    assert.equal(stored().size, 3);
    assert.equal(telemetry.metric("EmbeddingRetries"), 5);
    assert.equal(telemetry.metric("EmbeddingRequests"), 8);
  });

  it("gives up on persistent throttling with an error naming the model and the request", async () => {
    // Prepare
    const { body } = await processedFixture("throttled.txt", texts(1));
    bedrock.inject(THROTTLED, 10);
    const telemetry = new RecordingTelemetry();
    // Act
    const response = await handlerFor(telemetry)(sqsEvent([body]));
    // Assess
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: "m0" }]);
    const [outcome] = telemetry.outcomes();
    assert.equal(outcome.reason, "bedrock-throttled");
    assert.match(
      String((outcome.error as Error).message),
      /^Bedrock InvokeModel amazon\.titan-embed-text-v2:0 \(1 text, chunk 0 of throttled\.txt\) failed after 4 attempts: ThrottlingException \(HTTP 429\)/,
    );
    assert.equal(stored().size, 0);
  });

  it("stops retrying before the invocation's deadline, so the record fails instead of the invocation timing out", async () => {
    // Prepare
    const { body } = await processedFixture("late.txt", texts(1));
    bedrock.inject(THROTTLED, 10);
    const telemetry = new RecordingTelemetry();
    // Act: one second left, less than the time the function keeps back for a last attempt.
    const response = await handlerFor(telemetry)(sqsEvent([body]), { getRemainingTimeInMillis: () => 1000 });
    // Assess
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: "m0" }]);
    assert.match(
      String((telemetry.outcomes()[0].error as Error).message),
      /failed after 1 attempt, stopped before the invocation's deadline: ThrottlingException/,
    );
    assert.equal(bedrock.invocations().length, 1);
  });

  it("rejects a document Bedrock refuses as invalid, without retrying", async () => {
    const { body } = await processedFixture("invalid.txt", texts(1));
    bedrock.inject(bedrockError(400, "ValidationException", "Malformed input request"));
    const telemetry = new RecordingTelemetry();
    const response = await handlerFor(telemetry)(sqsEvent([body]));
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: "m0" }]);
    assert.equal(telemetry.outcomes()[0].reason, "embedding-rejected");
    assert.equal(bedrock.invocations().length, 1);
  });

  describe("a failure names the object, the model and what was wrong", () => {
    const TITAN = "amazon.titan-embed-text-v2:0";
    const keyOf = (body: string) =>
      decodeURIComponent(
        (JSON.parse(body) as { Records: { s3: { object: { key: string } } }[] }).Records[0].s3.object.key,
      );

    it("a 200 whose body is not JSON: the chunk, the model and the start of the body", async () => {
      // Prepare
      const { body } = await processedFixture("html.txt", texts(1));
      bedrock.inject({ status: 200, body: "<html>upstream proxy error</html>" });
      const telemetry = new RecordingTelemetry();
      // Act
      const response = await handlerFor(telemetry)(sqsEvent([body]));
      // Assess
      assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: "m0" }]);
      const [outcome] = telemetry.outcomes();
      assert.equal(outcome.reason, "bedrock-invalid-response");
      assert.equal(outcome.object, `s3://${PROCESSED}/${keyOf(body)}`);
      assert.equal(outcome.model, TITAN);
      assert.equal(
        (outcome.error as Error).message,
        `Bedrock InvokeModel ${TITAN} answered chunk 0 of html.txt with a body that is not JSON: ` +
          "<html>upstream proxy error</html>",
      );
    });

    it("a 200 without an embedding says so, instead of counting it as one", async () => {
      // Prepare
      const { body } = await processedFixture("empty-answer.txt", texts(1));
      bedrock.inject({ status: 200, body: { inputTextTokenCount: 7 } });
      const telemetry = new RecordingTelemetry();
      // Act
      await handlerFor(telemetry)(sqsEvent([body]));
      // Assess
      const [outcome] = telemetry.outcomes();
      assert.equal(outcome.reason, "bedrock-invalid-response");
      assert.equal(
        (outcome.error as Error).message,
        `Bedrock InvokeModel ${TITAN} answered chunk 0 of empty-answer.txt without an embedding ` +
          '(no "embedding" or "embeddingsByType.float"; the body has inputTextTokenCount)',
      );
    });

    it("Cohere answering fewer vectors than texts: both counts and the chunks", async () => {
      // Prepare
      const { body } = await processedFixture("short.txt", texts(3));
      bedrock.inject({ status: 200, body: { embeddings: { float: [fakeEmbedding("a", 256)] } } });
      const telemetry = new RecordingTelemetry();
      // Act
      await handlerFor(telemetry, { EMBEDDING_MODEL_ID: "cohere.embed-v4:0" })(sqsEvent([body]));
      // Assess
      const [outcome] = telemetry.outcomes();
      assert.equal(outcome.model, "cohere.embed-v4:0");
      assert.equal(
        (outcome.error as Error).message,
        "Bedrock InvokeModel cohere.embed-v4:0 answered chunks 0-2 of short.txt with 1 embedding for 3 texts",
      );
    });

    it("an embedding that is not a list of numbers: which one", async () => {
      // Prepare
      const { body } = await processedFixture("strings.txt", texts(1));
      bedrock.inject({ status: 200, body: { embedding: ["0.1", "0.2"] } });
      const telemetry = new RecordingTelemetry();
      // Act
      await handlerFor(telemetry)(sqsEvent([body]));
      // Assess
      assert.equal(
        (telemetry.outcomes()[0].error as Error).message,
        `Bedrock InvokeModel ${TITAN} answered chunk 0 of strings.txt with embedding 0 that is not a list of numbers`,
      );
    });

    it("the dead-letter line leads with the object, the reason and the message", async () => {
      // Prepare: the record's last receive (the queue's maxReceiveCount is 3).
      const { body } = await processedFixture("last.txt", texts(1));
      bedrock.inject({ status: 200, body: "not json" });
      const telemetry = new RecordingTelemetry();
      // Act
      await handlerFor(telemetry)(sqsEvent([body], 3));
      // Assess
      const [line] = telemetry.logs.filter((l) => l.level === "error");
      assert.equal(
        line.message,
        `s3://${PROCESSED}/${keyOf(body)} failed on its last receive (bedrock-invalid-response, model ${TITAN}): ` +
          `Bedrock InvokeModel ${TITAN} answered chunk 0 of last.txt with a body that is not JSON: not json; ` +
          "SQS moves it to the dead-letter queue",
      );
      assert.equal(line.attributes.deadLetter, true);
      assert.equal(line.attributes.object, `s3://${PROCESSED}/${keyOf(body)}`);
    });
  });

  it("batches Cohere requests by 96 texts and normalises the vectors", async () => {
    // Prepare
    const { body } = await processedFixture("cohere.txt", texts(200));
    const telemetry = new RecordingTelemetry();
    // Act
    const response = await handlerFor(telemetry, { EMBEDDING_MODEL_ID: "cohere.embed-v4:0" })(
      sqsEvent([body]),
    );
    // Assess
    assert.deepEqual(response.batchItemFailures, []);
    const sizes = bedrock.invocations().map((r) => (JSON.parse(r.body) as { texts: string[] }).texts.length);
    assert.deepEqual(
      sizes.sort((a, b) => b - a),
      [96, 96, 8],
    );
    const vector = [...stored().values()][0].vector;
    assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-6, "unit length");
  });

  it("packs upserts up to the request size limit, never over it", async () => {
    // Prepare
    const { body } = await processedFixture("big.txt", texts(60));
    const limit = 64 * 1024;
    const telemetry = new RecordingTelemetry();
    // Act
    const response = await handlerFor(telemetry, { UPSTASH_MAX_REQUEST_BYTES: String(limit) })(
      sqsEvent([body]),
    );
    // Assess
    assert.deepEqual(response.batchItemFailures, []);
    const upserts = upstash.commands("upsert");
    const bytes = upserts.map((r) => Buffer.byteLength(r.body));
    assert.ok(
      bytes.every((b) => b <= limit),
      `every request within ${limit} bytes: ${bytes.join(", ")}`,
    );
    const total = bytes.reduce((a, b) => a + b, 0);
    assert.ok(
      upserts.length <= Math.ceil(total / limit) + 1,
      `${upserts.length} requests for ${total} bytes`,
    );
    assert.equal(stored().size, 60);
  });

  it("retries Upstash 429 (honouring Retry-After) and 5xx, and fails naming the namespace when it stays down", async () => {
    // Prepare
    const first = await processedFixture("upstash-flaky.txt", texts(2));
    upstash
      .inject({ status: 429, body: { error: "Too many requests" }, headers: { "retry-after": "0" } })
      .inject({ status: 502, body: "bad gateway" });
    const telemetry = new RecordingTelemetry();
    // Act
    const recovered = await handlerFor(telemetry)(sqsEvent([first.body]));
    const second = await processedFixture("upstash-down.txt", texts(2));
    upstash.inject({ status: 503, body: { error: "Service Unavailable" } }, 20);
    const downTelemetry = new RecordingTelemetry();
    const down = await handlerFor(downTelemetry)(sqsEvent([second.body]));
    // Assess
    assert.deepEqual(recovered.batchItemFailures, []);
    assert.equal(telemetry.metric("UpstashRetries"), 2);
    assert.deepEqual(down.batchItemFailures, [{ itemIdentifier: "m0" }]);
    const [outcome] = downTelemetry.outcomes();
    assert.equal(outcome.reason, "upstash-unavailable");
    assert.match(
      String((outcome.error as Error).message),
      /^Upstash Vector range .* in namespace "test" failed after 4 attempts: UpstashHttpError: HTTP 503/,
    );
  });

  it("times out a hanging Upstash request and retries it", async () => {
    const { body } = await processedFixture("upstash-hang.txt", texts(1));
    upstash.inject({ hang: true });
    const telemetry = new RecordingTelemetry();
    const response = await handlerFor(telemetry)(sqsEvent([body]));
    assert.deepEqual(response.batchItemFailures, []);
    assert.equal(telemetry.metric("UpstashRetries"), 1);
    assert.equal(stored().size, 1);
  });

  it("fetches the Upstash secret once per container, and fails clearly when it is missing or malformed", async () => {
    // Prepare
    const a = await processedFixture("secret-a.txt", texts(1));
    const b = await processedFixture("secret-b.txt", texts(1));
    const handler = handlerFor(new RecordingTelemetry());
    const missing = new RecordingTelemetry();
    const malformed = new RecordingTelemetry();
    secrets.secrets.set(`${SECRET_ARN}-bad`, '{"url": "not a url"}');
    // Act
    await handler(sqsEvent([a.body]));
    await handler(sqsEvent([b.body]));
    const fetches = secrets.requests.length;
    await handlerFor(missing, { UPSTASH_SECRET_ARN: `${SECRET_ARN}-missing` })(sqsEvent([a.body]));
    await handlerFor(malformed, { UPSTASH_SECRET_ARN: `${SECRET_ARN}-bad` })(sqsEvent([a.body]));
    // Assess
    assert.equal(fetches, 1);
    assert.equal(missing.outcomes()[0].reason, "secrets-manager-error");
    assert.match(String((missing.outcomes()[0].error as Error).message), /ResourceNotFoundException/);
    assert.match(
      String((malformed.outcomes()[0].error as Error).message),
      /has no http\(s\) url; expected JSON \{"url"/,
    );
  });

  it("rejects malformed processed documents and acknowledges missing ones", async () => {
    // Prepare
    const bad = await s3.client.send(
      new PutObjectCommand({ Bucket: PROCESSED, Key: "processed/bad.jsonl", Body: '{"type":"chunk"}\n' }),
    );
    const telemetry = new RecordingTelemetry();
    // Act
    const response = await handlerFor(telemetry)(
      sqsEvent([
        objectCreatedBody({
          bucket: PROCESSED,
          key: "processed/bad.jsonl",
          size: 17,
          eTag: (bad.ETag ?? "").replace(/"/g, ""),
        }),
        objectCreatedBody({
          bucket: PROCESSED,
          key: "processed/never-written.jsonl",
          size: 10,
          eTag: "0123456789abcdef0123456789abcdef",
        }),
        objectCreatedBody({
          bucket: PROCESSED,
          key: "elsewhere/x.jsonl",
          size: 10,
          eTag: "0123456789abcdef0123456789abcdef",
        }),
      ]),
    );
    // Assess
    assert.deepEqual(response.batchItemFailures.map((f) => f.itemIdentifier).sort(), ["m0", "m2"]);
    const reasons = Object.fromEntries(telemetry.outcomes().map((o) => [o.messageId, o.reason]));
    assert.deepEqual(reasons, { m0: "malformed-document", m1: "object-missing", m2: "unexpected-bucket" });
  });
});
