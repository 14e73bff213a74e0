import * as pulumi from "@pulumi/pulumi";
import { AGENT_WORKER_ENV } from "../../contracts/env";
import type { AgentName } from "../../contracts/agents";
import type { StatusPushRefs } from "./worker-iam";

/**
 * The agent worker's environment (contracts/env.ts AGENT_WORKER_ENV), the same for a Lambda agent
 * (AgentWorkers) and the agent container (FargateWorker), so an agent behaves the same on either runtime.
 */
export function agentWorkerEnvironment(args: {
  readonly agent: AgentName;
  readonly serviceName: pulumi.Input<string>;
  readonly maxReceiveCount: number;
  readonly tableName: pulumi.Input<string>;
  readonly queueUrl: pulumi.Input<string>;
  readonly continuationMarginSeconds: number;
  readonly llmApiKeySecretArn: pulumi.Input<string>;
  readonly modelId: string;
  readonly statusPush?: StatusPushRefs;
  readonly workflow?: { readonly busName: pulumi.Input<string>; readonly bucketName: pulumi.Input<string> };
}): Record<string, pulumi.Input<string>> {
  return {
    [AGENT_WORKER_ENV.serviceName]: args.serviceName,
    [AGENT_WORKER_ENV.metricsNamespace]: "AgentPlatform/Agents",
    [AGENT_WORKER_ENV.maxReceiveCount]: String(args.maxReceiveCount),
    [AGENT_WORKER_ENV.agentName]: args.agent,
    [AGENT_WORKER_ENV.tableName]: args.tableName,
    [AGENT_WORKER_ENV.queueUrl]: args.queueUrl,
    [AGENT_WORKER_ENV.continuationMarginSeconds]: String(args.continuationMarginSeconds),
    [AGENT_WORKER_ENV.llmApiKeySecretArn]: args.llmApiKeySecretArn,
    [AGENT_WORKER_ENV.modelId]: args.modelId,
    ...(args.statusPush
      ? {
          [AGENT_WORKER_ENV.connectionsTable]: args.statusPush.connectionsTableName,
          [AGENT_WORKER_ENV.websocketEndpoint]: args.statusPush.managementEndpoint,
        }
      : {}),
    ...(args.workflow
      ? {
          [AGENT_WORKER_ENV.eventBusName]: args.workflow.busName,
          [AGENT_WORKER_ENV.artifactsBucket]: args.workflow.bucketName,
        }
      : {}),
  };
}
