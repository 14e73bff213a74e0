/**
 * dynalite (an in-memory DynamoDB-compatible server) on loopback with the WebSocket connections table, created
 * from the same schema the WebSocketApi component uses.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { createStatusPublisher, StatusPublisher } from "../../../functions/shared/status-push";
import { CONNECTIONS_TABLE } from "../../../functions/ws/schema";

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
  /** Every item, sorted by pk then sk. */
  items(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startConnectionsTable(tableName = "ws-connections-test"): Promise<LocalConnections> {
  const dynalite = require("dynalite") as (options: object) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await listen(server);
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials });
  const t = CONNECTIONS_TABLE;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [t.partition, t.sort, t.byProject.partition, t.byProject.sort].map((name) => ({
        AttributeName: name,
        AttributeType: "S",
      })),
      KeySchema: [
        { AttributeName: t.partition, KeyType: "HASH" },
        { AttributeName: t.sort, KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: t.byProject.name,
          KeySchema: [
            { AttributeName: t.byProject.partition, KeyType: "HASH" },
            { AttributeName: t.byProject.sort, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "KEYS_ONLY" },
        },
      ],
    }),
  );
  const doc = DynamoDBDocumentClient.from(client);
  return {
    doc,
    tableName,
    items: async () =>
      ((await doc.send(new ScanCommand({ TableName: tableName }))).Items ?? []).sort((a, b) =>
        `${a.pk} ${a.sk}`.localeCompare(`${b.pk} ${b.sk}`),
      ),
    close: () =>
      new Promise((resolve) => {
        client.destroy();
        server.close(() => resolve());
      }),
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
 * The status publisher the functions build, on this connections table and a loopback management API at
 * `apiUrl` (stage `live`), one attempt per call so the publisher's own retries are what a test sees.
 */
export function statusPublisherFor(table: LocalConnections, apiUrl: string): StatusPublisher {
  return createStatusPublisher({
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
