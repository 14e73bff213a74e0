/**
 * Lambda entry of the ws function (WebSocket API $connect, $disconnect, $default; Lambda proxy integration).
 * The environment is read once and the client is created at module scope.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createWsApp, WsEvent } from "./app";
import { WS_ENV } from "./schema";

const tableName = process.env[WS_ENV.connectionsTable];
if (!tableName) throw new Error(`environment variable ${WS_ENV.connectionsTable} is not set`);

const app = createWsApp({
  ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  tableName,
  logError: (error, requestId) =>
    console.error(JSON.stringify({ level: "ERROR", request_id: requestId, error: String(error) })),
});

export const handler = (event: WsEvent) => app(event);
