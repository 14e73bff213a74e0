import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AgentName } from "../../contracts/agents";
import { EVENT_SOURCE } from "../../contracts/events";
import { WORKFLOW_ENV } from "../../contracts/env";
import { eventPattern, inputTransformer, ROUTING_RULES, RoutingRule } from "../../contracts/routing";
import { pushStatements, StatusPushRefs, TASK_TABLE_ACTIONS } from "./worker-iam";
import { awsContext, AwsContext, viaService } from "../shared/aws-context";
import type { FunctionSizing } from "../lambda/args";
import { createPlatformFunction, functionBundles, stackScopedName } from "../lambda/function";
import { DLQ_RETENTION_SECONDS, denyInsecureTransport, dlqDepthAlarm } from "../shared/queue-pair";
import type { QueuePair } from "../shared/queue-pair";
import { PlatformComponent } from "../shared/tagging";

/*
 * The agents' event bus: the routing table (contracts/routing.ts) deployed as EventBridge rules, each with one
 * target: the next agent's queue, with the step's task message as its input, or the workflow function, which
 * ends the modification. The local runner evaluates the same patterns and transformers (tools/local/eventbridge.ts).
 */

/** The bus's name: `<project>-<stack>-agents`. Known before anything exists, so queue policies can name its rules. */
export function busName(): string {
  return stackScopedName("agents");
}

/** A rule's name: `<project>-<stack>-agents-<rule>`. */
export function ruleName(rule: RoutingRule): string {
  return stackScopedName(`agents-${rule.name}`);
}

/** A rule's ARN, built from names (rules on a custom bus: rule/<bus>/<rule>). */
export function ruleArn(ctx: AwsContext, rule: RoutingRule): pulumi.Output<string> {
  return pulumi.interpolate`arn:${ctx.partition}:events:${ctx.region}:${ctx.accountId}:rule/${busName()}/${ruleName(rule)}`;
}

/** The rules that route work to `agent`'s queue. */
export function rulesTargeting(agent: string): RoutingRule[] {
  return ROUTING_RULES.filter((r) => r.then.kind === "agent" && r.then.agent === agent);
}

/**
 * The statement of an agent queue's policy that lets exactly the rules targeting it deliver to it (none for
 * the first agent, which the api-handler sends to).
 */
export function ruleDeliveryStatements(
  queue: string,
  queueArn: pulumi.Input<string>,
  ctx: AwsContext,
): pulumi.Input<object>[] {
  const rules = rulesTargeting(queue);
  if (rules.length === 0) return [];
  return [
    {
      Sid: "EventBridgeRulesDeliverSteps",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: queueArn,
      Condition: { ArnEquals: { "aws:SourceArn": rules.map((r) => ruleArn(ctx, r)) } },
    },
  ];
}

/** A finish reads and writes a few items: small and short, and unreserved (async invocations queue). */
export const WORKFLOW_FUNCTION_SIZING: FunctionSizing = {
  memoryMb: 256,
  timeoutSeconds: 30,
  reservedConcurrency: -1,
};

/** EventBridge's retries of a target it cannot reach, before the event goes to the bus's dead-letter queue. */
export const TARGET_RETRY = { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 } as const;

export interface AgentWorkflowArgs {
  /** The agent queues (`Queues.pairs`); each rule's agent must have one. */
  readonly queues: Readonly<Record<string, QueuePair>>;
  /** The queues' key, where they have one: the dead-letter queue uses it too. */
  readonly queueKmsKeyArn?: pulumi.Input<string>;
  /** The Data table (modifications, task records, the project log) and its key. */
  readonly table: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /** The Data component's key (the table and the artifacts bucket). No default. */
  readonly dataKeyArn: pulumi.Input<string>;
  /** The WebSocket push, where the stack has a WebSocket API. */
  readonly statusPush?: StatusPushRefs;
  /** Days the archive keeps every event. */
  readonly archiveDays: number;
  /** The workflow function's sizing. Default: WORKFLOW_FUNCTION_SIZING. */
  readonly functionSizing?: FunctionSizing;
  /** The workflow function's own alarms. */
  readonly functionAlarms: boolean;
  /** Retention of the workflow function's log group, in days. No default. */
  readonly logRetentionDays: number;
  /** The key of the function's log group: the stack's operations key (Observability.logsKeyArn). No default. */
  readonly logKeyArn: pulumi.Input<string>;
  /** The alerts topic; every alarm notifies it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/** Throws one Error naming every rule whose agent has no queue. */
export function checkAgentWorkflowArgs(name: string, args: Pick<AgentWorkflowArgs, "queues">): void {
  const missing = ROUTING_RULES.filter((r) => r.then.kind === "agent" && !args.queues[r.then.agent]).map(
    (r) =>
      `rule ${r.name} routes to the ${(r.then as { agent: AgentName }).agent} queue, which does not exist`,
  );
  if (missing.length > 0) throw new Error(`AgentWorkflow ${name}: ${missing.join("; ")}`);
}

/**
 * `agent-platform:index:AgentWorkflow`: the event-driven agent coordination. A custom EventBridge bus
 * with an archive; one rule per entry of the routing table; each rule's target an agent queue (input: the
 * step's task message) or the workflow function (input: the finish), every target with a retry policy and the
 * bus's dead-letter queue; the workflow function (invoked asynchronously, its failed events to the same
 * dead-letter queue); an alarm on that queue's depth.
 */
export class AgentWorkflow extends PlatformComponent {
  readonly busName: pulumi.Output<string>;
  readonly busArn: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: AgentWorkflowArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-platform:index:AgentWorkflow", name, "agent-workflow", opts);
    checkAgentWorkflowArgs(name, args);
    const ctx = awsContext(this);
    const bus = new aws.cloudwatch.EventBus(
      `${name}-bus`,
      { name: busName(), description: "Completion events of the agents' workflow steps" },
      { parent: this },
    );
    new aws.cloudwatch.EventArchive(
      `${name}-archive`,
      {
        name: stackScopedName("agents-archive"),
        description: "Every completion event, for replaying a workflow after an incident",
        eventSourceArn: bus.arn,
        eventPattern: JSON.stringify({ source: [EVENT_SOURCE] }),
        retentionDays: args.archiveDays,
      },
      { parent: this },
    );
    const dlq = this.deadLetterQueue(name, ctx, args.queueKmsKeyArn);

    const functionName = stackScopedName("workflow");
    const fn = createPlatformFunction(this, `${name}-fn`, {
      description: "Ends a modification when the routing table's finish rules say so",
      functionName,
      sizing: args.functionSizing ?? WORKFLOW_FUNCTION_SIZING,
      environment: {
        [WORKFLOW_ENV.tableName]: args.table.name,
        ...(args.statusPush
          ? {
              [WORKFLOW_ENV.connectionsTable]: args.statusPush.connectionsTableName,
              [WORKFLOW_ENV.websocketEndpoint]: args.statusPush.managementEndpoint,
            }
          : {}),
      },
      statements: workflowFunctionStatements(ctx, {
        tableArn: args.table.arn,
        dataKeyArn: args.dataKeyArn,
        deadLetterQueueArn: dlq.arn,
        queueKmsKeyArn: args.queueKmsKeyArn,
        statusPush: args.statusPush,
      }),
      logKeyArn: args.logKeyArn,
      logRetentionDays: args.logRetentionDays,
      bundle: functionBundles().then((b) => b.workflow),
      alarmTopicArn: args.alarmTopicArn,
      alarms: args.functionAlarms,
      deadLetterQueueArn: dlq.arn,
    });

    for (const rule of ROUTING_RULES) {
      const r = new aws.cloudwatch.EventRule(
        `${name}-${rule.name}`,
        {
          name: ruleName(rule),
          description: rule.description,
          eventBusName: bus.name,
          eventPattern: JSON.stringify(eventPattern(rule)),
        },
        { parent: this },
      );
      const t = rule.then;
      const target = t.kind === "agent" ? args.queues[t.agent].queue.arn : fn.function.arn;
      const ready: pulumi.Resource[] = [];
      if (t.kind === "finish")
        ready.push(
          new aws.lambda.Permission(
            `${name}-${rule.name}-invoke`,
            {
              action: "lambda:InvokeFunction",
              function: fn.function.name,
              principal: "events.amazonaws.com",
              sourceArn: r.arn,
            },
            { parent: this },
          ),
        );
      const transformer = inputTransformer(rule);
      new aws.cloudwatch.EventTarget(
        `${name}-${rule.name}-target`,
        {
          rule: r.name,
          eventBusName: bus.name,
          arn: target,
          inputTransformer: {
            inputPaths: { ...transformer.inputPaths },
            inputTemplate: transformer.inputTemplate,
          },
          retryPolicy: { ...TARGET_RETRY },
          deadLetterConfig: { arn: dlq.arn },
        },
        { parent: this, dependsOn: ready },
      );
    }

    this.alarms = [
      ...fn.alarms,
      dlqDepthAlarm(
        this,
        `${name}-dlq-depth`,
        dlq,
        "A workflow hand-off went nowhere: an event EventBridge could not deliver, or a finish the workflow function failed 3 times",
        args.alarmTopicArn,
      ),
    ];
    this.busName = bus.name;
    this.busArn = bus.arn;
    this.deadLetterQueueUrl = dlq.url;
    this.functionName = fn.function.name;
    this.registerOutputs({ busName: this.busName, busArn: this.busArn, functionName: this.functionName });
  }

  /**
   * One dead-letter queue for every target (events EventBridge could not deliver) and for the workflow
   * function (events it failed three times): both are "a step's hand-off that went nowhere".
   */
  private deadLetterQueue(
    name: string,
    ctx: AwsContext,
    keyArn: pulumi.Input<string> | undefined,
  ): aws.sqs.Queue {
    const dlq = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        messageRetentionSeconds: DLQ_RETENTION_SECONDS,
        ...(keyArn
          ? { kmsMasterKeyId: keyArn, kmsDataKeyReusePeriodSeconds: 300 }
          : { sqsManagedSseEnabled: true }),
      },
      { parent: this },
    );
    new aws.sqs.QueuePolicy(
      `${name}-dlq-policy`,
      {
        queueUrl: dlq.url,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            denyInsecureTransport(dlq.arn),
            {
              Sid: "EventBridgeRulesDeadLetter",
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: dlq.arn,
              Condition: { ArnEquals: { "aws:SourceArn": ROUTING_RULES.map((r) => ruleArn(ctx, r)) } },
            },
          ],
        }),
      },
      { parent: this },
    );
    return dlq;
  }
}

/**
 * The workflow function's role: the modification's item and the steps' records (GetItem, UpdateItem, Query),
 * the project log (Query, PutItem), the Data key through DynamoDB, the push, and its dead-letter queue.
 */
export function workflowFunctionStatements(
  ctx: AwsContext,
  r: {
    tableArn: pulumi.Input<string>;
    dataKeyArn: pulumi.Input<string>;
    deadLetterQueueArn: pulumi.Input<string>;
    queueKmsKeyArn?: pulumi.Input<string>;
    statusPush?: StatusPushRefs;
  },
): object[] {
  return [
    { Sid: "FinishModifications", Effect: "Allow", Action: TASK_TABLE_ACTIONS, Resource: r.tableArn },
    {
      Sid: "UseTheTableKeyThroughDynamoDB",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: r.dataKeyArn,
      Condition: { StringEquals: { "kms:ViaService": viaService(ctx, "dynamodb") } },
    },
    {
      Sid: "DeadLetterFailedFinishes",
      Effect: "Allow",
      Action: "sqs:SendMessage",
      Resource: r.deadLetterQueueArn,
    },
    ...(r.queueKmsKeyArn
      ? [
          {
            Sid: "EncryptForTheDeadLetterQueue",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: r.queueKmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": viaService(ctx, "sqs") } },
          },
        ]
      : []),
    ...(r.statusPush ? pushStatements(r.statusPush) : []),
  ];
}
