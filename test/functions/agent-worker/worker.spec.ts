import { strict as assert } from "node:assert";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { readAgentWorkerEnv } from "../../../functions/agent-worker/env";
import type { TaskContext, TaskResult, TaskRunner } from "../../../functions/agent-worker/runner";
import { AgentTask, parseTask } from "../../../functions/agent-worker/task";
import { taskKey, TaskStore } from "../../../functions/agent-worker/task-store";
import { createAgentWorker } from "../../../functions/agent-worker/worker";
import { createSqsHandler } from "../../../functions/shared/sqs-batch";
import type { SqsRecord } from "../../../functions/shared/sqs-types";
import type { StatusUpdate } from "../../../functions/shared/status-push";
import { LocalDynamo, startDynamo } from "../api/local-aws";
import { RecordingTelemetry } from "../helpers/telemetry";

const T0 = Date.parse("2026-01-05T10:00:00.000Z");

/** The api-handler's modification message (functions/api/app.ts messageFor). */
const message = (taskId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: "modification",
    task_id: taskId,
    project_id: "proj_1",
    modification_id: taskId,
    request: "add a login page",
    requested_by: "user_1",
    ...extra,
  });

const record = (body: string, receiveCount = 1, messageId = "m1"): SqsRecord => ({
  messageId,
  body,
  attributes: { ApproximateReceiveCount: String(receiveCount) },
});

describe("agent-worker", function () {
  this.timeout(20_000);
  let dynamo: LocalDynamo;
  let clock: number;
  let pushes: StatusUpdate[];
  let sent: string[];
  let telemetry: RecordingTelemetry;
  let n = 0;

  before(async () => {
    dynamo = await startDynamo("agent-worker-test");
  });
  after(() => dynamo?.close());
  beforeEach(() => {
    clock = T0;
    pushes = [];
    sent = [];
    telemetry = new RecordingTelemetry();
    n++;
  });

  /** A fresh task id per test: the tests share one table. */
  const id = (name: string) => `task_${n}_${name}`;

  function worker(runner: TaskRunner, overrides: Partial<Parameters<typeof createAgentWorker>[0]> = {}) {
    const store = new TaskStore(dynamo.doc, dynamo.tableName, "dev", () => new Date(clock));
    return {
      store,
      worker: createAgentWorker({
        agent: "dev",
        store,
        runner,
        sendContinuation: async (body) => {
          sent.push(body);
        },
        secret: async () => "llm-key",
        publisher: {
          publish: async (u) => {
            pushes.push(u);
            return { delivered: 1, stale: 0 };
          },
        },
        log: telemetry.log,
        maxReceiveCount: 3,
        continuationMarginMs: 100,
        now: () => clock,
        ...overrides,
      }),
    };
  }

  const item = async (taskId: string) =>
    (
      await dynamo.doc.send(
        new GetCommand({
          TableName: dynamo.tableName,
          Key: taskKey({ projectId: "proj_1", taskId }, "dev"),
        }),
      )
    ).Item!;
  const statuses = () => pushes.map((p) => p.status);
  const succeed: TaskRunner = { run: async () => ({ status: "succeeded", output: { files: 2 } }) };

  it("moves a task queued -> running -> succeeded and pushes each transition", async () => {
    const { worker: w } = worker(succeed);
    const result = await w.handleRecord(record(message(id("ok"))), 60_000);
    assert.deepEqual(result, {
      status: "done",
      attributes: { taskId: id("ok"), projectId: "proj_1", sequence: 0, outcome: "succeeded" },
    });
    assert.deepEqual(statuses(), ["queued", "running", "succeeded"]);
    assert.deepEqual(pushes[2], {
      projectId: "proj_1",
      taskId: id("ok"),
      agent: "dev",
      status: "succeeded",
      at: "2026-01-05T10:00:00.000Z",
      detail: { sequence: 0, files: 2 },
    });
    const saved = await item(id("ok"));
    assert.equal(saved.status, "succeeded");
    assert.equal(saved.EntityType, "AgentTask");
    assert.deepEqual(saved.result, { files: 2 });
    assert.equal(saved.ttl, T0 / 1000 + 30 * 24 * 3600);
    assert.equal(saved.owner, undefined);
  });

  it("ignores a redelivered message once the task has finished: it never moves backwards", async () => {
    const runs: string[] = [];
    const { worker: w } = worker({ run: async (t) => (runs.push(t.taskId), { status: "succeeded" }) });
    await w.handleRecord(record(message(id("dup"))), 60_000);
    const again = await w.handleRecord(record(message(id("dup")), 2), 60_000);
    assert.equal(again.status, "skipped");
    assert.equal((again as { reason: string }).reason, "superseded");
    assert.equal(runs.length, 1);
    assert.deepEqual(statuses(), ["queued", "running", "succeeded"]);
    assert.equal((await item(id("dup"))).status, "succeeded");
  });

  it("lets exactly one of two concurrent deliveries of the same message run the task", async () => {
    let runs = 0;
    const { worker: w } = worker({
      run: async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 50));
        return { status: "succeeded" };
      },
    });
    const results = await Promise.all([
      w.handleRecord(record(message(id("race")), 1, "a"), 60_000),
      w.handleRecord(record(message(id("race")), 1, "b"), 60_000),
    ]);
    assert.equal(runs, 1);
    assert.deepEqual(results.map((r) => r.status).sort(), ["done", "skipped"]);
    assert.deepEqual(statuses(), ["queued", "running", "succeeded"]);
  });

  it("takes over a running task only when the attempt holding it has run out of time", async () => {
    const { worker: w, store } = worker(succeed);
    const task = parseTask(message(id("lease")));
    await store.enqueue(task);
    assert.equal(await store.claim(task, "crashed-attempt", T0 + 60_000), true);
    const early = await w.handleRecord(record(message(id("lease")), 2), 60_000);
    assert.equal(early.status, "skipped");
    clock = T0 + 60_001;
    const late = await w.handleRecord(record(message(id("lease")), 2), 60_000);
    assert.equal(late.status, "done");
    assert.equal((await item(id("lease"))).status, "succeeded");
    // The crashed attempt cannot write anything any more.
    assert.equal(await store.finish(task, "crashed-attempt", "failed", {}), false);
    assert.equal(await store.checkpoint(task, "crashed-attempt", { step: 9 }), false);
  });

  it("records a task the runner reports as failed, and acknowledges the message", async () => {
    const { worker: w } = worker({ run: async () => ({ status: "failed", error: "tests do not compile" }) });
    const result = await w.handleRecord(record(message(id("failed"))), 60_000);
    assert.equal(result.status, "done");
    assert.deepEqual(statuses(), ["queued", "running", "failed"]);
    assert.deepEqual((await item(id("failed"))).result, { error: "tests do not compile" });
  });

  it("retries a runner that throws, and on the last receive records the task failed before the DLQ", async () => {
    const { worker: w } = worker({
      run: async () => {
        throw new Error("provider unavailable");
      },
    });
    const handler = createSqsHandler(telemetry, () => ({
      maxReceiveCount: 3,
      parallel: false,
      handleRecord: (r) => w.handleRecord(r, 60_000),
    }));
    const body = message(id("poison"));
    for (const receive of [1, 2]) {
      const response = await handler({ Records: [record(body, receive, "poison")] });
      assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: "poison" }] });
      const saved = await item(id("poison"));
      assert.equal(saved.status, "running");
      assert.equal(saved.leaseUntil, 0, "the lease is released so the redelivery may claim at once");
    }
    const last = await handler({ Records: [record(body, 3, "poison")] });
    assert.deepEqual(last, { batchItemFailures: [{ itemIdentifier: "poison" }] });
    const saved = await item(id("poison"));
    assert.equal(saved.status, "failed");
    assert.deepEqual(saved.result, { error: "provider unavailable", deadLettered: true });
    assert.deepEqual(statuses(), ["queued", "running", "running", "running", "failed"]);
    assert.ok(
      telemetry.logs.some(
        (l) => l.message === "record failed on its last receive: SQS moves it to the dead-letter queue",
      ),
    );
  });

  it("rejects a malformed message as a batch item failure (to the DLQ after maxReceiveCount)", async () => {
    const { worker: w } = worker(succeed);
    const handler = createSqsHandler(telemetry, () => ({
      maxReceiveCount: 3,
      parallel: false,
      handleRecord: (r) => w.handleRecord(r, 60_000),
    }));
    const response = await handler({
      Records: [record("not json", 1, "bad1"), record('{"task_id":"x y"}', 1, "bad2")],
    });
    assert.deepEqual(response, {
      batchItemFailures: [{ itemIdentifier: "bad1" }, { itemIdentifier: "bad2" }],
    });
    assert.throws(() => parseTask('{"task_id":"x y"}'), {
      name: "RejectedError",
      message:
        "not an agent task: task_id must be 1-128 letters, digits, - or _; project_id must be 1-128 letters, " +
        "digits, - or _; type must be a non-empty string",
    });
    assert.deepEqual(pushes, []);
  });

  it("near its timeout saves the state, enqueues a continuation and resumes from it; a duplicate is ignored", async () => {
    const seen: unknown[] = [];
    const slow: TaskRunner = {
      async run(_task: AgentTask, ctx: TaskContext): Promise<TaskResult> {
        seen.push(ctx.state);
        if (ctx.state === undefined) {
          await ctx.checkpoint({ step: 1 });
          await ctx.report({ step: 1 });
          // Works until the worker stops it.
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
          return { status: "succeeded" };
        }
        return { status: "succeeded", output: { resumedFrom: (ctx.state as { step: number }).step } };
      },
    };
    const { worker: w } = worker(slow, { now: () => Date.now() });
    // 300 ms left and a 100 ms margin: the worker stops the run after about 200 ms.
    const first = await w.handleRecord(record(message(id("long"))), 300);
    assert.deepEqual(first, {
      status: "done",
      attributes: { taskId: id("long"), projectId: "proj_1", sequence: 0, outcome: "continued", next: 1 },
    });
    assert.equal(sent.length, 1);
    assert.deepEqual(JSON.parse(sent[0]), { ...JSON.parse(message(id("long"))), sequence: 1 });
    const continued = await item(id("long"));
    assert.equal(continued.status, "continued");
    assert.deepEqual(continued.state, { step: 1 });
    assert.deepEqual(statuses(), ["queued", "running", "running", "continued"]);

    const second = await w.handleRecord(record(sent[0], 1, "c1"), 60_000);
    assert.equal(second.status, "done");
    assert.deepEqual(seen, [undefined, { step: 1 }]);
    assert.deepEqual((await item(id("long"))).result, { resumedFrom: 1 });

    const duplicate = await w.handleRecord(record(sent[0], 1, "c1-again"), 60_000);
    assert.equal(duplicate.status, "skipped");
    const stale = await w.handleRecord(record(message(id("long")), 2), 60_000);
    assert.equal(stale.status, "skipped");
    assert.equal(sent.length, 1);
    assert.deepEqual(statuses(), ["queued", "running", "running", "continued", "running", "succeeded"]);
  });

  it("re-sends a continuation whose send failed, when the message comes back", async () => {
    let failSend = true;
    const { worker: w } = worker(
      { run: async () => ({ status: "continue", state: { step: 4 } }) },
      {
        sendContinuation: async (body) => {
          if (failSend) throw new Error("SQS unavailable");
          sent.push(body);
        },
      },
    );
    await assert.rejects(w.handleRecord(record(message(id("resend"))), 60_000), /SQS unavailable/);
    assert.equal((await item(id("resend"))).status, "continued");
    failSend = false;
    const again = await w.handleRecord(record(message(id("resend")), 2), 60_000);
    assert.deepEqual(again, {
      status: "done",
      attributes: {
        taskId: id("resend"),
        projectId: "proj_1",
        sequence: 0,
        resent: true,
        outcome: "continued",
        next: 1,
      },
    });
    assert.equal(JSON.parse(sent[0]).sequence, 1);
  });

  it("finishes the task when the status push fails, and logs the push failure", async () => {
    const { worker: w } = worker(succeed, {
      publisher: {
        publish: async () => {
          throw new Error("410 storm");
        },
      },
    });
    const result = await w.handleRecord(record(message(id("push"))), 60_000);
    assert.equal(result.status, "done");
    assert.equal((await item(id("push"))).status, "succeeded");
    assert.equal(telemetry.logs.filter((l) => l.message === "status push failed").length, 3);
  });

  it("reads its environment once, naming every bad variable", () => {
    const bad = { AGENT_NAME: "boss", WEBSOCKET_ENDPOINT: "http://x", AGENT_MODEL_ID: "Nova Lite" };
    assert.throws(() => readAgentWorkerEnv(bad), {
      name: "EnvironmentError",
      message: [
        "invalid agent-worker function environment:",
        "  - POWERTOOLS_SERVICE_NAME=(unset): must be the Powertools service name",
        "  - POWERTOOLS_METRICS_NAMESPACE=(unset): must be a CloudWatch namespace",
        '  - AGENT_NAME="boss": must be one of pm, dev, qa, ops',
        "  - TABLE_NAME=(unset): must be a DynamoDB table name",
        "  - QUEUE_URL=(unset): must be an SQS queue URL",
        "  - LLM_API_KEY_SECRET_ARN=(unset): must be a Secrets Manager secret ARN",
        '  - AGENT_MODEL_ID="Nova Lite": must be a Bedrock model id such as amazon.nova-lite-v1:0 (or an inference profile id such as us.amazon.nova-lite-v1:0)',
        "  - CONNECTIONS_TABLE=(unset): must be a DynamoDB table name (set with WEBSOCKET_ENDPOINT)",
        '  - WEBSOCKET_ENDPOINT="http://x": must be https://<api-id>.execute-api.<region>.amazonaws.com/<stage>',
      ].join("\n"),
    });
  });

  it("reads the agents' Bedrock model id, a foundation model's or an inference profile's", () => {
    const env = {
      POWERTOOLS_SERVICE_NAME: "agent-platform-dev-agent-pm",
      POWERTOOLS_METRICS_NAMESPACE: "AgentPlatform/Agents",
      AGENT_NAME: "pm",
      TABLE_NAME: "data-table-1234567",
      QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/agents-pm-1234567",
      LLM_API_KEY_SECRET_ARN:
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:agents-llm-api-key-AbCdEf",
    };
    for (const id of [
      "amazon.nova-lite-v1:0",
      "us.amazon.nova-lite-v1:0",
      "anthropic.claude-3-haiku-20240307-v1:0",
    ])
      assert.equal(readAgentWorkerEnv({ ...env, AGENT_MODEL_ID: id }).modelId, id);
    assert.throws(() => readAgentWorkerEnv(env), {
      message:
        "invalid agent-worker function environment:\n" +
        "  - AGENT_MODEL_ID=(unset): must be a Bedrock model id such as amazon.nova-lite-v1:0 (or an inference profile id such as us.amazon.nova-lite-v1:0)",
    });
  });
});
