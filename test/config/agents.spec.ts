import * as assert from "assert";
import { ALL_AGENTS_ON_LAMBDA, configIssues, K, loadStack } from "../helpers/config";

const issuesWith = (changes: Record<string, string | undefined>, stack = "staging") =>
  configIssues(stack, changes);

describe("agents config", () => {
  it("gives every stack seed 003's agents, timing out at their queues' consumer timeouts", () => {
    const staging = loadStack("staging").agents!;
    // The dev agent runs on Fargate in staging (agentRuntime), with its queue's hour-long timeout.
    assert.deepStrictEqual(staging.agents, ["pm", "qa", "ops"]);
    assert.deepStrictEqual(staging.sizing, {
      pm: { memoryMb: 1024, timeoutSeconds: 300, reservedConcurrency: 2, maxConcurrency: 2 },
      dev: { memoryMb: 2048, timeoutSeconds: 3600, reservedConcurrency: 2, maxConcurrency: 2 },
      qa: { memoryMb: 1024, timeoutSeconds: 600, reservedConcurrency: 2, maxConcurrency: 2 },
      ops: { memoryMb: 512, timeoutSeconds: 300, reservedConcurrency: 2, maxConcurrency: 2 },
    });
    assert.strictEqual(staging.continuationMarginSeconds, 60);
    assert.strictEqual(staging.functionAlarms, true);
    assert.ok(staging.llmApiKey, "the LLM key comes from the stack's ESC environment");
    assert.deepStrictEqual(
      ["dev", "staging", "prod"].map((s) => loadStack(s).blueGreen),
      [false, false, true],
    );
  });

  it("runs the workers in dev with no reserved concurrency and without the function alarms", () => {
    const dev = loadStack("dev").agents!;
    assert.deepStrictEqual(
      Object.values(dev.sizing).map((s) => s.reservedConcurrency),
      [-1, -1, -1, -1],
    );
    // The four functions' alarms ($1.60 a month) do not fit dev's budget (Pulumi.dev.yaml).
    assert.strictEqual(dev.functionAlarms, false);
    assert.deepStrictEqual(dev.agents, ["pm", "dev", "qa", "ops"]);
  });

  it("takes the timeout from the queues key, so the visibility timeout covers it", () => {
    const c = loadStack("staging", { [K("queues")]: '["pm:120","dev:900","qa:600","ops:300"]' });
    assert.strictEqual(c.agents!.sizing.pm.timeoutSeconds, 120);
    assert.strictEqual(c.queues.queues[0].consumerTimeoutSeconds, 120);
  });

  it("rejects unknown, repeated and queue-less agents, and timeouts over Lambda's maximum", () => {
    assert.deepStrictEqual(
      issuesWith({
        [K("queues")]: '["pm:300","dev:1200","qa:600"]',
        [K("agentWorkerAgents")]: '["pm","boss","pm","ops","dev"]',
        [K("agentRuntime")]: "[]",
        [K("workerEnabled")]: "false",
      }),
      [
        'agent-platform:agentWorkerAgents[1] = "boss": must be one of the agents: pm, dev, qa, ops',
        'agent-platform:agentWorkerAgents[2] = "pm": must not repeat the agent pm',
        'agent-platform:agentWorkerAgents[3] = "ops": must have a queue of the same name in queues (pm, dev, qa)',
        "agent-platform:queues = \"dev:1200\": the dev queue's consumer timeout is the dev agent function's " +
          "timeout: at most 900 s (Lambda's maximum), or leave dev out of agentWorkerAgents",
      ],
    );
  });

  it("accepts agents without a queue while the workers are off (they run nowhere)", () => {
    const c = loadStack("dev", { [K("queues")]: '["triage"]', [K("agentWorkersEnabled")]: "false" });
    assert.strictEqual(c.agents, undefined);
  });

  it("keeps one consumer per queue: the Lambda workers leave the Fargate worker's queue to it", () => {
    const worker = {
      ...ALL_AGENTS_ON_LAMBDA,
      [K("workerEnabled")]: "true",
      [K("workerQueue")]: "qa",
      [K("workerImage")]: "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:1.0.0",
    };
    assert.deepStrictEqual(loadStack("staging", worker).agents!.agents, ["pm", "dev", "ops"]);
    assert.deepStrictEqual(
      loadStack("staging", { ...worker, [K("workerEnabled")]: "false" }).agents!.agents,
      ["pm", "dev", "qa", "ops"],
    );
  });

  it("rejects sizing Lambda or the event source would refuse, a margin as long as a timeout, blue/green without alarms", () => {
    // Blue/green rolls back on the alarms of every function group it covers.
    assert.deepStrictEqual(
      issuesWith({
        [K("lambdaBlueGreen")]: "true",
        [K("apiAlarmsEnabled")]: "false",
        [K("websocketFunctionAlarms")]: "false",
      }),
      [
        "agent-platform:lambdaBlueGreen = true: needs apiAlarmsEnabled: CodeDeploy rolls a deployment back on " +
          "the functions' alarms",
        "agent-platform:lambdaBlueGreen = true: needs websocketFunctionAlarms: CodeDeploy rolls a deployment " +
          "back on the functions' alarms",
      ],
    );
    assert.deepStrictEqual(
      issuesWith({
        [K("agentDevMemoryMb")]: "64",
        [K("agentQaReservedConcurrency")]: "1",
        [K("agentOpsMaxConcurrency")]: "1",
        [K("agentContinuationMarginSeconds")]: "300",
        [K("lambdaBlueGreen")]: "true",
        [K("agentFunctionAlarms")]: "false",
      }),
      [
        "agent-platform:agentDevMemoryMb = 64: must be between 128 and 10240",
        "agent-platform:agentQaReservedConcurrency = 1: must be -1 (no reservation) or at least " +
          "agentQaMaxConcurrency (2): the event source would otherwise drive the function into throttling",
        "agent-platform:agentOpsMaxConcurrency = 1: must be between 2 and 1000",
        "agent-platform:agentContinuationMarginSeconds = 300: must be shorter than the shortest agent timeout " +
          "(300 s, pm)",
        "agent-platform:lambdaBlueGreen = true: needs agentFunctionAlarms: CodeDeploy rolls a deployment back " +
          "on the functions' alarms",
      ],
    );
  });

  it("keeps the agents' event archive a bounded number of days: a week in dev, 30 by default", () => {
    assert.deepStrictEqual(
      ["dev", "staging", "prod"].map((s) => loadStack(s).agents!.eventArchiveDays),
      [7, 30, 30],
    );
    // EventBridge reads 0 as "forever": refused, like anything past ten years.
    assert.deepStrictEqual(issuesWith({ [K("agentEventArchiveDays")]: "0" }), [
      "agent-platform:agentEventArchiveDays = 0: must be between 1 and 3650",
    ]);
  });

  it("requires the LLM key only when the workers are on", () => {
    assert.deepStrictEqual(issuesWith({ [K("agentLlmApiKey")]: undefined }), [
      "agent-platform:agentLlmApiKey = undefined: is required: set it with `pulumi config set --secret`",
    ]);
    assert.deepStrictEqual(
      issuesWith({
        [K("agentLlmApiKey")]: undefined,
        [K("agentWorkersEnabled")]: "false",
        [K("agentRuntime")]: "[]",
        [K("workerEnabled")]: "false",
      }),
      [],
    );
  });
});
