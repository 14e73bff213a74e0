/**
 * A project's message log in the Data table: every message clients get about the project (contracts/messages.ts),
 * in order, each with its id. The WebSocket push sends what was appended; `resume` and
 * `GET /api/projects/{id}/events?after=` read it back. Items live a week (TTL).
 *
 *   PK = PROJECT#<projectId>, SK = EVENT#<id>   message, dedupe_key?, ttl
 *
 * Ids are gapless per project: an append reads the newest id and puts the next one on condition that it does
 * not exist, and tries again after a race. So a reader that saw id n has seen every id below it (nothing is
 * written below the newest id), which makes `after=<id>` a safe cursor. No transactions: the same code runs
 * against dynalite locally, which has none.
 */
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { messageId, NewProjectMessage, ProjectMessage } from "../../contracts/messages";
import { TTL_ATTRIBUTE } from "../../contracts/table";

/** Messages stay readable (for replay and polling) for a week. */
export const EVENT_TTL_SECONDS = 7 * 24 * 3600;
/** How many of the newest messages an append checks for its dedupe key. */
export const DEDUPE_WINDOW = 25;
/** Appends retried after losing a race for the next id, before giving up. */
export const MAX_APPEND_ATTEMPTS = 25;
/** Most messages one read returns. */
export const MAX_READ = 500;

const EVENT_PREFIX = "EVENT#";
const partition = (projectId: string) => `PROJECT#${projectId}`;

function conditionFailed(error: unknown): boolean {
  return (error as { name?: string })?.name === "ConditionalCheckFailedException";
}

export class ProjectLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Appends `message` with the next id. With `dedupeKey`, a message with the same key among the newest
   * DEDUPE_WINDOW is returned instead (appended: false): a redelivered step republishes nothing.
   */
  async append(
    message: NewProjectMessage,
    dedupeKey?: string,
  ): Promise<{ message: ProjectMessage; appended: boolean }> {
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      const newest = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
          ExpressionAttributeValues: { ":pk": partition(message.project_id), ":prefix": EVENT_PREFIX },
          ScanIndexForward: false,
          Limit: dedupeKey ? DEDUPE_WINDOW : 1,
          ConsistentRead: true,
        }),
      );
      const items = newest.Items ?? [];
      const same = dedupeKey ? items.find((i) => i.dedupe_key === dedupeKey) : undefined;
      if (same) return { message: same.message as ProjectMessage, appended: false };
      const last = items[0] ? Number(String(items[0].SK).slice(EVENT_PREFIX.length)) : 0;
      const stored = { ...message, id: messageId(last + 1) } as ProjectMessage;
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              PK: partition(message.project_id),
              SK: `${EVENT_PREFIX}${stored.id}`,
              EntityType: "ProjectEvent",
              message: stored,
              ...(dedupeKey ? { dedupe_key: dedupeKey } : {}),
              [TTL_ATTRIBUTE]: Math.floor(this.now().getTime() / 1000) + EVENT_TTL_SECONDS,
            },
            ConditionExpression: "attribute_not_exists(PK)",
          }),
        );
        return { message: stored, appended: true };
      } catch (error) {
        if (!conditionFailed(error)) throw error;
        // Another writer took this id: read the newest again. A short random pause spreads out the racers.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));
      }
    }
    throw new Error(
      `project ${message.project_id}: no free message id after ${MAX_APPEND_ATTEMPTS} attempts (too many writers)`,
    );
  }

  /** Messages after `after` (a message id; all when absent), oldest first, at most `limit`. */
  async after(
    projectId: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ items: ProjectMessage[]; more: boolean }> {
    const max = Math.min(Math.max(1, limit), MAX_READ);
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: after
          ? "PK = :pk AND SK BETWEEN :from AND :to"
          : "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: after
          ? // Just after the cursor ("0" sorts after the end of the cursor's id) up to the largest id.
            { ":pk": partition(projectId), ":from": `${EVENT_PREFIX}${after}0`, ":to": `${EVENT_PREFIX}:` }
          : { ":pk": partition(projectId), ":prefix": EVENT_PREFIX },
        Limit: max,
        ConsistentRead: true,
      }),
    );
    return {
      items: (out.Items ?? []).map((i) => i.message as ProjectMessage),
      more: out.LastEvaluatedKey !== undefined,
    };
  }
}
