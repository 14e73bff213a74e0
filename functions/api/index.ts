/**
 * Lambda entry of the api-handler (API Gateway REST, proxy integration). The environment is read once and
 * the clients are created at module scope, so warm invocations reuse their connections.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { ApiEvent, createApp, DOWNLOAD_URL_SECONDS } from "./app";
import { API_ENV } from "./lib/env";
import { Store } from "./lib/store";

export { API_ENV };

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const tableName = required(API_ENV.tableName);
const bucket = required(API_ENV.artifactsBucket);
const devQueueUrl = required(API_ENV.devQueueUrl);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const sqs = new SQSClient({});
const s3 = new S3Client({});

const app = createApp({
  store: new Store(doc, tableName),
  sendToDevQueue: async (body) => {
    await sqs.send(new SendMessageCommand({ QueueUrl: devQueueUrl, MessageBody: body }));
  },
  presignDownload: (key) =>
    getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: DOWNLOAD_URL_SECONDS }),
  corsOrigins: (process.env[API_ENV.corsOrigins] ?? "").split(",").filter((o) => o !== ""),
  logError: (error, requestId) =>
    console.error(JSON.stringify({ level: "ERROR", request_id: requestId, error: String(error) })),
});

export const handler = (event: ApiEvent, context: { awsRequestId?: string }) =>
  app(event, context.awsRequestId);
