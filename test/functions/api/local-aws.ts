/**
 * Loopback stand-ins for the api-handler's AWS dependencies: dynalite (a DynamoDB-compatible server, in
 * memory) with the table, and a minimal SQS server speaking the JSON protocol (SendMessage only).
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDataTable, startDynalite } from "../../../tools/local/dynamo";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const region = "us-east-1";

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

export interface LocalDynamo {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  close(): Promise<void>;
}

export async function startDynamo(tableName = "agent-platform-test"): Promise<LocalDynamo> {
  const dynamo = await startDynalite(region, credentials);
  await createDataTable(dynamo.client, tableName);
  const doc = DynamoDBDocumentClient.from(dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { doc, tableName, close: () => dynamo.close() };
}

export interface LocalSqs {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Bodies received by SendMessage, in order. */
  readonly messages: { queueUrl: string; body: string }[];
  /** Makes the next `n` SendMessage calls fail with a 500. */
  failNext(n: number): void;
  close(): Promise<void>;
}

export async function startSqs(): Promise<LocalSqs> {
  const messages: { queueUrl: string; body: string }[] = [];
  let failures = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, string>;
      res.setHeader("content-type", "application/x-amz-json-1.0");
      if (target !== "AmazonSQS.SendMessage") {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: "com.amazonaws.sqs#InvalidAction", message: target }));
        return;
      }
      if (failures > 0) {
        failures--;
        res.statusCode = 500;
        res.end(JSON.stringify({ __type: "com.amazonaws.sqs#InternalError", message: "injected" }));
        return;
      }
      messages.push({ queueUrl: input.QueueUrl, body: input.MessageBody });
      res.end(
        JSON.stringify({
          MessageId: randomUUID(),
          MD5OfMessageBody: createHash("md5").update(input.MessageBody).digest("hex"),
        }),
      );
    });
  });
  const endpoint = await listen(server);
  // One attempt: the tests decide about retries themselves.
  const client = new SQSClient({ endpoint, region, credentials, maxAttempts: 1 });
  return {
    client,
    queueUrl: `${endpoint}/123456789012/agents-dev`,
    messages,
    failNext: (n) => {
      failures = n;
    },
    close: () =>
      new Promise((resolve) => {
        client.destroy();
        server.close(() => resolve());
      }),
  };
}
