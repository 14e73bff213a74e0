import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "../lib/problems";
import { awsContext, AwsContext } from "./shared/aws-context";
import { accountAdministersKey } from "./shared/kms-statements";
import { createQueuePair, QueuePair, QueueRefs } from "./shared/queue-pair";
import { QueuesSettings, queuesProblems } from "./queues-args";
import { PlatformComponent } from "./shared/tagging";

export interface QueuesArgs extends QueuesSettings {
  /** The alerts topic; alarms notify it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** An oldest-message alarm per queue (a stalled consumer). Default: true. */
  readonly ageAlarms?: boolean;
  /**
   * Who else may send to a queue (its name, its ARN): statements for its resource policy, such as the
   * EventBridge rules that route work to it (components/agents/workflow.ts `ruleDeliveryStatements`). With a
   * key this component creates, the key also lets EventBridge encrypt for this account's rules.
   */
  readonly senders?: (
    queue: string,
    queueArn: pulumi.Output<string>,
    ctx: AwsContext,
  ) => pulumi.Input<object>[];
}

/**
 * `agent-platform:index:Queues`: the named agent queues (pm, dev, qa, ops), each paired with its own
 * dead-letter queue, encrypted, TLS-only, with alarms on DLQ depth and on the age of the oldest message.
 */
export class Queues extends PlatformComponent {
  /** name -> { url, arn, dlqUrl, dlqArn } (the stack output). */
  readonly queues: Record<string, QueueRefs>;
  /** name -> the queue resources and their timeouts, for components that wire consumers. */
  readonly pairs: Record<string, QueuePair>;
  /** Every alarm, for the observability dashboard. */
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  /**
   * The KMS key encrypting the queues, when there is one: producers need kms:GenerateDataKey and consumers
   * kms:Decrypt on it.
   */
  readonly kmsKeyArn?: pulumi.Output<string>;

  constructor(name: string, args: QueuesArgs, opts?: pulumi.ComponentResourceOptions) {
    throwIfProblems("Queues", name, queuesProblems(args));
    super("agent-platform:index:Queues", name, "queues", opts);

    const encryption = args.encryption ?? { kind: "sqs" };
    const ctx = awsContext(this);
    let keyArn: pulumi.Input<string> | undefined;
    if (encryption.kind === "createKey") {
      keyArn = this.createKey(name, ctx, args.senders !== undefined).arn;
    } else if (encryption.kind === "kms") {
      keyArn = encryption.keyArn;
    }

    this.pairs = {};
    this.queues = {};
    this.alarms = [];
    for (const spec of args.queues) {
      const pair = createQueuePair(this, `${name}-${spec.name}`, {
        consumerTimeoutSeconds: spec.consumerTimeoutSeconds,
        maxReceiveCount: args.maxReceiveCount,
        kmsKeyArn: keyArn,
        alarmTopicArn: args.alarmTopicArn,
        ageAlarm: args.ageAlarms ?? true,
        ...(args.senders ? { extraPolicyStatements: (arn) => args.senders!(spec.name, arn, ctx) } : {}),
      });
      this.pairs[spec.name] = pair;
      this.queues[spec.name] = pair.refs;
      this.alarms.push(...pair.alarms);
    }
    this.kmsKeyArn = keyArn === undefined ? undefined : pulumi.output(keyArn);
    this.registerOutputs({ queues: this.queues, kmsKeyArn: this.kmsKeyArn });
  }

  /**
   * A customer managed key with yearly rotation. The account administers it through IAM; S3 may use it to
   * send event notifications to the queues (the Pipeline's buckets), and, with `senders`, EventBridge to
   * deliver its rules' events, each for this account's resources only.
   */
  private createKey(name: string, ctx: AwsContext, events: boolean): aws.kms.Key {
    const service = (sid: string, principal: string) => ({
      Sid: sid,
      Effect: "Allow",
      Principal: { Service: principal },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
    });
    return new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the ${name} queues and their dead-letter queues`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            accountAdministersKey("AccountAdministers", ctx.partition, ctx.accountId),
            service("S3SendsNotifications", "s3.amazonaws.com"),
            ...(events ? [service("EventBridgeDeliversEvents", "events.amazonaws.com")] : []),
          ],
        }),
      },
      { parent: this },
    );
  }
}
