import { strict as assert } from "node:assert";
import {
  DEFAULT_RETRY_POLICY,
  RetriesExhaustedError,
  RetryPolicy,
  withRetry,
} from "../../functions/shared/retry";

/*
 * Both sides of each stopping rule of withRetry: the attempt limit, a non-retryable error, and the deadline
 * (a retry may start exactly at the deadline, not a millisecond after it), with the clock held still.
 */

const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };
const NOW = 1_000_000;

async function attempt(deadline: number | undefined, retryable = true) {
  const realNow = Date.now;
  Date.now = () => NOW;
  const waits: number[] = [];
  let calls = 0;
  try {
    const value = await withRetry(
      async () => {
        calls++;
        if (calls === 1) throw new Error("busy");
        return "ok";
      },
      {
        policy,
        classify: () => ({ retryable }),
        deadline: () => deadline,
        // The first wait is the whole ceiling: baseDelayMs.
        random: () => 1,
        sleep: async (ms) => void waits.push(ms),
      },
    );
    return { value, waits, calls };
  } catch (error) {
    return { error: error as RetriesExhaustedError, waits, calls };
  } finally {
    Date.now = realNow;
  }
}

describe("functions/shared/retry stopping rules", () => {
  const cases: Array<[string, number | undefined, boolean]> = [
    ["no deadline", undefined, true],
    ["a deadline far ahead", NOW + 60_000, true],
    ["a deadline a millisecond after the wait ends", NOW + 101, true],
    ["a deadline exactly when the wait ends", NOW + 100, true],
    ["a deadline a millisecond before the wait ends", NOW + 99, false],
    ["a deadline already past", NOW - 1, false],
  ];
  for (const [name, deadline, retries] of cases)
    it(`${retries ? "retries" : "stops, out of time,"} with ${name}`, async () => {
      const r = await attempt(deadline);
      if (retries) {
        assert.equal(r.value, "ok");
        assert.deepEqual(r.waits, [100]);
        assert.equal(r.calls, 2);
      } else {
        assert.ok(r.error instanceof RetriesExhaustedError);
        assert.equal(r.error.outOfTime, true);
        assert.equal(r.error.retryable, true, "the error could have been retried with more time");
        assert.equal(r.error.attempts, 1);
        assert.deepEqual(r.waits, [], "no wait that would pass the deadline");
      }
    });

  it("marks exhaustion that is not about time as in time, and names the error class", async () => {
    for (const retryable of [true, false]) {
      const r = await attempt(undefined, retryable);
      if (retryable) {
        assert.equal(r.value, "ok");
        continue;
      }
      assert.ok(r.error instanceof RetriesExhaustedError);
      assert.equal(r.error.outOfTime, false);
      assert.equal(r.error.retryable, false);
      assert.equal(r.error.name, "RetriesExhaustedError");
      assert.equal(r.error.message, "busy");
    }
  });

  it("has a default policy that retries a few times with a growing, capped wait", () => {
    assert.ok(Number.isInteger(DEFAULT_RETRY_POLICY.maxAttempts) && DEFAULT_RETRY_POLICY.maxAttempts > 1);
    assert.ok(DEFAULT_RETRY_POLICY.baseDelayMs > 0);
    assert.ok(DEFAULT_RETRY_POLICY.maxDelayMs > DEFAULT_RETRY_POLICY.baseDelayMs);
  });
});
