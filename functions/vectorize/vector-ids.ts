/**
 * Deterministic vector ids: `<document>-<chunk index>-<content hash>`.
 *  - document: a hash of the source bucket and key, so every version of a document shares one id prefix (listed
 *    with a prefix range to find stale vectors) and no key can be a prefix of another's ids;
 *  - content hash: everything the vector and its metadata are made from (text, offsets, heading path, title,
 *    model, dimensions). A redelivered message yields the same ids (no duplicates), and an id already in the
 *    index means its vector is current, so it is not embedded again.
 */
import { createHash } from "node:crypto";
import type { ProcessedChunk, ProcessedHeader } from "../shared/processed-document";

export function documentId(sourceBucket: string, sourceKey: string): string {
  return createHash("sha256").update(`${sourceBucket}/${sourceKey}`).digest("hex").slice(0, 32);
}

export function vectorId(
  docId: string,
  chunk: ProcessedChunk,
  header: Pick<ProcessedHeader, "title">,
  model: { modelId: string; dimensions: number },
): string {
  const content = JSON.stringify([
    model.modelId,
    model.dimensions,
    header.title,
    chunk.start,
    chunk.end,
    chunk.headingPath,
    chunk.text,
  ]);
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 16);
  return `${docId}-${chunk.index}-${hash}`;
}

/** Metadata stored with each vector (filterable in queries). */
export function vectorMetadata(header: ProcessedHeader, chunk: ProcessedChunk): Record<string, unknown> {
  return {
    sourceBucket: header.sourceBucket,
    sourceKey: header.sourceKey,
    title: header.title,
    chunkIndex: chunk.index,
    start: chunk.start,
    end: chunk.end,
    headingPath: chunk.headingPath,
  };
}
