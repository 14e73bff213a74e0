import { strict as assert } from "node:assert";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { processRuntime } from "../../functions/process/runtime";
import { readProcessEnv } from "../../contracts/pipeline-env";
import { parseProcessed } from "../../functions/shared/processed-document";
import { createSqsHandler } from "../../functions/shared/sqs-batch";
import type { SqsHandler } from "../../functions/shared/sqs-types";
import { fixture, objectCreatedBody, sqsEvent } from "./helpers/events";
import { LocalS3, startLocalS3 } from "../../tools/local/s3";
import { RecordingTelemetry } from "./helpers/telemetry";

const RAW = "raw-bucket";
const PROCESSED = "processed-bucket";
const env = readProcessEnv({
  POWERTOOLS_SERVICE_NAME: "process-test",
  POWERTOOLS_METRICS_NAMESPACE: "Test",
  RAW_BUCKET: RAW,
  PROCESSED_BUCKET: PROCESSED,
  RAW_PREFIX: "incoming/",
  PROCESSED_PREFIX: "processed/",
  MAX_OBJECT_BYTES: "4096",
  CHUNK_MAX_CHARS: "200",
  CHUNK_OVERLAP_CHARS: "40",
});

const GUIDE = [
  "# Operator Guide",
  "",
  "This guide explains how documents flow through the pipeline, from upload to search.",
  "",
  "## Uploading",
  "",
  "Put files under the *incoming/* prefix. Each upload is processed once per version; uploading the same bytes again changes nothing downstream.",
  "",
  "## Formats",
  "",
  "Markdown, HTML, JSON, CSV and plain text are read. PDF files are refused with a clear reason, and so are images.",
].join("\n");

describe("process function against a local S3 server", function () {
  this.timeout(20_000);
  let s3: LocalS3;

  before(async () => {
    s3 = await startLocalS3([RAW, PROCESSED]);
  });
  after(async () => {
    await s3?.close();
  });

  async function put(
    key: string,
    body: string | Buffer,
    contentType?: string,
  ): Promise<{ eTag: string; size: number }> {
    const response = await s3.client.send(
      new PutObjectCommand({ Bucket: RAW, Key: key, Body: body, ContentType: contentType }),
    );
    return { eTag: (response.ETag ?? "").replace(/"/g, ""), size: Buffer.byteLength(body) };
  }

  function handlerWith(telemetry: RecordingTelemetry, client: S3Client = s3.client): SqsHandler {
    return createSqsHandler(telemetry, () => processRuntime(env, telemetry, { s3: client }));
  }

  async function readProcessed(key: string) {
    const object = await s3.client.send(new GetObjectCommand({ Bucket: PROCESSED, Key: key }));
    const body = await object.Body?.transformToString("utf8");
    return {
      doc: parseProcessed(body ?? "", key),
      metadata: object.Metadata ?? {},
      contentType: object.ContentType,
    };
  }

  it("turns a Markdown upload into one JSONL document of chunks with offsets and heading paths", async () => {
    // Prepare
    const telemetry = new RecordingTelemetry();
    const key = "incoming/guides/Operator Guide.md";
    const { eTag, size } = await put(key, GUIDE, "text/markdown");
    // Act
    const response = await handlerWith(telemetry)(
      sqsEvent([objectCreatedBody({ bucket: RAW, key, size, eTag })]),
    );
    // Assess
    assert.deepEqual(response.batchItemFailures, []);
    const processedKey = `processed/guides/Operator Guide.md@${eTag}.jsonl`;
    const { doc, metadata, contentType } = await readProcessed(processedKey);
    assert.equal(contentType, "application/x-ndjson");
    assert.deepEqual(
      { ...doc.header, chunkCount: undefined, textLength: undefined },
      {
        type: "document",
        schemaVersion: 1,
        sourceBucket: RAW,
        sourceKey: key,
        eTag,
        contentType: "text/markdown",
        format: "markdown",
        encoding: "utf-8",
        title: "Operator Guide",
        chunkCount: undefined,
        textLength: undefined,
        chunking: { maxChars: 200, overlapChars: 40 },
      },
    );
    assert.ok(doc.chunks.length >= 3);
    assert.equal(doc.chunks[0].start, 0);
    assert.equal(doc.chunks[doc.chunks.length - 1].end, doc.header.textLength);
    assert.ok(doc.chunks.every((c) => c.text.length <= 200 && c.end - c.start === c.text.length));
    const formats = doc.chunks.find((c) => c.text.startsWith("Formats"));
    assert.deepEqual(formats?.headingPath, ["Operator Guide", "Formats"]);
    assert.equal(metadata["source-key"], encodeURIComponent(key));
    assert.equal(metadata["chunk-count"], String(doc.chunks.length));
    assert.equal(metadata.title, "Operator%20Guide");
    assert.equal(telemetry.metric("Documents"), 1);
    assert.equal(telemetry.metric("Chunks"), doc.chunks.length);
    assert.equal(telemetry.metric("BytesRead"), size);
  });

  it("writes nothing new when the same event is delivered again", async () => {
    // Prepare
    const key = "incoming/again.md";
    const { eTag, size } = await put(key, GUIDE);
    const event = sqsEvent([objectCreatedBody({ bucket: RAW, key, size, eTag })]);
    await handlerWith(new RecordingTelemetry())(event);
    const processedKey = `processed/again.md@${eTag}.jsonl`;
    const first = await s3.client.send(new HeadObjectCommand({ Bucket: PROCESSED, Key: processedKey }));
    const telemetry = new RecordingTelemetry();
    // Act
    const response = await handlerWith(telemetry)(event);
    // Assess
    assert.deepEqual(response.batchItemFailures, []);
    assert.equal(telemetry.outcomes()[0].reason, "unchanged");
    assert.equal(telemetry.metric("Documents"), 0);
    const second = await s3.client.send(new HeadObjectCommand({ Bucket: PROCESSED, Key: processedKey }));
    assert.equal(second.LastModified?.getTime(), first.LastModified?.getTime());
  });

  it("decodes HTML in the charset its content type declares, and strips the page furniture", async () => {
    // Prepare
    const key = "incoming/site/café.html";
    const html =
      "<html><head><title>Café</title></head><body><nav>Menu</nav><h1>Crème brûlée</h1><p>Très bon.</p></body></html>";
    const { eTag, size } = await put(key, Buffer.from(html, "latin1"), "text/html; charset=ISO-8859-1");
    // Act
    const response = await handlerWith(new RecordingTelemetry())(
      sqsEvent([objectCreatedBody({ bucket: RAW, key, size, eTag })]),
    );
    // Assess
    assert.deepEqual(response.batchItemFailures, []);
    const { doc } = await readProcessed(`processed/site/café.html@${eTag}.jsonl`);
    assert.equal(doc.header.encoding, "iso-8859-1");
    assert.equal(doc.header.title, "Café");
    assert.deepEqual(
      doc.chunks.map((c) => c.text),
      ["Crème brûlée\n\nTrès bon."],
    );
  });

  it("acknowledges test events, folder markers, deleted and replaced objects, logging each as skipped", async () => {
    // Prepare
    const telemetry = new RecordingTelemetry();
    const replaced = await put("incoming/replaced.txt", "first version");
    await put("incoming/replaced.txt", "second version, longer");
    const event = sqsEvent([
      JSON.stringify(fixture("s3-test-event.json")),
      objectCreatedBody({
        bucket: RAW,
        key: "incoming/folder/",
        size: 0,
        eTag: "d41d8cd98f00b204e9800998ecf8427e",
      }),
      objectCreatedBody({
        bucket: RAW,
        key: "incoming/deleted.txt",
        size: 10,
        eTag: "0123456789abcdef0123456789abcdef",
      }),
      objectCreatedBody({
        bucket: RAW,
        key: "incoming/replaced.txt",
        size: replaced.size,
        eTag: replaced.eTag,
      }),
    ]);
    // Act
    const response = await handlerWith(telemetry)(event);
    // Assess
    assert.deepEqual(response.batchItemFailures, []);
    assert.deepEqual(
      telemetry.outcomes().map((o) => o.reason),
      ["test-event", "folder-marker", "object-missing", "superseded"],
    );
    assert.equal(telemetry.metric("Skipped"), 4);
  });

  it("rejects every kind of bad input with its reason, and processes the good record in the same batch", async () => {
    // Prepare
    const telemetry = new RecordingTelemetry();
    const good = await put("incoming/good.txt", "A perfectly ordinary text file.");
    const empty = await put("incoming/empty.txt", Buffer.alloc(0));
    const pdf = await put("incoming/report.pdf", Buffer.from("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"));
    const png = await put(
      "incoming/photo.txt",
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    );
    const utf16 = await put("incoming/broken.txt", Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x00, 0xd8, 0x42]));
    const large = await put("incoming/large.txt", "x".repeat(5000));
    const liar = await put("incoming/liar.txt", "y".repeat(5000));
    const json = await put("incoming/data.json", '{"unterminated": ');
    const body = (key: string, o: { eTag: string; size: number }, size = o.size) =>
      objectCreatedBody({ bucket: RAW, key, size, eTag: o.eTag });
    const event = sqsEvent([
      body("incoming/good.txt", good),
      body("incoming/empty.txt", empty),
      body("incoming/report.pdf", pdf),
      body("incoming/photo.txt", png),
      body("incoming/broken.txt", utf16),
      body("incoming/large.txt", large),
      body("incoming/liar.txt", liar, 100), // the event understates the size: the stream guard catches it
      body("incoming/data.json", json),
      "not json at all",
      objectCreatedBody({ bucket: "someone-elses-bucket", key: "incoming/x.txt", size: 3, eTag: good.eTag }),
      objectCreatedBody({ bucket: RAW, key: "elsewhere/x.txt", size: 3, eTag: good.eTag }),
    ]);
    // Act
    const response = await handlerWith(telemetry)(event);
    // Assess
    const failed = response.batchItemFailures.map((f) => f.itemIdentifier);
    assert.deepEqual(failed, ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10"]);
    const reasons = Object.fromEntries(telemetry.outcomes().map((o) => [o.messageId, o.reason ?? o.outcome]));
    assert.deepEqual(reasons, {
      m0: "done",
      m1: "empty-object",
      m2: "unsupported-format",
      m3: "binary-content",
      m4: "undecodable-text",
      m5: "object-too-large",
      m6: "object-too-large",
      m7: "malformed-document",
      m8: "malformed-event",
      m9: "unexpected-bucket",
      m10: "unexpected-bucket",
    });
    assert.equal(telemetry.metric("Rejected"), 10);
    assert.equal(telemetry.metric("Failures"), 10);
    const pdfLine = telemetry.logs.find((l) => l.attributes.messageId === "m2" && l.level === "error");
    assert.match(String((pdfLine?.attributes.error as Error).message), /report\.pdf: PDF is not supported/);
  });

  it("fails (for SQS to retry) when S3 cannot be reached, naming the operation and object", async () => {
    // Prepare
    const telemetry = new RecordingTelemetry();
    const unreachable = new S3Client({
      endpoint: "http://127.0.0.1:9", // discard port: connection refused
      region: "us-east-1",
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
    });
    // Act
    const response = await handlerWith(
      telemetry,
      unreachable,
    )(sqsEvent([objectCreatedBody({ bucket: RAW, key: "incoming/a.txt", size: 3, eTag: "abc" })]));
    unreachable.destroy();
    // Assess
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: "m0" }]);
    const [outcome] = telemetry.outcomes();
    assert.equal(outcome.outcome, "failed");
    assert.equal(outcome.reason, "s3-unavailable");
    assert.match(
      String((outcome.error as Error).message),
      /S3 GetObject s3:\/\/raw-bucket\/incoming\/a\.txt failed/,
    );
    // The log line leads with the object; the process function has no model.
    assert.equal(outcome.object, "s3://raw-bucket/incoming/a.txt");
    assert.equal(outcome.model, undefined);
    assert.match(
      telemetry.logs.find((l) => l.level === "error")!.message,
      /^s3:\/\/raw-bucket\/incoming\/a\.txt failed \(s3-unavailable\): S3 GetObject .*; SQS will deliver it again$/,
    );
  });
});
