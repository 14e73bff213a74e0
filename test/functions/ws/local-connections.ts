/**
 * dynalite (an in-memory DynamoDB-compatible server) on loopback with the WebSocket connections table and the
 * Data table, created by the local runner's helpers from the schemas the components deploy.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { createPusher, Pusher } from "../../../functions/shared/status-push";
import { createConnectionsTable, createDataTable, startDynalite } from "../../../tools/local/dynamo";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
export const REGION = "us-east-1";

export function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

export interface LocalConnections {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The Data table in the same server (the project message log). */
  readonly dataTableName: string;
  /** Every item of the connections table, sorted by pk then sk. */
  items(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startConnectionsTable(tableName = "ws-connections-test"): Promise<LocalConnections> {
  const dynamo = await startDynalite(REGION, credentials);
  const dataTableName = `${tableName}-data`;
  await createConnectionsTable(dynamo.client, tableName);
  await createDataTable(dynamo.client, dataTableName);
  const doc = DynamoDBDocumentClient.from(dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    doc,
    tableName,
    dataTableName,
    items: async () =>
      ((await doc.send(new ScanCommand({ TableName: tableName }))).Items ?? []).sort((a, b) =>
        `${a.pk} ${a.sk}`.localeCompare(`${b.pk} ${b.sk}`),
      ),
    close: () => dynamo.close(),
  };
}

export type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A plain loopback HTTP server; `handler` answers each request. */
export async function startHttp(handler: Handler): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, Buffer.concat(chunks).toString("utf8"), res));
  });
  const url = await listen(server);
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The pusher the functions build, on this connections table and a loopback management API at `apiUrl`
 * (stage `live`), one attempt per call so the pusher's own retries are what a test sees.
 */
export function pusherFor(table: LocalConnections, apiUrl: string): Pusher {
  return createPusher({
    ddb: table.doc,
    tableName: table.tableName,
    endpoint: `${apiUrl}/live`,
    management: new ApiGatewayManagementApiClient({
      endpoint: `${apiUrl}/live`,
      region: REGION,
      credentials,
      maxAttempts: 1,
    }),
  });
}
