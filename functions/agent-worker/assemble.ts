/**
 * The agent worker as both runtimes build it from the environment: the Lambda entry (index.ts) and the
 * container's long-polling loop (container.ts) run this one worker, with the same task store, runner, status
 * reports and completion events, so the workflow's routing does not care where an agent runs.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createArtifactStore } from "../shared/artifact-store";
import { ProjectLog } from "../shared/project-log";
import { createMessagePublisher } from "../shared/project-messages";
import { createPusher } from "../shared/status-push";
import type { Telemetry } from "../shared/telemetry";
import { createBedrockClient } from "../shared/bedrock";
import { defaultSecretsManager } from "../shared/secrets-manager";
import { createBedrockRunner } from "./bedrock-runner";
import type { AgentWorkerEnvironment } from "./env";
import { tableRecords } from "./records";
import { secretReader } from "./secrets";
import { TaskStore } from "./task-store";
import { AgentWorker, createAgentWorker } from "./worker";
import { createHandOff, createStepReporter, createWorkflowRunner } from "./workflow";

/** The SDK clients of one process (created once; endpoints from the SDK's own settings). */
export interface AgentClients {
  readonly doc: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly events: EventBridgeClient;
  readonly bedrock: ReturnType<typeof createBedrockClient>;
}

export function createAgentClients(telemetry: Telemetry): AgentClients {
  return {
    doc: DynamoDBDocumentClient.from(telemetry.traceClient(new DynamoDBClient({})), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    sqs: telemetry.traceClient(new SQSClient({})),
    s3: telemetry.traceClient(new S3Client({})),
    events: telemetry.traceClient(new EventBridgeClient({})),
    // One attempt per send: the runner retries (and counts) throttling and 5xx itself.
    bedrock: telemetry.traceClient(createBedrockClient()),
  };
}

export function assembleAgentWorker(
  env: AgentWorkerEnvironment,
  clients: AgentClients,
  telemetry: Telemetry,
): AgentWorker {
  const { doc, sqs, s3, events, bedrock } = clients;
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
  return createAgentWorker({
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
}
