import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { checkQueuePairArgs, createQueuePair } from "../../components/shared/queue-pair";
import { Queues } from "../../components/queues";
import { PlatformComponent } from "../../components/shared/tagging";
import { queueNameProblem, visibilityTimeoutFor } from "../../components/queues-args";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { K, stackInput } from "../helpers/config";
import { evaluate, named, ofType, policyDocument } from "../helpers/offline";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts-topic-0123456";

/** Evaluates the Queues component as index.ts builds it for `stack`. */
async function queuesOf(stack: string, overrides: Record<string, string> = {}) {
  const { values, secretKeys, config } = stackInput(stack, overrides);
  let queues: Queues | undefined;
  const { resources } = await evaluate(
    () => {
      queues = new Queues("agents", { ...config.queues, alarmTopicArn: TOPIC });
    },
    { stack, config: values, secretKeys, region: config.region },
  );
  return { resources, queues: queues! };
}

const arnOf = (r: RegisteredResource) => r.outputs.arn as string;
const urlOf = (r: RegisteredResource) => r.outputs.url as string;

describe("Queues", () => {
  describe("pure rules", () => {
    it("derives the visibility timeout from the consumer's timeout (timeout + 60 s, at most 12 h)", () => {
      assert.deepStrictEqual([300, 600, 900, 43140].map(visibilityTimeoutFor), [360, 660, 960, 43200]);
      for (const bad of [0, 43141, 1.5]) {
        assert.throws(() => visibilityTimeoutFor(bad), {
          message:
            "a queue consumer's timeout must be a whole number of seconds between 1 and 43140 (the visibility " +
            `timeout, timeout + 60 s, is at most 43200 s); got ${bad}`,
        });
      }
    });

    it("knows which logical names give queue names SQS accepts", () => {
      assert.strictEqual(queueNameProblem("agents-pm-dlq"), undefined);
      assert.strictEqual(queueNameProblem("a".repeat(72)), undefined);
      assert.strictEqual(
        queueNameProblem("a".repeat(73)),
        `"${"a".repeat(73)}" gives a generated queue name of 81 characters (name + 8); SQS allows at most 80`,
      );
      assert.strictEqual(
        queueNameProblem("agents-pm.fifo"),
        '"agents-pm.fifo" may contain only letters, digits, hyphens and underscores',
      );
    });

    it("rejects a queue pair AWS would reject, naming every problem", () => {
      assert.throws(
        () =>
          checkQueuePairArgs("agents-q a", {
            consumerTimeoutSeconds: 50000,
            maxReceiveCount: 0,
            retentionSeconds: 1209600,
            dlqRetentionSeconds: 86400,
          }),
        {
          message:
            'queue agents-q a: "agents-q a" may contain only letters, digits, hyphens and underscores; ' +
            '"agents-q a-dlq" may contain only letters, digits, hyphens and underscores; consumerTimeoutSeconds ' +
            "50000 must be a whole number of seconds between 1 and 43140 (the visibility timeout, timeout + 60 s, " +
            "is at most 43200 s); maxReceiveCount 0 must be between 1 and 1000; dlqRetentionSeconds 86400 must " +
            "not be shorter than retentionSeconds 1209600",
        },
      );
    });
  });

  describe("per stack, from the real stack files", () => {
    const SEED_TIMEOUTS = { pm: 360, dev: 960, qa: 660, ops: 360 };

    for (const stack of ["dev", "staging", "prod"]) {
      describe(stack, () => {
        // staging and prod run the dev agent on Fargate, with a 3,600 s consumer timeout (Pulumi.<stack>.yaml).
        const timeouts = stack === "dev" ? SEED_TIMEOUTS : { ...SEED_TIMEOUTS, dev: 3660 };
        let resources: RegisteredResource[];
        let queues: Queues;
        before(async () => ({ resources, queues } = await queuesOf(stack)));
        const kms = stack === "prod";

        it("creates a queue and a DLQ per configured name, with the seed's timeouts and retention", () => {
          // Registration order depends on when inputs resolve; the set is what matters.
          assert.deepStrictEqual(
            ofType(resources, "aws:sqs/queue:Queue")
              .map((q) => q.name)
              .sort(),
            ["pm", "dev", "qa", "ops"].flatMap((n) => [`agents-${n}`, `agents-${n}-dlq`]).sort(),
          );
          for (const [short, visibility] of Object.entries(timeouts)) {
            const queue = named(resources, `agents-${short}`);
            const dlq = named(resources, `agents-${short}-dlq`);
            assert.strictEqual(queue.inputs.visibilityTimeoutSeconds, visibility);
            assert.strictEqual(queue.inputs.messageRetentionSeconds, 4 * 86400);
            assert.strictEqual(dlq.inputs.messageRetentionSeconds, 14 * 86400);
            assert.deepStrictEqual(JSON.parse(queue.inputs.redrivePolicy as string), {
              deadLetterTargetArn: arnOf(dlq),
              maxReceiveCount: 3,
            });
            assert.match(queue.inputs.name as string, new RegExp(`^agents-${short}-[0-9a-f]{7}$`));
            assert.match(dlq.inputs.name as string, new RegExp(`^agents-${short}-dlq-[0-9a-f]{7}$`));
            assert.strictEqual(queues.pairs[short].visibilityTimeoutSeconds, visibility);
            assert.strictEqual(queues.pairs[short].consumerTimeoutSeconds, visibility - 60);
          }
        });

        it(
          kms
            ? "encrypts every queue with the stack's rotated KMS key"
            : "encrypts every queue with SQS-managed keys",
          () => {
            const keys = ofType(resources, "aws:kms/key:Key");
            for (const q of ofType(resources, "aws:sqs/queue:Queue")) {
              if (kms) {
                assert.strictEqual(q.inputs.kmsMasterKeyId, arnOf(keys[0]), q.name);
                assert.strictEqual(q.inputs.kmsDataKeyReusePeriodSeconds, 300);
                assert.strictEqual(q.inputs.sqsManagedSseEnabled, undefined);
              } else {
                assert.strictEqual(q.inputs.sqsManagedSseEnabled, true, q.name);
                assert.strictEqual(q.inputs.kmsMasterKeyId, undefined);
              }
            }
            assert.strictEqual(keys.length, kms ? 1 : 0);
            if (kms) {
              assert.strictEqual(keys[0].inputs.enableKeyRotation, true);
              assert.deepStrictEqual(policyDocument(keys[0]).Statement, [
                {
                  Sid: "AccountAdministers",
                  Effect: "Allow",
                  Principal: { AWS: "arn:aws:iam::123456789012:root" },
                  Action: "kms:*",
                  Resource: "*",
                },
                {
                  Sid: "S3SendsNotifications",
                  Effect: "Allow",
                  Principal: { Service: "s3.amazonaws.com" },
                  Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                  Resource: "*",
                  Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
                },
              ]);
            }
          },
        );

        it("denies every request without TLS on each queue and DLQ", () => {
          const policies = ofType(resources, "aws:sqs/queuePolicy:QueuePolicy");
          assert.strictEqual(policies.length, 8);
          for (const q of ofType(resources, "aws:sqs/queue:Queue")) {
            const policy = named(resources, `${q.name}-policy`);
            assert.strictEqual(policy.inputs.queueUrl, urlOf(q));
            assert.deepStrictEqual(policyDocument(policy).Statement, [
              {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "sqs:*",
                Resource: arnOf(q),
                Condition: { Bool: { "aws:SecureTransport": "false" } },
              },
            ]);
          }
        });

        it("lets each DLQ take redrives from its own queue only", () => {
          assert.strictEqual(ofType(resources, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy").length, 4);
          for (const short of Object.keys(timeouts)) {
            const allow = named(resources, `agents-${short}-dlq-redrive-allow`);
            assert.strictEqual(allow.inputs.queueUrl, urlOf(named(resources, `agents-${short}-dlq`)));
            assert.deepStrictEqual(JSON.parse(allow.inputs.redriveAllowPolicy as string), {
              redrivePermission: "byQueue",
              sourceQueueArns: [arnOf(named(resources, `agents-${short}`))],
            });
          }
        });

        it("alarms to the alerts topic on DLQ depth above 0 and (but in dev) on old messages", () => {
          const ageAlarms = stackInput(stack).config.queues.ageAlarms;
          const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
          assert.strictEqual(alarms.length, ageAlarms ? 8 : 4);
          assert.strictEqual(queues.alarms.length, ageAlarms ? 8 : 4);
          for (const [short, visibility] of Object.entries(timeouts)) {
            const depth = named(resources, `agents-${short}-dlq-depth`);
            assert.deepStrictEqual(
              [depth.inputs.namespace, depth.inputs.metricName, depth.inputs.dimensions],
              [
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                { QueueName: named(resources, `agents-${short}-dlq`).inputs.name },
              ],
            );
            assert.deepStrictEqual(
              [
                depth.inputs.threshold,
                depth.inputs.comparisonOperator,
                depth.inputs.period,
                depth.inputs.statistic,
              ],
              [0, "GreaterThanThreshold", 60, "Maximum"],
            );
            if (!ageAlarms) {
              assert.ok(!alarms.some((a) => a.name === `agents-${short}-oldest-message`));
              continue;
            }
            const age = named(resources, `agents-${short}-oldest-message`);
            assert.deepStrictEqual(
              [age.inputs.metricName, age.inputs.dimensions, age.inputs.threshold],
              [
                "ApproximateAgeOfOldestMessage",
                { QueueName: named(resources, `agents-${short}`).inputs.name },
                visibility * 3,
              ],
            );
            for (const alarm of [depth, age]) {
              assert.deepStrictEqual(alarm.inputs.alarmActions, [TOPIC]);
              assert.deepStrictEqual(alarm.inputs.okActions, [TOPIC]);
              assert.strictEqual(alarm.inputs.treatMissingData, "notBreaching");
            }
          }
        });

        it("outputs name -> { url, arn, dlqUrl, dlqArn }", async () => {
          // What index.ts exports as the `queues` stack output: the record with its outputs resolved.
          const resolved = await new Promise<Record<string, Record<string, string>>>((resolve) =>
            pulumi.output(queues.queues).apply((v) => resolve(v as Record<string, Record<string, string>>)),
          );
          assert.deepStrictEqual(Object.keys(resolved), ["pm", "dev", "qa", "ops"]);
          assert.deepStrictEqual(resolved.dev, {
            url: urlOf(named(resources, "agents-dev")),
            arn: arnOf(named(resources, "agents-dev")),
            dlqUrl: urlOf(named(resources, "agents-dev-dlq")),
            dlqArn: arnOf(named(resources, "agents-dev-dlq")),
          });
        });
      });
    }
  });

  it("uses a given KMS key, a configured receive count and queue list", async () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const { resources } = await queuesOf("dev", {
      [K("queueKmsKey")]: key,
      [K("queueMaxReceiveCount")]: "5",
      [K("queues")]: '["triage","long_jobs:3600"]',
      [K("queueConsumerTimeoutSeconds")]: "120",
      [K("agentWorkersEnabled")]: "false",
    });
    assert.strictEqual(ofType(resources, "aws:kms/key:Key").length, 0);
    assert.deepStrictEqual(
      ofType(resources, "aws:sqs/queue:Queue")
        .map((q) => [q.name, q.inputs.visibilityTimeoutSeconds ?? null, q.inputs.kmsMasterKeyId])
        .sort(),
      [
        ["agents-long_jobs", 3660, key],
        ["agents-long_jobs-dlq", null, key],
        ["agents-triage", 180, key],
        ["agents-triage-dlq", null, key],
      ],
    );
    assert.strictEqual(
      JSON.parse(named(resources, "agents-triage").inputs.redrivePolicy as string).maxReceiveCount,
      5,
    );
  });

  it("creates alarms without actions when there is no topic yet", async () => {
    const { resources } = await evaluate(() => {
      new Queues("q", { queues: [{ name: "one", consumerTimeoutSeconds: 30 }] });
    });
    for (const alarm of ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
      assert.strictEqual(alarm.inputs.alarmActions, undefined);
      assert.strictEqual(alarm.inputs.okActions, undefined);
    }
  });

  it("leaves out the oldest-message alarms where ageAlarms is false, never the DLQ-depth alarms", async () => {
    const { resources } = await evaluate(() => {
      new Queues("q", { queues: [{ name: "one", consumerTimeoutSeconds: 30 }], ageAlarms: false });
    });
    assert.deepStrictEqual(
      ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name),
      ["q-one-dlq-depth"],
    );
  });

  it("refuses repeated names and names whose generated queue name SQS would reject", async () => {
    await assert.rejects(
      evaluate(() => {
        new Queues("agents", {
          queues: [
            { name: "a", consumerTimeoutSeconds: 30 },
            { name: "a", consumerTimeoutSeconds: 30 },
          ],
        });
      }),
      {
        name: "ProgramError",
        message: 'Queues agents: queues[1] = "a:30": must not repeat the queue name a',
      },
    );
    const long = "x".repeat(62);
    await assert.rejects(
      evaluate(() => {
        new Queues("agents", { queues: [{ name: long, consumerTimeoutSeconds: 30 }] });
      }),
      {
        name: "ProgramError",
        message: `queue agents-${long}: "agents-${long}-dlq" gives a generated queue name of 81 characters (name + 8); SQS allows at most 80`,
      },
    );
  });

  it("lets a reusing component add policy statements and override the age alarm", async () => {
    class Host extends PlatformComponent {
      constructor() {
        super("agent-platform:test:Host", "host", "host");
        createQueuePair(this, "host-events", {
          consumerTimeoutSeconds: 60,
          oldestMessageAgeAlarmSeconds: 600,
          extraPolicyStatements: (arn) => [
            {
              Sid: "S3Sends",
              Effect: "Allow",
              Principal: { Service: "s3.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: arn,
            },
          ],
        });
        this.registerOutputs({});
      }
    }
    const { resources } = await evaluate(() => new Host());
    const queue = named(resources, "host-events");
    assert.deepStrictEqual(
      policyDocument(named(resources, "host-events-policy")).Statement.map((s) => [s.Sid, s.Resource]),
      [
        ["DenyInsecureTransport", arnOf(queue)],
        ["S3Sends", arnOf(queue)],
      ],
    );
    assert.strictEqual(named(resources, "host-events-oldest-message").inputs.threshold, 600);
    assert.deepStrictEqual(named(resources, "host-events").inputs.tags, { Function: "host" });
  });
});
