/**
 * One agent task per SQS record (batch size 1): record the transition, run the task under a lease, report every
 * transition (to the project's message log and WebSocket subscribers), continue a task that nears its timeout in
 * a new invocation, and hand a finished task off (its completion event) exactly when its outcome is recorded.
 *
 * Outcomes (see functions/shared/outcome.ts): done; skipped when a duplicate or stale message finds the task
 * past it; a malformed body is rejected (batch item failure, then the DLQ); a runner that throws fails the
 * record (SQS retries it) and, on the last receive, the task is recorded as failed before the message goes to
 * the DLQ.
 */
import { randomUUID } from "node:crypto";
import { RecordResult, skipped } from "../shared/outcome";
import type { SqsRecord } from "../shared/sqs-types";
import type { Log } from "../shared/telemetry";
import type { TaskContext, TaskResult, TaskRunner } from "./runner";
import { AgentTask, continuationBody, parseTask } from "./task";
import type { TaskStatus, TaskStore } from "./task-store";

/** Reports a transition; `once` transitions are reported at most once per task (a redelivery repeats nothing). */
export type StatusReporter = (
  task: AgentTask,
  status: TaskStatus,
  detail: Record<string, unknown>,
  once: boolean,
) => Promise<void>;

/** What happens after a task finishes (the workflow publishes its completion event); throws to be retried. */
export type HandOff = (
  task: AgentTask,
  status: "succeeded" | "failed",
  result: Record<string, unknown>,
) => Promise<void>;

export interface AgentWorkerDeps {
  readonly agent: string;
  readonly store: TaskStore;
  readonly runner: TaskRunner;
  /** Sends a continuation body to the agent's own queue. */
  readonly sendContinuation: (body: string) => Promise<void>;
  readonly secret: TaskContext["secret"];
  readonly report?: StatusReporter;
  readonly handOff?: HandOff;
  readonly log: Log;
  readonly maxReceiveCount: number;
  readonly continuationMarginMs: number;
  readonly now?: () => number;
}

export interface AgentWorker {
  /**
   * `remainingMs`: what the Lambda context says is left of the invocation (the container: of the task timeout).
   * `stop`, when aborted, ends the run as the deadline would: the task continues in a new attempt (the
   * container's SIGTERM).
   */
  handleRecord(record: SqsRecord, remainingMs: number, stop?: AbortSignal): Promise<RecordResult>;
}

const STOPPED = Symbol("continuation deadline");

export function createAgentWorker(deps: AgentWorkerDeps): AgentWorker {
  const now = deps.now ?? Date.now;

  async function publish(task: AgentTask, status: TaskStatus, detail?: Record<string, unknown>, once = true) {
    if (!deps.report) return;
    try {
      await deps.report(task, status, { sequence: task.sequence, ...(detail ?? {}) }, once);
    } catch (error) {
      // A report is a courtesy to watching clients: the record in the table is the truth, so it never fails a task.
      deps.log.warn("status report failed", { taskId: task.taskId, status, error });
    }
  }

  /** Hands a finished task off, then marks it so; a failed hand-off fails the record, and SQS retries it. */
  async function handOff(task: AgentTask, status: "succeeded" | "failed", result: unknown) {
    if (!deps.handOff) return;
    await deps.handOff(task, status, (result ?? {}) as Record<string, unknown>);
    await deps.store.markHandedOff(task);
  }

  async function continueTask(task: AgentTask, attrs: Record<string, unknown>): Promise<RecordResult> {
    await deps.sendContinuation(continuationBody(task));
    await publish(task, "continued", { next: task.sequence + 1 });
    return { status: "done", attributes: { ...attrs, outcome: "continued", next: task.sequence + 1 } };
  }

  return {
    async handleRecord(record, remainingMs, stop) {
      const task = parseTask(record.body);
      const attrs = { taskId: task.taskId, projectId: task.projectId, sequence: task.sequence };
      const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? "1") || 1;
      if (task.sequence === 0 && (await deps.store.enqueue(task))) await publish(task, "queued");

      const started = now();
      const owner = randomUUID();
      if (!(await deps.store.claim(task, owner, started + remainingMs))) {
        const current = await deps.store.get(task);
        // continued(n) meeting message n again: the continuation send failed after the record was written.
        if (current?.status === "continued" && current.sequence === task.sequence)
          return continueTask(task, { ...attrs, resent: true });
        // Finished but not handed off: the hand-off failed (or its worker died) after the outcome was recorded.
        if (
          (current?.status === "succeeded" || current?.status === "failed") &&
          deps.handOff &&
          !current.handed_off
        ) {
          await handOff(task, current.status, current.result);
          return { status: "done", attributes: { ...attrs, outcome: current.status, handedOff: "again" } };
        }
        return skipped(
          "superseded",
          current
            ? `task is ${current.status} at sequence ${current.sequence}; message sequence ${task.sequence} is a duplicate or stale`
            : `no task record for continuation ${task.sequence}`,
          attrs,
        );
      }
      await publish(task, "running", { attempt: receiveCount });

      const deadline = started + remainingMs - deps.continuationMarginMs;
      const abort = new AbortController();
      let saved: unknown = (await deps.store.get(task))?.state;
      let lost = false;
      const ctx: TaskContext = {
        agent: deps.agent,
        remainingMs: () => (stop?.aborted ? 0 : Math.max(0, deadline - now())),
        signal: abort.signal,
        state: saved,
        checkpoint: async (state) => {
          if (!(await deps.store.checkpoint(task, owner, state))) {
            lost = true;
            throw new Error(`task ${task.taskId}: lease lost, another attempt owns it`);
          }
          saved = state;
        },
        report: (detail) => publish(task, "running", detail, false),
        secret: deps.secret,
      };

      let result: TaskResult;
      let timer: NodeJS.Timeout | undefined;
      try {
        const run = deps.runner.run(task, ctx);
        const stopped = new Promise<typeof STOPPED>((resolve) => {
          timer = setTimeout(() => resolve(STOPPED), Math.max(0, deadline - now()));
          if (stop?.aborted) resolve(STOPPED);
          stop?.addEventListener("abort", () => resolve(STOPPED), { once: true });
        });
        const first = await Promise.race([run, stopped]);
        if (first === STOPPED) {
          abort.abort();
          // The run goes on in the background until it notices the signal; its outcome no longer counts.
          run.catch(() => undefined);
          result = { status: "continue", state: saved };
        } else {
          result = first;
        }
      } catch (error) {
        if (lost) return skipped("superseded", "lease lost to another attempt", attrs);
        if (receiveCount >= deps.maxReceiveCount) {
          const message = (error as Error)?.message ?? String(error);
          const outcome = { error: message, deadLettered: true };
          if (await deps.store.finish(task, owner, "failed", outcome)) {
            await publish(task, "failed", outcome);
            // The message goes to the DLQ either way; a hand-off that fails here leaves the task for an operator.
            await handOff(task, "failed", outcome).catch((e: unknown) =>
              deps.log.error("hand-off of a dead-lettered task failed", { taskId: task.taskId, error: e }),
            );
          }
        } else {
          await deps.store.release(task, owner);
        }
        throw error;
      } finally {
        clearTimeout(timer);
      }

      if (result.status === "continue") {
        if (!(await deps.store.continueWith(task, owner, result.state)))
          return skipped("superseded", "lease lost to another attempt", attrs);
        return continueTask(task, attrs);
      }
      const outcome = result.status === "succeeded" ? (result.output ?? {}) : { error: result.error };
      if (!(await deps.store.finish(task, owner, result.status, outcome)))
        return skipped("superseded", "lease lost to another attempt", attrs);
      await publish(task, result.status, outcome);
      await handOff(task, result.status, outcome);
      return { status: "done", attributes: { ...attrs, outcome: result.status } };
    },
  };
}
