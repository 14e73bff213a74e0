/**
 * The project's messages (docs/websocket.md) as the console shows them: one entry per modification, one row
 * per agent step (PM, Dev, QA, Ops; a round of Dev and QA again when QA sent work back) with its status,
 * timing, tokens and notes, and the modification's outcome. Pure: the same list of messages always gives the
 * same view, whichever way (socket, replay, polling) they arrived.
 */
import { AGENT_NAMES, type AgentName } from "../../contracts/agents";
import type { ProjectMessage, StepStatus } from "../../contracts/messages";

export interface Tokens {
  readonly input: number;
  readonly output: number;
  readonly total: number;
}

export interface StepView {
  readonly agent: AgentName;
  readonly round: number;
  readonly status: StepStatus;
  readonly queuedAt?: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** From the first `running` to `succeeded` or `failed`. */
  readonly durationMs?: number;
  readonly tokens?: Tokens;
  readonly summary?: string;
  readonly verdict?: string;
  readonly error?: string;
  readonly artifacts: readonly string[];
  /** Progress of a multi-step task: step n of m. */
  readonly progress?: { readonly step: number; readonly of: number };
}

export interface Outcome {
  readonly type: "modification_complete" | "modification_failed";
  readonly at: string;
  readonly reason?: string;
  readonly agent?: AgentName;
  readonly artifacts?: Readonly<Record<string, unknown>>;
}

export interface ModificationView {
  readonly id: string;
  readonly firstAt: string;
  readonly steps: readonly StepView[];
  readonly outcome?: Outcome;
  readonly tokens: number;
}

/** The agents' names as people say them. */
export const AGENT_LABELS: Record<AgentName, string> = { pm: "PM", dev: "Dev", qa: "QA", ops: "Ops" };

type MutableStep = { -readonly [K in keyof StepView]: StepView[K] } & { artifacts: string[] };

/** Newest modification first; steps in workflow order (round, then PM -> Dev -> QA -> Ops). */
export function timeline(messages: readonly ProjectMessage[]): ModificationView[] {
  const byMod = new Map<string, { firstAt: string; steps: Map<string, MutableStep>; outcome?: Outcome }>();
  const ordered = [...messages].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const m of ordered) {
    let mod = byMod.get(m.modification_id);
    if (!mod) {
      mod = { firstAt: m.at, steps: new Map() };
      byMod.set(m.modification_id, mod);
    }
    if (m.type === "agent_status") {
      const key = `${m.round}:${m.agent}`;
      const step: MutableStep = mod.steps.get(key) ?? {
        agent: m.agent,
        round: m.round,
        status: m.status,
        artifacts: [],
      };
      step.status = m.status;
      const d = (m.detail ?? {}) as Record<string, unknown>;
      if (m.status === "queued") step.queuedAt ??= m.at;
      if (m.status === "running") {
        step.startedAt ??= m.at;
        step.error = undefined;
        if (typeof d.step === "number" && typeof d.of === "number")
          step.progress = { step: d.step, of: d.of };
      }
      if (m.status === "succeeded" || m.status === "failed") {
        step.endedAt = m.at;
        const from = step.startedAt ?? step.queuedAt;
        if (from) step.durationMs = Date.parse(m.at) - Date.parse(from);
      }
      const usage = d.usage as Record<string, unknown> | undefined;
      if (usage && typeof usage.totalTokens === "number")
        step.tokens = {
          input: Number(usage.inputTokens ?? 0),
          output: Number(usage.outputTokens ?? 0),
          total: usage.totalTokens,
        };
      if (typeof d.summary === "string") step.summary = d.summary;
      if (typeof d.verdict === "string") step.verdict = d.verdict;
      if (typeof d.error === "string") step.error = d.error;
      if (Array.isArray(d.artifacts)) step.artifacts = d.artifacts.filter((a) => typeof a === "string");
      mod.steps.set(key, step);
    } else if (m.type === "modification_complete") {
      mod.outcome = { type: m.type, at: m.at, artifacts: m.artifacts };
    } else {
      mod.outcome = { type: m.type, at: m.at, reason: m.reason, agent: m.agent };
    }
  }
  return [...byMod.entries()]
    .map(([id, mod]) => {
      const steps = [...mod.steps.values()].sort(
        (a, b) => a.round - b.round || AGENT_NAMES.indexOf(a.agent) - AGENT_NAMES.indexOf(b.agent),
      );
      return {
        id,
        firstAt: mod.firstAt,
        steps,
        ...(mod.outcome ? { outcome: mod.outcome } : {}),
        tokens: steps.reduce((sum, s) => sum + (s.tokens?.total ?? 0), 0),
      };
    })
    .sort((a, b) => (a.firstAt < b.firstAt ? 1 : a.firstAt > b.firstAt ? -1 : 0));
}

/** "850 ms", "2.4 s", "3 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
