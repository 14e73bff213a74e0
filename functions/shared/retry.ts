/**
 * Retries with exponential backoff and full jitter (delay drawn uniformly from 0 to base * 2^attempt, capped),
 * which spreads retries of concurrent callers instead of synchronising them into waves. A server's Retry-After
 * is honoured as a lower bound.
 */

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 8000 };

export interface Retryability {
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
}

export interface RetryOptions {
  readonly policy: RetryPolicy;
  readonly classify: (error: unknown) => Retryability;
  /**
   * The last moment (epoch ms) a retry may start, or undefined for no limit. Past it the error is thrown rather
   * than waited out: in Lambda, a record that fails before the invocation's deadline is one batch item failure,
   * while an invocation that times out makes SQS redeliver every message of the batch.
   */
  readonly deadline?: () => number | undefined;
  /** Called before each wait; for metrics and logs. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Injected in tests. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Thrown when retrying stops; `attempts` says how many were made, `cause` is the last error. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly retryable: boolean,
    cause: unknown,
    /** Set when retrying stopped because the invocation's time was running out. */
    readonly outOfTime = false,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "RetriesExhaustedError";
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number,
  retryAfterMs = 0,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.max(Math.round(random() * ceiling), Math.min(retryAfterMs, policy.maxDelayMs));
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const random = options.random ?? Math.random;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const { retryable, retryAfterMs } = options.classify(error);
      if (!retryable || attempt >= options.policy.maxAttempts) {
        throw new RetriesExhaustedError(attempt, retryable, error);
      }
      const delay = backoffDelay(options.policy, attempt, random, retryAfterMs);
      const deadline = options.deadline?.();
      if (deadline !== undefined && Date.now() + delay > deadline)
        throw new RetriesExhaustedError(attempt, true, error, true);
      options.onRetry?.(error, attempt, delay);
      await wait(delay);
    }
  }
}
