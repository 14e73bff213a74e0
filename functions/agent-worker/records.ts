/** The table reads (and the one update) a workflow step makes: the modification, its project, other agents' records. */
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TaskStore } from "./task-store";
import type { WorkflowRecords } from "./workflow";

export function tableRecords(
  doc: DynamoDBDocumentClient,
  tableName: string,
  tasks: TaskStore,
): WorkflowRecords {
  const get = async (PK: string, SK: string) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: { PK, SK }, ConsistentRead: true }))).Item;
  return {
    modification: (projectId, modificationId) => get(`PROJECT#${projectId}`, `MOD#${modificationId}`),
    project: (projectId) => get(`PROJECT#${projectId}`, "METADATA"),
    record: (task, agent) => tasks.recordOf(task, agent),
    async markRunning(projectId, modificationId) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { PK: `PROJECT#${projectId}`, SK: `MOD#${modificationId}` },
            UpdateExpression: "SET #status = :running, started_at = :at",
            ConditionExpression: "#status = :pending",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: {
              ":running": "running",
              ":pending": "pending",
              ":at": new Date().toISOString(),
            },
          }),
        );
      } catch (error) {
        if ((error as Error)?.name !== "ConditionalCheckFailedException") throw error;
      }
    },
  };
}
