/**
 * Task status records in the platform's single table (contracts/table.ts): one item per task
 * and agent under its project, `PK = PROJECT#<projectId>`, `SK = TASK#<taskId>#<agent>`.
 *
 * Transitions: (none) -> queued -> running -> succeeded | failed | continued, and continued(n) -> running(n+1)
 * when continuation n+1 arrives. Every write is conditional on the state it moves from, so a redelivered or
 * duplicated message can never move a task backwards:
 *  - a claim (-> running) needs queued(n), continued(n-1), or running(n) whose lease expired (the invocation
 *    that held it died: SQS redelivers only after the visibility timeout, which outlasts the function);
 *  - checkpoints and outcomes need the lease the claim took (the `owner` token of that attempt).
 *
 * A finished task is handed off (its completion event published, functions/agent-worker/workflow.ts) after the
 * outcome is recorded; `handed_off` marks that done, so a redelivered message hands off a task whose hand-off
 * failed, and only such a task.
 */
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { StepStatus } from "../../contracts/messages";
import { TTL_ATTRIBUTE } from "../../contracts/table";
import type { AgentTask } from "./task";

export type TaskStatus = StepStatus;

/** Finished tasks stay readable for 30 days, then DynamoDB's TTL removes them. */
export const FINISHED_TASK_TTL_SECONDS = 30 * 24 * 3600;

export interface TaskRecord {
  readonly status: TaskStatus;
  readonly sequence: number;
  readonly owner?: string;
  readonly leaseUntil?: number;
  /** What the runner saved with checkpoint (and what a continuation resumes from). */
  readonly state?: unknown;
  readonly result?: unknown;
  /** Set once the finished task's hand-off is done. */
  readonly handed_off?: boolean;
}

export const taskKey = (task: Pick<AgentTask, "projectId" | "taskId">, agent: string) => ({
  PK: `PROJECT#${task.projectId}`,
  SK: `TASK#${task.taskId}#${agent}`,
});

function conditionFailed(error: unknown): boolean {
  return (error as { name?: string })?.name === "ConditionalCheckFailedException";
}

export class TaskStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly agent: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(task: AgentTask): Promise<TaskRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: taskKey(task, this.agent), ConsistentRead: true }),
    );
    return out.Item as TaskRecord | undefined;
  }

  /** Records a first sighting as queued; false when the task is already known. */
  async enqueue(task: AgentTask): Promise<boolean> {
    const at = this.now().toISOString();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...taskKey(task, this.agent),
            EntityType: "AgentTask",
            task_id: task.taskId,
            project_id: task.projectId,
            agent: this.agent,
            type: task.type,
            status: "queued",
            sequence: 0,
            created_at: at,
            updated_at: at,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  /** Moves the task to running(task.sequence) under `owner` until `leaseUntil` (epoch ms); false if it may not. */
  async claim(task: AgentTask, owner: string, leaseUntil: number): Promise<boolean> {
    return this.update(
      task,
      "SET #status = :running, #seq = :n, #owner = :owner, #lease = :lease, updated_at = :at",
      "(#status = :queued AND #seq = :n) OR (#status = :continued AND #seq = :prev) OR " +
        "(#status = :running AND #seq = :n AND #lease < :nowMs)",
      {
        ":running": "running",
        ":queued": "queued",
        ":continued": "continued",
        ":n": task.sequence,
        ":prev": task.sequence - 1,
        ":owner": owner,
        ":lease": leaseUntil,
        ":nowMs": this.now().getTime(),
      },
      { "#lease": "leaseUntil" },
    );
  }

  /** Saves the runner's state while `owner` holds the task; false when the lease was lost. */
  checkpoint(task: AgentTask, owner: string, state: unknown): Promise<boolean> {
    return this.held(task, owner, "SET #state = :state, updated_at = :at", { ":state": state });
  }

  /** succeeded or failed, with the runner's result; false when the lease was lost. */
  finish(task: AgentTask, owner: string, status: "succeeded" | "failed", result: unknown): Promise<boolean> {
    return this.held(
      task,
      owner,
      "SET #status = :status, #result = :result, #ttl = :ttl, updated_at = :at REMOVE #owner, leaseUntil",
      {
        ":status": status,
        ":result": result ?? null,
        ":ttl": Math.floor(this.now().getTime() / 1000) + FINISHED_TASK_TTL_SECONDS,
      },
      { "#result": "result", "#ttl": TTL_ATTRIBUTE },
    );
  }

  /** continued(n) with the state the continuation resumes from; false when the lease was lost. */
  continueWith(task: AgentTask, owner: string, state: unknown): Promise<boolean> {
    return this.held(
      task,
      owner,
      "SET #status = :continued, #state = :state, updated_at = :at REMOVE #owner, leaseUntil",
      {
        ":continued": "continued",
        ":state": state ?? null,
      },
    );
  }

  /** Records that the finished task was handed off; false when it already was. */
  async markHandedOff(task: AgentTask): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: taskKey(task, this.agent),
          UpdateExpression: "SET handed_off = :t, updated_at = :at",
          ConditionExpression: "#status IN (:succeeded, :failed) AND attribute_not_exists(handed_off)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":t": true,
            ":succeeded": "succeeded",
            ":failed": "failed",
            ":at": this.now().toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  /** Another agent's record of the same task (the workflow reads Dev's result in QA's step). */
  async recordOf(
    task: Pick<AgentTask, "projectId" | "taskId">,
    agent: string,
  ): Promise<TaskRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: taskKey(task, agent), ConsistentRead: true }),
    );
    return out.Item as TaskRecord | undefined;
  }

  /** Gives the lease up after a failed attempt, so the redelivered message may claim the task at once. */
  release(task: AgentTask, owner: string): Promise<boolean> {
    return this.held(task, owner, "SET leaseUntil = :zero, updated_at = :at", { ":zero": 0 });
  }

  private held(
    task: AgentTask,
    owner: string,
    updateExpression: string,
    values: Record<string, unknown>,
    names: Record<string, string> = {},
  ): Promise<boolean> {
    return this.update(
      task,
      updateExpression,
      "#status = :runningNow AND #seq = :n AND #owner = :owner",
      { ...values, ":runningNow": "running", ":n": task.sequence, ":owner": owner },
      names,
    );
  }

  private async update(
    task: AgentTask,
    updateExpression: string,
    condition: string,
    values: Record<string, unknown>,
    names: Record<string, string> = {},
  ): Promise<boolean> {
    const used = (name: string) => `${updateExpression} ${condition}`.includes(name);
    const allNames: Record<string, string> = {
      "#status": "status",
      "#seq": "sequence",
      "#owner": "owner",
      "#state": "state",
      ...names,
    };
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: taskKey(task, this.agent),
          UpdateExpression: updateExpression,
          ConditionExpression: condition,
          ExpressionAttributeNames: Object.fromEntries(Object.entries(allNames).filter(([k]) => used(k))),
          ExpressionAttributeValues: { ...values, ":at": this.now().toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }
}
