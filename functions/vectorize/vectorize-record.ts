/**
 * The vectorize function's work for one SQS record: read the processed document, embed the chunks not yet in the
 * index, upsert them, then delete the document's vectors that the new version no longer has.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { mapLimited } from "../shared/concurrency";
import type { VectorizeEnvironment } from "../../contracts/pipeline-env";
import { METRICS } from "../../contracts/metrics";
import { RecordResult, RejectedError, skipped } from "../shared/outcome";
import { parseProcessed, ProcessedChunk } from "../shared/processed-document";
import { handleS3Record, ObjectEvent } from "../shared/s3-event";
import { headObject, readObject } from "../shared/s3-objects";
import type { SqsRecord } from "../shared/sqs-types";
import type { Telemetry } from "../shared/telemetry";
import type { Embedder } from "./bedrock-embedder";
import { UpsertBatcher, VectorStore } from "./upstash-store";
import { documentId, vectorId, vectorMetadata } from "./vector-ids";

export interface VectorizeDependencies {
  readonly env: VectorizeEnvironment;
  readonly s3: S3Client;
  readonly telemetry: Telemetry;
  /** Its concurrency is per document; callers share a limiter across documents (see runtime.ts). */
  readonly embedder: Embedder;
  readonly store: () => Promise<VectorStore>;
}

export function vectorizeRecord(deps: VectorizeDependencies, record: SqsRecord): Promise<RecordResult> {
  return handleS3Record(record, (event) => vectorizeObject(deps, event));
}

export async function vectorizeObject(
  deps: VectorizeDependencies,
  event: ObjectEvent,
): Promise<RecordResult> {
  const { env, s3, telemetry, embedder } = deps;
  const where = `s3://${event.bucket}/${event.key}`;
  if (
    event.bucket !== env.processedBucket ||
    !event.key.startsWith(env.processedPrefix) ||
    !event.key.endsWith(".jsonl")
  ) {
    throw new RejectedError(
      "unexpected-bucket",
      `${where} is not a processed document under s3://${env.processedBucket}/${env.processedPrefix}: the bucket notification or queue subscription is misconfigured`,
    );
  }
  const started = performance.now();
  const object = await readObject(
    s3,
    { bucket: event.bucket, key: event.key, eTag: event.eTag },
    env.maxObjectBytes,
  );
  if (!object.found) {
    return object.why === "missing"
      ? skipped("object-missing", `${where} was deleted before it was vectorized`, {
          processedKey: event.key,
        })
      : skipped("superseded", `${where} was rewritten since this event`, { processedKey: event.key });
  }
  const { header, chunks } = parseProcessed(object.bytes.toString("utf8"), where);
  const attributes = { processedKey: event.key, sourceKey: header.sourceKey, chunkCount: chunks.length };
  if (header.sourceBucket !== env.rawBucket) {
    throw new RejectedError(
      "unexpected-bucket",
      `${where} comes from s3://${header.sourceBucket}, not the raw bucket ${env.rawBucket}`,
    );
  }

  // Events can arrive out of order: index a document only while its source still has this version.
  const source = await headObject(s3, {
    bucket: header.sourceBucket,
    key: header.sourceKey,
    eTag: header.eTag,
  });
  if (!source.found) {
    return source.why === "missing"
      ? skipped(
          "object-missing",
          `source s3://${header.sourceBucket}/${header.sourceKey} was deleted`,
          attributes,
        )
      : skipped(
          "superseded",
          `source s3://${header.sourceBucket}/${header.sourceKey} has a newer version`,
          attributes,
        );
  }

  const store = await deps.store();
  const docId = documentId(header.sourceBucket, header.sourceKey);
  const request = header.sourceKey;
  const existing = await store.listIds(`${docId}-`, request);
  const wanted = chunks.map((chunk) => ({ chunk, id: vectorId(docId, chunk, header, embedder) }));
  const missing = wanted.filter(({ id }) => !existing.has(id));
  const wantedIds = new Set(wanted.map(({ id }) => id));
  const stale = [...existing].filter((id) => !wantedIds.has(id));
  if (missing.length === 0 && stale.length === 0) {
    return skipped("unchanged", `all ${chunks.length} vectors are already in the index`, attributes);
  }

  const batcher = new UpsertBatcher(
    (vectors, json, bytes) => store.upsert(vectors, request, json, bytes),
    env.upstashMaxRequestBytes,
  );
  const batches: { chunk: ProcessedChunk; id: string }[][] = [];
  for (let i = 0; i < missing.length; i += embedder.batchSize)
    batches.push(missing.slice(i, i + embedder.batchSize));
  try {
    await mapLimited(batches, env.bedrockConcurrency, async (batch) => {
      const first = batch[0].chunk.index;
      const last = batch[batch.length - 1].chunk.index;
      const vectors = await embedder.embed(
        batch.map(({ chunk }) => chunk.text),
        `chunk${batch.length > 1 ? `s ${first}-${last}` : ` ${first}`} of ${header.sourceKey}`,
      );
      batch.forEach(({ chunk, id }, i) =>
        batcher.add({ id, vector: vectors[i], data: chunk.text, metadata: vectorMetadata(header, chunk) }),
      );
    });
  } finally {
    // Even when embedding failed, wait for uploads in flight so none outlives the invocation.
    await batcher.flush().catch(() => undefined);
  }
  const upserted = await batcher.flush();
  // Stale vectors go only once the new ones are in: a failure in between leaves extra vectors, never a gap.
  const deleted = stale.length > 0 ? await store.delete(stale, request) : 0;

  telemetry.count(METRICS.documents);
  telemetry.count(METRICS.chunks, missing.length);
  telemetry.count(METRICS.chunksUnchanged, chunks.length - missing.length);
  telemetry.count(METRICS.vectors, upserted);
  telemetry.count(METRICS.vectorsDeleted, deleted);
  telemetry.milliseconds(METRICS.latency, performance.now() - started);
  return {
    status: "done",
    attributes: {
      ...attributes,
      embedded: missing.length,
      unchanged: chunks.length - missing.length,
      upserted,
      deleted,
    },
  };
}
