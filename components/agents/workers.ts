import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problem, throwIfProblems } from "../../lib/problems";
import { AgentsSettings, agentsProblems } from "./args";
import type { BedrockSettings } from "../bedrock-args";
import { blueGreenProblem } from "../lambda/args";
import { agentWorkerEnvironment } from "./environment";
import { providerKeySecret } from "../shared/provider-key-secret";
import { agentWorkerStatements, StatusPushRefs, WorkflowRefs } from "./worker-iam";
import { BedrockAccessArgs, invocableArns } from "../bedrock-access";
import { awsContext } from "../shared/aws-context";
import { BlueGreenDeployment, createBlueGreen } from "../lambda/blue-green";
import {
  createPlatformFunction,
  createQueueEventSource,
  functionBundles,
  stackScopedName,
} from "../lambda/function";
import type { QueuePair } from "../shared/queue-pair";
import { PlatformComponent } from "../shared/tagging";

export type { StatusPushRefs, WorkflowRefs } from "./worker-iam";

/** The one Bedrock model the agents converse with, and the BedrockAccess scope narrowed to it (for its ARNs). */
export interface AgentModel {
  /** What the workers pass as modelId (AGENT_MODEL_ID). */
  readonly id: string;
  readonly scope: BedrockAccessArgs;
}

/**
 * The agents' model from the stack's Bedrock config: the first of `bedrockModelIds`, invoked directly in the
 * stack's region (Nova Lite in us-east-1). Only where no model id is listed, the first inference
 * profile: a profile is what a model needs where it has no on-demand throughput in the stack's region, and the
 * role then gets the profile and the model in each region it routes to, as BedrockAccess grants them.
 */
export function agentModel(bedrock: BedrockSettings): AgentModel | undefined {
  const [modelId] = bedrock.modelIds;
  if (modelId) return { id: modelId, scope: { ...bedrock, modelIds: [modelId], inferenceProfiles: [] } };
  const [profile] = bedrock.inferenceProfiles;
  if (profile) return { id: profile.id, scope: { ...bedrock, modelIds: [], inferenceProfiles: [profile] } };
  return undefined;
}

export interface AgentWorkersArgs extends AgentsSettings {
  /** The agent queues (`Queues.pairs`): each agent's queue, of the same name. No default. */
  readonly queues: Readonly<Record<string, QueuePair>>;
  /** The queues' KMS key, where they have one: consuming decrypts and continuations encrypt with it. */
  readonly queueKmsKeyArn?: pulumi.Input<string>;
  /** The queues' redrive maxReceiveCount (the worker records a task failed on its last receive). No default. */
  readonly maxReceiveCount: number;
  /** The Data component's table. No default. */
  readonly table: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /** The Data component's key (it also encrypts the provider secret). No default. */
  readonly dataKeyArn: pulumi.Input<string>;
  /** The LLM provider's API key, stored in Secrets Manager; the functions get its ARN. No default. */
  readonly llmApiKey: pulumi.Input<string>;
  /** The Bedrock model the bundled runner converses with (`agentModel`); required with agents. */
  readonly model?: AgentModel;
  /** CodeDeploy blue/green on a `live` alias per function (needs the function alarms). No default. */
  readonly blueGreen: boolean;
  /** The WebSocket status push. Default: none (no push). */
  readonly statusPush?: StatusPushRefs;
  /**
   * The workflow (AgentWorkflow): the bus completion events go to and the artifacts bucket. Default: none (the
   * agents run tasks alone, without artifacts or hand-offs).
   */
  readonly workflow?: WorkflowRefs & {
    readonly busName: pulumi.Input<string>;
    readonly bucketName: pulumi.Input<string>;
  };
  /** Retention of the functions' log groups, in days. No default. */
  readonly logRetentionDays: number;
  /** The key of the functions' log groups: the stack's operations key (Observability.logsKeyArn). No default. */
  readonly logKeyArn: pulumi.Input<string>;
  /** The alerts topic; every alarm notifies it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/** Throws one Error naming every argument AWS would refuse halfway through `pulumi up`. */
export function checkAgentWorkersArgs(name: string, args: AgentWorkersArgs): void {
  const problems: Problem[] = [...agentsProblems(args)];
  for (const agent of args.agents) {
    const queue = args.queues[agent];
    const timeout = args.sizing[agent].timeoutSeconds;
    if (!queue)
      problems.push({ key: "queues", value: agent, allowed: `have no queue for the agent ${agent}` });
    // AWS refuses an event source whose queue's visibility timeout is shorter than the function's timeout.
    else if (queue.visibilityTimeoutSeconds < timeout)
      problems.push({
        key: `sizing.${agent}.timeoutSeconds`,
        value: timeout,
        allowed: `exceeds its queue's visibility timeout ${queue.visibilityTimeoutSeconds} s`,
      });
  }
  if (args.agents.length > 0 && !args.model)
    problems.push({
      key: "model",
      value: undefined,
      allowed: "is required with agents: set bedrockModelIds (or bedrockInferenceProfileIds)",
    });
  const blueGreen = blueGreenProblem(args.blueGreen, args.functionAlarms ?? true);
  if (blueGreen)
    problems.push({ key: "blueGreen", value: true, allowed: `needs functionAlarms: ${blueGreen}` });
  throwIfProblems("AgentWorkers", name, problems);
}

/**
 * `agent-platform:index:AgentWorkers`: the agent workers. One function per agent (one bundle, the agent
 * chosen by AGENT_NAME) consuming its own queue one message at a time with partial batch responses, recording
 * task status in the Data table, pushing it to WebSocket subscribers, and continuing long tasks through its
 * own queue. The provider key lives in Secrets Manager, encrypted with the Data key. With blue/green, each
 * function's event source reads through its `live` alias, which CodeDeploy moves (components/lambda/blue-green.ts).
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
