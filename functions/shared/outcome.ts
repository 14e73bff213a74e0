/**
 * How a record ends. Every record ends in exactly one of these, each logged and counted:
 *  - done: the work was done;
 *  - skipped: nothing to do, acknowledged (an S3 test event, a folder marker, an object deleted or replaced since
 *    the event);
 *  - rejected (RejectedError): the input can never succeed; reported as a batch item failure so SQS moves it to
 *    the dead-letter queue after maxReceiveCount receives, with the reason in the log;
 *  - failed (any other error, usually DependencyError): possibly transient; reported as a batch item failure so
 *    SQS retries it after the visibility timeout, and dead-letters it if it keeps failing.
 */

export const REJECT_REASONS = [
  "malformed-event",
  "unexpected-bucket",
  "object-too-large",
  "empty-object",
  "binary-content",
  "undecodable-text",
  "unsupported-format",
  "malformed-document",
  "no-text",
  "embedding-rejected",
  "vector-store-rejected",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const SKIP_REASONS = [
  "test-event",
  "unsupported-event",
  "folder-marker",
  "object-missing",
  "superseded",
  "unchanged",
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Input that can never be processed; `reason` is a stable code for logs, dashboards and runbooks. */
export class RejectedError extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
    this.name = "RejectedError";
  }
}

export type DependencyName = "s3" | "bedrock" | "upstash" | "secrets-manager";
export type DependencyProblem =
  | "throttled"
  | "unavailable"
  | "timeout"
  | "access-denied"
  /** A success status whose body is not what the API documents (not JSON, no result, wrong shape). */
  | "invalid-response"
  | "error";

/** A call to another service that failed (after retries, where retrying applies). */
export class DependencyError extends Error {
  constructor(
    readonly dependency: DependencyName,
    readonly problem: DependencyProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DependencyError";
  }
}

export type Attributes = Record<string, unknown>;

export type RecordResult =
  | { readonly status: "done"; readonly attributes: Attributes }
  | {
      readonly status: "skipped";
      readonly reason: SkipReason;
      readonly detail: string;
      readonly attributes?: Attributes;
    };

export function skipped(reason: SkipReason, detail: string, attributes?: Attributes): RecordResult {
  return { status: "skipped", reason, detail, ...(attributes ? { attributes } : {}) };
}

/** The reason code logged for a failed record. */
export function failureReason(error: unknown): { outcome: "rejected" | "failed"; reason: string } {
  if (error instanceof RejectedError) return { outcome: "rejected", reason: error.reason };
  if (error instanceof DependencyError)
    return { outcome: "failed", reason: `${error.dependency}-${error.problem}` };
  if (error instanceof Error && error.name === "EnvironmentError")
    return { outcome: "failed", reason: "configuration" };
  return { outcome: "failed", reason: "unexpected-error" };
}

/**
 * What a failure was about (the object, the model), added by the layers that know it as the error passes up, so the
 * one line logged for a failed record names them without every thrower repeating them.
 */
const CONTEXT = new WeakMap<object, Attributes>();

/** Adds `attributes` to the error's failure context (earlier values win: the innermost layer knows best). */
export function withFailureContext(error: unknown, attributes: Attributes): unknown {
  if (typeof error === "object" && error !== null)
    CONTEXT.set(error, { ...attributes, ...(CONTEXT.get(error) ?? {}) });
  return error;
}

export function failureContext(error: unknown): Attributes {
  return (typeof error === "object" && error !== null && CONTEXT.get(error)) || {};
}
