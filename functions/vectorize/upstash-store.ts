/**
 * Upstash Vector through @upstash/vector, with what the SDK leaves out: it retries only network errors and its
 * errors carry no HTTP status, so requests go through our own Requester (status-aware errors, Retry-After, a
 * per-request timeout, request counting) and every command is retried here on 429, 5xx, timeouts and network
 * errors with exponential backoff and jitter.
 */
import { Index, Requester, UpstashRequest, UpstashResponse } from "@upstash/vector";
import type { Limiter } from "../shared/concurrency";
import { DependencyError, DependencyProblem, RejectedError } from "../shared/outcome";
import {
  DEFAULT_RETRY_POLICY,
  RetriesExhaustedError,
  Retryability,
  RetryPolicy,
  withRetry,
} from "../shared/retry";

/** Upstash Vector accepts at most 1,000 vectors per upsert or delete request. */
export const UPSTASH_MAX_BATCH = 1000;
export const UPSTASH_TIMEOUT_MS = 10_000;

export class UpstashHttpError extends Error {
  constructor(
    readonly status: number,
    readonly endpoint: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(`HTTP ${status} from ${endpoint}: ${message}`);
    this.name = "UpstashHttpError";
  }
}

export interface RequesterOptions {
  readonly url: string;
  readonly token: string;
  readonly timeoutMs?: number;
  /** Called for every HTTP request, retries included. */
  readonly onRequest?: () => void;
}

/**
 * Request bodies serialised in advance, keyed by the exact array handed to the SDK (which passes command payloads
 * through unchanged). The UpsertBatcher has to serialise every vector to know a request's size; this spares
 * serialising megabytes of floats a second time. A body not found here is serialised as usual.
 */
const serializedBodies = new WeakMap<object, string>();

/** The REST transport for @upstash/vector's Index: POST {url}/{command}[/{namespace}] with a bearer token. */
export function createUpstashRequester(options: RequesterOptions): Requester {
  const base = options.url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? UPSTASH_TIMEOUT_MS;
  const headers = { authorization: `Bearer ${options.token}`, "content-type": "application/json" };
  return {
    async request<TResult>(req: UpstashRequest): Promise<UpstashResponse<TResult>> {
      const endpoint = (req.path ?? []).join("/");
      options.onRequest?.();
      const response = await fetch(`${base}/${endpoint}`, {
        method: "POST",
        headers,
        // Bytes, not a string: fetch would otherwise scan megabytes of text for lone surrogates before encoding it.
        body: Buffer.from(
          (typeof req.body === "object" && req.body !== null && serializedBodies.get(req.body)) ||
            JSON.stringify(req.body),
        ),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      let body: { result?: TResult; error?: string } | undefined;
      try {
        body = JSON.parse(text) as { result?: TResult; error?: string };
      } catch {
        body = undefined;
      }
      if (!response.ok) {
        throw new UpstashHttpError(
          response.status,
          endpoint,
          body?.error ?? (text.slice(0, 200) || response.statusText),
          retryAfterMs(response.headers.get("retry-after")),
        );
      }
      if (body === undefined)
        throw new UpstashHttpError(response.status, endpoint, "the response is not JSON");
      return {
        ...(body.result !== undefined ? { result: body.result } : {}),
        ...(body.error ? { error: body.error } : {}),
      };
    },
  };
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function classifyUpstashError(error: unknown): Retryability {
  if (error instanceof UpstashHttpError) {
    const retryable = error.status === 429 || error.status >= 500;
    return { retryable, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}) };
  }
  // Timeouts (TimeoutError), refused or reset connections (TypeError "fetch failed"): the request may not have
  // reached the index; every command here is idempotent, so it is safe to send again.
  return { retryable: true };
}

export interface VectorRecord {
  readonly id: string;
  readonly vector: number[];
  /** The chunk's text, returned with query results. */
  readonly data: string;
  readonly metadata: Record<string, unknown>;
}

export interface VectorStoreOptions {
  readonly index: Index;
  readonly namespace: string;
  readonly retry?: RetryPolicy;
  /** Caps commands in flight across every caller of this store (all records of a batch). */
  readonly limiter?: Limiter;
  /** Last moment a retry may start (see RetryOptions.deadline). */
  readonly deadline?: () => number | undefined;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** One namespace of an index; each method is one command, retried. */
export class VectorStore {
  private readonly namespaced: ReturnType<Index["namespace"]>;

  constructor(private readonly options: VectorStoreOptions) {
    this.namespaced = options.index.namespace(options.namespace);
  }

  get namespace(): string {
    return this.options.namespace;
  }

  /** Ids that start with `prefix`, page by page (1,000 per request). */
  async listIds(prefix: string, request: string): Promise<Set<string>> {
    const ids = new Set<string>();
    let cursor = "0";
    for (;;) {
      const page = await this.command(`range (prefix ${prefix}, ${request})`, () =>
        this.namespaced.range({ cursor, limit: UPSTASH_MAX_BATCH, prefix, includeMetadata: false }),
      );
      for (const vector of page.vectors) ids.add(String(vector.id));
      if (!page.nextCursor || page.nextCursor === cursor || page.vectors.length === 0) return ids;
      cursor = page.nextCursor;
    }
  }

  /**
   * Upserts one batch; `json` is the batch already serialised (exactly JSON.stringify(vectors)), if known, and
   * `size` its length in bytes, if known (it is only reported in errors).
   */
  async upsert(vectors: VectorRecord[], request: string, json?: string, size?: number): Promise<void> {
    if (json !== undefined) serializedBodies.set(vectors, json);
    const bytes = json === undefined ? "" : `, ${size ?? Buffer.byteLength(json)} bytes`;
    await this.command(`upsert (${vectors.length} vectors${bytes}, ${request})`, () =>
      this.namespaced.upsert(vectors),
    );
  }

  async delete(ids: readonly string[], request: string): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < ids.length; i += UPSTASH_MAX_BATCH) {
      const batch = ids.slice(i, i + UPSTASH_MAX_BATCH);
      const result = await this.command(`delete (${batch.length} ids, ${request})`, () =>
        this.namespaced.delete(batch),
      );
      deleted += result.deleted;
    }
    return deleted;
  }

  private async command<T>(what: string, run: () => Promise<T>): Promise<T> {
    const attempts = () =>
      withRetry(run, {
        policy: this.options.retry ?? DEFAULT_RETRY_POLICY,
        classify: classifyUpstashError,
        deadline: this.options.deadline,
        onRetry: this.options.onRetry,
      });
    try {
      return await (this.options.limiter ? this.options.limiter.run(attempts) : attempts());
    } catch (error) {
      throw givingUp(error, `Upstash Vector ${what} in namespace "${this.options.namespace}"`);
    }
  }
}

function givingUp(error: unknown, what: string): Error {
  const cause = error instanceof RetriesExhaustedError ? error.cause : error;
  const attempts = error instanceof RetriesExhaustedError ? error.attempts : 1;
  const stopped =
    error instanceof RetriesExhaustedError && error.outOfTime
      ? ", stopped before the invocation's deadline"
      : "";
  const status = cause instanceof UpstashHttpError ? cause.status : undefined;
  const detail = `${(cause as Error)?.name ?? "Error"}: ${(cause as Error)?.message ?? String(cause)}`;
  if (status === 400 || status === 413 || status === 422) {
    return new RejectedError("vector-store-rejected", `${what} was refused: ${detail}`);
  }
  const problem: DependencyProblem =
    status === 429
      ? "throttled"
      : status === 401 || status === 403
        ? "access-denied"
        : (cause as Error)?.name === "TimeoutError"
          ? "timeout"
          : status === undefined || status >= 500
            ? "unavailable"
            : "error";
  return new DependencyError(
    "upstash",
    problem,
    `${what} failed after ${attempts} attempt${attempts === 1 ? "" : "s"}${stopped}: ${detail}`,
    {
      cause,
    },
  );
}

const ZEROS = "000000000";

/**
 * JSON for one vector component, exactly as JSON.stringify prints it, three times faster for the embedder's
 * rounded components. V8 prints a double by searching for its shortest round-trip digits; for a Cohere document
 * (a million components) that search was most of the function's CPU time. The embedder rounds Cohere components
 * to 9 decimal places (`normalize` in bedrock-embedder.ts): when x is exactly the double nearest m / 1e9 for an
 * integer m, the shortest digits of x are m's own digits without trailing zeros (a decimal of at most 10
 * significant digits round-trips, and no shorter one reaches the same double), so they are printed from the
 * integer. Anything else (Titan's components, |x| < 1e-6, which JavaScript prints with an exponent, |x| >= 1)
 * goes through String, as before.
 */
function componentJson(x: number): string {
  const m = Math.round(x * 1e9);
  if (m / 1e9 !== x || (m < 1000 && m > -1000) || m >= 1e9 || m <= -1e9) return String(x);
  const digits = String(m < 0 ? -m : m);
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 48) end--;
  return `${m < 0 ? "-0." : "0."}${ZEROS.slice(digits.length)}${digits.slice(0, end)}`;
}

/**
 * The vector's components joined as in JSON (ASCII only, so its length is its size in bytes). Joined by
 * Array.join, which builds one flat string: appending with `+=` builds a rope of two thousand pieces that
 * costs more to flatten, when the request body is joined, than the printing saves.
 */
function componentsJson(vector: readonly number[]): string {
  const parts = new Array<string>(vector.length);
  for (let i = 0; i < vector.length; i++) parts[i] = componentJson(vector[i]);
  return parts.join(",");
}

/** JSON.stringify(record) and its size in UTF-8 bytes, without encoding the thousand components to count them. */
function serializeSized(record: VectorRecord): { json: string; bytes: number } {
  const head = `{"id":${JSON.stringify(record.id)},"vector":[`;
  const components = componentsJson(record.vector);
  const tail = `],"data":${JSON.stringify(record.data)},"metadata":${JSON.stringify(record.metadata)}}`;
  return {
    json: head + components + tail,
    bytes: Buffer.byteLength(head) + components.length + Buffer.byteLength(tail),
  };
}

/**
 * JSON.stringify(record), several times faster: the components are printed by componentJson and joined
 * natively instead of walked by the serialiser. The embedder has rejected non-finite values.
 */
export function serializeVector(record: VectorRecord): string {
  return serializeSized(record).json;
}

/**
 * Packs vectors into upsert requests as they arrive: a request is sent as soon as adding the next vector would
 * pass the byte or count limit, so uploading overlaps embedding and the number of requests is the fewest the
 * limits allow (requests are filled in arrival order). Each vector is serialised once, here, to measure it; the
 * request body is the concatenation of those pieces.
 */
export class UpsertBatcher {
  private batch: VectorRecord[] = [];
  private pieces: string[] = [];
  private bytes = 2; // "[" and "]"
  private readonly pending: Promise<void>[] = [];
  private failure: unknown;
  private sent = 0;

  constructor(
    private readonly send: (vectors: VectorRecord[], json: string, bytes: number) => Promise<void>,
    private readonly maxBytes: number,
    private readonly maxCount = UPSTASH_MAX_BATCH,
  ) {}

  add(vector: VectorRecord): void {
    if (this.failure !== undefined) throw this.failure;
    const { json: piece, bytes } = serializeSized(vector);
    const size = bytes + 1; // and a comma
    if (size + 1 > this.maxBytes) {
      throw new RejectedError(
        "vector-store-rejected",
        `vector ${vector.id} is ${size - 1} bytes as JSON, more than UPSTASH_MAX_REQUEST_BYTES (${this.maxBytes})`,
      );
    }
    if (this.batch.length >= this.maxCount || this.bytes + size - 1 > this.maxBytes) this.dispatch();
    this.batch.push(vector);
    this.pieces.push(piece);
    this.bytes += size;
  }

  /** Sends what is left and waits for every request; rejects with the first failure. */
  async flush(): Promise<number> {
    if (this.batch.length > 0) this.dispatch();
    await Promise.allSettled(this.pending);
    if (this.failure !== undefined) throw this.failure;
    return this.sent;
  }

  private dispatch(): void {
    const vectors = this.batch;
    const json = `[${this.pieces.join(",")}]`;
    const bytes = this.bytes - 1; // one comma fewer than pieces
    this.batch = [];
    this.pieces = [];
    this.bytes = 2;
    this.pending.push(
      this.send(vectors, json, bytes).then(
        () => {
          this.sent += vectors.length;
        },
        (error: unknown) => {
          this.failure ??= error;
        },
      ),
    );
  }
}
