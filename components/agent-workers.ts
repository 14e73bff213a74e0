import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AgentName, AgentSizing } from "../config/agents";
import type { BedrockConfig } from "../config/bedrock";
import { agentWorkerEnvironment } from "./agent-environment";
import { providerKeySecret } from "./provider-key-secret";
import { agentWorkerStatements, StatusPushRefs, WorkflowRefs } from "./agent-worker-iam";
import { BedrockAccessArgs, invocableArns } from "./bedrock-access";
import { awsContext } from "./aws-context";
import { BlueGreenDeployment, createBlueGreen } from "./lambda-blue-green";
import {
  createPlatformFunction,
  createQueueEventSource,
  functionBundles,
  stackScopedName,
} from "./lambda-function";
import type { QueuePair } from "./queue-pair";
import { PlatformComponent } from "./tagging";

export type { StatusPushRefs, WorkflowRefs } from "./agent-worker-iam";

/** The one Bedrock model the agents converse with, and the BedrockAccess scope narrowed to it (for its ARNs). */
export interface AgentModel {
  /** What the workers pass as modelId (AGENT_MODEL_ID). */
  readonly id: string;
  readonly scope: BedrockAccessArgs;
}

/**
 * The agents' model from the stack's Bedrock config: the first of `bedrockModelIds`, invoked directly in the
 * stack's region (seed 004: Nova Lite in us-east-1). Only where no model id is listed, the first inference
 * profile: a profile is what a model needs where it has no on-demand throughput in the stack's region, and the
 * role then gets the profile and the model in each region it routes to, as BedrockAccess grants them.
 */
export function agentModel(bedrock: BedrockConfig): AgentModel | undefined {
  const [modelId] = bedrock.modelIds;
  if (modelId) return { id: modelId, scope: { ...bedrock, modelIds: [modelId], inferenceProfiles: [] } };
  const [profile] = bedrock.inferenceProfiles;
  if (profile) return { id: profile.id, scope: { ...bedrock, modelIds: [], inferenceProfiles: [profile] } };
  return undefined;
}

export interface AgentWorkersArgs {
  /** The agents that run here, each on the queue of the same name. */
  readonly agents: readonly AgentName[];
  /** Memory and concurrency per agent; the timeout must be its queue's consumer timeout. */
  readonly sizing: Readonly<Record<AgentName, AgentSizing>>;
  /** The agent queues (`Queues.pairs`). */
  readonly queues: Readonly<Record<string, QueuePair>>;
  /** The queues' KMS key, where they have one: consuming decrypts and continuations encrypt with it. */
  readonly queueKmsKeyArn?: pulumi.Input<string>;
  /** The queues' redrive maxReceiveCount (the worker records a task failed on its last receive). */
  readonly maxReceiveCount: number;
  /** The Data component's table and key (the key also encrypts the provider secret). */
  readonly table: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  readonly dataKeyArn: pulumi.Input<string>;
  /** The LLM provider's API key, stored in Secrets Manager; the functions get its ARN. */
  readonly llmApiKey: pulumi.Input<string>;
  /** The Bedrock model the bundled runner converses with (`agentModel(config.bedrock)`); required with agents. */
  readonly model?: AgentModel;
  readonly continuationMarginSeconds: number;
  /** CodeDeploy blue/green on a `live` alias per function. */
  readonly blueGreen: boolean;
  /** The functions' own alarms. Default: true. */
  readonly functionAlarms?: boolean;
  /** The WebSocket status push; absent: no push. */
  readonly statusPush?: StatusPushRefs;
  /**
   * The workflow (AgentWorkflow): the bus completion events go to and the artifacts bucket. Absent: the agents
   * run tasks alone, without artifacts or hand-offs.
   */
  readonly workflow?: WorkflowRefs & {
    readonly busName: pulumi.Input<string>;
    readonly bucketName: pulumi.Input<string>;
  };
  readonly logRetentionDays: number;
  /** The key of the functions' log groups: the stack's operations key (Observability.logsKeyArn). */
  readonly logKeyArn: pulumi.Input<string>;
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/** Throws one Error naming every argument AWS would refuse halfway through `pulumi up`. */
export function checkAgentWorkersArgs(name: string, args: AgentWorkersArgs): void {
  const problems: string[] = [];
  for (const agent of args.agents) {
    const queue = args.queues[agent];
    const timeout = args.sizing[agent].timeoutSeconds;
    if (!queue) problems.push(`agent ${agent} has no queue`);
    // AWS refuses an event source whose queue's visibility timeout is shorter than the function's timeout.
    else if (queue.visibilityTimeoutSeconds < timeout)
      problems.push(
        `agent ${agent}'s timeout ${timeout} s exceeds its queue's visibility timeout ${queue.visibilityTimeoutSeconds} s`,
      );
    if (timeout - args.continuationMarginSeconds < 1)
      problems.push(`agent ${agent}'s timeout ${timeout} s leaves no time before the continuation margin`);
  }
  if (args.agents.length > 0 && !args.model)
    problems.push("the agents need a Bedrock model: set bedrockModelIds (or bedrockInferenceProfileIds)");
  if (args.blueGreen && args.functionAlarms === false)
    problems.push("blue/green deployments need the function alarms to roll back on");
  if (problems.length > 0) throw new Error(`AgentWorkers ${name}: ${problems.join("; ")}`);
}

/**
 * `agent-platform:index:AgentWorkers`: seed 003's agent workers. One function per agent (one bundle, the agent
 * chosen by AGENT_NAME) consuming its own queue one message at a time with partial batch responses, recording
 * task status in the Data table, pushing it to WebSocket subscribers, and continuing long tasks through its
 * own queue. The provider key lives in Secrets Manager, encrypted with the Data key. With blue/green, each
 * function's event source reads through its `live` alias, which CodeDeploy moves (components/lambda-blue-green.ts).
 */
export class AgentWorkers extends PlatformComponent {
  /** agent -> function name. */
  readonly functionNames: Record<string, pulumi.Output<string>>;
  /** The functions' alarms and their queues' alarms, for the dashboard. */
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  /** The functions' alarms only (the queues' are on the dashboard with the Queues component). */
  readonly functionAlarms: aws.cloudwatch.MetricAlarm[];
  readonly llmApiKeySecretArn: pulumi.Output<string>;
  /** agent -> its function, CodeDeploy application and group, where blue/green is on (the deploy step's input). */
  readonly deployments: Record<string, BlueGreenDeployment>;

  constructor(name: string, args: AgentWorkersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-platform:index:AgentWorkers", name, "agent-workers", opts);
    checkAgentWorkersArgs(name, args);
    const ctx = awsContext(this);
    const { secret, version: secretValue } = providerKeySecret(this, name, {
      dataKeyArn: args.dataKeyArn,
      value: args.llmApiKey,
    });

    // checkAgentWorkersArgs refused agents without a model, so every function below has one.
    const model = args.model!;
    const modelArns = args.agents.length > 0 ? invocableArns(ctx, model.scope) : [];
    const bundle = functionBundles().then((b) => b["agent-worker"]);
    this.functionNames = {};
    this.alarms = [];
    this.functionAlarms = [];
    this.deployments = {};
    for (const agent of args.agents) {
      const queue = args.queues[agent];
      const sizing = args.sizing[agent];
      const functionName = stackScopedName(`agent-${agent}`);
      const fn = createPlatformFunction(this, `${name}-${agent}`, {
        description: `Runs the ${agent} agent's tasks from its queue`,
        functionName,
        sizing,
        environment: agentWorkerEnvironment({
          agent,
          serviceName: functionName,
          maxReceiveCount: args.maxReceiveCount,
          tableName: args.table.name,
          queueUrl: queue.queue.url,
          continuationMarginSeconds: args.continuationMarginSeconds,
          llmApiKeySecretArn: secret.arn,
          modelId: model.id,
          statusPush: args.statusPush,
          workflow: args.workflow,
        }),
        statements: agentWorkerStatements({
          ctx,
          agent,
          queueArn: queue.queue.arn,
          queueKmsKeyArn: args.queueKmsKeyArn,
          tableArn: args.table.arn,
          dataKeyArn: args.dataKeyArn,
          secretArns: [secret.arn],
          modelArns,
          statusPush: args.statusPush,
          workflow: args.workflow,
        }),
        logKeyArn: args.logKeyArn,
        logRetentionDays: args.logRetentionDays,
        bundle,
        alarmTopicArn: args.alarmTopicArn,
        publish: args.blueGreen,
        alarms: args.functionAlarms ?? true,
      });
      const live = createBlueGreen(this, `${name}-${agent}`, {
        fn,
        enabled: args.blueGreen,
        alarms: fn.alarms,
      });
      createQueueEventSource(
        this,
        `${name}-${agent}`,
        fn,
        queue,
        // One task per invocation: a task may run for the whole timeout, and a batch shares one timeout.
        {
          batchSize: 1,
          batchWindowSeconds: 0,
          maxConcurrency: sizing.maxConcurrency,
          readyBefore: [secretValue],
        },
        live.qualifiedArn,
      );
      this.functionNames[agent] = fn.function.name;
      if (live.deployment) this.deployments[agent] = live.deployment;
      this.alarms.push(...fn.alarms, ...queue.alarms);
      this.functionAlarms.push(...fn.alarms);
    }
    this.llmApiKeySecretArn = secret.arn;
    this.registerOutputs({
      functionNames: this.functionNames,
      llmApiKeySecretArn: this.llmApiKeySecretArn,
      deployments: this.deployments,
    });
  }
}
