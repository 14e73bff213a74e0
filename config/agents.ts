import * as pulumi from "@pulumi/pulumi";
import {
  AgentSizing,
  AgentsField,
  AgentsSettings,
  agentsProblems,
  capitalized,
} from "../components/agents/args";
import { AGENT_NAMES, AgentName } from "../contracts/agents";
import type { KeyNames } from "../lib/problems";
import type { QueueSpec } from "../components/queues-args";
import { ConfigReader } from "./reader";

/*
 * The agent workers: one Lambda function per agent queue, each consuming its own queue. Their keys
 * are read into the component's own settings (components/agents/args.ts), whose rules name the keys below.
 */

/** The agent workers and their workflow, where agentWorkersEnabled and at least one agent runs as a Lambda. */
export interface AgentsConfig extends AgentsSettings {
  readonly functionAlarms: boolean;
  /** The LLM provider's API key (a secret; stored in Secrets Manager, the functions get its ARN). */
  readonly llmApiKey: pulumi.Output<string>;
  /** Days the agents' event bus archive keeps every event (for replay after an incident). */
  readonly eventArchiveDays: number;
}

/** `pm` -> `agentPm`: the prefix of an agent's keys. */
export const agentKey = (agent: AgentName) => `agent${capitalized(agent)}`;

const KEYS = {
  agents: "agentWorkerAgents",
  timeouts: "queues",
  continuationMarginSeconds: "agentContinuationMarginSeconds",
  ...Object.fromEntries(
    AGENT_NAMES.flatMap((a) =>
      ["MemoryMb", "ReservedConcurrency", "MaxConcurrency"].map((f) => [`${a}${f}`, `${agentKey(a)}${f}`]),
    ),
  ),
} as KeyNames<AgentsField>;

/**
 * The agents section, and whether the workers are switched on (for rules of other keys that need them). `queues`
 * are the agent queues (their consumer timeouts become the functions' timeouts). See also `leaveFargateQueue`.
 */
export function readAgents(
  r: ConfigReader,
  queues: readonly QueueSpec[],
  /** Agents on Fargate (agentRuntime): their queues' timeouts are the container's, not a function's. */
  onFargate: readonly AgentName[] = [],
): { enabled: boolean; agents?: AgentsConfig } {
  const enabled = r.boolean("agentWorkersEnabled");
  const agents: AgentName[] = [];
  r.stringList("agentWorkerAgents").forEach((name, i) => {
    const key = `agentWorkerAgents[${i}]`;
    if (!(AGENT_NAMES as readonly string[]).includes(name)) {
      r.report(key, name, `must be one of the agents: ${AGENT_NAMES.join(", ")}`);
    } else if (agents.includes(name as AgentName)) {
      r.report(key, name, `must not repeat the agent ${name}`);
    } else if (!queues.some((q) => q.name === name)) {
      // Only a problem for workers that run; switched off, the list is kept for when they are switched on.
      if (enabled)
        r.report(
          key,
          name,
          `must have a queue of the same name in queues (${queues.map((q) => q.name).join(", ")})`,
        );
    } else {
      agents.push(name as AgentName);
    }
  });
  const sizing = {} as Record<AgentName, AgentSizing>;
  for (const agent of AGENT_NAMES) {
    const k = agentKey(agent);
    sizing[agent] = {
      memoryMb: r.number(`${k}MemoryMb`),
      timeoutSeconds: queues.find((q) => q.name === agent)?.consumerTimeoutSeconds ?? 0,
      reservedConcurrency: r.number(`${k}ReservedConcurrency`),
      maxConcurrency: r.number(`${k}MaxConcurrency`),
    };
  }
  const continuationMarginSeconds = r.number("agentContinuationMarginSeconds");
  const functionAlarms = r.boolean("agentFunctionAlarms");
  // EventBridge reads 0 as "keep forever"; a bounded archive is the cheaper default.
  const eventArchiveDays = r.number("agentEventArchiveDays", { min: 1, max: 3650 });
  const llmApiKey = r.secret("agentLlmApiKey", enabled && agents.length > 0);
  if (!enabled) return { enabled };
  const settings: AgentsSettings = { agents, sizing, continuationMarginSeconds, functionAlarms };
  // The Lambda rules (timeouts up to 900 s) are not the container's: an agent on Fargate leaves the functions.
  r.reportAll(agentsProblems({ ...settings, agents: agents.filter((a) => !onFargate.includes(a)) }, KEYS));
  return {
    enabled,
    agents: {
      ...settings,
      functionAlarms,
      eventArchiveDays,
      llmApiKey: llmApiKey ?? pulumi.output(""),
    },
  };
}

/**
 * A queue has one consumer: where the Fargate worker is on, it owns `workerQueue`, and the Lambda workers leave
 * that agent out (otherwise the two would split its messages, and the worker's scaling would see half the
 * backlog). Switching the Fargate worker on or off therefore moves the agent between the two, with no other key.
 * Without an agent left, there are no agent workers (nor their workflow).
 */
export function leaveFargateQueue(
  agents: AgentsConfig | undefined,
  worker: { readonly queue: string } | undefined,
): AgentsConfig | undefined {
  const remaining =
    agents && worker ? { ...agents, agents: agents.agents.filter((a) => a !== worker.queue) } : agents;
  return remaining && remaining.agents.length > 0 ? remaining : undefined;
}
