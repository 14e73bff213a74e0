/**
 * One agent task per SQS record (batch size 1): record the transition, run the task under a lease, push every
 * transition to WebSocket subscribers, and continue a task that nears its timeout in a new invocation.
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
import type { StatusPublisher } from "../shared/status-push";
import { AgentTask, continuationBody, parseTask } from "./task";
import type { TaskStatus, TaskStore } from "./task-store";

export interface AgentWorkerDeps {
  readonly agent: string;
  readonly store: TaskStore;
  readonly runner: TaskRunner;
  /** Sends a continuation body to the agent's own queue. */
  readonly sendContinuation: (body: string) => Promise<void>;
  readonly secret: TaskContext["secret"];
  readonly publisher?: StatusPublisher;
  readonly log: Log;
  readonly maxReceiveCount: number;
  readonly continuationMarginMs: number;
  readonly now?: () => number;
}

export interface AgentWorker {
  /** `remainingMs`: what the Lambda context says is left of the invocation. */
  handleRecord(record: SqsRecord, remainingMs: number): Promise<RecordResult>;
}

const STOPPED = Symbol("continuation deadline");

export function createAgentWorker(deps: AgentWorkerDeps): AgentWorker {
  const now = deps.now ?? Date.now;

  async function publish(task: AgentTask, status: TaskStatus, detail?: Record<string, unknown>) {
    if (!deps.publisher) return;
    try {
      await deps.publisher.publish({
        projectId: task.projectId,
        taskId: task.taskId,
        agent: deps.agent,
        status,
        at: new Date(now()).toISOString(),
        ...(detail
          ? { detail: { sequence: task.sequence, ...detail } }
          : { detail: { sequence: task.sequence } }),
      });
    } catch (error) {
      // A push is a courtesy to watching clients: the record in the table is the truth, so it never fails a task.
      deps.log.warn("status push failed", { taskId: task.taskId, status, error });
    }
  }

  async function continueTask(task: AgentTask, attrs: Record<string, unknown>): Promise<RecordResult> {
    await deps.sendContinuation(continuationBody(task));
    await publish(task, "continued", { next: task.sequence + 1 });
    return { status: "done", attributes: { ...attrs, outcome: "continued", next: task.sequence + 1 } };
  }

  return {
    async handleRecord(record, remainingMs) {
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
        return skipped(
          "superseded",
          current
            ? `task is ${current.status} at sequence ${current.sequence}; message sequence ${task.sequence} is a duplicate or stale`
            : `no task record for continuation ${task.sequence}`,
          attrs,
        );
      }
      await publish(task, "running");

      const deadline = started + remainingMs - deps.continuationMarginMs;
      const abort = new AbortController();
      let saved: unknown = (await deps.store.get(task))?.state;
      let lost = false;
      const ctx: TaskContext = {
        agent: deps.agent,
        remainingMs: () => Math.max(0, deadline - now()),
        signal: abort.signal,
        state: saved,
        checkpoint: async (state) => {
          if (!(await deps.store.checkpoint(task, owner, state))) {
            lost = true;
            throw new Error(`task ${task.taskId}: lease lost, another attempt owns it`);
          }
          saved = state;
        },
        report: (detail) => publish(task, "running", detail),
        secret: deps.secret,
      };

      let result: TaskResult;
      let timer: NodeJS.Timeout | undefined;
      try {
        const run = deps.runner.run(task, ctx);
        const stop = new Promise<typeof STOPPED>((resolve) => {
          timer = setTimeout(() => resolve(STOPPED), Math.max(0, deadline - now()));
        });
        const first = await Promise.race([run, stop]);
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
          if (await deps.store.finish(task, owner, "failed", { error: message, deadLettered: true }))
            await publish(task, "failed", { error: message });
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
      return { status: "done", attributes: { ...attrs, outcome: result.status } };
    },
  };
}
