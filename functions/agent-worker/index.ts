/**
 * Lambda entry of the agent workers: one bundle for the four agents, the agent chosen by AGENT_NAME. Clients
 * are created once per container; the environment is read on the first invocation, and an invalid one fails
 * every record with an error naming each variable.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createSqsHandler } from "../shared/sqs-batch";
import type { BatchRuntime } from "../shared/sqs-batch";
import { createStatusPublisher } from "../shared/status-push";
import { createTelemetry } from "../shared/telemetry";
import { createBedrockClient } from "../vectorize/bedrock-embedder";
import { defaultSecretsManager } from "../vectorize/upstash-credentials";
import { createBedrockRunner } from "./bedrock-runner";
import { readAgentWorkerEnv } from "./env";
import { secretReader } from "./secrets";
import { TaskStore } from "./task-store";
import { createAgentWorker } from "./worker";

const telemetry = createTelemetry("agent-worker");
const doc = DynamoDBDocumentClient.from(telemetry.traceClient(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});
const sqs = telemetry.traceClient(new SQSClient({}));
// One attempt per send: the runner retries (and counts) throttling and 5xx itself.
const bedrock = telemetry.traceClient(createBedrockClient());
let runtime: BatchRuntime | undefined;

/** Lambda's own default when the context gives no remaining time (a direct test invocation). */
const FALLBACK_REMAINING_MS = 60_000;

function agentRuntime(): BatchRuntime {
  const env = readAgentWorkerEnv();
  const worker = createAgentWorker({
    agent: env.agentName,
    store: new TaskStore(doc, env.tableName, env.agentName),
    runner: createBedrockRunner(env.agentName, {
      client: bedrock,
      modelId: env.modelId,
      onRetry: (error, attempt, delayMs) =>
        telemetry.log.warn("Bedrock call retried", { attempt, delayMs, error: (error as Error)?.name }),
    }),
    sendContinuation: async (body) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: env.queueUrl, MessageBody: body }));
    },
    secret: secretReader(defaultSecretsManager(telemetry.traceClient), { llmApiKey: env.llmApiKeySecretArn }),
    publisher: env.statusPush
      ? createStatusPublisher({
          ddb: doc,
          tableName: env.statusPush.connectionsTable,
          endpoint: env.statusPush.websocketEndpoint,
        })
      : undefined,
    log: telemetry.log,
    maxReceiveCount: env.maxReceiveCount,
    continuationMarginMs: env.continuationMarginSeconds * 1000,
  });
  let remainingMs = FALLBACK_REMAINING_MS;
  return {
    maxReceiveCount: env.maxReceiveCount,
    parallel: false,
    beginInvocation: (ms) => {
      remainingMs = ms ?? FALLBACK_REMAINING_MS;
    },
    handleRecord: (record) => worker.handleRecord(record, remainingMs),
  };
}

export const handler = createSqsHandler(telemetry, () => (runtime ??= agentRuntime()));
