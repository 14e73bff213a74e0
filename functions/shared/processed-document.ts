/**
 * The processed document: the contract between the process function (writer) and the vectorize function (reader).
 *
 * JSONL. Line 1 is the header, then one line per chunk, in order:
 *   {"type":"document","schemaVersion":1,"sourceBucket":…,"sourceKey":…,"eTag":…,"versionId"?:…,"contentType":…,
 *    "format":…,"encoding":…,"title":…,"chunkCount":…,"textLength":…,"chunking":{"maxChars":…,"overlapChars":…}}
 *   {"type":"chunk","index":0,"text":…,"start":…,"end":…,"headingPath":[…]}
 *
 * There is no processing timestamp: the same source version always produces the same bytes, so a redelivered
 * event can be recognised (same SHA-256) and written nowhere, and nothing downstream re-runs. S3's LastModified
 * says when the object was written.
 */
import { createHash } from "node:crypto";
import { RejectedError } from "./outcome";

export const PROCESSED_SCHEMA_VERSION = 1;

/** Source formats the process function reads. */
export const TEXT_FORMATS = ["text", "markdown", "html", "json", "ndjson", "csv", "tsv"] as const;
export type TextFormat = (typeof TEXT_FORMATS)[number];
export const PROCESSED_CONTENT_TYPE = "application/x-ndjson";

export interface ProcessedHeader {
  readonly type: "document";
  readonly schemaVersion: typeof PROCESSED_SCHEMA_VERSION;
  readonly sourceBucket: string;
  readonly sourceKey: string;
  readonly eTag: string;
  readonly versionId?: string;
  /** The source object's Content-Type as stored in S3 (empty when it had none). */
  readonly contentType: string;
  readonly format: TextFormat;
  /** The encoding the source was decoded from. */
  readonly encoding: string;
  readonly title: string;
  readonly chunkCount: number;
  /** Length of the cleaned text the chunk offsets refer to. */
  readonly textLength: number;
  readonly chunking: { readonly maxChars: number; readonly overlapChars: number };
}

export interface ProcessedChunk {
  readonly type: "chunk";
  readonly index: number;
  readonly text: string;
  /** Offsets into the cleaned text (UTF-16 code units, end exclusive). */
  readonly start: number;
  readonly end: number;
  readonly headingPath: readonly string[];
}

export interface ProcessedDocument {
  readonly header: ProcessedHeader;
  readonly chunks: readonly ProcessedChunk[];
}

export function serializeProcessed(doc: ProcessedDocument): string {
  const lines = [JSON.stringify(doc.header)];
  for (const chunk of doc.chunks) lines.push(JSON.stringify(chunk));
  return `${lines.join("\n")}\n`;
}

/** S3 user metadata of a processed object (values are ASCII: free text is URI-encoded). */
export function processedMetadata(doc: ProcessedDocument, sha256: string): Record<string, string> {
  const h = doc.header;
  return {
    "source-bucket": h.sourceBucket,
    "source-key": encodeURIComponent(h.sourceKey),
    "source-etag": h.eTag,
    ...(h.versionId ? { "source-version-id": h.versionId } : {}),
    "source-content-type": encodeURIComponent(h.contentType),
    title: encodeURIComponent(h.title),
    "chunk-count": String(h.chunkCount),
    sha256,
  };
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

const MAX_KEY_BYTES = 1024;

/**
 * Where the processed document of a source version goes: the source key relative to the raw prefix, under the
 * processed prefix, tagged with the version id (or the ETag in an unversioned bucket). Keys that would pass S3's
 * 1,024-byte limit use a hash of the source key instead.
 */
export function processedKey(options: {
  processedPrefix: string;
  rawPrefix: string;
  sourceKey: string;
  versionId?: string;
  eTag: string;
}): string {
  const { processedPrefix, rawPrefix, sourceKey } = options;
  const tag = options.versionId ?? options.eTag;
  const relative = sourceKey.startsWith(rawPrefix) ? sourceKey.slice(rawPrefix.length) : sourceKey;
  const key = `${processedPrefix}${relative}@${tag}.jsonl`;
  if (Buffer.byteLength(key) <= MAX_KEY_BYTES) return key;
  return `${processedPrefix}_hashed/${sha256Hex(sourceKey)}@${tag}.jsonl`;
}

export function parseProcessed(body: string, where: string): ProcessedDocument {
  const fail = (detail: string) =>
    new RejectedError("malformed-document", `${where} is not a processed document: ${detail}`);
  const lines = body.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) throw fail("it is empty");
  const header = parseLine(lines[0], 1, fail);
  if (header.type !== "document") throw fail('line 1 is not the {"type":"document"} header');
  if (header.schemaVersion !== PROCESSED_SCHEMA_VERSION) {
    throw fail(`schemaVersion ${JSON.stringify(header.schemaVersion)} is not ${PROCESSED_SCHEMA_VERSION}`);
  }
  for (const field of ["sourceBucket", "sourceKey", "eTag", "format", "title"] as const) {
    if (typeof header[field] !== "string" || (field !== "title" && header[field] === "")) {
      throw fail(`header.${field} must be a string`);
    }
  }
  if (!Number.isSafeInteger(header.chunkCount) || (header.chunkCount as number) < 0) {
    throw fail("header.chunkCount must be a whole number");
  }
  if (lines.length - 1 !== header.chunkCount) {
    throw fail(
      `header.chunkCount is ${String(header.chunkCount)} but ${lines.length - 1} chunk lines follow`,
    );
  }
  const chunks: ProcessedChunk[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = parseLine(lines[i], i + 1, fail);
    const index = i - 1;
    const ok =
      line.type === "chunk" &&
      line.index === index &&
      typeof line.text === "string" &&
      line.text !== "" &&
      Number.isSafeInteger(line.start) &&
      Number.isSafeInteger(line.end) &&
      (line.end as number) - (line.start as number) === line.text.length &&
      Array.isArray(line.headingPath) &&
      line.headingPath.every((h) => typeof h === "string");
    if (!ok)
      throw fail(
        `line ${i + 1} is not chunk ${index} ({"type":"chunk","index","text","start","end","headingPath"})`,
      );
    chunks.push(line as unknown as ProcessedChunk);
  }
  return { header: header as unknown as ProcessedHeader, chunks };
}

function parseLine(line: string, number: number, fail: (detail: string) => Error): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw fail(`line ${number} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw fail(`line ${number} is not an object`);
  return value as Record<string, unknown>;
}
