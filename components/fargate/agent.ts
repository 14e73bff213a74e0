import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { dockerPlatform, type AgentImageBuild, type FargateArchitecture } from "./args";
import { AGENT_CONTAINER_ENV, AGENT_CONTAINER_HEALTH } from "../../contracts/agent-container";
import type { AgentName } from "../../contracts/agents";
import { buildAgentContainer } from "../../lib/agent-container-build";
import { agentWorkerEnvironment } from "../agents/environment";
import { agentWorkerStatements, StatusPushRefs, WorkflowRefs } from "../agents/worker-iam";
import type { AgentModel } from "../agents/workers";
import type { AwsContext } from "../shared/aws-context";
import { invocableArns } from "../bedrock-access";
import { providerKeySecret } from "../shared/provider-key-secret";
import type { QueuePair } from "../shared/queue-pair";

/*
 * The FargateWorker's agent mode: the agent container (containers/agent) built and pushed into the worker's own
 * ECR repository by awsx.ecr.Image, its environment (the agent worker's, as the Lambda agents get it, plus the
 * loop's timeouts), its own copy of the provider key's secret, and its task role (the Lambda agent's grants, plus what only the loop does: extend a
 * message's visibility, protect its own task from scale-in).
 *
 * awsx.ecr.Image is a remote component: its build and push happen in its provider plugin, and under the offline
 * preview's mocks it is one opaque registration. Everything policy-relevant (repository, lifecycle, roles, task
 * definition, service) stays a plain @pulumi/aws resource of the FargateWorker, visible to the pack.
 */

export interface FargateAgentArgs {
  readonly agent: AgentName;
  readonly build: AgentImageBuild;
  readonly model: AgentModel;
  readonly maxReceiveCount: number;
  readonly continuationMarginSeconds: number;
  readonly table: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /** The Data key: the table's, the provider secret's and the bucket's. */
  readonly dataKeyArn: pulumi.Input<string>;
  /** The LLM provider's API key (config agentLlmApiKey): the worker keeps its own secret of it. */
  readonly llmApiKey: pulumi.Input<string>;
  readonly statusPush?: StatusPushRefs;
  readonly workflow?: WorkflowRefs & {
    readonly busName: pulumi.Input<string>;
    readonly bucketName: pulumi.Input<string>;
  };
}

const ROOT = resolve(__dirname, "..", "..");
const cache = globalThis as { [key: symbol]: Promise<string> | undefined };
const TAG = Symbol.for("agent-platform.agent-image-tag");

/**
 * The image's tag: a digest of what the image holds (the bundle the Dockerfile's build stage writes, the
 * Dockerfile, the build context's ignore file). The repository's tags are immutable, so an unchanged image keeps
 * its tag (no new push) and a changed one gets a new tag. Built once per process.
 */
export function agentImageTag(build: AgentImageBuild): Promise<string> {
  cache[TAG] ??= buildAgentContainer(join(ROOT, ".build", "agent-container")).then((bundle) => {
    const hash = createHash("sha256").update(bundle.sha256);
    const context = resolve(ROOT, build.context);
    for (const file of [resolve(ROOT, build.dockerfile), join(context, ".dockerignore")])
      hash.update(readFileSync(file));
    return `agent-${hash.digest("hex").slice(0, 24)}`;
  });
  return cache[TAG];
}

/** The agent image, built for the task's architecture and pushed; `imageUri` names it by digest. */
export function pushAgentImage(
  parent: pulumi.Resource,
  name: string,
  repository: aws.ecr.Repository,
  build: AgentImageBuild,
  architecture: FargateArchitecture,
): awsx.ecr.Image {
  return new awsx.ecr.Image(
    `${name}-image`,
    {
      repositoryUrl: repository.repositoryUrl,
      context: build.context,
      dockerfile: build.dockerfile,
      platform: dockerPlatform(architecture),
      imageTag: pulumi.output(agentImageTag(build)),
    },
    { parent },
  );
}

/** The agent container's environment and task-role statements. */
export function agentContainer(
  parent: pulumi.Resource,
  name: string,
  ctx: AwsContext,
  args: FargateAgentArgs,
  queue: QueuePair,
  queueKmsKeyArn: pulumi.Input<string> | undefined,
  clusterName: pulumi.Input<string>,
): {
  environment: Record<string, pulumi.Input<string>>;
  statements: pulumi.Input<Record<string, unknown>>[];
  /** The provider key's value: tasks start once it is written. */
  secretVersion: aws.secretsmanager.SecretVersion;
} {
  const { secret, version } = providerKeySecret(parent, name, {
    dataKeyArn: args.dataKeyArn,
    value: args.llmApiKey,
  });
  const environment = {
    ...agentWorkerEnvironment({
      agent: args.agent,
      serviceName: `agent-${args.agent}-container`,
      maxReceiveCount: args.maxReceiveCount,
      tableName: args.table.name,
      queueUrl: queue.queue.url,
      continuationMarginSeconds: args.continuationMarginSeconds,
      llmApiKeySecretArn: secret.arn,
      modelId: args.model.id,
      statusPush: args.statusPush,
      workflow: args.workflow,
    }),
    [AGENT_CONTAINER_ENV.consumerTimeoutSeconds]: String(queue.consumerTimeoutSeconds),
    [AGENT_CONTAINER_ENV.visibilityTimeoutSeconds]: String(queue.visibilityTimeoutSeconds),
    [AGENT_CONTAINER_ENV.healthPort]: String(AGENT_CONTAINER_HEALTH.port),
  };
  const statements: pulumi.Input<Record<string, unknown>>[] = [
    ...agentWorkerStatements({
      ctx,
      agent: args.agent,
      queueArn: queue.queue.arn,
      queueKmsKeyArn,
      tableArn: args.table.arn,
      dataKeyArn: args.dataKeyArn,
      secretArns: [secret.arn],
      modelArns: invocableArns(ctx, args.model.scope),
      statusPush: args.statusPush,
      workflow: args.workflow,
    }),
    {
      Sid: "ExtendVisibilityWhileATaskRuns",
      Effect: "Allow",
      Action: "sqs:ChangeMessageVisibility",
      Resource: queue.queue.arn,
    },
    {
      // The ECS agent's task-protection endpoint calls UpdateTaskProtection with the task role.
      Sid: "ProtectItsTaskFromScaleIn",
      Effect: "Allow",
      Action: "ecs:UpdateTaskProtection",
      Resource: pulumi.interpolate`arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:task/${clusterName}/*`,
    },
  ];
  return { environment, statements, secretVersion: version };
}
