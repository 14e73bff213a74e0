/**
 * The events the agents put on the stack's EventBridge bus. One detail-type: a step's completion. The routing
 * rules (routing.ts) match on its detail; nothing else is routed.
 */
import type { AgentName } from "./agents";

/** `source` of every event the agents publish (EventBridge refuses sources starting with "aws."). */
export const EVENT_SOURCE = "agent-platform.agents";

export const DETAIL_TYPES = {
  /** An agent finished a workflow step, one way or the other. */
  taskCompleted: "agent.task.completed",
} as const;

/** The schema version of the detail; a breaking change adds a new version and rules that match it. */
export const DETAIL_VERSION = 1;

export type StepOutcome = "succeeded" | "failed";
/** QA's verdict on Dev's work. */
export type QaVerdict = "pass" | "changes_requested";

export interface TaskCompletedDetail {
  readonly version: typeof DETAIL_VERSION;
  readonly project_id: string;
  readonly modification_id: string;
  readonly task_id: string;
  readonly agent: AgentName;
  /** The Dev/QA round this step belongs to (0 first). */
  readonly round: number;
  /** round + 1: an input transformer cannot add, so the event carries the next round for the rules. */
  readonly next_round: number;
  readonly outcome: StepOutcome;
  /** QA only. */
  readonly verdict?: QaVerdict;
  /** Artifact keys the step wrote. */
  readonly artifacts: readonly string[];
  /** Why the step failed (outcome failed). */
  readonly reason?: string;
}

/** EventBridge's limit on one entry (detail included) is 256 KB; a reason is cut well before that. */
export const MAX_REASON_LENGTH = 2000;

export function taskCompletedDetail(args: {
  projectId: string;
  modificationId: string;
  taskId: string;
  agent: AgentName;
  round: number;
  outcome: StepOutcome;
  verdict?: QaVerdict;
  artifacts?: readonly string[];
  reason?: string;
}): TaskCompletedDetail {
  return {
    version: DETAIL_VERSION,
    project_id: args.projectId,
    modification_id: args.modificationId,
    task_id: args.taskId,
    agent: args.agent,
    round: args.round,
    next_round: args.round + 1,
    outcome: args.outcome,
    ...(args.verdict ? { verdict: args.verdict } : {}),
    artifacts: [...(args.artifacts ?? [])],
    ...(args.outcome === "failed"
      ? { reason: (args.reason ?? "the step failed").slice(0, MAX_REASON_LENGTH) }
      : {}),
  };
}
