import { strict as assert } from "node:assert";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { readAgentWorkerEnv } from "../../../functions/agent-worker/env";
import type { TaskContext, TaskResult, TaskRunner } from "../../../functions/agent-worker/runner";
import { AgentTask, parseTask } from "../../../functions/agent-worker/task";
import { taskKey, TaskStore } from "../../../functions/agent-worker/task-store";
import { createAgentWorker } from "../../../functions/agent-worker/worker";
import { createSqsHandler } from "../../../functions/shared/sqs-batch";
import type { SqsRecord } from "../../../functions/shared/sqs-types";
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
  let pushes: { taskId: string; status: string; detail: Record<string, unknown>; once: boolean }[];
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
        report: async (task, status, detail, once) => {
          pushes.push({ taskId: task.taskId, status, detail, once });
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

  it("moves a task queued -> running -> succeeded and reports each transition", async () => {
    const { worker: w } = worker(succeed);
    const result = await w.handleRecord(record(message(id("ok"))), 60_000);
    assert.deepEqual(result, {
      status: "done",
      attributes: { taskId: id("ok"), projectId: "proj_1", sequence: 0, outcome: "succeeded" },
    });
    assert.deepEqual(statuses(), ["queued", "running", "succeeded"]);
    assert.deepEqual(pushes[2], {
      taskId: id("ok"),
      status: "succeeded",
      detail: { sequence: 0, files: 2 },
      once: true,
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

  it("finishes the task when a status report fails, and logs the failure", async () => {
    const { worker: w } = worker(succeed, {
      report: async () => {
        throw new Error("410 storm");
      },
    });
    const result = await w.handleRecord(record(message(id("push"))), 60_000);
    assert.equal(result.status, "done");
    assert.equal((await item(id("push"))).status, "succeeded");
    assert.equal(telemetry.logs.filter((l) => l.message === "status report failed").length, 3);
  });

  it("reports a runner's progress without deduplication, transitions once", async () => {
    const { worker: w } = worker({
      run: async (_t, ctx) => {
        await ctx.report({ step: 1, of: 2 });
        return { status: "succeeded" };
      },
    });
    await w.handleRecord(record(message(id("progress"))), 60_000);
    assert.deepEqual(
      pushes.map((p) => [p.status, p.once]),
      [
        ["queued", true],
        ["running", true],
        ["running", false],
        ["succeeded", true],
      ],
    );
  });

  describe("hand-off", () => {
    let handed: { taskId: string; status: string; result: Record<string, unknown> }[];
    let failHandOff: number;
    beforeEach(() => {
      handed = [];
      failHandOff = 0;
    });
    const handOff = async (
      task: AgentTask,
      status: "succeeded" | "failed",
      result: Record<string, unknown>,
    ) => {
      if (failHandOff-- > 0) throw new Error("PutEvents unavailable");
      handed.push({ taskId: task.taskId, status, result });
    };

    it("hands a finished task off once, with its outcome, and marks it handed off", async () => {
      const { worker: w } = worker(succeed, { handOff });
      await w.handleRecord(record(message(id("handoff"))), 60_000);
      assert.deepEqual(handed, [{ taskId: id("handoff"), status: "succeeded", result: { files: 2 } }]);
      assert.equal((await item(id("handoff"))).handed_off, true);
      // A duplicate of the message runs nothing and hands off nothing.
      const again = await w.handleRecord(record(message(id("handoff")), 2), 60_000);
      assert.equal(again.status, "skipped");
      assert.equal(handed.length, 1);
    });

    it("hands off again when the first hand-off failed after the outcome was recorded, and only then", async () => {
      let runs = 0;
      const { worker: w } = worker(
        { run: async () => (runs++, { status: "failed", error: "no" }) },
        { handOff },
      );
      failHandOff = 1;
      await assert.rejects(
        w.handleRecord(record(message(id("retry-handoff"))), 60_000),
        /PutEvents unavailable/,
      );
      assert.equal((await item(id("retry-handoff"))).status, "failed");
      assert.equal((await item(id("retry-handoff"))).handed_off, undefined);
      const redelivered = await w.handleRecord(record(message(id("retry-handoff")), 2), 60_000);
      assert.equal(redelivered.status, "done");
      assert.deepEqual(handed, [{ taskId: id("retry-handoff"), status: "failed", result: { error: "no" } }]);
      const third = await w.handleRecord(record(message(id("retry-handoff")), 3), 60_000);
      assert.equal(third.status, "skipped");
      assert.equal(handed.length, 1);
      assert.equal(runs, 1, "the runner never ran again");
    });

    it("hands off a task recorded failed on its last receive", async () => {
      const { worker: w } = worker(
        {
          run: async () => {
            throw new Error("provider unavailable");
          },
        },
        { handOff },
      );
      await assert.rejects(w.handleRecord(record(message(id("last")), 3), 60_000), /provider unavailable/);
      assert.deepEqual(handed, [
        {
          taskId: id("last"),
          status: "failed",
          result: { error: "provider unavailable", deadLettered: true },
        },
      ]);
    });
  });

  it("reads its environment once, naming every bad variable", () => {
    const bad = {
      AGENT_NAME: "boss",
      WEBSOCKET_ENDPOINT: "http://x",
      AGENT_MODEL_ID: "Nova Lite",
      MODEL_CALL_RESERVE_SECONDS: "-1",
      EVENT_BUS_NAME: "bus",
    };
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
        '  - MODEL_CALL_RESERVE_SECONDS="-1": must be a whole number of seconds from 0 to 600',
        "  - CONNECTIONS_TABLE=(unset): must be a DynamoDB table name (set with WEBSOCKET_ENDPOINT)",
        '  - WEBSOCKET_ENDPOINT="http://x": must be https://<api-id>.execute-api.<region>.amazonaws.com/<stage> (or http://127.0.0.1:<port>/<stage> locally)',
        "  - ARTIFACTS_BUCKET=(unset): must be an S3 bucket name (set with EVENT_BUS_NAME)",
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

  it("reads the workflow's bus and bucket together, the model call reserve, and a loopback push endpoint", () => {
    const env = {
      POWERTOOLS_SERVICE_NAME: "agent-pm",
      POWERTOOLS_METRICS_NAMESPACE: "AgentPlatform/Local",
      AGENT_NAME: "pm",
      TABLE_NAME: "data-table",
      QUEUE_URL: "http://127.0.0.1:4566/000000000000/agents-pm",
      LLM_API_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:key",
      AGENT_MODEL_ID: "local.scripted-agent-v1",
      CONNECTIONS_TABLE: "connections",
      WEBSOCKET_ENDPOINT: "http://127.0.0.1:4510/live",
    };
    const plain = readAgentWorkerEnv(env);
    assert.equal(plain.workflow, undefined);
    assert.equal(plain.modelCallReserveSeconds, 45);
    const wired = readAgentWorkerEnv({
      ...env,
      EVENT_BUS_NAME: "agents",
      ARTIFACTS_BUCKET: "artifacts",
      MODEL_CALL_RESERVE_SECONDS: "0",
    });
    assert.deepEqual(wired.workflow, { eventBusName: "agents", artifactsBucket: "artifacts" });
    assert.deepEqual(wired.statusPush, {
      connectionsTable: "connections",
      websocketEndpoint: "http://127.0.0.1:4510/live",
    });
    assert.equal(wired.modelCallReserveSeconds, 0);
    // Loopback only: another plain-HTTP host is not a management endpoint.
    assert.throws(
      () => readAgentWorkerEnv({ ...env, WEBSOCKET_ENDPOINT: "http://10.0.0.1:4510/live" }),
      /WEBSOCKET_ENDPOINT/,
    );
  });
});
