/**
 * The workflow's faults, on the local stack started in-process (tools/local/stack.ts) so a test can reach its
 * hooks: the scripted model's refusals, unusable answers and crashes; EventBridge's duplicate deliveries; a
 * dropped WebSocket. Short agent timeouts (5 s, visibility 6 s) keep redeliveries quick; shorter ones let a
 * step on a busy machine reach its continuation margin, which adds a `continued` the sequences do not expect.
 */
import { strict as assert } from "node:assert";
import { MAX_ROUNDS } from "../../contracts/agents";
import type { AgentStatusMessage, ProjectMessage } from "../../contracts/messages";
import { functionBundles } from "../../components/lambda/function";
import type { FunctionName } from "../../lib/build-functions";
import { LocalStack, startLocalStack } from "../../tools/local/stack";
import { api, finished, modify, projectFromTemplate, watch } from "./client";

const statuses = (messages: ProjectMessage[]) =>
  messages
    .filter((m): m is AgentStatusMessage => m.type === "agent_status" && m.status !== "running")
    .map((m) => `${m.agent}:${m.round}:${m.status}`);

describe("workflow faults on the local stack", function () {
  this.timeout(120_000);
  let stack: LocalStack;
  before(async () => {
    stack = await startLocalStack({ agentTimeoutSeconds: 5, visibilityMarginSeconds: 1 });
  });
  after(async () => {
    await stack?.stop();
  });
  afterEach(() => {
    stack.bus.deliveriesPerEvent = 1;
  });

  it("runs every function's bundle, the code archive pulumi up deploys, not its TypeScript sources", async () => {
    const deployed = await functionBundles();
    for (const [name, host] of Object.entries(stack.functions)) {
      const fn = name.startsWith("agent-") ? "agent-worker" : (name as FunctionName);
      assert.equal(host.spec.entry, deployed[fn].bundle, name);
    }
  });

  /** A project, its socket, and one modification run to its end. */
  async function run(request: string) {
    const projectId = await projectFromTemplate(stack);
    const ws = await watch(stack, projectId);
    const modificationId = await modify(stack, projectId, request);
    const end = await ws.waitFor(finished(modificationId), 60_000);
    await ws.close();
    const record = await api<Record<string, unknown>>(
      stack,
      "GET",
      `/api/projects/${projectId}/modifications/${modificationId}`,
    );
    return { projectId, modificationId, end, messages: ws.messages(), record: record.body.data };
  }

  it("ends the modification failed, with the refusal as the reason, when the model refuses a step", async () => {
    const { end, messages, record } = await run("[local-model:refuse:dev] Add user authentication");
    assert.equal(end.type, "modification_failed");
    assert.equal(end.agent, "dev");
    assert.match(
      String(end.reason),
      /^Bedrock Converse local\.scripted-agent-v1 \(the task\) was refused: ValidationException \(HTTP 400\): The dev task was refused/,
    );
    assert.deepEqual(statuses(messages), ["pm:0:queued", "pm:0:succeeded", "dev:0:queued", "dev:0:failed"]);
    assert.deepEqual([record.status, record.reason], ["failed", end.reason]);
  });

  it("fails a step whose answer does not parse, saying what was missing, and writes nothing", async () => {
    const { end, projectId, modificationId } = await run("[local-model:garbage:qa] Add user authentication");
    assert.equal(end.type, "modification_failed");
    assert.equal(
      end.reason,
      "the qa agent's answer could not be used: it must hold exactly one qa-report.json block (```json path=qa-report.json), found 0",
    );
    const steps = (
      await api<{ steps: { agent: string; artifacts?: string[] }[] }>(
        stack,
        "GET",
        `/api/projects/${projectId}/modifications/${modificationId}`,
      )
    ).body.data.steps;
    assert.deepEqual(steps.find((s) => s.agent === "qa")?.artifacts, undefined);
  });

  it("redelivers a step whose worker crashed mid-call, and finishes it once", async () => {
    const before = stack.model.calls.dev ?? 0;
    const coldStarts = stack.functions["agent-dev"].coldStarts;
    const { end, messages } = await run("[local-model:crash:dev] Add user authentication");
    assert.equal(end.type, "modification_complete");
    assert.equal(stack.model.calls.dev - before, 2, "the crashed call and the redelivered one");
    assert.equal(stack.functions["agent-dev"].coldStarts, coldStarts + 1, "the crash took the sandbox down");
    assert.deepEqual(statuses(messages), [
      "pm:0:queued",
      "pm:0:succeeded",
      "dev:0:queued",
      "dev:0:succeeded",
      "qa:0:queued",
      "qa:0:succeeded",
      "ops:0:queued",
      "ops:0:succeeded",
    ]);
    assert.equal(messages.filter((m) => m.type === "modification_complete").length, 1);
    const running = messages.filter(
      (m) => m.type === "agent_status" && m.agent === "dev" && m.status === "running",
    );
    assert.deepEqual(
      running.map((m) => (m as AgentStatusMessage).detail?.attempt),
      [1],
      "the redelivered attempt's start is the same step's, reported once",
    );
  });

  it("runs nothing twice when EventBridge delivers every event twice", async () => {
    stack.bus.deliveriesPerEvent = 2;
    const calls = { ...stack.model.calls };
    const deliveries = stack.bus.deliveries.length;
    const { end, messages } = await run("Add rate limiting");
    assert.equal(end.type, "modification_complete");
    // Every hop was delivered twice: pm->dev, dev->qa, qa->ops, ops->complete.
    assert.equal(stack.bus.deliveries.length - deliveries, 8);
    for (const agent of ["dev", "qa", "ops"])
      assert.equal((stack.model.calls[agent] ?? 0) - (calls[agent] ?? 0), 1, `${agent} ran once`);
    assert.equal(messages.filter((m) => m.type === "modification_complete").length, 1);
    assert.equal(statuses(messages).length, 8);
  });

  it("sends QA's work back to Dev, and fails after the last round", async () => {
    const once = await run("[local-model:qa-reject:1] Add input validation");
    assert.equal(once.end.type, "modification_complete");
    assert.deepEqual(
      statuses(once.messages).filter((s) => s.endsWith("succeeded")),
      [
        "pm:0:succeeded",
        "dev:0:succeeded",
        "qa:0:succeeded",
        "dev:1:succeeded",
        "qa:1:succeeded",
        "ops:1:succeeded",
      ],
    );
    const never = await run(`[local-model:qa-reject:${MAX_ROUNDS}] Add input validation`);
    assert.equal(never.end.type, "modification_failed");
    assert.equal(never.end.reason, `QA still requested changes after ${MAX_ROUNDS} rounds of Dev and QA`);
  });

  it("replays what a client missed when it reconnects after a dropped connection", async () => {
    const projectId = await projectFromTemplate(stack);
    const first = await watch(stack, projectId);
    const modificationId = await modify(stack, projectId, "Add audit logging");
    // The first message arrives and is acknowledged; then the network drops the connection.
    await first.waitFor((f) => f.type === "agent_status" && f.status === "queued");
    await new Promise((r) => setTimeout(r, 100));
    const acked = first.messages().map((m) => m.id);
    first.socket.terminate();
    // Polling sees the modification end while the client is away.
    let polled: ProjectMessage[] = [];
    for (let i = 0; i < 200 && !polled.some(finished(modificationId)); i++) {
      await new Promise((r) => setTimeout(r, 100));
      polled = (await api<{ items: ProjectMessage[] }>(stack, "GET", `/api/projects/${projectId}/events`))
        .body.data.items;
    }
    const again = await watch(stack, projectId, { clientId: first.clientId });
    again.send({ action: "resume" });
    const resumed = await again.waitFor((f) => f.type === "resumed");
    const replayed = again.messages().map((m) => m.id);
    // Exactly what came after the acknowledged messages, in order, ending with the completion.
    assert.deepEqual(
      replayed,
      polled.map((m) => m.id).filter((id) => !acked.includes(id)),
    );
    assert.equal(again.messages().at(-1)!.type, "modification_complete");
    assert.deepEqual(resumed, {
      type: "resumed",
      project_id: projectId,
      replayed: replayed.length,
      last_id: replayed.at(-1),
      more: false,
    });
    await again.close();
  });
});
