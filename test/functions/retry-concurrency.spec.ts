import { strict as assert } from "node:assert";
import { Limiter, mapLimited } from "../../functions/shared/concurrency";
import { backoffDelay, RetriesExhaustedError, withRetry } from "../../functions/shared/retry";

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

describe("functions/shared/retry", () => {
  it("draws each delay between 0 and the exponential ceiling, capped, and honours Retry-After", () => {
    assert.equal(
      backoffDelay(policy, 1, () => 0.999),
      100,
    );
    assert.equal(
      backoffDelay(policy, 3, () => 0.5),
      200,
    );
    assert.equal(
      backoffDelay(policy, 10, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(policy, 1, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(policy, 1, () => 0, 700),
      700,
    );
    assert.equal(
      backoffDelay(policy, 1, () => 0, 60_000),
      1000,
      "Retry-After is capped too",
    );
  });

  it("retries retryable errors with growing waits, then succeeds", async () => {
    // Prepare
    const waits: number[] = [];
    let calls = 0;
    // Act
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new Error("busy");
        return "ok";
      },
      {
        policy,
        classify: () => ({ retryable: true }),
        random: () => 1,
        sleep: async (ms) => void waits.push(ms),
      },
    );
    // Assess
    assert.equal(result, "ok");
    assert.deepEqual(waits, [100, 200]);
  });

  it("gives up after maxAttempts, or at once on a non-retryable error, keeping the cause", async () => {
    const always = (retryable: boolean) =>
      withRetry(
        async () => {
          throw new Error(retryable ? "throttled" : "invalid");
        },
        { policy, classify: () => ({ retryable }), sleep: async () => undefined },
      );
    await assert.rejects(
      always(true),
      (e: unknown) =>
        e instanceof RetriesExhaustedError && e.attempts === 4 && (e.cause as Error).message === "throttled",
    );
    await assert.rejects(
      always(false),
      (e: unknown) => e instanceof RetriesExhaustedError && e.attempts === 1 && !e.retryable,
    );
  });
});

describe("functions/shared/retry deadline", () => {
  it("stops retrying, marked out of time, when the next wait would pass the deadline", async () => {
    // Prepare
    let calls = 0;
    const deadline = Date.now() + 150;
    // Act
    const run = withRetry(
      async () => {
        calls++;
        throw new Error("throttled");
      },
      {
        policy: { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 100 },
        classify: () => ({ retryable: true }),
        random: () => 1,
        deadline: () => deadline,
      },
    );
    // Assess
    await assert.rejects(
      run,
      (e: unknown) => e instanceof RetriesExhaustedError && e.outOfTime && e.attempts === calls,
    );
    assert.ok(calls >= 1 && calls <= 3, `${calls} attempts before the deadline`);
  });
});

describe("functions/shared/concurrency", () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it("Limiter never runs more than its maximum at once", async () => {
    // Prepare
    const limiter = new Limiter(3);
    let active = 0;
    let peak = 0;
    // Act
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await tick();
          active--;
        }),
      ),
    );
    // Assess
    assert.equal(peak, 3);
    assert.throws(() => new Limiter(0), /at least 1/);
  });

  it("mapLimited keeps order, and stops scheduling after the first failure", async () => {
    // Prepare
    const started: number[] = [];
    // Act
    const doubled = await mapLimited([1, 2, 3, 4, 5], 2, async (n) => {
      await tick();
      return n * 2;
    });
    const failing = mapLimited(
      Array.from({ length: 50 }, (_, i) => i),
      2,
      async (n) => {
        started.push(n);
        await tick();
        if (n === 3) throw new Error("boom");
        return n;
      },
    );
    // Assess
    assert.deepEqual(doubled, [2, 4, 6, 8, 10]);
    await assert.rejects(failing, /boom/);
    assert.ok(started.length <= 6, `stopped early (started ${started.length})`);
  });
});
