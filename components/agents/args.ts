import { AGENT_NAMES, AgentName } from "../../contracts/agents";
import { KeyNames, Problems } from "../../lib/problems";
import {
  LAMBDA_MEMORY_MB,
  LAMBDA_RESERVED_CONCURRENCY,
  LAMBDA_TIMEOUT_SECONDS,
  SQS_MAXIMUM_CONCURRENCY,
} from "../lambda/args";

/*
 * What the AgentWorkers component (one Lambda function per agent queue) is given, and the rules of it.
 * A worker's timeout is its queue's consumer timeout, so the queue's visibility timeout (timeout + 60 s) always
 * covers it; memory and concurrency are per agent.
 */

/** How one agent's function runs. No field has a default. */
export interface AgentSizing {
  /** Memory in MB (128-10240). */
  readonly memoryMb: number;
  /** The agent queue's consumer timeout, at most Lambda's 900 s. */
  readonly timeoutSeconds: number;
  /** Reserved concurrency; -1 reserves none, else at least maxConcurrency. */
  readonly reservedConcurrency: number;
  /** Most concurrent invocations the SQS event source starts (2-1000). */
  readonly maxConcurrency: number;
}

/** The agent workers' settings (what config reads); the component adds its queues, table and wiring. */
export interface AgentsSettings {
  /** The agents that run as Lambda workers, each on the queue of the same name. No default. */
  readonly agents: readonly AgentName[];
  /** Memory, timeout and concurrency per agent. No default. */
  readonly sizing: Readonly<Record<AgentName, AgentSizing>>;
  /** A task with less time left than this (1-600 s, below every agent's timeout) continues in a new invocation. No default. */
  readonly continuationMarginSeconds: number;
  /** The functions' own alarms (error rate, throttles, duration); the queues' alarms exist regardless. Default: true. */
  readonly functionAlarms?: boolean;
}

const SIZING_FIELDS = ["MemoryMb", "ReservedConcurrency", "MaxConcurrency"] as const;

export type AgentsField =
  "agents" | "timeouts" | "continuationMarginSeconds" | `${AgentName}${(typeof SIZING_FIELDS)[number]}`;

/** `pm` -> `Pm`: how an agent's name reads inside a key. */
export const capitalized = (agent: AgentName) => `${agent[0].toUpperCase()}${agent.slice(1)}`;

export const AGENTS_FIELDS: KeyNames<AgentsField> = {
  agents: "agents",
  timeouts: "sizing.timeoutSeconds",
  continuationMarginSeconds: "continuationMarginSeconds",
  ...(Object.fromEntries(
    AGENT_NAMES.flatMap((a) =>
      SIZING_FIELDS.map((f) => [`${a}${f}`, `sizing.${a}.${f[0].toLowerCase()}${f.slice(1)}`]),
    ),
  ) as Record<`${AgentName}${(typeof SIZING_FIELDS)[number]}`, string>),
};

/** Every rule the agent workers' settings break, each named by `keys`. */
export function agentsProblems(s: AgentsSettings, keys: KeyNames<AgentsField> = AGENTS_FIELDS) {
  const p = new Problems(keys);
  for (const agent of AGENT_NAMES) {
    const size = s.sizing[agent];
    const field = (f: (typeof SIZING_FIELDS)[number]) => `${agent}${f}` as const;
    p.number(field("MemoryMb"), size.memoryMb, LAMBDA_MEMORY_MB);
    const reservedOk = p.number(
      field("ReservedConcurrency"),
      size.reservedConcurrency,
      LAMBDA_RESERVED_CONCURRENCY,
    );
    const concurrencyOk = p.number(field("MaxConcurrency"), size.maxConcurrency, SQS_MAXIMUM_CONCURRENCY);
    if (
      reservedOk &&
      concurrencyOk &&
      size.reservedConcurrency !== -1 &&
      size.reservedConcurrency < size.maxConcurrency
    )
      p.add(
        field("ReservedConcurrency"),
        size.reservedConcurrency,
        `must be -1 (no reservation) or at least ${p.key(field("MaxConcurrency"))} (${size.maxConcurrency}): the ` +
          "event source would otherwise drive the function into throttling",
      );
    if (s.agents.includes(agent) && size.timeoutSeconds > LAMBDA_TIMEOUT_SECONDS.max)
      p.add(
        "timeouts",
        `${agent}:${size.timeoutSeconds}`,
        `the ${agent} queue's consumer timeout is the ${agent} agent function's timeout: at most ` +
          `${LAMBDA_TIMEOUT_SECONDS.max} s (Lambda's maximum), or leave ${agent} out of ${p.key("agents")}`,
      );
  }
  const margin = s.continuationMarginSeconds;
  const marginOk = p.number("continuationMarginSeconds", margin, { min: 1, max: 600 });
  const shortest = s.agents
    .map((a) => ({ agent: a, timeout: s.sizing[a].timeoutSeconds }))
    .sort((a, b) => a.timeout - b.timeout)[0];
  if (marginOk && shortest && margin >= shortest.timeout)
    p.add(
      "continuationMarginSeconds",
      margin,
      `must be shorter than the shortest agent timeout (${shortest.timeout} s, ${shortest.agent})`,
    );
  return p.list;
}
