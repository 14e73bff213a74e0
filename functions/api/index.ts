/**
 * Lambda entry of the api-handler (API Gateway REST, proxy integration). The environment is read once and
 * the clients are created at module scope, so warm invocations reuse their connections. Endpoints come from
 * the SDK's own settings (AWS_ENDPOINT_URL_<SERVICE> locally), so this file runs unchanged in Lambda and in
 * the local runner.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { API_ENV } from "../../contracts/env";
import { createArtifactStore } from "../shared/artifact-store";
import { ProjectLog } from "../shared/project-log";
import { signTicket, ticketKeySource } from "../shared/ticket";
import { ApiEvent, createApp } from "./app";
import { Store } from "./lib/store";

export { API_ENV };

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const tableName = required(API_ENV.tableName);
const bucket = required(API_ENV.artifactsBucket);
const firstAgentQueueUrl = required(API_ENV.firstAgentQueueUrl);
const ticketSecretArn = process.env[API_ENV.ticketKeySecretArn] || undefined;
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const sqs = new SQSClient({});
const s3 = new S3Client({});
const secretsManager = new SecretsManagerClient({});
const ticketKeys = ticketSecretArn
  ? ticketKeySource({ client: () => secretsManager, secretArn: ticketSecretArn })
  : undefined;

const app = createApp({
  store: new Store(doc, tableName),
  sendToFirstAgent: async (body) => {
    await sqs.send(new SendMessageCommand({ QueueUrl: firstAgentQueueUrl, MessageBody: body }));
  },
  artifacts: createArtifactStore(s3, bucket),
  log: new ProjectLog(doc, tableName),
  ...(ticketKeys ? { issueTicket: async (claims) => signTicket((await ticketKeys()).current, claims) } : {}),
  corsOrigins: (process.env[API_ENV.corsOrigins] ?? "").split(",").filter((o) => o !== ""),
  logError: (error, requestId) =>
    console.error(JSON.stringify({ level: "ERROR", request_id: requestId, error: String(error) })),
});

export const handler = (event: ApiEvent, context: { awsRequestId?: string }) =>
  app(event, context.awsRequestId);
