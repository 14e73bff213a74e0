import { strict as assert } from "node:assert";
import { EnvironmentError } from "../../contracts/pipeline-env";
import { DependencyError, RecordResult, RejectedError, skipped } from "../../functions/shared/outcome";
import { BatchRuntime, createSqsHandler } from "../../functions/shared/sqs-batch";
import type { SqsRecord } from "../../functions/shared/sqs-types";
import { sqsEvent } from "./helpers/events";
import { RecordingTelemetry } from "./helpers/telemetry";

/** A runtime whose records say what to do: "done", "skip", "reject" or "fail". */
function scriptedRuntime(overrides: Partial<BatchRuntime> = {}): BatchRuntime {
  return {
    maxReceiveCount: 3,
    parallel: true,
    async handleRecord(record: SqsRecord): Promise<RecordResult> {
      switch (record.body) {
        case "done":
          return { status: "done", attributes: { sourceKey: "a.md" } };
        case "skip":
          return skipped("test-event", "S3 test event");
        case "reject":
          throw new RejectedError("binary-content", "s3://raw/a.bin: the object is a PNG image, not text");
        default:
          throw new DependencyError(
            "bedrock",
            "throttled",
            "Bedrock InvokeModel amazon.titan-embed-text-v2:0 failed after 6 attempts",
          );
      }
    },
    ...overrides,
  };
}

describe("functions/shared/sqs-batch", () => {
  it("reports only rejected and failed records as batch item failures, and logs and counts every outcome", async () => {
    // Prepare
    const telemetry = new RecordingTelemetry();
    const handler = createSqsHandler(telemetry, () => scriptedRuntime());
    // Act
    const response = await handler(sqsEvent(["done", "skip", "reject", "fail"]));
    // Assess
    assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: "m2" }, { itemIdentifier: "m3" }] });
    assert.deepEqual(
      telemetry.outcomes().map((o) => [o.messageId, o.outcome, o.reason ?? null]),
      [
        ["m0", "done", null],
        ["m1", "skipped", "test-event"],
        ["m2", "rejected", "binary-content"],
        ["m3", "failed", "bedrock-throttled"],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    assert.equal(telemetry.metric("Failures"), 2);
    assert.equal(telemetry.metric("Rejected"), 1);
    assert.equal(telemetry.metric("Skipped"), 1);
    assert.equal(telemetry.metric("DeadLettered"), 0);
    assert.equal(telemetry.published, 1, "metrics published once per invocation");
  });

  it("says when a failing record is on its last receive and goes to the dead-letter queue", async () => {
    // Prepare
    const telemetry = new RecordingTelemetry();
    const handler = createSqsHandler(telemetry, () => scriptedRuntime());
    // Act
    const response = await handler(sqsEvent(["reject"], 3));
    // Assess
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: "m0" }]);
    const [line] = telemetry.logs.filter((l) => l.level === "error");
    assert.match(line.message, /last receive: SQS moves it to the dead-letter queue/);
    assert.equal(line.attributes.reason, "binary-content");
    assert.equal(line.attributes.deadLetter, true);
    assert.equal(telemetry.metric("DeadLettered"), 1);
  });

  it("returns every record as failed, rather than throwing, when the whole batch fails", async () => {
    const handler = createSqsHandler(new RecordingTelemetry(), () => scriptedRuntime());
    const response = await handler(sqsEvent(["fail", "reject"]));
    assert.deepEqual(response.batchItemFailures.map((f) => f.itemIdentifier).sort(), ["m0", "m1"]);
  });

  it("handles records one at a time when the runtime asks for it", async () => {
    // Prepare
    let active = 0;
    let peak = 0;
    const runtime = scriptedRuntime({
      parallel: false,
      async handleRecord() {
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setImmediate(resolve));
        active--;
        return { status: "done", attributes: {} };
      },
    });
    // Act
    await createSqsHandler(new RecordingTelemetry(), () => runtime)(sqsEvent(["a", "b", "c"]));
    // Assess
    assert.equal(peak, 1);
  });

  it("tells the runtime how long the invocation may still run", async () => {
    // Prepare
    const seen: (number | undefined)[] = [];
    const handler = createSqsHandler(new RecordingTelemetry(), () =>
      scriptedRuntime({ beginInvocation: (ms) => void seen.push(ms) }),
    );
    // Act
    await handler(sqsEvent(["done"]), { getRemainingTimeInMillis: () => 42_000 });
    await handler(sqsEvent(["done"]));
    // Assess
    assert.deepEqual(seen, [42_000, undefined]);
  });

  it("fails the invocation with the environment error, logged, when the runtime cannot be built", async () => {
    // Prepare
    const telemetry = new RecordingTelemetry();
    const handler = createSqsHandler(telemetry, () => {
      throw new EnvironmentError("process", ["RAW_BUCKET is not set: must be an S3 bucket name"]);
    });
    // Act + Assess
    await assert.rejects(handler(sqsEvent(["done"])), /RAW_BUCKET is not set/);
    assert.equal(telemetry.logs[0].message, "cannot start: invalid configuration");
    assert.equal(telemetry.metric("Failures"), 1);
    assert.equal(telemetry.published, 1);
  });
});
