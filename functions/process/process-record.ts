/**
 * The process function's work for one SQS record: every S3 object it announces is read (with the size limit),
 * turned into clean text, chunked, and written to the processed bucket as one JSONL document.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { chunkDocument } from "../shared/chunking";
import type { ProcessEnvironment } from "../../contracts/pipeline-env";
import { METRICS } from "../../contracts/metrics";
import { DependencyError, RecordResult, RejectedError, skipped } from "../shared/outcome";
import {
  PROCESSED_CONTENT_TYPE,
  PROCESSED_SCHEMA_VERSION,
  ProcessedDocument,
  processedKey,
  processedMetadata,
  serializeProcessed,
  sha256Hex,
} from "../shared/processed-document";
import { handleS3Record, ObjectEvent } from "../shared/s3-event";
import { headObject, readObject, writeObject } from "../shared/s3-objects";
import type { SqsRecord } from "../shared/sqs-types";
import type { Telemetry } from "../shared/telemetry";
import { FORMAT_CONTENT_TYPES } from "./text/detect";
import { extractText } from "./text/extract";

export interface ProcessDependencies {
  readonly env: ProcessEnvironment;
  readonly s3: S3Client;
  readonly telemetry: Telemetry;
}

export function processRecord(deps: ProcessDependencies, record: SqsRecord): Promise<RecordResult> {
  return handleS3Record(record, (event) => processObject(deps, event));
}

export async function processObject(deps: ProcessDependencies, event: ObjectEvent): Promise<RecordResult> {
  const { env, s3, telemetry } = deps;
  const where = `s3://${event.bucket}/${event.key}`;
  const attributes = { sourceKey: event.key, eTag: event.eTag, versionId: event.versionId };

  if (event.bucket !== env.rawBucket || !event.key.startsWith(env.rawPrefix)) {
    throw new RejectedError(
      "unexpected-bucket",
      `${where} is not under s3://${env.rawBucket}/${env.rawPrefix}: the bucket notification or queue subscription is misconfigured`,
    );
  }
  if (event.key.endsWith("/") && !event.size)
    return skipped("folder-marker", `${where} is a folder placeholder`, attributes);
  if (event.size === 0) throw new RejectedError("empty-object", `${where} is empty (0 bytes)`);
  if (event.size !== undefined && event.size > env.maxObjectBytes) {
    throw new RejectedError(
      "object-too-large",
      `${where} is ${event.size} bytes; the limit is ${env.maxObjectBytes} (MAX_OBJECT_BYTES)`,
    );
  }

  const started = performance.now();
  // If-Match on the event's ETag: an object replaced since this event is left to the newer event's message.
  const object = await readObject(
    s3,
    { bucket: event.bucket, key: event.key, eTag: event.eTag },
    env.maxObjectBytes,
  );
  if (!object.found) {
    return object.why === "missing"
      ? skipped("object-missing", `${where} was deleted before it was processed`, attributes)
      : skipped(
          "superseded",
          `${where} was replaced since this event (ETag is no longer ${event.eTag})`,
          attributes,
        );
  }
  telemetry.bytes(METRICS.bytesRead, object.bytes.length);

  const extraction = extractText(object.bytes, event.key, object.contentType);
  if (!extraction.ok) throw new RejectedError(extraction.reason, `${where}: ${extraction.detail}`);
  if (extraction.fallback) {
    telemetry.count(METRICS.decodeFallbacks);
    telemetry.log.warn("no encoding fitted; decoded as Windows-1252 (Latin-1)", {
      ...attributes,
      contentType: object.contentType,
    });
  }

  const { document, format } = extraction;
  const chunks = chunkDocument(document.text, document.headings, {
    maxChars: env.chunkMaxChars,
    overlapChars: env.chunkOverlapChars,
  });
  const eTag = event.eTag ?? object.eTag ?? "";
  const versionId = event.versionId ?? object.versionId;
  const processed: ProcessedDocument = {
    header: {
      type: "document",
      schemaVersion: PROCESSED_SCHEMA_VERSION,
      sourceBucket: event.bucket,
      sourceKey: event.key,
      eTag,
      ...(versionId ? { versionId } : {}),
      contentType: object.contentType ?? FORMAT_CONTENT_TYPES[format],
      format,
      encoding: extraction.encoding,
      title: document.title ?? baseName(event.key),
      chunkCount: chunks.length,
      textLength: document.text.length,
      chunking: { maxChars: env.chunkMaxChars, overlapChars: env.chunkOverlapChars },
    },
    chunks: chunks.map((chunk, index) => ({
      type: "chunk",
      index,
      text: chunk.text,
      start: chunk.start,
      end: chunk.end,
      headingPath: chunk.headingPath,
    })),
  };
  const body = serializeProcessed(processed);
  const sha256 = sha256Hex(body);
  const key = processedKey({
    processedPrefix: env.processedPrefix,
    rawPrefix: env.rawPrefix,
    sourceKey: event.key,
    eTag,
    ...(versionId ? { versionId } : {}),
  });
  const result = {
    ...attributes,
    processedKey: key,
    format,
    encoding: extraction.encoding,
    chunkCount: chunks.length,
  };

  // The same source version always gives the same bytes; if they are already there, writing again would only
  // re-trigger the vectorize function for nothing.
  if (await alreadyWritten(deps, key, sha256)) {
    return skipped("unchanged", `s3://${env.processedBucket}/${key} already holds this document`, result);
  }
  await writeObject(
    s3,
    { bucket: env.processedBucket, key },
    body,
    PROCESSED_CONTENT_TYPE,
    processedMetadata(processed, sha256),
  );

  telemetry.count(METRICS.documents);
  telemetry.count(METRICS.chunks, chunks.length);
  telemetry.milliseconds(METRICS.latency, performance.now() - started);
  return { status: "done", attributes: result };
}

async function alreadyWritten(deps: ProcessDependencies, key: string, sha256: string): Promise<boolean> {
  try {
    const head = await headObject(deps.s3, { bucket: deps.env.processedBucket, key });
    return head.found && head.metadata.sha256 === sha256;
  } catch (error) {
    // The check only saves work: without s3:ListBucket a missing key answers 403, and writing is still right.
    if (error instanceof DependencyError && error.problem === "access-denied") return false;
    throw error;
  }
}

function baseName(key: string): string {
  const name = key.slice(key.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}
