import { strict as assert } from "node:assert";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { createPollLoop, PollLoop } from "../../../functions/agent-worker/poll-loop";
import type { TaskRunner } from "../../../functions/agent-worker/runner";
import { taskKey, TaskStore } from "../../../functions/agent-worker/task-store";
import { createAgentWorker } from "../../../functions/agent-worker/worker";
import { LocalQueue, LocalSqs } from "../../../tools/local/sqs";
import { LocalDynamo, startDynamo } from "../api/local-aws";
import { RecordingTelemetry } from "../helpers/telemetry";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const credentials = { accessKeyId: "x", secretAccessKey: "y" };

/** A runner that checkpoints `state`, then works until the worker stops it (the deadline or SIGTERM). */
const checkpointThenWait = (state: Record<string, unknown>): TaskRunner => ({
  async run(_task, ctx) {
    await ctx.checkpoint(state);
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    return { status: "failed", error: "not reached: the worker continues the task first" };
  },
});

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("the agent container's poll loop against the loopback SQS server and dynalite", function () {
  this.timeout(30_000);
  let dynamo: LocalDynamo;
  let sqs: LocalSqs;
  let client: SQSClient;
  let n = 0;

  before(async () => {
    [dynamo, sqs] = await Promise.all([startDynamo("poll-loop"), new LocalSqs().start()]);
    // One attempt per call, as the loop's own failures are what these tests look at.
    client = new SQSClient({ endpoint: sqs.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
  });
  after(async () => {
    client?.destroy();
    await Promise.all([dynamo?.close(), sqs?.close()]);
  });

  interface Setup {
    queue: LocalQueue;
    dlq: LocalQueue;
    loop: PollLoop;
    running: Promise<void>;
    telemetry: RecordingTelemetry;
    busy: boolean[];
  }

  /** A queue with its DLQ, the worker as assemble.ts builds it (on the local services), and its loop running. */
  function start(
    runner: TaskRunner,
    options: { visibility?: number; extendEvery?: number; timeout?: number } = {},
  ): Setup {
    n++;
    const dlq = sqs.create(`poll-${n}-dlq`, { visibilityTimeoutSeconds: 30 });
    const queue = sqs.create(`poll-${n}`, {
      visibilityTimeoutSeconds: options.visibility ?? 30,
      maxReceiveCount: 3,
      deadLetterQueue: dlq,
    });
    const telemetry = new RecordingTelemetry();
    const worker = createAgentWorker({
      agent: "dev",
      store: new TaskStore(dynamo.doc, dynamo.tableName, "dev"),
      runner,
      sendContinuation: async (body) => {
        await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
      },
      secret: async () => "key",
      log: telemetry.log,
      maxReceiveCount: 3,
      continuationMarginMs: 100,
    });
    const busy: boolean[] = [];
    const loop = createPollLoop({
      sqs: client,
      queueUrl: queue.url,
      handle: (record, remainingMs, stop) => worker.handleRecord(record, remainingMs, stop),
      telemetry,
      maxReceiveCount: 3,
      taskTimeoutSeconds: options.timeout ?? 30,
      visibilityTimeoutSeconds: options.visibility ?? 30,
      extendEverySeconds: options.extendEvery,
      waitTimeSeconds: 1,
      retryDelaySeconds: 0,
      onBusy: async (b) => void busy.push(b),
    });
    return { queue, dlq, loop, running: loop.run(), telemetry, busy };
  }

  const body = (taskId: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ type: "generate", task_id: taskId, project_id: "proj_c", ...extra });

  async function record(taskId: string) {
    const key = taskKey({ projectId: "proj_c", taskId }, "dev");
    return (await dynamo.doc.send(new GetCommand({ TableName: dynamo.tableName, Key: key }))).Item;
  }

  async function stopped(s: Setup) {
    s.loop.stop();
    await s.running;
  }

  it("receives a task, runs it once and deletes the message; the task is protected from scale-in while it runs", async () => {
    let runs = 0;
    const s = start({
      async run() {
        runs++;
        return { status: "succeeded", output: { files: 1 } };
      },
    });
    s.queue.send(body("t-ok"));
    await until("the task to succeed", async () => (await record("t-ok"))?.status === "succeeded");
    await until("the message to be deleted", () => s.queue.messages.length === 0);
    await stopped(s);
    assert.equal(runs, 1);
    assert.deepEqual(s.busy, [true, false]);
    assert.equal(s.dlq.messages.length, 0);
  });

  it("keeps the message invisible while the task outlasts the visibility timeout, then deletes it after one receive", async () => {
    let release!: () => void;
    const s = start(
      {
        run: () =>
          new Promise((resolve) => {
            release = () => resolve({ status: "succeeded" });
          }),
      },
      { visibility: 1, extendEvery: 0.3 },
    );
    s.queue.send(body("t-long"));
    await until("the task to run", async () => (await record("t-long"))?.status === "running");
    // Three visibility timeouts later, the message is still hidden: the loop kept extending it.
    await sleep(3000);
    assert.deepEqual(s.queue.counts(), { visible: 0, inFlight: 1 });
    assert.equal(s.queue.messages[0].receiveCount, 1, "never delivered twice");
    release();
    await until("the message to be deleted", () => s.queue.messages.length === 0);
    await stopped(s);
  });

  it("without extensions the same message would have come back (the test above can fail)", async () => {
    const s = start({ run: () => new Promise(() => undefined) }, { visibility: 1, extendEvery: 60 });
    s.queue.send(body("t-noext"));
    await until("the task to run", async () => (await record("t-noext"))?.status === "running");
    await sleep(1500);
    assert.deepEqual(s.queue.counts(), { visible: 1, inFlight: 0 });
    s.loop.stop();
  });

  it("leaves a failed message for redelivery; the next receive runs it again and deletes it", async () => {
    let runs = 0;
    const s = start({
      async run() {
        runs++;
        if (runs === 1) throw new Error("model unavailable");
        return { status: "succeeded" };
      },
    });
    s.queue.send(body("t-retry"));
    await until("the task to succeed", async () => (await record("t-retry"))?.status === "succeeded");
    await until("the message to be deleted", () => s.queue.messages.length === 0);
    await stopped(s);
    assert.equal(runs, 2);
    assert.ok(
      s.telemetry.logs.some(
        (l) =>
          l.level === "error" && /model unavailable/.test(String((l.attributes.error as Error)?.message)),
      ),
    );
  });

  it("stop() during a task (SIGTERM) checkpoints, sends the continuation, deletes the message and returns at once", async () => {
    const s = start(checkpointThenWait({ step: 2 }));
    s.queue.send(body("t-term"));
    await until("the checkpoint", async () => (await record("t-term"))?.state !== undefined);
    const began = Date.now();
    await stopped(s);
    assert.ok(Date.now() - began < 5000, `stopped in ${Date.now() - began} ms`);
    const item = await record("t-term");
    assert.equal(item?.status, "continued");
    assert.deepEqual(item?.state, { step: 2 });
    // The original is gone; its continuation waits for the next task to take it.
    assert.equal(s.queue.messages.length, 1);
    assert.equal(JSON.parse(s.queue.messages[0].body).sequence, 1);
    assert.equal(s.queue.messages[0].receiveCount, 0);
    assert.deepEqual(s.busy, [true, false]);
  });

  it("the continuation resumes from the checkpoint in the next container", async () => {
    const s = start({
      async run(_task, ctx) {
        return { status: "succeeded", output: { resumedFrom: ctx.state as Record<string, unknown> } };
      },
    });
    // The continuation the stopped loop above left on its queue, moved to this one.
    const first = start(checkpointThenWait({ step: 7 }));
    first.queue.send(body("t-resume"));
    await until("the checkpoint", async () => (await record("t-resume"))?.state !== undefined);
    await stopped(first);
    s.queue.send(first.queue.messages[0].body);
    await until("the task to succeed", async () => (await record("t-resume"))?.status === "succeeded");
    await stopped(s);
    assert.deepEqual((await record("t-resume"))?.result, { resumedFrom: { step: 7 } });
  });

  it("a poison message reaches the DLQ after maxReceiveCount receives, and the loop goes on", async () => {
    let runs = 0;
    const s = start({
      async run() {
        runs++;
        return { status: "succeeded" };
      },
    });
    s.queue.send("{not json");
    s.queue.send(body("t-after-poison"));
    await until("the poison message in the DLQ", () => s.dlq.messages.length === 1);
    await until(
      "the next task to succeed",
      async () => (await record("t-after-poison"))?.status === "succeeded",
    );
    await stopped(s);
    assert.equal(s.dlq.messages[0].body, "{not json");
    assert.equal(runs, 1);
    const rejected = s.telemetry.logs.filter((l) => l.attributes.outcome === "rejected");
    assert.equal(rejected.length, 3, "rejected on each of the 3 receives");
    assert.deepEqual(
      rejected.map((l) => l.attributes.deadLetter),
      [false, false, true],
    );
  });
});
