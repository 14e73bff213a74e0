import * as assert from "assert";
import { configIssues, K, loadStack } from "../helpers/config";

const load = loadStack;
/** The problems loading dev with `changes` reports, as `key = value: allowed`. */
const issuesWith = (changes: Record<string, string | undefined>) => configIssues("dev", changes);

describe("queues config", () => {
  it("defaults to seed 003's agent queues with their consumers' timeouts, 3 receives, SQS-managed keys", () => {
    assert.deepStrictEqual(load("dev").queues, {
      queues: [
        { name: "pm", consumerTimeoutSeconds: 300 },
        { name: "dev", consumerTimeoutSeconds: 900 },
        { name: "qa", consumerTimeoutSeconds: 600 },
        { name: "ops", consumerTimeoutSeconds: 300 },
      ],
      maxReceiveCount: 3,
      encryption: { kind: "sqs" },
      // dev keeps the DLQ alarms and drops the age alarms (Pulumi.dev.yaml: the budget).
      ageAlarms: false,
    });
    assert.deepStrictEqual(
      ["staging", "prod"].map((s) => load(s).queues.ageAlarms),
      [true, true],
    );
    assert.deepStrictEqual(load("staging").queues.encryption, { kind: "sqs" });
    assert.deepStrictEqual(load("prod").queues.encryption, { kind: "createKey" });
  });

  it("gives queues listed without a timeout the default consumer timeout", () => {
    const c = load("dev", {
      [K("queues")]: '["a","b:60"]',
      [K("queueConsumerTimeoutSeconds")]: "120",
      [K("agentWorkersEnabled")]: "false",
    });
    assert.deepStrictEqual(c.queues.queues, [
      { name: "a", consumerTimeoutSeconds: 120 },
      { name: "b", consumerTimeoutSeconds: 60 },
    ]);
  });

  it("rejects names SQS would reject, bad timeouts and repeats", () => {
    assert.deepStrictEqual(
      issuesWith({
        [K("queues")]: JSON.stringify(["ok", "has.dot", "x".repeat(41), "t:0", "u:43141", "v:1.5", "ok:60"]),
        [K("agentWorkersEnabled")]: "false",
      }),
      [
        ...["has.dot", "x".repeat(41)].map(
          (v, i) =>
            `agent-platform:queues[${i + 1}] = ${JSON.stringify(v)}: must be a queue name of 1-40 letters, digits, ` +
            "hyphens or underscores, optionally followed by :<consumer timeout in seconds> (e.g. dev or dev:900)",
        ),
        'agent-platform:queues[5] = "v:1.5": the consumer timeout after ":" must be a whole number of seconds',
        ...["t:0", "u:43141"].map(
          (v, i) =>
            `agent-platform:queues[${i + 3}] = ${JSON.stringify(v)}: the consumer timeout must be a whole number ` +
            "of seconds between 1 and 43140 (the visibility timeout, timeout + 60 s, is at most 43200 s)",
        ),
        'agent-platform:queues[6] = "ok:60": must not repeat the queue name ok',
      ],
    );
  });

  it("accepts an existing key or alias of the stack's region and rejects anything else", () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    assert.deepStrictEqual(load("dev", { [K("queueKmsKey")]: key }).queues.encryption, {
      kind: "kms",
      keyArn: key,
    });
    const alias = "arn:aws:kms:us-east-1:123456789012:alias/agents";
    assert.deepStrictEqual(load("dev", { [K("queueKmsKey")]: alias }).queues.encryption, {
      kind: "kms",
      keyArn: alias,
    });
    assert.deepStrictEqual(issuesWith({ [K("queueKmsKey")]: "aws/sqs" }), [
      'agent-platform:queueKmsKey = "aws/sqs": must be empty (SQS-managed encryption), "create" (a key owned by the ' +
        "stack) or a KMS key or alias ARN",
    ]);
    assert.deepStrictEqual(issuesWith({ [K("queueKmsKey")]: key.replace("us-east-1", "eu-west-1") }), [
      `agent-platform:queueKmsKey = ${JSON.stringify(key.replace("us-east-1", "eu-west-1"))}: must be a key in the ` +
        "stack's region (us-east-1); SQS uses keys of its own region",
    ]);
  });

  it("bounds the receive count and the default consumer timeout", () => {
    assert.deepStrictEqual(
      issuesWith({ [K("queueMaxReceiveCount")]: "0", [K("queueConsumerTimeoutSeconds")]: "50000" }),
      [
        "agent-platform:queueConsumerTimeoutSeconds = 50000: must be between 1 and 43140",
        "agent-platform:queueMaxReceiveCount = 0: must be between 1 and 1000",
      ],
    );
  });
});
