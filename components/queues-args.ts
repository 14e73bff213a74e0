import type * as pulumi from "@pulumi/pulumi";
import { KeyNames, NumberRule, numberProblem, Problems, selfNamed } from "../lib/problems";

/*
 * What the Queues component (and every queue pair) is given, and the rules of it: what SQS would reject, and
 * the visibility timeout each consumer's timeout needs. config/ reads the `queues` keys into these settings and
 * reports each problem under its config key; the constructors check the same rules.
 */

/** SQS keeps a message invisible for at most 12 hours after a receive. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** Head room between the consumer's timeout and the queue's visibility timeout (timeout + 60 s). */
export const VISIBILITY_MARGIN_SECONDS = 60;
/** The longest consumer timeout a queue can serve: the visibility timeout must cover it plus the margin. */
export const MAX_CONSUMER_TIMEOUT_SECONDS = MAX_VISIBILITY_TIMEOUT_SECONDS - VISIBILITY_MARGIN_SECONDS;
/** Receives before a message moves to its dead-letter queue: what a redrive policy accepts. */
export const MAX_RECEIVE_COUNT: NumberRule = { min: 1, max: 1000 };
const CONSUMER_TIMEOUT: NumberRule = { min: 1, max: MAX_CONSUMER_TIMEOUT_SECONDS };

/** Why a consumer timeout cannot be served by a queue, or undefined. */
export function consumerTimeoutProblem(seconds: number): string | undefined {
  return numberProblem(seconds, CONSUMER_TIMEOUT) === undefined
    ? undefined
    : `must be a whole number of seconds between 1 and ${MAX_CONSUMER_TIMEOUT_SECONDS} (the visibility timeout, ` +
        `timeout + ${VISIBILITY_MARGIN_SECONDS} s, is at most ${MAX_VISIBILITY_TIMEOUT_SECONDS} s)`;
}

/**
 * The visibility timeout of a queue whose consumer may run `consumerTimeoutSeconds`. AWS rejects a Lambda
 * event source mapping when the queue's visibility timeout is shorter than the function's timeout, and a
 * message must not reappear while a consumer is still working on it, so the queue waits the consumer's
 * timeout plus a margin for the poller's own overhead.
 */
export function visibilityTimeoutFor(consumerTimeoutSeconds: number): number {
  const problem = consumerTimeoutProblem(consumerTimeoutSeconds);
  if (problem) throw new Error(`a queue consumer's timeout ${problem}; got ${consumerTimeoutSeconds}`);
  return consumerTimeoutSeconds + VISIBILITY_MARGIN_SECONDS;
}

/** Letters, digits, hyphens and underscores: what SQS allows in a (standard) queue name. */
export const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
/** SQS queue names are at most 80 characters. */
export const SQS_NAME_MAX_LENGTH = 80;
/** Pulumi auto-naming appends `-` and 7 random characters to the logical name. */
export const AUTONAME_SUFFIX_LENGTH = 8;

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
  /** Letters, digits, hyphens and underscores; unique among the queues. */
  readonly name: string;
  /** 1 s to 12 hours less the 60 s margin; the visibility timeout is this + 60 s. */
  readonly consumerTimeoutSeconds: number;
}

/** SQS-managed keys, a key the Queues component creates (with rotation), or an existing KMS key. */
export type QueueEncryption =
  | { readonly kind: "sqs" }
  | { readonly kind: "createKey" }
  | { readonly kind: "kms"; readonly keyArn: pulumi.Input<string> };

/** The agent queues' settings (what config reads); the component adds its wiring. */
export interface QueuesSettings {
  /** The queues by short name (pm, dev, qa, ops), each with its consumer's timeout. No default. */
  readonly queues: readonly QueueSpec[];
  /** Receives before a message moves to its dead-letter queue (1-1000). Default: 3. */
  readonly maxReceiveCount?: number;
  /** Server-side encryption of every queue. Default: SQS-managed keys. */
  readonly encryption?: QueueEncryption;
  /** An oldest-message alarm per queue (a stalled consumer); the DLQ-depth alarms exist regardless. Default: true. */
  readonly ageAlarms?: boolean;
}

export type QueuesField = "queues" | "maxReceiveCount";

export const QUEUES_FIELDS: KeyNames<QueuesField> = selfNamed(["queues", "maxReceiveCount"] as const);

/** Every rule the queues' settings break, each named by `keys` (a queue by its index in `queues`). */
export function queuesProblems(s: QueuesSettings, keys: KeyNames<QueuesField> = QUEUES_FIELDS) {
  const p = new Problems(keys);
  s.queues.forEach((q, i) => {
    const spec = `${q.name}:${q.consumerTimeoutSeconds}`;
    if (!QUEUE_NAME_PATTERN.test(q.name))
      p.add("queues", spec, "the name may contain only letters, digits, hyphens and underscores", i);
    const timeout = consumerTimeoutProblem(q.consumerTimeoutSeconds);
    if (timeout) p.add("queues", spec, `the consumer timeout ${timeout}`, i);
    if (s.queues.findIndex((other) => other.name === q.name) !== i)
      p.add("queues", spec, `must not repeat the queue name ${q.name}`, i);
  });
  if (s.maxReceiveCount !== undefined) p.number("maxReceiveCount", s.maxReceiveCount, MAX_RECEIVE_COUNT);
  return p.list;
}
