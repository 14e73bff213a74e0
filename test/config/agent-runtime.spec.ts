import * as assert from "assert";
import { dockerPlatform } from "../../components/fargate/args";
import * as path from "path";
import { stackAccount } from "../../tools/offline/preview";
import { configIssues, K, loadStack, stackInput } from "../helpers/config";
import { evaluate, named, REPO_ROOT } from "../helpers/offline";

/** The dev stack with the worker switched on for the dev agent (what a user would try first). */
const DEV_ON_FARGATE = {
  [K("agentRuntime")]: '["dev:fargate"]',
  [K("workerEnabled")]: "true",
  [K("serviceContainerInsights")]: "enabled",
};

describe("agentRuntime config: which agent runs where", () => {
  it("runs the dev agent on Fargate in staging and prod, every agent on Lambda in dev", () => {
    for (const stack of ["staging", "prod"]) {
      const c = loadStack(stack);
      assert.deepStrictEqual(c.agentRuntime.byAgent, {
        pm: "lambda",
        dev: "fargate",
        qa: "lambda",
        ops: "lambda",
      });
      assert.strictEqual(c.agentRuntime.fargateAgent, "dev");
      assert.deepStrictEqual(c.agentRuntime.image, {
        context: ".",
        dockerfile: "containers/agent/Dockerfile",
      });
      // One consumer per queue: the Lambda workers leave dev to the container.
      assert.deepStrictEqual(c.agents!.agents, ["pm", "qa", "ops"]);
      // Its queue's timeout is the container's, past Lambda's 900 s; the visibility timeout covers it.
      const dev = c.queues.queues.find((q) => q.name === "dev")!;
      assert.strictEqual(dev.consumerTimeoutSeconds, 3600);
    }
    const dev = loadStack("dev");
    assert.strictEqual(dev.agentRuntime.fargateAgent, undefined);
    assert.deepStrictEqual(dev.agents!.agents, ["pm", "dev", "qa", "ops"]);
  });

  it("builds for the task's architecture", () => {
    assert.deepStrictEqual(
      [dockerPlatform("X86_64"), dockerPlatform("ARM64")],
      ["linux/amd64", "linux/arm64"],
    );
  });

  it("refuses unknown agents and runtimes, repeats, and two agents on the one worker", () => {
    assert.deepStrictEqual(
      configIssues("staging", {
        [K("agentRuntime")]: '["boss:lambda","qa:ec2","dev:fargate","dev:lambda","qa:fargate","pm"]',
      }),
      [
        'agent-platform:agentRuntime[0] = "boss:lambda": must be <agent>:<runtime>, the agent one of pm, dev, qa, ops',
        'agent-platform:agentRuntime[1] = "qa:ec2": the runtime must be one of lambda, fargate',
        'agent-platform:agentRuntime[3] = "dev:lambda": must not repeat the agent dev',
        'agent-platform:agentRuntime[5] = "pm": the runtime must be one of lambda, fargate',
        'agent-platform:agentRuntime = ["dev:fargate","qa:fargate"]: at most one agent may run on Fargate: the ' +
          "stack has one worker service, consuming one queue",
      ],
    );
  });

  it("needs the worker on, consuming the agent's queue, with an image the program builds", () => {
    assert.deepStrictEqual(configIssues("staging", { [K("workerEnabled")]: "false" }), [
      'agent-platform:agentRuntime = "dev:fargate": an agent on Fargate needs the worker: set workerEnabled to true',
    ]);
    assert.deepStrictEqual(
      configIssues("staging", { [K("workerQueue")]: "qa", [K("workerImageTag")]: "1.0.0" }),
      [
        'agent-platform:workerImageTag = "1.0.0": must be empty with the dev agent on Fargate: the program builds ' +
          "its image and pins the task to its digest",
        'agent-platform:workerQueue = "qa": must be dev: the worker consumes the queue of the agent it runs ' +
          "(agentRuntime dev:fargate)",
      ],
    );
    assert.deepStrictEqual(
      configIssues("staging", {
        [K("agentWorkersEnabled")]: "false",
        [K("bedrockModelIds")]: "[]",
        [K("bedrockAccessEnabled")]: "false",
      }),
      [
        "agent-platform:agentWorkersEnabled = false: must be true with dev:fargate: it holds the agents' settings and key",
        "agent-platform:bedrockModelIds = []: must name the agents' model with dev:fargate (or set bedrockInferenceProfileIds)",
      ],
    );
  });

  it("lets a Fargate agent's queue time out past 900 s, and refuses that for a Lambda agent", () => {
    const long = { [K("queues")]: '["pm:300","dev:7200","qa:600","ops:300"]' };
    assert.deepStrictEqual(configIssues("staging", long), []);
    assert.deepStrictEqual(
      configIssues("staging", { ...long, [K("agentRuntime")]: "[]", [K("workerEnabled")]: "false" }),
      [
        "agent-platform:queues = \"dev:7200\": the dev queue's consumer timeout is the dev agent function's timeout: " +
          "at most 900 s (Lambda's maximum), or leave dev out of agentWorkerAgents",
      ],
    );
  });

  it("refuses a Fargate agent where its tasks could not reach SQS, EventBridge, Bedrock or Secrets Manager (dev: no NAT)", () => {
    const issues = configIssues("dev", DEV_ON_FARGATE);
    assert.strictEqual(issues.length, 1, issues.join("\n"));
    assert.match(
      issues[0],
      /^agent-platform:agentRuntime = "dev:fargate": the agent's tasks could not reach/,
    );
    // dev has no interface endpoints: everything but the gateway endpoints' services is out of reach.
    assert.match(
      issues[0],
      /no endpoint for sqs, events, bedrock-runtime, secretsmanager, logs, ecr\.api, ecr\.dkr/,
    );
    // Interface endpoints for all but EventBridge (which the Network component does not offer) still leave it out.
    const endpoints = {
      ...DEV_ON_FARGATE,
      [K("interfaceEndpoints")]: '["sqs","secretsmanager","ecr.api","ecr.dkr","logs","bedrock-runtime"]',
    };
    assert.match(configIssues("dev", endpoints)[0], /no endpoint for events;/);
    // With a NAT gateway the same agent is accepted.
    assert.deepStrictEqual(configIssues("dev", { ...DEV_ON_FARGATE, [K("natStrategy")]: "single" }), []);
  });

  it("keeps the workflow when the one agent left runs on Fargate: a bus and its rules, no Lambda workers", async function () {
    this.timeout(60_000);
    // staging with dev on Fargate, and dev the only agent: no agent is left to the Lambda workers.
    const changes = { [K("agentWorkerAgents")]: '["dev"]' };
    const c = loadStack("staging", changes);
    assert.strictEqual(c.agents, undefined);
    assert.deepStrictEqual(c.workflow, { eventArchiveDays: 30, functionAlarms: true });
    const { values, secretKeys, config } = stackInput("staging", changes);
    const { resources } = await evaluate(path.join(REPO_ROOT, "index.ts"), {
      stack: "staging",
      config: values,
      secretKeys,
      region: config.region,
      accountId: stackAccount(values),
    });
    const types = new Set(resources.map((r) => r.type));
    assert.ok(types.has("agent-platform:index:AgentWorkflow"), "the workflow's component");
    assert.ok(!types.has("agent-platform:index:AgentWorkers"), "no Lambda agent workers");
    // The container hands its step on through the bus, as the Lambda worker would.
    const task = named(resources, "agent-worker-taskdef");
    const env = (
      JSON.parse(String(task.inputs.containerDefinitions)) as {
        environment: { name: string; value: string }[];
      }[]
    )[0].environment;
    const bus = named(resources, "agent-workflow-bus");
    assert.strictEqual(env.find((e) => e.name === "EVENT_BUS_NAME")?.value, bus.outputs.name);
  });
});
