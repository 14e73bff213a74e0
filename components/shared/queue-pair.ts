import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { numberProblem } from "../../lib/problems";
import { denyInsecureTransport as denyWithoutTls } from "./policy-statements";
import {
  consumerTimeoutProblem,
  MAX_RECEIVE_COUNT,
  queueNameProblem,
  visibilityTimeoutFor,
} from "../queues-args";

/** Four days: long enough to survive a weekend outage of the consumer. */
export const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
/** Fourteen days, the SQS maximum: a DLQ must keep messages longer than its source queue. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

export interface QueuePairArgs {
  /** How long the consumer may work on one message; the visibility timeout is this + 60 s. */
  readonly consumerTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue (1-1000). Default: 3. */
  readonly maxReceiveCount?: number;
  /** KMS key (ARN) for server-side encryption. Default: SQS-managed encryption (SSE-SQS). */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** Retention of the queue, in seconds. Default: 4 days. */
  readonly retentionSeconds?: number;
  /** Retention of the dead-letter queue, in seconds; at least the queue's. Default: 14 days. */
  readonly dlqRetentionSeconds?: number;
  /** SNS topic the alarms notify on ALARM and OK. Default: none (the alarms only change state). */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /**
   * Alarm when the oldest message is older than this many seconds. Default: visibility timeout x
   * maxReceiveCount, the longest a message can legitimately be in flight before moving to the DLQ, so an
   * older one means the consumer is not keeping up or not running.
   */
  readonly oldestMessageAgeAlarmSeconds?: number;
  /** The oldest-message alarm at all. Default: true (the DLQ-depth alarm is always created). */
  readonly ageAlarm?: boolean;
  /**
   * Extra statements for the queue's resource policy, given the queue's ARN (a queue has one policy, so a
   * caller that lets a service send, such as S3 event notifications, adds its statement here).
   */
  readonly extraPolicyStatements?: (queueArn: pulumi.Output<string>) => pulumi.Input<object>[];
  /**
   * The CloudWatch Logs Insights saved query that lists why the consumer dead-lettered its records, named in the
   * DLQ alarm's description (the first thing an operator reads). Default: none.
   */
  readonly deadLetterQuery?: string;
}

/** What other components use: endpoints and ARNs of both queues. */
export interface QueueRefs {
  readonly url: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly dlqUrl: pulumi.Output<string>;
  readonly dlqArn: pulumi.Output<string>;
}

export interface QueuePair {
  readonly queue: aws.sqs.Queue;
  readonly dlq: aws.sqs.Queue;
  readonly consumerTimeoutSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly refs: QueueRefs;
  /** DLQ depth and oldest-message age. */
  readonly alarms: aws.cloudwatch.MetricAlarm[];
}

/** Throws an Error naming `name` and every bad argument. */
export function checkQueuePairArgs(name: string, args: QueuePairArgs): void {
  const problems: string[] = [];
  for (const logical of [name, `${name}-dlq`]) {
    const problem = queueNameProblem(logical);
    if (problem) problems.push(problem);
  }
  const timeout = consumerTimeoutProblem(args.consumerTimeoutSeconds);
  if (timeout) problems.push(`consumerTimeoutSeconds ${args.consumerTimeoutSeconds} ${timeout}`);
  const receives = args.maxReceiveCount ?? 3;
  const receivesProblem = numberProblem(receives, MAX_RECEIVE_COUNT);
  if (receivesProblem) problems.push(`maxReceiveCount ${receives} ${receivesProblem}`);
  const retention = args.retentionSeconds ?? QUEUE_RETENTION_SECONDS;
  const dlqRetention = args.dlqRetentionSeconds ?? DLQ_RETENTION_SECONDS;
  for (const [key, value] of [
    ["retentionSeconds", retention],
    ["dlqRetentionSeconds", dlqRetention],
  ] as const) {
    if (!Number.isInteger(value) || value < 60 || value > DLQ_RETENTION_SECONDS) {
      problems.push(`${key} ${value} must be between 60 and ${DLQ_RETENTION_SECONDS} seconds`);
    }
  }
  // A message's age counts from its first enqueue, so a DLQ with a shorter retention drops it early.
  if (dlqRetention < retention) {
    problems.push(
      `dlqRetentionSeconds ${dlqRetention} must not be shorter than retentionSeconds ${retention}`,
    );
  }
  if (problems.length > 0) throw new Error(`queue ${name}: ${problems.join("; ")}`);
}

/** Denies every request to the queue that does not use TLS. */
export function denyInsecureTransport(queueArn: pulumi.Input<string>) {
  return denyWithoutTls("sqs:*", queueArn);
}

/**
 * A queue and its dead-letter queue, the building block of the Queues and Pipeline components: both
 * encrypted, TLS-only, the DLQ accepting redrives from this queue only, and alarms on DLQ depth and on the
 * age of the oldest message. Children are created under `parent` with names derived from `name`
 * (`<name>`, `<name>-dlq`, `<name>-policy`, ...); the queues' physical names are Pulumi's auto-names.
 */
export function createQueuePair(parent: pulumi.Resource, name: string, args: QueuePairArgs): QueuePair {
  checkQueuePairArgs(name, args);
  const maxReceiveCount = args.maxReceiveCount ?? 3;
  const visibilityTimeoutSeconds = visibilityTimeoutFor(args.consumerTimeoutSeconds);
  const encryption = args.kmsKeyArn
    ? // Data keys are reused for 5 minutes (the default), which keeps KMS requests and cost low.
      { kmsMasterKeyId: args.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300 }
    : { sqsManagedSseEnabled: true };
  const opts = { parent };

  const dlq = new aws.sqs.Queue(
    `${name}-dlq`,
    { messageRetentionSeconds: args.dlqRetentionSeconds ?? DLQ_RETENTION_SECONDS, ...encryption },
    opts,
  );
  const queue = new aws.sqs.Queue(
    name,
    {
      visibilityTimeoutSeconds,
      messageRetentionSeconds: args.retentionSeconds ?? QUEUE_RETENTION_SECONDS,
      // Long polling for consumers other than Lambda (whose poller long-polls anyway).
      receiveWaitTimeSeconds: 20,
      redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
      ...encryption,
    },
    opts,
  );
  // A separate resource: inline on the DLQ it would name the queue, which already names the DLQ (a cycle).
  new aws.sqs.RedriveAllowPolicy(
    `${name}-dlq-redrive-allow`,
    {
      queueUrl: dlq.url,
      redriveAllowPolicy: pulumi.jsonStringify({
        redrivePermission: "byQueue",
        sourceQueueArns: [queue.arn],
      }),
    },
    opts,
  );
  new aws.sqs.QueuePolicy(
    `${name}-policy`,
    {
      queueUrl: queue.url,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [denyInsecureTransport(queue.arn), ...(args.extraPolicyStatements?.(queue.arn) ?? [])],
      }),
    },
    opts,
  );
  new aws.sqs.QueuePolicy(
    `${name}-dlq-policy`,
    {
      queueUrl: dlq.url,
      policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(dlq.arn)] }),
    },
    opts,
  );

  const actions = args.alarmTopicArn
    ? { alarmActions: [args.alarmTopicArn], okActions: [args.alarmTopicArn] }
    : {};
  const ageThreshold = args.oldestMessageAgeAlarmSeconds ?? visibilityTimeoutSeconds * maxReceiveCount;
  const alarms = [
    dlqDepthAlarm(
      parent,
      `${name}-dlq-depth`,
      dlq,
      `Messages in the dead-letter queue of ${name}: a consumer failed them ${maxReceiveCount} times` +
        (args.deadLetterQuery ? `. Why: CloudWatch Logs Insights saved query "${args.deadLetterQuery}"` : ""),
      args.alarmTopicArn,
    ),
    ...(args.ageAlarm === false
      ? []
      : [
          new aws.cloudwatch.MetricAlarm(
            `${name}-oldest-message`,
            {
              alarmDescription: `The oldest message in ${name} waited more than ${ageThreshold} s: its consumer is behind or stopped`,
              namespace: "AWS/SQS",
              metricName: "ApproximateAgeOfOldestMessage",
              dimensions: { QueueName: queue.name },
              statistic: "Maximum",
              period: 300,
              evaluationPeriods: 1,
              threshold: ageThreshold,
              comparisonOperator: "GreaterThanThreshold",
              treatMissingData: "notBreaching",
              ...actions,
            },
            opts,
          ),
        ]),
  ];

  return {
    queue,
    dlq,
    consumerTimeoutSeconds: args.consumerTimeoutSeconds,
    visibilityTimeoutSeconds,
    refs: { url: queue.url, arn: queue.arn, dlqUrl: dlq.url, dlqArn: dlq.arn },
    alarms,
  };
}

/** Any message in a dead-letter queue, within a minute: something failed for good and waits for a person. */
export function dlqDepthAlarm(
  parent: pulumi.Resource,
  name: string,
  dlq: aws.sqs.Queue,
  description: string,
  alarmTopicArn: pulumi.Input<string> | undefined,
): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: description,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: dlq.name },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      // SQS stops sending metrics for a queue idle for six hours; an empty DLQ is healthy.
      treatMissingData: "notBreaching",
      ...(alarmTopicArn ? { alarmActions: [alarmTopicArn], okActions: [alarmTopicArn] } : {}),
    },
    { parent },
  );
}
