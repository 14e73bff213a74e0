/**
 * Embeddings from Amazon Bedrock (InvokeModel). Titan Text Embeddings V2 takes one text per request and returns a
 * normalised vector of 256, 512 or 1024 dimensions; Cohere Embed takes up to 96 texts per request. Each request is
 * retried on throttling, 5xx, timeouts and network errors with exponential backoff and jitter (the SDK's own retry
 * is off so attempts are counted once); when it gives up, the error names the model and the request.
 */
import { BedrockRuntimeClient, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { classifyBedrockError } from "../shared/bedrock";
import type { Limiter } from "../shared/concurrency";
import { EmbeddingModel, embeddingModel } from "../../contracts/embedding-models";
import { DependencyError, DependencyProblem, RejectedError } from "../shared/outcome";
import { DEFAULT_RETRY_POLICY, RetriesExhaustedError, RetryPolicy, withRetry } from "../shared/retry";

export interface Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  /** Texts per request. */
  readonly batchSize: number;
  /**
   * Embeds up to `batchSize` texts with one request (plus retries). `request` describes the request for error
   * messages, e.g. "chunks 0-95 of docs/a.md".
   */
  embed(texts: readonly string[], request: string): Promise<number[][]>;
}

export interface BedrockEmbedderOptions {
  readonly client: BedrockRuntimeClient;
  readonly modelId: string;
  readonly dimensions: number;
  readonly retry?: RetryPolicy;
  /** Caps requests in flight across every caller of this embedder (all records of a batch). */
  readonly limiter?: Limiter;
  /** Last moment a retry may start (see RetryOptions.deadline). */
  readonly deadline?: () => number | undefined;
  /** Per attempt. */
  readonly timeoutMs?: number;
  /** Called for every HTTP request made, retries included. */
  readonly onRequest?: () => void;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export const BEDROCK_TIMEOUT_MS = 15_000;

export function createBedrockEmbedder(options: BedrockEmbedderOptions): Embedder {
  const model = embeddingModel(options.modelId);
  if (!model) throw new Error(`unsupported embedding model ${options.modelId}`);
  const { client, modelId, dimensions } = options;
  const timeoutMs = options.timeoutMs ?? BEDROCK_TIMEOUT_MS;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  return {
    modelId,
    dimensions,
    batchSize: model.maxBatch,
    async embed(texts, request) {
      if (texts.length === 0) return [];
      if (texts.length > model.maxBatch) {
        throw new RangeError(
          `${modelId} embeds at most ${model.maxBatch} texts per request, not ${texts.length}`,
        );
      }
      const body = encoder.encode(JSON.stringify(requestBody(model, texts, dimensions)));
      let response;
      try {
        const attempts = () =>
          withRetry(
            () => {
              options.onRequest?.();
              return client.send(
                new InvokeModelCommand({
                  modelId,
                  body,
                  contentType: "application/json",
                  accept: "application/json",
                }),
                { abortSignal: AbortSignal.timeout(timeoutMs) },
              );
            },
            {
              policy: options.retry ?? DEFAULT_RETRY_POLICY,
              classify: classifyBedrockError,
              deadline: options.deadline,
              onRetry: options.onRetry,
            },
          );
        // The slot is held through backoff waits: a throttled model gets fewer requests, not more.
        response = await (options.limiter ? options.limiter.run(attempts) : attempts());
      } catch (error) {
        throw givingUp(error, modelId, texts.length, request);
      }
      const answered = `Bedrock InvokeModel ${modelId} answered ${request}`;
      const vectors = parseResponse(model, decoder.decode(response.body), texts.length, answered);
      vectors.forEach((vector, i) => {
        if (vector.length !== dimensions)
          throw new DependencyError(
            "bedrock",
            "invalid-response",
            `${answered} with a ${vector.length}-dimension vector${vectors.length > 1 ? ` (embedding ${i})` : ""}; EMBEDDING_DIMENSIONS is ${dimensions}`,
          );
      });
      return model.family === "titan-v2" ? vectors : vectors.map(normalize);
    },
  };
}

function requestBody(model: EmbeddingModel, texts: readonly string[], dimensions: number): unknown {
  switch (model.family) {
    case "titan-v2":
      return { inputText: texts[0], dimensions, normalize: true };
    case "cohere-v3":
      return { texts, input_type: "search_document", truncate: "END" };
    case "cohere-v4":
      return {
        texts,
        input_type: "search_document",
        truncate: "END",
        embedding_types: ["float"],
        output_dimension: dimensions,
      };
  }
}

/**
 * The vectors of a 200 answer, checked against the documented shapes. `answered` starts every message ("Bedrock
 * InvokeModel <model> answered <chunks of key>"), so a failure says which model, which chunks of which
 * document, and what the body held instead.
 */
function parseResponse(model: EmbeddingModel, text: string, expected: number, answered: string): number[][] {
  const invalid = (what: string) => new DependencyError("bedrock", "invalid-response", `${answered} ${what}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalid(`with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid(`with a JSON ${Array.isArray(body) ? "array" : String(body)} instead of an object`);
  const fields = body as Record<string, unknown>;
  const has = Object.keys(fields).join(", ") || "no fields";
  let vectors: unknown;
  if (model.family === "titan-v2") {
    const vector = fields.embedding ?? (fields.embeddingsByType as { float?: unknown } | undefined)?.float;
    if (vector === undefined)
      throw invalid(`without an embedding (no "embedding" or "embeddingsByType.float"; the body has ${has})`);
    vectors = [vector];
  } else {
    // Cohere answers a list of vectors, or {"float": [...]} when embedding_types is given.
    const embeddings = fields.embeddings;
    vectors = Array.isArray(embeddings) ? embeddings : (embeddings as { float?: unknown } | undefined)?.float;
    if (!Array.isArray(vectors))
      throw invalid(`without embeddings (no "embeddings" list or "embeddings.float"; the body has ${has})`);
  }
  const list = vectors as unknown[];
  if (list.length !== expected)
    throw invalid(
      `with ${list.length} embedding${list.length === 1 ? "" : "s"} for ${expected} text${expected === 1 ? "" : "s"}`,
    );
  const bad = list.findIndex(
    (v) => !Array.isArray(v) || !v.every((x) => typeof x === "number" && isFinite(x)),
  );
  if (bad >= 0) throw invalid(`with embedding ${bad} that is not a list of numbers`);
  return list as number[][];
}

/**
 * Unit length, so cosine and dot-product indexes rank the same (Titan normalises server-side), rounded to 9
 * decimal places: an error under 5e-10 per component, finer than float32 (which Upstash stores) for components
 * above 0.01 and negligible for similarity, while each value's JSON shrinks from about 20 characters to 12, so
 * upserts carry 40% fewer bytes.
 */
function normalize(vector: number[]): number[] {
  let sum = 0;
  for (const x of vector) sum += x * x;
  const norm = Math.sqrt(sum);
  return norm === 0 ? vector : vector.map((x) => Math.round((x / norm) * 1e9) / 1e9);
}

function givingUp(error: unknown, modelId: string, count: number, request: string): Error {
  const cause = error instanceof RetriesExhaustedError ? error.cause : error;
  const attempts = error instanceof RetriesExhaustedError ? error.attempts : 1;
  const name = (cause as Error)?.name ?? "Error";
  const status = (cause as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const what = `Bedrock InvokeModel ${modelId} (${count} text${count === 1 ? "" : "s"}, ${request})`;
  const stopped =
    error instanceof RetriesExhaustedError && error.outOfTime
      ? ", stopped before the invocation's deadline"
      : "";
  const detail = `${name}${status ? ` (HTTP ${status})` : ""}: ${(cause as Error)?.message ?? String(cause)}`;
  if (name === "ValidationException") {
    return new RejectedError("embedding-rejected", `${what} was refused: ${detail}`);
  }
  return new DependencyError(
    "bedrock",
    bedrockProblem(name, status),
    `${what} failed after ${attempts} attempt${attempts === 1 ? "" : "s"}${stopped}: ${detail}`,
    {
      cause,
    },
  );
}

function bedrockProblem(name: string, status: number | undefined): DependencyProblem {
  if (name === "ThrottlingException" || name === "TooManyRequestsException" || status === 429)
    return "throttled";
  if (name === "TimeoutError" || name === "AbortError" || name === "ModelTimeoutException") return "timeout";
  if (name === "AccessDeniedException" || status === 403) return "access-denied";
  if (status === undefined || status >= 500) return "unavailable";
  return "error";
}
