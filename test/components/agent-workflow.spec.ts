import * as assert from "assert";
import {
  AgentWorkflow,
  checkAgentWorkflowArgs,
  ruleDeliveryStatements,
  TARGET_RETRY,
} from "../../components/agents/workflow";
import type { QueuePair } from "../../components/shared/queue-pair";
import { Queues } from "../../components/queues";
import { eventPattern, inputTransformer, ROUTING_RULES } from "../../contracts/routing";
import { policies } from "../../policy/policies";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import { loadStack } from "../helpers/config";
import { check, evaluate, LOGS_KEY_ARN, named, ofType, policyDocument, typeCounts } from "../helpers/offline";

const ACCOUNT = "123456789012";
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/data-table-1234567`;
const DATA_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`;
const RULE = (name: string, stack = "staging") =>
  `arn:aws:events:us-east-1:${ACCOUNT}:rule/agent-platform-${stack}-agents/agent-platform-${stack}-agents-${name}`;

/** Queues (with the rules' delivery statements) and the workflow as index.ts wires them. */
async function program(stack: string, queueKey = false) {
  const config = loadStack(stack);
  let workflow: AgentWorkflow | undefined;
  const { resources } = await evaluate(
    () => {
      const queues = new Queues("agents", {
        ...config.queues,
        encryption: queueKey ? { kind: "createKey" } : { kind: "sqs" },
        senders: ruleDeliveryStatements,
        alarmTopicArn: TOPIC,
      });
      workflow = new AgentWorkflow("agent-workflow", {
        queues: queues.pairs,
        queueKmsKeyArn: queues.kmsKeyArn,
        table: { name: "data-table-1234567", arn: TABLE_ARN },
        dataKeyArn: DATA_KEY,
        archiveDays: config.agents!.eventArchiveDays,
        functionAlarms: config.agents!.functionAlarms,
        logRetentionDays: config.logRetentionDays,
        logKeyArn: LOGS_KEY_ARN,
        alarmTopicArn: TOPIC,
      });
    },
    { stack },
  );
  return { resources, workflow: workflow! };
}

describe("AgentWorkflow", function () {
  this.timeout(120_000);
  let resources: RegisteredResource[];
  before(async () => ({ resources } = await program("staging")));
  const own = (rs: RegisteredResource[]) => rs.filter((r) => r.name.startsWith("agent-workflow"));

  it("creates the bus, its archive, one rule and one target per routing rule, the dead-letter queue and the function", () => {
    const counts = typeCounts(own(resources));
    assert.deepStrictEqual(
      {
        bus: counts["aws:cloudwatch/eventBus:EventBus"],
        archive: counts["aws:cloudwatch/eventArchive:EventArchive"],
        rules: counts["aws:cloudwatch/eventRule:EventRule"],
        targets: counts["aws:cloudwatch/eventTarget:EventTarget"],
        queues: counts["aws:sqs/queue:Queue"],
        functions: counts["aws:lambda/function:Function"],
        permissions: counts["aws:lambda/permission:Permission"],
      },
      {
        bus: 1,
        archive: 1,
        rules: ROUTING_RULES.length,
        targets: ROUTING_RULES.length,
        queues: 1,
        functions: 1,
        permissions: 3,
      },
    );
    assert.strictEqual(named(resources, "agent-workflow-bus").inputs.name, "agent-platform-staging-agents");
    const archive = named(resources, "agent-workflow-archive").inputs;
    assert.deepStrictEqual(
      [archive.eventSourceArn, archive.retentionDays, JSON.parse(archive.eventPattern as string)],
      [named(resources, "agent-workflow-bus").outputs.arn, 30, { source: ["agent-platform.agents"] }],
    );
  });

  it("deploys each rule of the table with its pattern, and a target with its input transformer, retries and the DLQ", () => {
    const dlq = named(resources, "agent-workflow-dlq").outputs.arn;
    const fn = named(resources, "agent-workflow-fn-fn").outputs.arn;
    for (const rule of ROUTING_RULES) {
      const r = named(resources, `agent-workflow-${rule.name}`).inputs;
      assert.deepStrictEqual(
        [r.name, r.eventBusName, JSON.parse(r.eventPattern as string)],
        [`agent-platform-staging-agents-${rule.name}`, "agent-platform-staging-agents", eventPattern(rule)],
        rule.name,
      );
      const t = named(resources, `agent-workflow-${rule.name}-target`).inputs;
      const expected =
        rule.then.kind === "agent" ? named(resources, `agents-${rule.then.agent}`).outputs.arn : fn;
      assert.deepStrictEqual(
        [t.arn, t.inputTransformer, t.retryPolicy, t.deadLetterConfig],
        [expected, inputTransformer(rule), TARGET_RETRY, { arn: dlq }],
        rule.name,
      );
    }
  });

  it("lets exactly the rules that route to a queue send to it, and every rule dead-letter to the bus's DLQ", () => {
    const statement = (queue: string) =>
      policyDocument(named(resources, `agents-${queue}-policy`)).Statement.find(
        (s) => s.Sid === "EventBridgeRulesDeliverSteps",
      );
    assert.strictEqual(statement("pm"), undefined, "nothing routes to the first agent: the API sends to it");
    assert.deepStrictEqual(statement("dev"), {
      Sid: "EventBridgeRulesDeliverSteps",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: named(resources, "agents-dev").outputs.arn,
      Condition: { ArnEquals: { "aws:SourceArn": [RULE("pm-to-dev"), RULE("qa-back-to-dev")] } },
    });
    assert.deepStrictEqual(
      (statement("ops")!.Condition as { ArnEquals: Record<string, string[]> }).ArnEquals["aws:SourceArn"],
      [RULE("qa-to-ops")],
    );
    const dlq = policyDocument(named(resources, "agent-workflow-dlq-policy")).Statement[1];
    assert.deepStrictEqual(
      (dlq.Condition as { ArnEquals: Record<string, string[]> }).ArnEquals["aws:SourceArn"],
      ROUTING_RULES.map((r) => RULE(r.name)),
    );
    // The policies name each rule by the ARN EventBridge gives a rule on a custom bus
    // (rule/<bus>/<rule>), from the names the rules are created with.
    for (const rule of ROUTING_RULES) {
      const r = named(resources, `agent-workflow-${rule.name}`).inputs;
      assert.strictEqual(
        `arn:aws:events:us-east-1:${ACCOUNT}:rule/${r.eventBusName}/${r.name}`,
        RULE(rule.name),
      );
    }
  });

  it("lets only the finish rules invoke the workflow function, which dead-letters its own failures", () => {
    const permissions = ofType(own(resources), "aws:lambda/permission:Permission").map((p) => [
      p.inputs.principal,
      p.inputs.sourceArn,
    ]);
    const finishes = ROUTING_RULES.filter((r) => r.then.kind === "finish");
    assert.deepStrictEqual(
      permissions,
      finishes.map((r) => ["events.amazonaws.com", named(resources, `agent-workflow-${r.name}`).outputs.arn]),
    );
    const fn = named(resources, "agent-workflow-fn-fn").inputs;
    assert.deepStrictEqual(fn.deadLetterConfig, {
      targetArn: named(resources, "agent-workflow-dlq").outputs.arn,
    });
    assert.strictEqual(fn.name, "agent-platform-staging-workflow");
    const sids = policyDocument(named(resources, "agent-workflow-fn-role-policy")).Statement.map(
      (s) => s.Sid,
    );
    assert.deepStrictEqual(sids, [
      "FinishModifications",
      "UseTheTableKeyThroughDynamoDB",
      "DeadLetterFailedFinishes",
      "WriteItsLogs",
      "SendTraces",
    ]);
  });

  it("alarms on the dead-letter queue's depth to the alerts topic", () => {
    const alarm = named(resources, "agent-workflow-dlq-depth").inputs;
    assert.deepStrictEqual(
      [alarm.metricName, alarm.threshold, alarm.dimensions, alarm.alarmActions],
      [
        "ApproximateNumberOfMessagesVisible",
        0,
        { QueueName: named(resources, "agent-workflow-dlq").outputs.name },
        [TOPIC],
      ],
    );
  });

  it("with a queue key: encrypts the DLQ with it and lets EventBridge use it for this account only; passes the pack", async () => {
    const keyed = await program("prod", true);
    assert.strictEqual(
      named(keyed.resources, "agent-workflow-dlq").inputs.kmsMasterKeyId,
      named(keyed.resources, "agents-key").outputs.arn,
    );
    const keyPolicy = policyDocument(named(keyed.resources, "agents-key"));
    assert.deepStrictEqual(
      keyPolicy.Statement.find((s) => s.Sid === "EventBridgeDeliversEvents"),
      {
        Sid: "EventBridgeDeliversEvents",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      },
    );
    const mandatory = (await check(policies, keyed.resources))
      .filter((v) => v.enforcementLevel === "mandatory" && v.policy !== "required-tags")
      .map((v) => `${v.policy} ${v.name}: ${v.message}`);
    assert.deepStrictEqual(mandatory, []);
  });

  it("refuses a routing table whose agents have no queue", () => {
    assert.throws(() => checkAgentWorkflowArgs("w", { queues: { pm: {} as QueuePair } }), {
      message:
        "AgentWorkflow w: rule pm-to-dev routes to the dev queue, which does not exist; rule dev-to-qa routes to the qa " +
        "queue, which does not exist; rule qa-to-ops routes to the ops queue, which does not exist; rule " +
        "qa-back-to-dev routes to the dev queue, which does not exist",
    });
  });
});
