/**
 * Lambda entry of the workflow function (EventBridge invokes it asynchronously with a finish rule's input;
 * Lambda retries a failed invocation twice, then sends the event to the bus's dead-letter queue).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { WORKFLOW_ENV } from "../../contracts/env";
import { ProjectLog } from "../shared/project-log";
import { createMessagePublisher } from "../shared/project-messages";
import { createPusher } from "../shared/status-push";
import { createWorkflowApp } from "./app";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const tableName = required(WORKFLOW_ENV.tableName);
const connectionsTable = process.env[WORKFLOW_ENV.connectionsTable];
const endpoint = process.env[WORKFLOW_ENV.websocketEndpoint];
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const log = (entry: Record<string, unknown>) => console.log(JSON.stringify(entry));

const finish = createWorkflowApp({
  doc,
  tableName,
  publisher: createMessagePublisher({
    log: new ProjectLog(doc, tableName),
    pusher:
      connectionsTable && endpoint
        ? createPusher({ ddb: doc, tableName: connectionsTable, endpoint })
        : undefined,
    warn: (message, attributes) =>
      log({ level: "WARN", message, ...attributes, error: String(attributes.error) }),
  }),
  log,
});

export const handler = (event: unknown) => finish(event);
