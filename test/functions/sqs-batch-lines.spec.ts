import { strict as assert } from "node:assert";
import { DependencyError, RejectedError, withFailureContext } from "../../functions/shared/outcome";
import { BatchRuntime, createSqsHandler } from "../../functions/shared/sqs-batch";
import type { SqsEvent, SqsRecord } from "../../functions/shared/sqs-types";
import { sqsEvent } from "./helpers/events";
import { RecordingTelemetry } from "./helpers/telemetry";

/*
 * The one log line and the counters per record, over both sides of each condition: rejected or failed, last
 * receive or not, with or without the object and model the failure was about, and records or contexts that
 * lack optional fields.
 */

function runtime(fail: (record: SqsRecord) => unknown, overrides: Partial<BatchRuntime> = {}): BatchRuntime {
  return {
    maxReceiveCount: 3,
    parallel: true,
    async handleRecord(record) {
      const error = fail(record);
      if (error) throw error;
      return { status: "done", attributes: {} };
    },
    ...overrides,
  };
}

async function run(error: () => unknown, receiveCount: number) {
  const telemetry = new RecordingTelemetry();
  await createSqsHandler(telemetry, () => runtime(error))(sqsEvent(["x"], receiveCount));
  const errors = telemetry.logs.filter((l) => l.level === "error");
  assert.equal(errors.length, 1);
  return { telemetry, line: errors[0] };
}

const rejected = () => new RejectedError("binary-content", "the object is a PNG image");
const failed = () => new DependencyError("bedrock", "throttled", "InvokeModel failed after 6 attempts");

describe("functions/shared/sqs-batch failure lines", () => {
  const cases = [
    { error: rejected, receive: 1, rejected: 1, deadLetter: false },
    { error: rejected, receive: 3, rejected: 1, deadLetter: true },
    { error: failed, receive: 2, rejected: 0, deadLetter: false },
    { error: failed, receive: 4, rejected: 0, deadLetter: true },
  ];
  for (const c of cases)
    it(`${c.error().name} on receive ${c.receive} of 3: counted, and the line says what SQS does next`, async () => {
      const { telemetry, line } = await run(c.error, c.receive);
      assert.equal(telemetry.metric("Failures"), 1);
      assert.equal(telemetry.metric("Rejected"), c.rejected);
      assert.equal(telemetry.metric("DeadLettered"), c.deadLetter ? 1 : 0);
      assert.equal(line.attributes.deadLetter, c.deadLetter);
      assert.equal(line.attributes.receiveCount, c.receive);
      assert.equal(/on its last receive/.test(line.message), c.deadLetter);
      assert.equal(/dead-letter queue/.test(line.message), c.deadLetter);
      assert.equal(/will deliver it again/.test(line.message), !c.deadLetter);
      assert.match(line.message, new RegExp(`^record ${c.rejected ? "rejected" : "failed"}\\b`));
    });

  for (const model of [undefined, "amazon.titan-embed-text-v2:0"])
    it(`leads with the object the failure was about, ${model ? "with" : "without"} a model`, async () => {
      const error = () =>
        withFailureContext(failed(), { object: "s3://raw/doc.md", ...(model ? { model } : {}) });
      const { line } = await run(error, 3);
      assert.match(line.message, /^s3:\/\/raw\/doc\.md failed on its last receive \(bedrock-throttled/);
      assert.equal(line.message.includes(`, model ${model}`), model !== undefined);
      assert.equal(line.message.includes(", model"), model !== undefined);
      assert.match(
        line.message,
        /\): InvokeModel failed after 6 attempts; SQS moves it to the dead-letter queue$/,
      );
      assert.equal(line.attributes.object, "s3://raw/doc.md");
    });

  it("prints a thrown non-Error as text in the line", async () => {
    const { line } = await run(
      () => withFailureContext({ toString: () => "odd failure" }, { object: "k" }),
      1,
    );
    assert.match(line.message, /: odd failure; SQS will deliver it again$/);
    assert.match(line.message, /^k failed \(unexpected-error\)/);
  });

  it("counts a record without attributes as its first receive", async () => {
    const telemetry = new RecordingTelemetry();
    const event = sqsEvent(["x"]);
    delete (event.Records[0] as { attributes?: unknown }).attributes;
    await createSqsHandler(telemetry, () => runtime(failed))(event);
    assert.equal(telemetry.logs[0].attributes.receiveCount, 1);
    assert.equal(telemetry.logs[0].attributes.deadLetter, false);
  });

  it("logs done and skipped records with their outcome and a duration no longer than the invocation", async () => {
    const telemetry = new RecordingTelemetry();
    const started = performance.now();
    await createSqsHandler(telemetry, () => ({
      ...runtime(() => undefined),
      async handleRecord(record: SqsRecord) {
        return record.body === "skip"
          ? { status: "skipped" as const, reason: "test-event" as const, detail: "S3 test event" }
          : { status: "done" as const, attributes: {} };
      },
    }))(sqsEvent(["done", "skip"]));
    const elapsed = performance.now() - started;
    const byOutcome = Object.fromEntries(telemetry.logs.map((l) => [l.attributes.outcome, l]));
    assert.equal(byOutcome.done.message, "record done");
    assert.equal(byOutcome.skipped.message, "record skipped");
    for (const l of telemetry.logs) {
      const ms = l.attributes.durationMs as number;
      assert.ok(ms >= 0 && ms <= Math.ceil(elapsed), `duration ${ms} ms within ${elapsed} ms`);
    }
  });

  it("fails a batch without Records on a bad environment with that error, counting nothing, logged with it", async () => {
    const telemetry = new RecordingTelemetry();
    const cause = new Error("RAW_BUCKET is not set");
    const handler = createSqsHandler(telemetry, () => {
      throw cause;
    });
    await assert.rejects(handler({} as SqsEvent), (e) => e === cause);
    assert.equal(telemetry.metric("Failures"), 0);
    assert.equal(telemetry.logs[0].attributes.error, cause);
  });

  it("tells the runtime nothing about time when the context cannot say", async () => {
    const seen: unknown[] = [];
    const handler = createSqsHandler(new RecordingTelemetry(), () =>
      runtime(() => undefined, { beginInvocation: (ms) => void seen.push(ms) }),
    );
    await handler(sqsEvent(["a"]), {});
    assert.deepEqual(seen, [undefined]);
  });
});
