/**
 * The workflow's routing as data: one table of rules, each matching completion events (events.ts) and naming
 * where the work goes next. The AgentWorkflow component deploys each rule as an EventBridge rule with the
 * pattern and input transformer built here; the local runner evaluates the same patterns and transformers
 * in-process. No worker knows who comes after it.
 *
 * Every completion event matches exactly one rule (test/contracts/routing.spec.ts checks every combination).
 */
import { AgentName, MAX_ROUNDS, STEP_TASK_TYPE } from "./agents";
import { DETAIL_TYPES, DETAIL_VERSION, EVENT_SOURCE, QaVerdict, StepOutcome } from "./events";

/** The next agent's queue, in the same round or the next one. */
export interface AgentTarget {
  readonly kind: "agent";
  readonly agent: AgentName;
  readonly round: "same" | "next";
}

/** The workflow function, which ends the modification. */
export interface FinishTarget {
  readonly kind: "finish";
  readonly outcome: "complete" | "failed";
  /** A fixed reason; without one, a failed finish takes the event's `detail.reason`. */
  readonly reason?: string;
}

export interface RoutingRule {
  /** Short kebab-case name; the deployed rule is `<project>-<stack>-agents-<name>`. */
  readonly name: string;
  readonly description: string;
  readonly when: {
    /** Any agent when absent. */
    readonly agent?: AgentName;
    readonly outcome: StepOutcome;
    readonly verdict?: QaVerdict;
    /** Only rounds below this. */
    readonly roundBelow?: number;
    /** Only rounds at or above this. */
    readonly roundAtLeast?: number;
  };
  readonly then: AgentTarget | FinishTarget;
}

const LAST_ROUND = MAX_ROUNDS - 1;

export const ROUTING_RULES: readonly RoutingRule[] = [
  {
    name: "pm-to-dev",
    description: "The PM agent planned: Dev implements the plan",
    when: { agent: "pm", outcome: "succeeded" },
    then: { kind: "agent", agent: "dev", round: "same" },
  },
  {
    name: "dev-to-qa",
    description: "Dev wrote the code: QA tests it",
    when: { agent: "dev", outcome: "succeeded" },
    then: { kind: "agent", agent: "qa", round: "same" },
  },
  {
    name: "qa-to-ops",
    description: "QA passed the work: Ops deploys it",
    when: { agent: "qa", outcome: "succeeded", verdict: "pass" },
    then: { kind: "agent", agent: "ops", round: "same" },
  },
  {
    name: "qa-back-to-dev",
    description: `QA asked for changes: Dev takes the next round (at most ${MAX_ROUNDS} rounds)`,
    when: { agent: "qa", outcome: "succeeded", verdict: "changes_requested", roundBelow: LAST_ROUND },
    then: { kind: "agent", agent: "dev", round: "next" },
  },
  {
    name: "qa-rounds-exhausted",
    description: "QA still asked for changes in the last round: the modification fails",
    when: { agent: "qa", outcome: "succeeded", verdict: "changes_requested", roundAtLeast: LAST_ROUND },
    then: {
      kind: "finish",
      outcome: "failed",
      reason: `QA still requested changes after ${MAX_ROUNDS} rounds of Dev and QA`,
    },
  },
  {
    name: "ops-complete",
    description: "Ops deployed: the modification is complete",
    when: { agent: "ops", outcome: "succeeded" },
    then: { kind: "finish", outcome: "complete" },
  },
  {
    name: "step-failed",
    description: "Any agent failed its step: the modification fails with its reason",
    when: { outcome: "failed" },
    then: { kind: "finish", outcome: "failed" },
  },
];

/** What the workflow function receives from a finish rule (its EventBridge target input). */
export interface FinishInput {
  readonly project_id: string;
  readonly modification_id: string;
  readonly outcome: "complete" | "failed";
  /** The agent whose completion ended the modification. */
  readonly agent: AgentName;
  readonly round: number;
  readonly reason?: string;
}

export type EventPattern = Record<string, unknown>;

/** The EventBridge event pattern of a rule. */
export function eventPattern(rule: RoutingRule): EventPattern {
  const w = rule.when;
  const round: unknown[] = [];
  if (w.roundBelow !== undefined) round.push({ numeric: ["<", w.roundBelow] });
  if (w.roundAtLeast !== undefined) round.push({ numeric: [">=", w.roundAtLeast] });
  return {
    source: [EVENT_SOURCE],
    "detail-type": [DETAIL_TYPES.taskCompleted],
    detail: {
      version: [DETAIL_VERSION],
      ...(w.agent ? { agent: [w.agent] } : {}),
      outcome: [w.outcome],
      ...(w.verdict ? { verdict: [w.verdict] } : {}),
      ...(round.length > 0 ? { round } : {}),
    },
  };
}

/** An EventBridge input transformer: JSON paths into the event, and the template they fill. */
export interface InputTransformer {
  readonly inputPaths: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
}

/**
 * The target input of a rule: for an agent, the step's task message (agents.ts `stepTaskMessage`, field for
 * field); for a finish, a FinishInput. Placeholders stand alone as JSON values (EventBridge quotes strings) except
 * in `task_id`, where they are spliced into a string.
 */
export function inputTransformer(rule: RoutingRule): InputTransformer {
  const t = rule.then;
  if (t.kind === "agent") {
    return {
      inputPaths: {
        project: "$.detail.project_id",
        modification: "$.detail.modification_id",
        round: t.round === "next" ? "$.detail.next_round" : "$.detail.round",
      },
      inputTemplate:
        `{"type":${JSON.stringify(STEP_TASK_TYPE)},"task_id":"<modification>-r<round>",` +
        `"project_id":<project>,"modification_id":<modification>,"round":<round>}`,
    };
  }
  const fromEvent = t.outcome === "failed" && t.reason === undefined;
  const reason =
    t.reason !== undefined ? `,"reason":${JSON.stringify(t.reason)}` : fromEvent ? ',"reason":<reason>' : "";
  return {
    inputPaths: {
      project: "$.detail.project_id",
      modification: "$.detail.modification_id",
      agent: "$.detail.agent",
      round: "$.detail.round",
      ...(fromEvent ? { reason: "$.detail.reason" } : {}),
    },
    inputTemplate:
      `{"project_id":<project>,"modification_id":<modification>,"outcome":${JSON.stringify(t.outcome)},` +
      `"agent":<agent>,"round":<round>${reason}}`,
  };
}
