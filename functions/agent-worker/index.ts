/**
 * Lambda entry of the agent workers: one bundle for the four agents, the agent chosen by AGENT_NAME. Clients
 * are created once per container; the environment is read on the first invocation, and an invalid one fails
 * every record with an error naming each variable. Endpoints come from the SDK's own settings
 * (AWS_ENDPOINT_URL_<SERVICE> in the local runner), so the same file runs in Lambda and locally.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createArtifactStore } from "../shared/artifact-store";
import { createBedrockClient } from "../shared/bedrock";
import { ProjectLog } from "../shared/project-log";
import { createMessagePublisher } from "../shared/project-messages";
import { defaultSecretsManager } from "../shared/secrets-manager";
import { createSqsHandler } from "../shared/sqs-batch";
import type { BatchRuntime } from "../shared/sqs-batch";
import { createPusher } from "../shared/status-push";
import { createTelemetry } from "../shared/telemetry";
import { createBedrockRunner } from "./bedrock-runner";
import { readAgentWorkerEnv } from "./env";
import { tableRecords } from "./records";
import { secretReader } from "./secrets";
import { TaskStore } from "./task-store";
import { createAgentWorker } from "./worker";
import { createHandOff, createStepReporter, createWorkflowRunner } from "./workflow";

const telemetry = createTelemetry("agent-worker");
const doc = DynamoDBDocumentClient.from(telemetry.traceClient(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});
const sqs = telemetry.traceClient(new SQSClient({}));
const s3 = telemetry.traceClient(new S3Client({}));
const events = telemetry.traceClient(new EventBridgeClient({}));
// One attempt per send: the runner retries (and counts) throttling and 5xx itself.
const bedrock = telemetry.traceClient(createBedrockClient());
let runtime: BatchRuntime | undefined;

/** Lambda's own default when the context gives no remaining time (a direct test invocation). */
const FALLBACK_REMAINING_MS = 60_000;

function agentRuntime(): BatchRuntime {
  const env = readAgentWorkerEnv();
  const store = new TaskStore(doc, env.tableName, env.agentName);
  const model = createBedrockRunner(env.agentName, {
    client: bedrock,
    modelId: env.modelId,
    minCallMs: env.modelCallReserveSeconds * 1000,
    onRetry: (error, attempt, delayMs) =>
      telemetry.log.warn("Bedrock call retried", { attempt, delayMs, error: (error as Error)?.name }),
  });
  const publisher = createMessagePublisher({
    log: new ProjectLog(doc, env.tableName),
    pusher: env.statusPush
      ? createPusher({
          ddb: doc,
          tableName: env.statusPush.connectionsTable,
          endpoint: env.statusPush.websocketEndpoint,
        })
      : undefined,
    warn: (message, attributes) => telemetry.log.warn(message, attributes),
  });
  const workflow = env.workflow;
  const worker = createAgentWorker({
    agent: env.agentName,
    store,
    runner: workflow
      ? createWorkflowRunner({
          agent: env.agentName,
          model,
          artifacts: createArtifactStore(s3, workflow.artifactsBucket),
          records: tableRecords(doc, env.tableName, store),
        })
      : model,
    sendContinuation: async (body) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: env.queueUrl, MessageBody: body }));
    },
    secret: secretReader(defaultSecretsManager(telemetry.traceClient), { llmApiKey: env.llmApiKeySecretArn }),
    report: createStepReporter(env.agentName, publisher),
    handOff: workflow
      ? createHandOff(env.agentName, workflow.eventBusName, async (entries) => {
          const out = await events.send(
            new PutEventsCommand({
              Entries: entries.map((e) => ({
                Source: e.source,
                DetailType: e.detailType,
                Detail: e.detail,
                EventBusName: e.bus,
              })),
            }),
          );
          if ((out.FailedEntryCount ?? 0) > 0) {
            const failed = out.Entries?.find((e) => e.ErrorCode);
            throw new Error(
              `PutEvents refused the completion event: ${failed?.ErrorCode}: ${failed?.ErrorMessage}`,
            );
          }
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
