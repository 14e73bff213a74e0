/**
 * Amazon Bedrock Runtime, as every function that calls it (the vectorize function's embedder, the agents'
 * runner) uses it: a client whose retries are the caller's own, and one rule for which errors are worth a retry.
 */
import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import type { Retryability } from "./retry";

export interface BedrockClientOptions {
  /** Defaults to the function's region. */
  readonly region?: string;
  /** Tests only: a local endpoint and its credentials. */
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * A Bedrock Runtime client:
 *  - one attempt per call: retries are the caller's, so each is counted and backed off once;
 *  - concurrent streams on one HTTP/2 connection: the SDK's default for this client opens a new connection (TCP and
 *    TLS) for every request, to keep bidirectional streams isolated, which InvokeModel does not need.
 */
export function createBedrockClient(options: BedrockClientOptions = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 1,
    requestHandler: { disableConcurrentStreams: false },
  });
}

const RETRYABLE_ERRORS = new Set([
  "ThrottlingException",
  "TooManyRequestsException",
  "ServiceUnavailableException",
  "InternalServerException",
  "ModelTimeoutException",
  "ModelNotReadyException",
  "ServiceQuotaExceededException",
  "TimeoutError",
  "AbortError",
  "RequestTimeout",
]);

export function classifyBedrockError(error: unknown): Retryability {
  const name = (error as Error)?.name ?? "";
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (RETRYABLE_ERRORS.has(name)) return { retryable: true };
  if (status !== undefined) return { retryable: status === 429 || status >= 500 };
  // No HTTP status: the request never got an answer (refused, reset, DNS): worth another try.
  return { retryable: true };
}
