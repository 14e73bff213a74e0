/**
 * An agent task as it travels on the agent queues: the api-handler's message (`type`, `task_id`, `project_id`
 * and the task's own fields), and its continuations, the same body with `sequence` n > 0. The task's saved
 * state lives in the table, not in the message (SQS messages are at most 256 KiB).
 */
import { RejectedError } from "../shared/outcome";

export interface AgentTask {
  readonly taskId: string;
  readonly projectId: string;
  readonly type: string;
  /** 0 for the first run, n for the n-th continuation. */
  readonly sequence: number;
  /** Every other field of the message (e.g. request, requested_by). */
  readonly payload: Readonly<Record<string, unknown>>;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Throws RejectedError("malformed-event") for a body that can never be a task. */
export function parseTask(body: string): AgentTask {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new RejectedError("malformed-event", "the message body is not JSON");
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new RejectedError("malformed-event", "the message body is not a JSON object");
  const { task_id, project_id, type, sequence = 0, ...payload } = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof task_id !== "string" || !ID.test(task_id))
    problems.push("task_id must be 1-128 letters, digits, - or _");
  if (typeof project_id !== "string" || !ID.test(project_id))
    problems.push("project_id must be 1-128 letters, digits, - or _");
  if (typeof type !== "string" || type.trim() === "") problems.push("type must be a non-empty string");
  if (!Number.isSafeInteger(sequence) || (sequence as number) < 0)
    problems.push("sequence must be a whole number of at least 0");
  if (problems.length > 0)
    throw new RejectedError("malformed-event", `not an agent task: ${problems.join("; ")}`);
  return {
    taskId: task_id as string,
    projectId: project_id as string,
    type: type as string,
    sequence: sequence as number,
    payload,
  };
}

/** The message that continues `task` in a new invocation: the same task, the next sequence number. */
export function continuationBody(task: AgentTask): string {
  return JSON.stringify({
    ...task.payload,
    type: task.type,
    task_id: task.taskId,
    project_id: task.projectId,
    sequence: task.sequence + 1,
  });
}
