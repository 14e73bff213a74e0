/**
 * Names of the EMF metrics the pipeline functions emit (namespace POWERTOOLS_METRICS_NAMESPACE, dimension
 * `service` = POWERTOOLS_SERVICE_NAME). Free of imports so dashboards and alarms in the infrastructure can use the
 * same constants.
 */
export const METRICS = {
  /** Documents fully handled: written to the processed bucket (process) or indexed (vectorize). */
  documents: "Documents",
  /** Chunks written (process) or embedded (vectorize). */
  chunks: "Chunks",
  /** Vectors upserted to Upstash. */
  vectors: "Vectors",
  /** Records reported back to SQS as failed (rejected or failed); SQS redelivers them, then dead-letters them. */
  failures: "Failures",
  /** Time to handle one document, in milliseconds. */
  latency: "Latency",

  /** Records acknowledged without work (S3 test event, folder marker, object gone or superseded). */
  skipped: "Skipped",
  /** Records refused for a reason retrying cannot change (bad input); a subset of Failures. */
  rejected: "Rejected",
  /** Failed records on their last allowed receive: SQS moves them to the dead-letter queue next. */
  deadLettered: "DeadLettered",
  /** Raw bytes read from the raw bucket. */
  bytesRead: "BytesRead",
  /** Documents decoded with the Windows-1252 fallback because no better encoding fitted. */
  decodeFallbacks: "DecodeFallbacks",
  /** Chunks whose vector was already in the index (same id), so nothing was embedded for them. */
  chunksUnchanged: "ChunksUnchanged",
  /** Stale vectors deleted after a document was re-processed into fewer or different chunks. */
  vectorsDeleted: "VectorsDeleted",
  embeddingRequests: "EmbeddingRequests",
  embeddingRetries: "EmbeddingRetries",
  upstashRequests: "UpstashRequests",
  upstashRetries: "UpstashRetries",
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];
