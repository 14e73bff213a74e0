/**
 * Lambda entry of the ws function (WebSocket API $connect, $disconnect, $default; Lambda proxy integration).
 * The environment is read once and the clients are created at module scope.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { WS_ENV } from "../../contracts/env";
import { ProjectLog } from "../shared/project-log";
import { createPusher } from "../shared/status-push";
import { createWsApp, WsEvent } from "./app";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const connectionsTable = required(WS_ENV.connectionsTable);
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

const app = createWsApp({
  ddb,
  tableName: connectionsTable,
  log: new ProjectLog(ddb, required(WS_ENV.tableName)),
  pusher: createPusher({ ddb, tableName: connectionsTable, endpoint: required(WS_ENV.websocketEndpoint) }),
  logError: (error, requestId) =>
    console.error(JSON.stringify({ level: "ERROR", request_id: requestId, error: String(error) })),
});

export const handler = (event: WsEvent) => app(event);
