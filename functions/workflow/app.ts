/**
 * The workflow function: the target of the routing table's finish rules (contracts/routing.ts). It ends a
 * modification: its status moves to complete or failed (once, conditionally), and its project's clients get
 * `modification_complete` (with the artifacts of every step) or `modification_failed` (with the reason). A
 * duplicated event finds the modification finished and the message already in the log, and changes nothing.
 */
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ID_PATTERN, isAgentName } from "../../contracts/agents";
import type { FinishInput } from "../../contracts/routing";
import type { MessagePublisher } from "../shared/project-messages";

export interface WorkflowDeps {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly publisher: MessagePublisher;
  readonly now?: () => Date;
  readonly log?: (entry: Record<string, unknown>) => void;
}

/** Refuses input that is not a FinishInput (a rule or a hand-edited event gone wrong), naming the field. */
export function parseFinishInput(event: unknown): FinishInput {
  const e = (event ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof e.project_id !== "string" || !ID_PATTERN.test(e.project_id)) problems.push("project_id");
  if (typeof e.modification_id !== "string" || !ID_PATTERN.test(e.modification_id))
    problems.push("modification_id");
  if (e.outcome !== "complete" && e.outcome !== "failed") problems.push("outcome (complete or failed)");
  if (!isAgentName(e.agent)) problems.push("agent");
  if (!Number.isSafeInteger(e.round)) problems.push("round");
  if (e.reason !== undefined && typeof e.reason !== "string") problems.push("reason");
  if (problems.length > 0) throw new Error(`not a finish input: bad ${problems.join(", ")}`);
  return e as unknown as FinishInput;
}

/** The modification's artifacts by kind, from its steps' records. */
async function artifactsOf(deps: WorkflowDeps, input: FinishInput): Promise<Record<string, unknown>> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.doc.send(
      new QueryCommand({
        TableName: deps.tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: {
          ":pk": `PROJECT#${input.project_id}`,
          ":prefix": `TASK#${input.modification_id}-r`,
        },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const byAgent = (agent: string) =>
    items
      .filter((i) => i.agent === agent && i.status === "succeeded")
      .flatMap((i) => ((i.result as { artifacts?: string[] } | undefined)?.artifacts ?? []) as string[]);
  return {
    plan: byAgent("pm")[0] ?? null,
    files: [...new Set(byAgent("dev"))].sort(),
    qa_reports: byAgent("qa").sort(),
    manifest: byAgent("ops")[0] ?? null,
  };
}

export function createWorkflowApp(deps: WorkflowDeps) {
  const now = deps.now ?? (() => new Date());
  return async function finish(event: unknown): Promise<{ finished: boolean }> {
    const input = parseFinishInput(event);
    const key = { PK: `PROJECT#${input.project_id}`, SK: `MOD#${input.modification_id}` };
    const existing = await deps.doc.send(
      new GetCommand({ TableName: deps.tableName, Key: key, ConsistentRead: true }),
    );
    if (!existing.Item) {
      deps.log?.({ level: "WARN", message: "no such modification", ...input });
      return { finished: false };
    }
    const at = now().toISOString();
    let finished = true;
    try {
      await deps.doc.send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: key,
          UpdateExpression:
            "SET #status = :outcome, finished_at = :at, finished_by = :agent, rounds = :rounds" +
            (input.reason !== undefined ? ", reason = :reason" : ""),
          ConditionExpression: "#status IN (:pending, :running)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":outcome": input.outcome,
            ":at": at,
            ":agent": input.agent,
            ":rounds": input.round + 1,
            ":pending": "pending",
            ":running": "running",
            ...(input.reason !== undefined ? { ":reason": input.reason } : {}),
          },
        }),
      );
    } catch (error) {
      if ((error as Error)?.name !== "ConditionalCheckFailedException") throw error;
      // Finished before: a duplicated event, or a retry after the message below failed. The log deduplicates.
      finished = false;
    }
    const dedupe = `${input.modification_id}:finished`;
    const base = { project_id: input.project_id, modification_id: input.modification_id, at };
    await deps.publisher.publish(
      input.outcome === "complete"
        ? { type: "modification_complete", ...base, artifacts: await artifactsOf(deps, input) }
        : {
            type: "modification_failed",
            ...base,
            reason: input.reason ?? "the modification failed",
            agent: input.agent,
          },
      dedupe,
    );
    deps.log?.({ level: "INFO", message: finished ? "modification finished" : "already finished", ...input });
    return { finished };
  };
}
