import {
  MAX_CONSUMER_TIMEOUT_SECONDS,
  QueueEncryption,
  QueueSpec,
  QueuesField,
  QueuesSettings,
  queuesProblems,
} from "../components/queues-args";
import type { KeyNames } from "../lib/problems";
import { ConfigReader } from "./reader";

/** The agent queues (components/queues-args.ts), as the `queues` keys set them; every field is set. */
export interface QueuesConfig extends QueuesSettings {
  readonly maxReceiveCount: number;
  readonly encryption:
    Exclude<QueueEncryption, { kind: "kms" }> | { readonly kind: "kms"; readonly keyArn: string };
  readonly ageAlarms: boolean;
}

/** The longest short name config accepts; the component checks the full generated name. */
export const MAX_QUEUE_SHORT_NAME_LENGTH = 40;

const KEYS: KeyNames<QueuesField> = { queues: "queues", maxReceiveCount: "queueMaxReceiveCount" };
const KMS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+)$/;

/**
 * The `queues` entries, `name` or `name:<consumer timeout>`: names of at most 40 characters (the component
 * prefixes them), each without a timeout taking queueConsumerTimeoutSeconds.
 */
function readQueueSpecs(r: ConfigReader): { specs: QueueSpec[]; entryIndex: number[] } {
  const defaultTimeout = r.number("queueConsumerTimeoutSeconds", {
    min: 1,
    max: MAX_CONSUMER_TIMEOUT_SECONDS,
  });
  const specs: QueueSpec[] = [];
  const entryIndex: number[] = [];
  r.stringList("queues").forEach((entry, i) => {
    const m = /^([A-Za-z0-9_-]{1,40})(?::(.*))?$/.exec(entry);
    if (m && m[2] !== undefined && !/^\d+$/.test(m[2])) {
      r.report(`queues[${i}]`, entry, 'the consumer timeout after ":" must be a whole number of seconds');
      return;
    }
    if (!m) {
      r.report(
        `queues[${i}]`,
        entry,
        `must be a queue name of 1-${MAX_QUEUE_SHORT_NAME_LENGTH} letters, digits, hyphens or underscores, ` +
          "optionally followed by :<consumer timeout in seconds> (e.g. dev or dev:900)",
      );
      return;
    }
    specs.push({ name: m[1], consumerTimeoutSeconds: m[2] === undefined ? defaultTimeout : Number(m[2]) });
    entryIndex.push(i);
  });
  return { specs, entryIndex };
}

export function readQueues(r: ConfigReader, region: string): QueuesConfig {
  const { specs: queues, entryIndex } = readQueueSpecs(r);
  const kmsKey = r.string("queueKmsKey");
  let encryption: QueuesConfig["encryption"] = { kind: "sqs" };
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
  const config: QueuesConfig = {
    queues,
    maxReceiveCount: r.number("queueMaxReceiveCount"),
    encryption,
    ageAlarms: r.boolean("queueAgeAlarms"),
  };
  // The component names a queue by its index among the specs; the stack file's list may hold malformed
  // entries before it, so the key is the entry's own index.
  for (const p of queuesProblems(config, KEYS)) {
    const spec = /^queues\[(\d+)\]$/.exec(p.key);
    r.report(spec ? `queues[${entryIndex[Number(spec[1])]}]` : p.key, p.value, p.allowed);
  }
  return config;
}
