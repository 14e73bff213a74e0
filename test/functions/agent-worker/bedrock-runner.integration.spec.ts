import { strict as assert } from "node:assert";
import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import {
  capText,
  ConverseState,
  createBedrockRunner,
  MAX_TOKENS,
  OUTPUT_BYTES,
} from "../../../functions/agent-worker/bedrock-runner";
import { SYSTEM_PROMPTS } from "../../../functions/agent-worker/prompts";
import type { TaskContext, TaskResult } from "../../../functions/agent-worker/runner";
import type { AgentTask } from "../../../functions/agent-worker/task";
import { DependencyError } from "../../../functions/shared/outcome";
import { createBedrockClient } from "../../../functions/shared/bedrock";
import { bedrockError, FakeBedrock, INTERNAL, THROTTLED } from "../helpers/fake-bedrock";

const MODEL = "amazon.nova-lite-v1:0";
const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

const task = (
  payload: Record<string, unknown> = { request: "a todo app", requested_by: "u1" },
): AgentTask => ({
  taskId: "task_1",
  projectId: "proj_1",
  type: "plan",
  sequence: 0,
  payload,
});

/** A TaskContext that records checkpoints and reports; `remaining` answers ctx.remainingMs() call by call. */
function context(options: { state?: unknown; remaining?: number[] } = {}) {
  const abort = new AbortController();
  const checkpoints: unknown[] = [];
  const reports: Record<string, unknown>[] = [];
  const remaining = [...(options.remaining ?? [])];
  const ctx: TaskContext = {
    agent: "pm",
    remainingMs: () => (remaining.length > 1 ? remaining.shift()! : (remaining[0] ?? 600_000)),
    signal: abort.signal,
    state: options.state,
    checkpoint: async (state) => void checkpoints.push(state),
    report: async (detail) => void reports.push(detail),
    secret: async () => assert.fail("the Bedrock runner reads no provider secret"),
  };
  return { ctx, abort, checkpoints, reports };
}

describe("agent-worker Bedrock runner against a loopback Converse API", function () {
  this.timeout(20_000);
  let bedrock: FakeBedrock;
  let client: BedrockRuntimeClient;
  const retries: number[] = [];
  const runner = (agent: "pm" | "dev" = "pm", minCallMs = 1000) =>
    createBedrockRunner(agent, {
      client,
      modelId: MODEL,
      retry: FAST_RETRY,
      minCallMs,
      onRetry: (_e, attempt) => void retries.push(attempt),
    });

  before(async () => {
    bedrock = await new FakeBedrock().start();
    client = createBedrockClient({
      endpoint: bedrock.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  });
  beforeEach(() => {
    bedrock.requests.length = 0;
    bedrock.conversations.length = 0;
    bedrock.clearFaults();
    bedrock.answer = (body) => `answer to: ${body.messages[body.messages.length - 1].content[0].text}`;
    retries.length = 0;
  });
  after(async () => {
    client?.destroy();
    await bedrock?.close();
  });

  it("does a one-shot task with one Converse call and records the answer and its token usage", async () => {
    const { ctx, checkpoints, reports } = context();
    const result = await runner().run(task(), ctx);

    const user =
      'Task type: plan\n\nTask payload (JSON):\n{\n  "request": "a todo app",\n  "requested_by": "u1"\n}';
    assert.deepEqual(
      bedrock.requests.map((r) => [r.method, r.path]),
      [["POST", `/model/${MODEL}/converse`]],
    );
    assert.deepEqual(bedrock.conversations, [
      {
        system: [{ text: SYSTEM_PROMPTS.pm }],
        messages: [{ role: "user", content: [{ text: user }] }],
        inferenceConfig: { maxTokens: MAX_TOKENS },
      },
    ]);
    const inputTokens = Math.ceil((SYSTEM_PROMPTS.pm.length + user.length) / 4);
    const outputTokens = Math.ceil(`answer to: ${user}`.length / 4);
    const usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
    assert.deepEqual(result, {
      status: "succeeded",
      output: {
        agent: "pm",
        type: "plan",
        modelId: MODEL,
        usage,
        text: `answer to: ${user}`,
        stopReason: "end_turn",
        truncated: false,
      },
    });
    assert.deepEqual(checkpoints, [
      { done: [{ text: `answer to: ${user}`, stopReason: "end_turn" }], usage },
    ]);
    // One call: no progress report (its result is the next status); steps report progress (below).
    assert.deepEqual(reports, []);
  });

  it("tells each agent its role", () => {
    assert.match(SYSTEM_PROMPTS.pm, /You are the PM agent: you plan\./);
    assert.match(SYSTEM_PROMPTS.dev, /You are the Dev agent: you write code\./);
    assert.match(SYSTEM_PROMPTS.qa, /You are the QA agent: you test\./);
    assert.match(SYSTEM_PROMPTS.ops, /You are the Ops agent: you deploy\./);
  });

  it("runs one call per step, checkpointing each, and continues at the next step when time runs short", async () => {
    const steps = ["outline the API", "write the handlers", "write the tests"];
    const first = context({ remaining: [600_000, 500] });
    const paused = await runner("dev").run(task({ request: "todo API", steps }), first.ctx);

    assert.equal(bedrock.conversations.length, 1);
    assert.equal(paused.status, "continue");
    const state = (paused as { state: ConverseState }).state;
    assert.deepEqual(first.checkpoints, [state]);
    assert.equal(state.done.length, 1);
    assert.deepEqual(first.reports, [{ step: 1, of: 3, stopReason: "end_turn" }]);

    // The continuation: a new invocation resumes from the saved state at step 2.
    const second = context({ state });
    const result = (await runner("dev").run(task({ request: "todo API", steps }), second.ctx)) as Extract<
      TaskResult,
      { status: "succeeded" }
    >;
    const turns = bedrock.conversations.map((c) => c.messages.map((m) => `${m.role}: ${m.content[0].text}`));
    const step1 =
      'Task type: plan\n\nTask payload (JSON):\n{\n  "request": "todo API"\n}\n\nWork through the task step ' +
      "by step.\n\nStep 1 of 3: outline the API";
    assert.deepEqual(turns, [
      [`user: ${step1}`],
      [`user: ${step1}`, `assistant: answer to: ${step1}`, "user: Step 2 of 3: write the handlers"],
      [
        `user: ${step1}`,
        `assistant: answer to: ${step1}`,
        "user: Step 2 of 3: write the handlers",
        "assistant: answer to: Step 2 of 3: write the handlers",
        "user: Step 3 of 3: write the tests",
      ],
    ]);
    assert.equal(bedrock.conversations[0].system![0].text, SYSTEM_PROMPTS.dev);
    assert.deepEqual(
      second.reports.map((r) => r.step),
      [2, 3],
    );
    assert.equal(second.checkpoints.length, 2);
    const output = result.output!;
    assert.deepEqual(output.steps, [
      { step: steps[0], text: `answer to: ${step1}`, stopReason: "end_turn" },
      { step: steps[1], text: "answer to: Step 2 of 3: write the handlers", stopReason: "end_turn" },
      { step: steps[2], text: "answer to: Step 3 of 3: write the tests", stopReason: "end_turn" },
    ]);
    assert.equal(output.truncated, false);
    // Usage is summed over all three calls, the first invocation's included.
    const total = (output.usage as { totalTokens: number }).totalTokens;
    assert.ok(total > state.usage.totalTokens * 3, `${total}`);
  });

  it("continues without calling Bedrock when less than a call's time is left", async () => {
    const { ctx, checkpoints } = context({ remaining: [999] });
    assert.deepEqual(await runner().run(task(), ctx), {
      status: "continue",
      state: { done: [], usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } },
    });
    assert.equal(bedrock.requests.length, 0);
    assert.deepEqual(checkpoints, []);
  });

  it("retries throttling and a 500 with backoff, then records the answer", async () => {
    bedrock.inject(THROTTLED).inject(INTERNAL);
    const { ctx } = context();
    const result = await runner().run(task(), ctx);
    assert.equal(result.status, "succeeded");
    assert.equal(bedrock.requests.length, 3);
    assert.deepEqual(retries, [1, 2]);
  });

  it("throws a DependencyError naming the model when throttling outlasts the retries (SQS delivers it again)", async () => {
    bedrock.inject(THROTTLED, 4);
    const { ctx } = context();
    await assert.rejects(runner().run(task(), ctx), (error: unknown) => {
      assert.ok(error instanceof DependencyError);
      assert.equal(
        error.message,
        `Bedrock Converse ${MODEL} (the task) failed: ThrottlingException (HTTP 429): Too many requests, please wait before trying again.`,
      );
      return true;
    });
    assert.equal(bedrock.requests.length, 4);
  });

  it("ends the task failed, naming the model and the reason, on a ValidationException or AccessDenied", async () => {
    bedrock.inject(bedrockError(400, "ValidationException", "The provided model identifier is invalid."));
    assert.deepEqual(await runner().run(task(), context().ctx), {
      status: "failed",
      error: `Bedrock Converse ${MODEL} (the task) was refused: ValidationException (HTTP 400): The provided model identifier is invalid.`,
    });
    assert.equal(bedrock.requests.length, 1);

    bedrock.inject(bedrockError(403, "AccessDeniedException", "You don't have access to the model."));
    const steps = ["a", "b"];
    assert.deepEqual(await runner().run(task({ steps }), context().ctx), {
      status: "failed",
      error: `Bedrock Converse ${MODEL} (step 1 of 2) was refused: AccessDeniedException (HTTP 403): You don't have access to the model.`,
    });
    assert.deepEqual(retries, []);
  });

  it("refuses a malformed step list without calling Bedrock", async () => {
    assert.deepEqual(await runner().run(task({ steps: ["a", ""] }), context().ctx), {
      status: "failed",
      error: "payload.steps must be a non-empty list of non-empty strings",
    });
    assert.deepEqual(await runner().run(task({ steps: Array(21).fill("x") }), context().ctx), {
      status: "failed",
      error: "payload.steps lists 21 steps; at most 20 are allowed",
    });
    assert.equal(bedrock.requests.length, 0);
  });

  it("stops an in-flight call when the worker aborts, and continues from the last checkpoint", async () => {
    bedrock.inject({ hang: true });
    const { ctx, abort, checkpoints } = context({
      state: {
        done: [{ text: "outline", stopReason: "end_turn" }],
        usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
      },
    });
    const run = runner().run(task({ steps: ["outline", "code"] }), ctx);
    while (bedrock.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    abort.abort();
    assert.deepEqual(await run, { status: "continue", state: ctx.state });
    assert.equal(bedrock.requests.length, 1);
    assert.deepEqual(retries, []);
    assert.deepEqual(checkpoints, []);
  });

  it("caps the answer kept (the item must stay under 400 KB) and says so", async () => {
    bedrock.answer = () => "é".repeat(OUTPUT_BYTES);
    const result = (await runner().run(task(), context().ctx)) as Extract<
      TaskResult,
      { status: "succeeded" }
    >;
    assert.equal(result.output!.truncated, true);
    assert.equal(Buffer.byteLength(result.output!.text as string), OUTPUT_BYTES);
    assert.deepEqual(capText("aé", 2), { text: "a", truncated: true });
    assert.deepEqual(capText("aé", 3), { text: "aé", truncated: false });
  });
});
