import { strict as assert } from "node:assert";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { createBedrockRunner } from "../../../functions/agent-worker/bedrock-runner";
import type { TaskRunner } from "../../../functions/agent-worker/runner";
import { taskKey, TaskStore } from "../../../functions/agent-worker/task-store";
import { createAgentWorker } from "../../../functions/agent-worker/worker";
import { createSqsHandler } from "../../../functions/shared/sqs-batch";
import { createBedrockClient } from "../../../functions/shared/bedrock";
import { connectionKey, subscriptionKey } from "../../../contracts/connections";
import { LocalDynamo, LocalSqs, startDynamo, startSqs } from "../api/local-aws";
import { FakeBedrock } from "../helpers/fake-bedrock";
import { RecordingTelemetry } from "../helpers/telemetry";
import { stepTaskMessage } from "../../../contracts/agents";
import { createStepReporter } from "../../../functions/agent-worker/workflow";
import { ProjectLog } from "../../../functions/shared/project-log";
import { createMessagePublisher } from "../../../functions/shared/project-messages";
import {
  LocalConnections,
  pusherFor,
  REGION,
  startConnectionsTable,
  startHttp,
} from "../ws/local-connections";

describe("agent-worker against dynalite, a loopback SQS, Converse API and the real status publisher", function () {
  this.timeout(30_000);
  let bedrock: FakeBedrock;
  let bedrockClient: BedrockRuntimeClient;
  let dynamo: LocalDynamo;
  let sqs: LocalSqs;
  let connections: LocalConnections;
  let api: { url: string; close(): Promise<void> };
  const posts: { connectionId: string; body: Record<string, unknown> }[] = [];

  before(async () => {
    [dynamo, sqs, connections, bedrock] = await Promise.all([
      startDynamo("agent-worker-integration"),
      startSqs(),
      startConnectionsTable("agent-worker-connections"),
      new FakeBedrock().start(),
    ]);
    bedrockClient = createBedrockClient({
      endpoint: bedrock.url,
      region: REGION,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    api = await startHttp((req, body, res) => {
      const match = /^\/live\/@connections\/([^/]+)$/.exec(decodeURIComponent(req.url!));
      const gone = match?.[1] === "gone";
      if (match && !gone) posts.push({ connectionId: match[1], body: JSON.parse(body) });
      res.statusCode = gone ? 410 : 200;
      res.setHeader("content-type", "application/json");
      if (gone) res.setHeader("x-amzn-errortype", "GoneException");
      res.end(gone ? JSON.stringify({ message: "gone" }) : "");
    });
    for (const [connectionId, projectId] of [
      ["watcher", "proj_9"],
      ["gone", "proj_9"],
    ]) {
      await connections.doc.send(
        new PutCommand({
          TableName: connections.tableName,
          Item: { ...connectionKey(connectionId), connectionId },
        }),
      );
      await connections.doc.send(
        new PutCommand({
          TableName: connections.tableName,
          Item: { ...subscriptionKey(connectionId, projectId), projectId, connectionId },
        }),
      );
    }
  });
  after(async () => {
    bedrockClient?.destroy();
    await Promise.all([dynamo?.close(), sqs?.close(), connections?.close(), api?.close(), bedrock?.close()]);
  });

  async function taskItem(taskId: string, agent: string) {
    const key = taskKey({ projectId: "proj_9", taskId }, agent);
    return (await dynamo.doc.send(new GetCommand({ TableName: dynamo.tableName, Key: key }))).Item!;
  }

  /** The worker as functions/agent-worker/index.ts builds it, on the local services. */
  function worker(agent: "dev" | "qa", runner: TaskRunner, telemetry: RecordingTelemetry) {
    return createAgentWorker({
      agent,
      store: new TaskStore(dynamo.doc, dynamo.tableName, agent),
      runner,
      sendContinuation: async (body) => {
        await sqs.client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: body }));
      },
      secret: async () => "key",
      report: createStepReporter(
        agent,
        createMessagePublisher({
          log: new ProjectLog(dynamo.doc, dynamo.tableName),
          pusher: pusherFor(connections, api.url),
          warn: telemetry.log.warn,
        }),
      ),
      log: telemetry.log,
      maxReceiveCount: 3,
      continuationMarginMs: 100,
    });
  }

  it("runs a task across a continuation, pushing every transition and re-enqueueing through SQS", async () => {
    const telemetry = new RecordingTelemetry();
    const runner: TaskRunner = {
      async run(_task, ctx) {
        if (ctx.state === undefined) {
          await ctx.checkpoint({ files: ["a.ts"] });
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
          return { status: "failed", error: "not reached: the worker continues the task first" };
        }
        return {
          status: "succeeded",
          output: { files: (ctx.state as { files: string[] }).files.length + 1 },
        };
      },
    };
    const qa = worker("qa", runner, telemetry);
    // The first invocation must checkpoint (a dynalite write) before its deadline: 1.4 s, ample on a busy
    // machine; the runner then waits for the deadline, so the figure only sets how long the test waits.
    let remaining = 1500;
    const handler = createSqsHandler(telemetry, () => ({
      maxReceiveCount: 3,
      parallel: false,
      handleRecord: (r) => qa.handleRecord(r, remaining),
    }));
    const body = JSON.stringify(stepTaskMessage("proj_9", "mod_int", 0));

    assert.deepEqual(await handler({ Records: [{ messageId: "m1", body }] }), { batchItemFailures: [] });
    assert.equal(sqs.messages.length, 1);
    assert.deepEqual(JSON.parse(sqs.messages[0].body), { ...JSON.parse(body), sequence: 1 });

    remaining = 60_000;
    assert.deepEqual(await handler({ Records: [{ messageId: "m2", body: sqs.messages[0].body }] }), {
      batchItemFailures: [],
    });

    const item = await taskItem("mod_int-r0", "qa");
    assert.equal(item.status, "succeeded");
    assert.equal(item.sequence, 1);
    assert.deepEqual(item.result, { files: 2 });
    assert.deepEqual(
      posts.map((p) => [
        p.connectionId,
        p.body.id,
        p.body.type,
        p.body.status,
        (p.body.detail as { sequence: number }).sequence,
      ]),
      [
        ["watcher", "000000000001", "agent_status", "queued", 0],
        ["watcher", "000000000002", "agent_status", "running", 0],
        ["watcher", "000000000003", "agent_status", "continued", 0],
        ["watcher", "000000000004", "agent_status", "running", 1],
        ["watcher", "000000000005", "agent_status", "succeeded", 1],
      ],
    );
    // The connection that answered 410 Gone was forgotten on the first push.
    const left = (await connections.items()).map((i) => i.pk);
    assert.deepEqual([...new Set(left)], ["CONN#watcher"]);
  });

  it("runs the bundled Bedrock runner: a step per invocation when time is short, resumed through SQS", async () => {
    const telemetry = new RecordingTelemetry();
    // Each Converse call takes 2 s; the runner wants 3 s left before a call. With 4.9 s before the deadline,
    // step 1 starts (unless setting up took over 1.9 s) and step 2 never can: the timing holds on a busy machine.
    bedrock.latencyMs = 2000;
    const runner = createBedrockRunner("dev", {
      client: bedrockClient,
      modelId: "amazon.nova-lite-v1:0",
      minCallMs: 3000,
    });
    const dev = worker("dev", runner, telemetry);
    let remaining = 5000;
    const handler = createSqsHandler(telemetry, () => ({
      maxReceiveCount: 3,
      parallel: false,
      handleRecord: (r) => dev.handleRecord(r, remaining),
    }));
    const sent = sqs.messages.length;
    const body = JSON.stringify({
      ...stepTaskMessage("proj_9", "mod_llm", 0),
      steps: ["write the handler", "write its test"],
    });

    // Step 1 (2 s), then too little time for step 2.
    assert.deepEqual(await handler({ Records: [{ messageId: "m1", body }] }), { batchItemFailures: [] });
    assert.equal(bedrock.conversations.length, 1);
    assert.equal(sqs.messages.length, sent + 1);
    remaining = 60_000;
    assert.deepEqual(await handler({ Records: [{ messageId: "m2", body: sqs.messages[sent].body }] }), {
      batchItemFailures: [],
    });
    bedrock.latencyMs = 0;

    // The continuation resumed at step 2, with step 1's answer in the conversation.
    assert.deepEqual(
      bedrock.conversations.map((c) => c.messages.length),
      [1, 3],
    );
    const item = await taskItem("mod_llm-r0", "dev");
    assert.equal(item.status, "succeeded");
    assert.equal(item.sequence, 1);
    const result = item.result as { steps: { step: string; text: string }[]; usage: { totalTokens: number } };
    assert.deepEqual(
      result.steps.map((s) => [s.step, s.text]),
      [
        ["write the handler", bedrock.answer(bedrock.conversations[0], "")],
        ["write its test", "answer to: Step 2 of 2: write its test"],
      ],
    );
    assert.ok(result.usage.totalTokens > 0);
    assert.deepEqual(
      posts
        .filter((p) => p.body.modification_id === "mod_llm")
        .map((p) => [p.body.status, (p.body.detail as { sequence: number; step?: number }).step ?? null]),
      [
        ["queued", null],
        ["running", null],
        ["running", 1],
        ["continued", null],
        ["running", null],
        ["running", 2],
        ["succeeded", null],
      ],
    );
  });
});
