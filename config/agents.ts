import * as pulumi from "@pulumi/pulumi";
import { AGENT_NAMES, AgentName as ContractAgentName } from "../contracts/agents";
import { LAMBDA_MEMORY_MB, LAMBDA_TIMEOUT_SECONDS, SQS_MAXIMUM_CONCURRENCY } from "./pipeline";
import type { QueueSpec } from "./queues";
import { ConfigReader } from "./reader";

/*
 * The agent workers (seed 003): one Lambda function per agent queue, each consuming its own queue. A worker's
 * timeout is its queue's consumer timeout (the `queues` key), so the queue's visibility timeout (timeout + 60 s)
 * always covers it; memory and concurrency are per agent here.
 */

/** Seed 003's agents; each has a queue of the same name (the worker's AGENT_NAME values). */
export const AGENTS = AGENT_NAMES;
export type AgentName = ContractAgentName;

/** How one agent's function runs. */
export interface AgentSizing {
  readonly memoryMb: number;
  /** The agent queue's consumer timeout. */
  readonly timeoutSeconds: number;
  /** Reserved concurrency; -1 reserves none (the function shares the account's unreserved pool). */
  readonly reservedConcurrency: number;
  /** Most concurrent invocations the SQS event source starts (2-1000). */
  readonly maxConcurrency: number;
}

export interface AgentsConfig {
  readonly enabled: boolean;
  /** The agents that run as Lambda workers (never the queue the Fargate worker consumes). */
  readonly agents: readonly AgentName[];
  readonly sizing: Readonly<Record<AgentName, AgentSizing>>;
  /** A task with less time left than this saves its state and continues in a new invocation. */
  readonly continuationMarginSeconds: number;
  /** The functions' own alarms (error rate, throttles, duration); the queues' alarms exist regardless. */
  readonly functionAlarms: boolean;
  /** The LLM provider's API key (a secret; stored in Secrets Manager, the functions get its ARN). */
  readonly llmApiKey?: pulumi.Output<string>;
  /** Days the agents' event bus archive keeps every event (for replay after an incident). */
  readonly eventArchiveDays: number;
}

/** Seed 003's sizing; ops reserves 2, not 1: an SQS event source starts at least 2 invocations. */
const SEED: Record<AgentName, { memoryMb: number; reservedConcurrency: number }> = {
  pm: { memoryMb: 1024, reservedConcurrency: 2 },
  dev: { memoryMb: 2048, reservedConcurrency: 2 },
  qa: { memoryMb: 1024, reservedConcurrency: 2 },
  ops: { memoryMb: 512, reservedConcurrency: 2 },
};

/** `pm` -> `agentPm`: the prefix of an agent's keys. */
export const agentKey = (agent: AgentName) => `agent${agent[0].toUpperCase()}${agent.slice(1)}`;

/**
 * Reads the agents section. `queues` are the agent queues (their consumer timeouts become the functions'
 * timeouts). See also `checkOneConsumer`, once the Fargate worker's config is read.
 */
export function readAgents(
  r: ConfigReader,
  queues: readonly QueueSpec[],
  /** Agents on Fargate (agentRuntime): their queues' timeouts are the container's, not a function's. */
  onFargate: readonly AgentName[] = [],
): AgentsConfig {
  const enabled = r.boolean("agentWorkersEnabled", true);
  const listed = r.stringList("agentWorkerAgents", [...AGENTS]);
  const agents: AgentName[] = [];
  listed.forEach((name, i) => {
    const key = `agentWorkerAgents[${i}]`;
    if (!(AGENTS as readonly string[]).includes(name)) {
      r.report(key, name, `must be one of the agents: ${AGENTS.join(", ")}`);
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
  for (const agent of AGENTS) {
    const k = agentKey(agent);
    const memoryMb = r.number(`${k}MemoryMb`, LAMBDA_MEMORY_MB, SEED[agent].memoryMb);
    const reserved = r.number(
      `${k}ReservedConcurrency`,
      { min: -1, max: 1000 },
      SEED[agent].reservedConcurrency,
    );
    const maxConcurrency = r.number(`${k}MaxConcurrency`, SQS_MAXIMUM_CONCURRENCY, 2);
    if (reserved !== -1 && reserved < maxConcurrency)
      r.report(
        `${k}ReservedConcurrency`,
        reserved,
        `must be -1 (no reservation) or at least ${k}MaxConcurrency (${maxConcurrency}): the event source would ` +
          "otherwise drive the function into throttling",
      );
    const timeoutSeconds = queues.find((q) => q.name === agent)?.consumerTimeoutSeconds ?? 0;
    if (
      enabled &&
      agents.includes(agent) &&
      !onFargate.includes(agent) &&
      timeoutSeconds > LAMBDA_TIMEOUT_SECONDS.max
    )
      r.report(
        "queues",
        `${agent}:${timeoutSeconds}`,
        `the ${agent} queue's consumer timeout is the ${agent} agent function's timeout: at most ` +
          `${LAMBDA_TIMEOUT_SECONDS.max} s (Lambda's maximum), or leave ${agent} out of agentWorkerAgents`,
      );
    sizing[agent] = { memoryMb, timeoutSeconds, reservedConcurrency: reserved, maxConcurrency };
  }

  const margin = r.number("agentContinuationMarginSeconds", { min: 1, max: 600 }, 60);
  const shortest = agents
    .map((a) => ({ agent: a, timeout: sizing[a].timeoutSeconds }))
    .sort((a, b) => a.timeout - b.timeout)[0];
  if (enabled && shortest && margin >= shortest.timeout)
    r.report(
      "agentContinuationMarginSeconds",
      margin,
      `must be shorter than the shortest agent timeout (${shortest.timeout} s, ${shortest.agent})`,
    );

  const functionAlarms = r.boolean("agentFunctionAlarms", true);
  // EventBridge reads 0 as "keep forever"; a bounded archive is the cheaper default.
  const eventArchiveDays = r.number("agentEventArchiveDays", { min: 1, max: 3650 }, 30);
  const llmApiKey = r.secret("agentLlmApiKey", enabled && agents.length > 0);
  return {
    enabled,
    agents,
    sizing,
    continuationMarginSeconds: margin,
    functionAlarms,
    eventArchiveDays,
    ...(llmApiKey ? { llmApiKey } : {}),
  };
}

/**
 * A queue has one consumer: where the Fargate worker is on, it owns `workerQueue`, and the Lambda workers leave
 * that agent out (otherwise the two would split its messages, and the worker's scaling would see half the
 * backlog). Switching the Fargate worker on or off therefore moves the agent between the two, with no other key.
 */
export function leaveFargateQueue(
  agents: AgentsConfig,
  worker: { readonly enabled: boolean; readonly queue: string },
): AgentsConfig {
  if (!worker.enabled) return agents;
  return { ...agents, agents: agents.agents.filter((a) => a !== worker.queue) };
}
