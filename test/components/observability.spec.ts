import * as assert from "assert";
import { Observability, ObservabilityArgs } from "../../components/observability";
import { evaluate, named, ofType, policyDocument } from "../helpers/offline";

const base: ObservabilityArgs = {
  alertEmails: ["oncall@example.com", "team@example.com"],
  monthlyBudgetUsd: 50,
  anomalyThresholdUsd: 20,
  environment: "dev",
  costAllocationTagKeys: ["Environment", "Project", "Owner", "Function"],
  activateCostAllocationTags: false,
};

describe("Observability", () => {
  it("encrypts the alerts topic with a rotating key the publishing services may use", async () => {
    const { resources } = await evaluate(() => new Observability("obs", base));
    const key = named(resources, "obs-alerts-key");
    assert.strictEqual(key.inputs.enableKeyRotation, true);
    const statements = policyDocument(key).Statement;
    assert.deepStrictEqual(
      statements.map((s) => s.Sid),
      ["AccountAdministersKey", "PublishersEncrypt", "CloudWatchLogsEncryptsOperationalGroups"],
    );
    assert.deepStrictEqual(statements[1].Principal, {
      Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"],
    });
    assert.deepStrictEqual(statements[1].Condition, {
      StringEquals: { "aws:SourceAccount": "123456789012" },
    });
    assert.deepStrictEqual(statements[0].Principal, { AWS: "arn:aws:iam::123456789012:root" });
    const topic = named(resources, "obs-alerts");
    assert.strictEqual(topic.inputs.kmsMasterKeyId, key.outputs.arn);
  });

  it("lets CloudWatch Logs use the same key for the stack's operational log groups, and no others", async () => {
    const { resources } = await evaluate(() => new Observability("obs", base), { stack: "staging" });
    const key = named(resources, "obs-alerts-key");
    const logs = policyDocument(key).Statement[2];
    assert.deepStrictEqual(logs, {
      Sid: "CloudWatchLogsEncryptsOperationalGroups",
      Effect: "Allow",
      Principal: { Service: "logs.us-east-1.amazonaws.com" },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": [
            "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/agent-platform-staging/*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow-logs/vpc-*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/agent-platform-staging-*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/agent-platform-staging-*",
          ],
        },
      },
    });
  });

  it("lets only the account and the alerting services publish, and only over TLS", async () => {
    const { resources } = await evaluate(() => new Observability("obs", base));
    const topicArn = named(resources, "obs-alerts").outputs.arn;
    const [services, account, deny] = policyDocument(named(resources, "obs-alerts-policy")).Statement;
    assert.deepStrictEqual(services, {
      Sid: "ServicesPublish",
      Effect: "Allow",
      Principal: {
        Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"],
      },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
    });
    assert.deepStrictEqual(account.Principal, { AWS: "arn:aws:iam::123456789012:root" });
    assert.deepStrictEqual(deny, {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("subscribes each alert address by e-mail", async () => {
    const { resources } = await evaluate(() => new Observability("obs", base));
    const subs = ofType(resources, "aws:sns/topicSubscription:TopicSubscription");
    assert.deepStrictEqual(
      subs.map((s) => [s.name, s.inputs.protocol, s.inputs.endpoint]),
      [
        ["obs-alerts-email-0", "email", "oncall@example.com"],
        ["obs-alerts-email-1", "email", "team@example.com"],
      ],
    );
  });

  it("budgets the stack's Environment tag with 80 % actual and 100 % forecast alerts", async () => {
    const { resources } = await evaluate(
      () => new Observability("obs", { ...base, monthlyBudgetUsd: 1500, environment: "prod" }),
    );
    const budget = named(resources, "obs-budget");
    const topicArn = named(resources, "obs-alerts").outputs.arn;
    assert.strictEqual(budget.inputs.limitAmount, "1500.00");
    assert.strictEqual(budget.inputs.timeUnit, "MONTHLY");
    assert.deepStrictEqual(budget.inputs.costFilters, [
      { name: "TagKeyValue", values: ["user:Environment$prod"] },
    ]);
    assert.deepStrictEqual(
      (budget.inputs.notifications as Record<string, unknown>[]).map((n) => [
        n.notificationType,
        n.threshold,
        n.subscriberSnsTopicArns,
      ]),
      [
        ["ACTUAL", 80, [topicArn]],
        ["FORECASTED", 100, [topicArn]],
      ],
    );
  });

  it("watches cost anomalies of the stack's resources and alerts above the threshold", async () => {
    const { resources } = await evaluate(() => new Observability("obs", base));
    const monitor = named(resources, "obs-anomalies");
    assert.strictEqual(monitor.inputs.monitorType, "CUSTOM");
    assert.deepStrictEqual(JSON.parse(monitor.inputs.monitorSpecification as string), {
      Tags: { Key: "Environment", Values: ["dev"], MatchOptions: ["EQUALS"] },
    });
    const sub = named(resources, "obs-anomaly-alerts");
    assert.strictEqual(sub.inputs.frequency, "IMMEDIATE");
    assert.deepStrictEqual(sub.inputs.monitorArnLists, [monitor.outputs.arn]);
    assert.deepStrictEqual((sub.inputs.thresholdExpression as { dimension: unknown }).dimension, {
      key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
      matchOptions: ["GREATER_THAN_OR_EQUAL"],
      values: ["20"],
    });
  });

  it("activates the cost allocation tags only in the stack that owns them (once per account)", async () => {
    let { resources } = await evaluate(() => new Observability("obs", base));
    assert.strictEqual(ofType(resources, "aws:costexplorer/costAllocationTag:CostAllocationTag").length, 0);
    ({ resources } = await evaluate(
      () => new Observability("obs", { ...base, activateCostAllocationTags: true }),
    ));
    assert.deepStrictEqual(
      ofType(resources, "aws:costexplorer/costAllocationTag:CostAllocationTag").map((t) => [
        t.inputs.tagKey,
        t.inputs.status,
      ]),
      [
        ["Environment", "Active"],
        ["Project", "Active"],
        ["Owner", "Active"],
        ["Function", "Active"],
      ],
    );
    // Deleting one would deactivate the tag for every stack of the account: they are retained instead.
    for (const t of ofType(resources, "aws:costexplorer/costAllocationTag:CostAllocationTag"))
      assert.strictEqual(t.options.retainOnDelete, true, t.name);
  });

  it("refuses a budget filtered on a tag the account does not activate", async () => {
    await assert.rejects(
      evaluate(() => new Observability("obs", { ...base, costAllocationTagKeys: ["Project"] })),
      /^ProgramError: Observability obs: costAllocationTagKeys = \["Project"\]: must include Environment/,
    );
  });

  it("refuses a budget or threshold that is not positive, before registering anything", async () => {
    await assert.rejects(
      evaluate(() => new Observability("obs", { ...base, monthlyBudgetUsd: 0 })),
      /^ProgramError: Observability obs: monthlyBudgetUsd = 0: must be between 1 and 1000000$/,
    );
    await assert.rejects(
      evaluate(() => new Observability("obs", { ...base, anomalyThresholdUsd: -1 })),
      /^ProgramError: Observability obs: anomalyThresholdUsd = -1: must be between 1 and 1000000$/,
    );
  });
});
