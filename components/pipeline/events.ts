import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PipelineSettings } from "./args";
import type { AwsContext } from "../shared/aws-context";
import { createQueuePair, QueuePair, QueuePairArgs } from "../shared/queue-pair";

/*
 * How objects become work: S3 ObjectCreated notifications to SQS (raw -> process queue, processed -> vectorize
 * queue), each queue with its dead-letter queue and alarms (components/shared/queue-pair.ts).
 */

/**
 * A queue pair as a component of its own, so that a bucket notification can wait for the queue's policy
 * (`dependsOn` a component waits for all its children; createQueuePair does not hand out the policy).
 */
export class PipelineQueue extends pulumi.ComponentResource {
  readonly pair: QueuePair;
  constructor(name: string, pairName: string, args: QueuePairArgs, opts: pulumi.ComponentResourceOptions) {
    super("agent-platform:index:PipelineQueue", name, {}, opts);
    this.pair = createQueuePair(this, pairName, args);
    this.registerOutputs({ refs: this.pair.refs });
  }
}

export interface EventArgs {
  readonly ctx: AwsContext;
  readonly settings: PipelineSettings;
  readonly raw: aws.s3.Bucket;
  readonly processed: aws.s3.Bucket;
  readonly keyArn: pulumi.Input<string>;
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** Per function, the saved query of its dead-lettered records (named in its DLQ alarm). */
  readonly deadLetterQueries: { readonly process: string; readonly vectorize: string };
}

/** Admits S3 as sender for this one bucket of this account (S3 sends as the service, on the bucket's behalf). */
function bucketSends(ctx: AwsContext, bucket: aws.s3.Bucket) {
  return (queueArn: pulumi.Output<string>) => [
    {
      Sid: "BucketSendsObjectCreatedEvents",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: queueArn,
      Condition: {
        ArnEquals: { "aws:SourceArn": bucket.arn },
        StringEquals: { "aws:SourceAccount": ctx.accountId },
      },
    },
  ];
}

/**
 * The two queues, each consumed by its function (visibility timeout = the function's timeout + 60 s), and the
 * bucket notifications that feed them. Queues are encrypted with the pipeline's key, whose policy lets S3 use
 * it for these buckets.
 */
export function createPipelineEvents(
  parent: pulumi.Resource,
  name: string,
  args: EventArgs,
): { process: QueuePair; vectorize: QueuePair } {
  const s = args.settings;
  const queue = (fn: "process" | "vectorize", sender: aws.s3.Bucket) =>
    new PipelineQueue(
      `${name}-${fn}-queue`,
      `${name}-${fn}`,
      {
        consumerTimeoutSeconds: s[fn].timeoutSeconds,
        maxReceiveCount: s.maxReceiveCount,
        kmsKeyArn: args.keyArn,
        alarmTopicArn: args.alarmTopicArn,
        extraPolicyStatements: bucketSends(args.ctx, sender),
        deadLetterQuery: args.deadLetterQueries[fn],
      },
      { parent },
    );
  const process = queue("process", args.raw);
  const vectorize = queue("vectorize", args.processed);
  // S3 checks that it may send to a queue when the notification is configured: the queue policy comes first.
  new aws.s3.BucketNotification(
    `${name}-raw-notifications`,
    {
      bucket: args.raw.id,
      queues: [
        {
          id: "uploads-to-process",
          queueArn: process.pair.queue.arn,
          events: ["s3:ObjectCreated:*"],
          filterPrefix: s.uploadPrefix,
        },
      ],
    },
    { parent, dependsOn: [process] },
  );
  new aws.s3.BucketNotification(
    `${name}-processed-notifications`,
    {
      bucket: args.processed.id,
      queues: [
        {
          id: "documents-to-vectorize",
          queueArn: vectorize.pair.queue.arn,
          events: ["s3:ObjectCreated:*"],
          filterPrefix: s.processedPrefix,
          filterSuffix: ".jsonl",
        },
      ],
    },
    { parent, dependsOn: [vectorize] },
  );
  return { process: process.pair, vectorize: vectorize.pair };
}
