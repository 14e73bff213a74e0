import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PipelineFunctionSettings } from "./args";
import { METRICS } from "../../contracts/metrics";
import type { FunctionBundle } from "../../lib/build-functions";
import { alarmActions, createPlatformFunction, createQueueEventSource } from "../lambda/function";
import type { QueuePair } from "../shared/queue-pair";

export interface PipelineFunctionArgs {
  readonly description: string;
  /** Physical name: the log group's name and the key policy depend on it before the function exists. */
  readonly functionName: string;
  readonly settings: PipelineFunctionSettings;
  readonly batchWindowSeconds: number;
  readonly queue: QueuePair;
  readonly environment: Record<string, pulumi.Input<string>>;
  /** The role's statements (createPlatformFunction adds the log group's and X-Ray's). */
  readonly statements: pulumi.Input<object>[];
  readonly keyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  readonly bundle: Promise<FunctionBundle>;
  /** CloudWatch namespace and `service` dimension of the function's own (EMF) metrics. */
  readonly metrics: { readonly namespace: string; readonly service: string };
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** What must exist before messages flow (e.g. the secret's value). */
  readonly readyBefore?: pulumi.Resource[];
}

export interface PipelineFunction {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly eventSource: aws.lambda.EventSourceMapping;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
}

/** The saved query of a pipeline function's dead-lettered records (its queue's DLQ alarm names it). */
export function deadLetterQueryName(functionName: string): string {
  return `${functionName}/dead-lettered records`;
}

/**
 * One pipeline function (components/lambda/function.ts: log group, role with exactly its statements, function,
 * standard alarms), its SQS event source with partial batch responses, and an alarm on the failures it counts.
 *
 * The functions run outside any VPC, in every stack: they call S3, SQS, Bedrock, Secrets Manager and Upstash
 * (on the internet) and reach nothing private, and dev's VPC has no NAT gateway to the internet.
 */
export function createPipelineFunction(
  parent: pulumi.Resource,
  name: string,
  args: PipelineFunctionArgs,
): PipelineFunction {
  const fn = createPlatformFunction(parent, name, {
    description: args.description,
    functionName: args.functionName,
    sizing: args.settings,
    environment: args.environment,
    statements: args.statements,
    logKeyArn: args.keyArn,
    logRetentionDays: args.logRetentionDays,
    bundle: args.bundle,
    alarmTopicArn: args.alarmTopicArn,
  });
  const eventSource = createQueueEventSource(parent, name, fn, args.queue, {
    batchSize: args.settings.batchSize,
    batchWindowSeconds: args.batchWindowSeconds,
    maxConcurrency: args.settings.maxConcurrency,
    readyBefore: args.readyBefore,
  });
  // The line functions/shared/sqs-batch.ts logs on a record's last receive leads with the object and the reason.
  new aws.cloudwatch.QueryDefinition(
    `${name}-dead-letters`,
    {
      name: deadLetterQueryName(args.functionName),
      logGroupNames: [fn.logGroup.name],
      queryString: [
        "fields @timestamp, object, model, reason, error.message, messageId, receiveCount",
        'filter level = "ERROR" and message like /on its last receive/',
        "sort @timestamp desc",
        "limit 100",
      ].join("\n| "),
    },
    { parent },
  );
  return {
    function: fn.function,
    role: fn.role,
    logGroup: fn.logGroup,
    eventSource,
    alarms: [...fn.alarms, failuresAlarm(parent, name, args)],
  };
}

/**
 * Rejected records (bad input) are the clients' to fix and the DLQ alarm reports them; failures for any other
 * reason, for 15 minutes, mean a dependency (S3, Bedrock, Upstash) is failing.
 */
function failuresAlarm(parent: pulumi.Resource, name: string, args: PipelineFunctionArgs) {
  const ownMetric = (id: string, metricName: string) => ({
    id,
    metric: {
      namespace: args.metrics.namespace,
      metricName,
      dimensions: { service: args.metrics.service },
      period: 300,
      stat: "Sum",
    },
    returnData: false,
  });
  return new aws.cloudwatch.MetricAlarm(
    `${name}-failures`,
    {
      alarmDescription: `${args.functionName} failed records for reasons other than bad input for 15 minutes`,
      metricQueries: [
        ownMetric("failures", METRICS.failures),
        ownMetric("rejected", METRICS.rejected),
        {
          id: "retryable",
          expression: "FILL(failures, 0) - FILL(rejected, 0)",
          label: "Failed records (not rejected)",
          returnData: true,
        },
      ],
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      ...alarmActions(args.alarmTopicArn),
    },
    { parent },
  );
}
