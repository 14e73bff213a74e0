/**
 * The REST API as the console calls it: the key in `x-api-key`, JSON in and out, and every way a call can
 * fail turned into a ConsoleError whose message a person can act on. The kinds matter to the views: `key`
 * sends the person back to the key form, `unreachable` says the API cannot be reached at all.
 */

export type ErrorKind = "key" | "unreachable" | "api" | "unexpected";

export class ConsoleError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** HTTP status, code and request id where the API answered: support can find the request by its id. */
    readonly status?: number,
    readonly code?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ConsoleError";
  }
}

/** Seed 003's envelope: `{success, data}` or `{success: false, error: {code, message, details}}`. */
interface Envelope {
  success?: boolean;
  data?: unknown;
  error?: { code?: string; message?: string };
  request_id?: string;
  /** API Gateway's own answers (a refused key, an unknown route) carry only this. */
  message?: string;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export class Api {
  constructor(
    readonly baseUrl: string,
    private readonly key: string,
    private readonly fetchFn: Fetch = (input, init) => fetch(input, init),
    // Through globalThis: the tests run this module in Node, which has no navigator.
    private readonly isOnline: () => boolean = () =>
      (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>("POST", path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>("DELETE", path);
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers: {
          "x-api-key": this.key,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      // fetch rejects without a status for a refused connection, a DNS failure, a CORS refusal and being
      // offline alike; the message names what the person can check.
      throw new ConsoleError(
        "unreachable",
        this.isOnline()
          ? `Cannot reach the API at ${this.baseUrl}. It may be stopped or unreachable from here, or it does ` +
              "not accept requests from this site (its CORS origins)."
          : "This device is offline. Reconnect to the network and try again.",
      );
    }
    const text = await response.text();
    let envelope: Envelope = {};
    try {
      envelope = text === "" ? {} : (JSON.parse(text) as Envelope);
    } catch {
      // Not JSON (a proxy's error page): the status speaks below.
    }
    if (response.ok && envelope.success === true) return envelope.data as T;
    throw describeFailure(response.status, envelope);
  }
}

/** What a failed answer means to a person. */
export function describeFailure(status: number, envelope: Envelope): ConsoleError {
  const requestId = envelope.request_id;
  if (envelope.success === false && envelope.error?.message) {
    const code = envelope.error.code ?? "ERROR";
    return new ConsoleError(
      "api",
      `${envelope.error.message} (${code}, HTTP ${status})`,
      status,
      code,
      requestId,
    );
  }
  // API Gateway answers a missing or wrong key with 403 {"message":"Forbidden"} before the handler runs.
  if (status === 403 && envelope.message === "Forbidden")
    return new ConsoleError(
      "key",
      "The API refused this API key (403 Forbidden). Check that it is this stack's key, then enter it again.",
      status,
      "FORBIDDEN",
    );
  if (status === 429)
    return new ConsoleError(
      "api",
      "Too many requests: the API is throttling this key. Wait a moment.",
      status,
    );
  if (status >= 500)
    return new ConsoleError(
      "api",
      `The API failed (HTTP ${status}${envelope.message ? `: ${envelope.message}` : ""}). Try again shortly.`,
      status,
    );
  return new ConsoleError(
    "unexpected",
    `The API answered HTTP ${status}${envelope.message ? `: ${envelope.message}` : ""}.`,
    status,
  );
}
