/**
 * dynalite (a DynamoDB-compatible server, in memory) on loopback, and the two tables of the workflow created
 * from the same key schemas the Data and WebSocketApi components deploy.
 */
import type { Server } from "node:http";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { TABLE_KEYS } from "../../contracts/table";
import { CONNECTIONS_TABLE } from "../../contracts/connections";
import { listenOnLoopback } from "./loopback";

export interface LocalDynamoServer {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

export async function startDynalite(
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
) {
  const dynalite = require("dynalite") as (options: object) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  const client = new DynamoDBClient({ endpoint, region, credentials });
  return {
    endpoint,
    client,
    close: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.close(() => resolve());
      }),
  } satisfies LocalDynamoServer;
}

const hashAndRange = (partition: string, sort: string) => [
  { AttributeName: partition, KeyType: "HASH" as const },
  { AttributeName: sort, KeyType: "RANGE" as const },
];

/** The Data component's single table (PK/SK, GSI1, GSI2). */
export async function createDataTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const k = TABLE_KEYS;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        k.partition,
        k.sort,
        k.gsi1.partition,
        k.gsi1.sort,
        k.gsi2.partition,
        k.gsi2.sort,
      ].map((name) => ({ AttributeName: name, AttributeType: "S" })),
      KeySchema: hashAndRange(k.partition, k.sort),
      GlobalSecondaryIndexes: [k.gsi1, k.gsi2].map((i) => ({
        IndexName: i.name,
        KeySchema: hashAndRange(i.partition, i.sort),
        Projection: { ProjectionType: "ALL" },
      })),
    }),
  );
}

/** The WebSocketApi component's connections table (byProject index, keys only). */
export async function createConnectionsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const t = CONNECTIONS_TABLE;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [t.partition, t.sort, t.byProject.partition, t.byProject.sort].map((name) => ({
        AttributeName: name,
        AttributeType: "S",
      })),
      KeySchema: hashAndRange(t.partition, t.sort),
      GlobalSecondaryIndexes: [
        {
          IndexName: t.byProject.name,
          KeySchema: hashAndRange(t.byProject.partition, t.byProject.sort),
          Projection: { ProjectionType: "KEYS_ONLY" },
        },
      ],
    }),
  );
}
