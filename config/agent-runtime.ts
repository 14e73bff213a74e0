import * as pulumi from "@pulumi/pulumi";
import { AGENT_CONTAINER_SERVICES, AgentImageBuild } from "../components/fargate/args";
import { privateReachProblem } from "../components/network/args";
import type { QueueSpec } from "../components/queues-args";
import { AGENT_NAMES, AgentName } from "../contracts/agents";
import type { WorkerConfig } from "./fargate";
import type { NetworkConfig } from "./network";
import { ConfigReader } from "./reader";

/*
 * Which agent runs where (`agentRuntime`): on Lambda (the AgentWorkers functions, at most 900 s per invocation)
 * or on Fargate (the FargateWorker service running the agent container, built from containers/agent and pushed
 * to the stack's ECR repository). One queue has one consumer, so an agent on Fargate is left out of the Lambda
 * workers; its queue's consumer timeout is the container's task timeout and may exceed Lambda's 900 s. The
 * worker's own rules for it (no configured image) are the worker's (components/fargate/args.ts); the rules
 * here join it to other sections (the worker, the agents' key and model, the network).
 */

export const AGENT_RUNTIMES = ["lambda", "fargate"] as const;
export type AgentRuntime = (typeof AGENT_RUNTIMES)[number];

export interface AgentRuntimeConfig {
  readonly byAgent: Readonly<Record<AgentName, AgentRuntime>>;
  /** The one agent the Fargate worker runs, if any. */
  readonly fargateAgent?: AgentName;
  readonly image: AgentImageBuild;
}

/** What the agent container takes from the agents' section (config/agents.ts), whether or not Lambda agents remain. */
export interface AgentContainerConfig {
  readonly llmApiKey: pulumi.Output<string>;
  readonly continuationMarginSeconds: number;
}

/** Reads `agentRuntime` (entries `<agent>:<lambda|fargate>`; agents not listed run on Lambda). */
export function readAgentRuntime(r: ConfigReader): AgentRuntimeConfig {
  const byAgent = Object.fromEntries(AGENT_NAMES.map((a) => [a, "lambda"])) as Record<
    AgentName,
    AgentRuntime
  >;
  const seen = new Set<string>();
  r.stringList("agentRuntime").forEach((entry, i) => {
    const key = `agentRuntime[${i}]`;
    const [agent, runtime, ...rest] = entry.split(":");
    if (rest.length > 0 || !(AGENT_NAMES as readonly string[]).includes(agent))
      return r.report(key, entry, `must be <agent>:<runtime>, the agent one of ${AGENT_NAMES.join(", ")}`);
    if (!(AGENT_RUNTIMES as readonly string[]).includes(runtime))
      return r.report(key, entry, `the runtime must be one of ${AGENT_RUNTIMES.join(", ")}`);
    if (seen.has(agent)) return r.report(key, entry, `must not repeat the agent ${agent}`);
    seen.add(agent);
    byAgent[agent as AgentName] = runtime as AgentRuntime;
  });
  const onFargate = AGENT_NAMES.filter((a) => byAgent[a] === "fargate");
  if (onFargate.length > 1)
    r.report(
      "agentRuntime",
      onFargate.map((a) => `${a}:fargate`),
      "at most one agent may run on Fargate: the stack has one worker service, consuming one queue",
    );
  const fargateAgent = onFargate[0];
  const image = {
    context: r.string("workerImageContext"),
    dockerfile: r.string("workerImageDockerfile"),
  };
  return { byAgent, ...(fargateAgent ? { fargateAgent } : {}), image };
}

/**
 * Checks a Fargate agent against the other sections: it needs the worker on and consuming its queue, the
 * agents' section (key and settings) and a model, and tasks that reach every service it calls without a
 * public IP.
 */
export function checkAgentRuntime(
  r: ConfigReader,
  runtime: AgentRuntimeConfig,
  args: {
    worker: WorkerConfig | undefined;
    network: NetworkConfig;
    queues: readonly QueueSpec[];
    /** agentWorkersEnabled: the agents' settings and their provider key's secret. */
    agentsEnabled: boolean;
    /** A Bedrock model the agents converse with (bedrockModelIds or bedrockInferenceProfileIds). */
    hasModel: boolean;
  },
): void {
  const agent = runtime.fargateAgent;
  if (!agent) return;
  const entry = `${agent}:fargate`;
  if (!args.agentsEnabled)
    r.report(
      "agentWorkersEnabled",
      false,
      `must be true with ${entry}: it holds the agents' settings and key`,
    );
  if (!args.hasModel)
    r.report(
      "bedrockModelIds",
      [],
      `must name the agents' model with ${entry} (or set bedrockInferenceProfileIds)`,
    );
  if (!args.worker)
    r.report("agentRuntime", entry, "an agent on Fargate needs the worker: set workerEnabled to true");
  else if (args.worker.queue !== agent)
    r.report(
      "workerQueue",
      args.worker.queue,
      `must be ${agent}: the worker consumes the queue of the agent it runs (agentRuntime ${entry})`,
    );
  if (!args.queues.some((q) => q.name === agent))
    r.report("agentRuntime", entry, `needs a queue named ${agent} in queues`);
  const reach = privateReachProblem(args.network.natStrategy, args.network.interfaceEndpoints, [
    ...AGENT_CONTAINER_SERVICES,
  ]);
  if (reach)
    r.report(
      "agentRuntime",
      entry,
      `the agent's tasks could not reach what it calls: ${reach}. An agent holding data and model access ` +
        "does not run on a public IP: keep it on Lambda here",
    );
}
