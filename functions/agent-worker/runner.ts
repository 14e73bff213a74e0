/**
 * The pluggable part of an agent: what it does with a task. The worker around it owns the queue, the status
 * records, the status push, continuations and the secrets; a runner only works and reports.
 */
import type { AgentTask } from "./task";

export interface TaskContext {
  readonly agent: string;
  /** Milliseconds left before the worker stops the run and continues it in a new invocation. */
  remainingMs(): number;
  /** Aborted when the run must stop (the continuation deadline); a runner should checkpoint and return. */
  readonly signal: AbortSignal;
  /** What a continuation of this task resumes from (undefined on the first run). */
  readonly state: unknown;
  /** Saves state durably; a continuation resumes from the last state saved. */
  checkpoint(state: unknown): Promise<void>;
  /** Pushes progress to the task's WebSocket subscribers (status stays "running"). */
  report(detail: Record<string, unknown>): Promise<void>;
  /** A provider secret by name, read from Secrets Manager once per container. */
  secret(name: "llmApiKey"): Promise<string>;
}

export type TaskResult =
  | { readonly status: "succeeded"; readonly output?: Record<string, unknown> }
  | { readonly status: "failed"; readonly error: string }
  /** Not done yet: save `state` and continue in a new invocation. */
  | { readonly status: "continue"; readonly state: unknown };

export interface TaskRunner {
  run(task: AgentTask, ctx: TaskContext): Promise<TaskResult>;
}
