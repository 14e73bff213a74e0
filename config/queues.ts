import { ConfigReader } from "./reader";

/** SQS keeps a message invisible for at most 12 hours after a receive. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** Head room between the consumer's timeout and the queue's visibility timeout (seed 003: timeout + 60 s). */
export const VISIBILITY_MARGIN_SECONDS = 60;
/** The longest consumer timeout a queue can serve: the visibility timeout must cover it plus the margin. */
export const MAX_CONSUMER_TIMEOUT_SECONDS = MAX_VISIBILITY_TIMEOUT_SECONDS - VISIBILITY_MARGIN_SECONDS;

/**
 * The visibility timeout of a queue whose consumer may run `consumerTimeoutSeconds`. AWS rejects a Lambda
 * event source mapping when the queue's visibility timeout is shorter than the function's timeout, and a
 * message must not reappear while a consumer is still working on it, so the queue waits the consumer's
 * timeout plus a margin for the poller's own overhead.
 */
export function visibilityTimeoutFor(consumerTimeoutSeconds: number): number {
  if (
    !Number.isInteger(consumerTimeoutSeconds) ||
    consumerTimeoutSeconds < 1 ||
    consumerTimeoutSeconds > MAX_CONSUMER_TIMEOUT_SECONDS
  ) {
    throw new Error(
      `a queue consumer's timeout must be a whole number of seconds between 1 and ${MAX_CONSUMER_TIMEOUT_SECONDS} ` +
        `(the visibility timeout, timeout + ${VISIBILITY_MARGIN_SECONDS} s, is at most ${MAX_VISIBILITY_TIMEOUT_SECONDS} s); ` +
        `got ${consumerTimeoutSeconds}`,
    );
  }
  return consumerTimeoutSeconds + VISIBILITY_MARGIN_SECONDS;
}

/** Letters, digits, hyphens and underscores: what SQS allows in a (standard) queue name. */
export const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
/** SQS queue names are at most 80 characters. */
export const SQS_NAME_MAX_LENGTH = 80;
/** Pulumi auto-naming appends `-` and 7 random characters to the logical name. */
export const AUTONAME_SUFFIX_LENGTH = 8;
/** The longest short name config accepts; the component checks the full generated name. */
export const MAX_QUEUE_SHORT_NAME_LENGTH = 40;

/**
 * Why SQS would reject the name Pulumi generates for the logical name `logical` (`<logical>-<7 chars>`), or
 * undefined when it is valid.
 */
export function queueNameProblem(logical: string): string | undefined {
  if (!QUEUE_NAME_PATTERN.test(logical)) {
    return `${JSON.stringify(logical)} may contain only letters, digits, hyphens and underscores`;
  }
  const length = logical.length + AUTONAME_SUFFIX_LENGTH;
  if (length > SQS_NAME_MAX_LENGTH) {
    return (
      `${JSON.stringify(logical)} gives a generated queue name of ${length} characters ` +
      `(name + ${AUTONAME_SUFFIX_LENGTH}); SQS allows at most ${SQS_NAME_MAX_LENGTH}`
    );
  }
  return undefined;
}

/** One queue: its short name and how long its consumer may work on one message. */
export interface QueueSpec {
  readonly name: string;
  readonly consumerTimeoutSeconds: number;
}

/** SQS-managed SSE, a key the Queues component creates (with rotation), or an existing KMS key. */
export type QueueEncryptionConfig =
  | { readonly kind: "sqs" }
  | { readonly kind: "createKey" }
  | { readonly kind: "kms"; readonly keyArn: string };

export interface QueuesConfig {
  /** The agent queues (seed 003: pm, dev, qa, ops), each with its consumer's timeout. */
  readonly queues: readonly QueueSpec[];
  /** Receives before a message moves to its queue's dead-letter queue. */
  readonly maxReceiveCount: number;
  readonly encryption: QueueEncryptionConfig;
  /** An alarm on each agent queue's oldest message (a stalled consumer); the DLQ-depth alarms exist regardless. */
  readonly ageAlarms: boolean;
}

const KMS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+)$/;

export function readQueues(r: ConfigReader, region: string): QueuesConfig {
  const defaultTimeout = r.number(
    "queueConsumerTimeoutSeconds",
    { min: 1, max: MAX_CONSUMER_TIMEOUT_SECONDS },
    900,
  );
  const entries = r.stringList("queues", []);
  const queues: QueueSpec[] = [];
  entries.forEach((entry, i) => {
    const m = /^([^:]*)(?::(.*))?$/.exec(entry)!;
    const [, name, timeoutText] = m;
    if (!QUEUE_NAME_PATTERN.test(name) || name.length > MAX_QUEUE_SHORT_NAME_LENGTH) {
      r.report(
        `queues[${i}]`,
        entry,
        `must be a queue name of 1-${MAX_QUEUE_SHORT_NAME_LENGTH} letters, digits, hyphens or underscores, ` +
          "optionally followed by :<consumer timeout in seconds> (e.g. dev or dev:900)",
      );
      return;
    }
    let consumerTimeoutSeconds = defaultTimeout;
    if (timeoutText !== undefined) {
      const n = Number(timeoutText);
      if (!/^\d+$/.test(timeoutText) || n < 1 || n > MAX_CONSUMER_TIMEOUT_SECONDS) {
        r.report(
          `queues[${i}]`,
          entry,
          `the consumer timeout after ":" must be a whole number of seconds between 1 and ${MAX_CONSUMER_TIMEOUT_SECONDS}`,
        );
        return;
      }
      consumerTimeoutSeconds = n;
    }
    if (queues.some((q) => q.name === name)) {
      r.report(`queues[${i}]`, entry, `must not repeat the queue name ${name}`);
      return;
    }
    queues.push({ name, consumerTimeoutSeconds });
  });

  const kmsKey = r.string("queueKmsKey", "");
  let encryption: QueueEncryptionConfig = { kind: "sqs" };
  if (kmsKey === "create") {
    encryption = { kind: "createKey" };
  } else if (kmsKey !== "") {
    const m = KMS_ARN.exec(kmsKey);
    if (!m) {
      r.report(
        "queueKmsKey",
        kmsKey,
        'must be empty (SQS-managed encryption), "create" (a key owned by the stack) or a KMS key or alias ARN',
      );
    } else if (m[1] !== region) {
      r.report(
        "queueKmsKey",
        kmsKey,
        `must be a key in the stack's region (${region}); SQS uses keys of its own region`,
      );
    } else {
      encryption = { kind: "kms", keyArn: kmsKey };
    }
  }

  return {
    queues,
    maxReceiveCount: r.number("queueMaxReceiveCount", { min: 1, max: 1000 }, 3),
    encryption,
    ageAlarms: r.boolean("queueAgeAlarms", true),
  };
}
