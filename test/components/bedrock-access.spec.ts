import * as assert from "assert";
import { BedrockAccess, BedrockAccessArgs } from "../../components/bedrock-access";
import { evaluate, named, ofType, policyDocument } from "../helpers/offline";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const nova: BedrockAccessArgs = {
  modelIds: ["amazon.nova-lite-v1:0"],
  inferenceProfiles: [],
  inferenceProfileRegions: [],
  trustedServices: ["ecs-tasks.amazonaws.com"],
  trustedRoleArns: [],
  dailyTokenBudget: 2_000_000,
  alarmTopicArn: TOPIC,
};

describe("BedrockAccess", function () {
  this.timeout(60_000);

  it("lets the role invoke exactly the Nova Lite foundation model ARN, trusted by ECS tasks of this account", async () => {
    const { resources } = await evaluate(() => new BedrockAccess("bedrock", nova));
    const policy = policyDocument(named(resources, "bedrock-invoke"));
    assert.deepStrictEqual(policy.Statement, [
      {
        Sid: "InvokeConfiguredModels",
        Effect: "Allow",
        Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
        Resource: ["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"],
      },
    ]);
    const trust = JSON.parse(String(named(resources, "bedrock-role").inputs.assumeRolePolicy));
    assert.deepStrictEqual(trust.Statement, [
      {
        Sid: "TrustedServices",
        Effect: "Allow",
        Principal: { Service: ["ecs-tasks.amazonaws.com"] },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
  });

  it("grants an inference profile's ARN and the model's ARN in each destination region, no wildcard", async () => {
    const { resources } = await evaluate(
      () =>
        new BedrockAccess("bedrock", {
          ...nova,
          modelIds: [],
          inferenceProfiles: [{ id: "us.amazon.nova-lite-v1:0", modelId: "amazon.nova-lite-v1:0" }],
          inferenceProfileRegions: ["us-east-1", "us-east-2", "us-west-2"],
          trustedServices: ["lambda.amazonaws.com"],
          trustedRoleArns: ["arn:aws:iam::123456789012:role/agents"],
        }),
      { region: "us-east-2" },
    );
    const resourcesGranted = policyDocument(named(resources, "bedrock-invoke")).Statement[0].Resource;
    assert.deepStrictEqual(resourcesGranted, [
      "arn:aws:bedrock:us-east-2:123456789012:inference-profile/us.amazon.nova-lite-v1:0",
      "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
      "arn:aws:bedrock:us-east-2::foundation-model/amazon.nova-lite-v1:0",
      "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0",
    ]);
    assert.ok(!JSON.stringify(resourcesGranted).includes("*"));
    const trust = JSON.parse(String(named(resources, "bedrock-role").inputs.assumeRolePolicy));
    assert.deepStrictEqual(
      trust.Statement.map((s: { Sid: string; Principal: unknown }) => [s.Sid, s.Principal]),
      [
        ["TrustedServices", { Service: ["lambda.amazonaws.com"] }],
        ["TrustedRoles", { AWS: ["arn:aws:iam::123456789012:role/agents"] }],
      ],
    );
  });

  it("alarms per model on throttles and client errors, and on the daily token budget from config", async () => {
    const { resources } = await evaluate(
      () => new BedrockAccess("bedrock", { ...nova, dailyTokenBudget: 500_000 }),
    );
    const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepStrictEqual(
      alarms.map((a) => [
        a.name,
        a.inputs.namespace,
        a.inputs.metricName,
        a.inputs.dimensions,
        a.inputs.threshold,
        a.inputs.evaluationPeriods,
        a.inputs.alarmActions,
      ]),
      [
        [
          "bedrock-0-throttles",
          "AWS/Bedrock",
          "InvocationThrottles",
          { ModelId: "amazon.nova-lite-v1:0" },
          0,
          2,
          [TOPIC],
        ],
        [
          "bedrock-0-client-errors",
          "AWS/Bedrock",
          "InvocationClientErrors",
          { ModelId: "amazon.nova-lite-v1:0" },
          0,
          1,
          [TOPIC],
        ],
        ["bedrock-daily-tokens", undefined, undefined, undefined, 500_000, 1, [TOPIC]],
      ],
    );
    const tokens = named(resources, "bedrock-daily-tokens").inputs.metricQueries as Record<string, unknown>[];
    assert.deepStrictEqual(
      tokens.map((q) => [q.id, (q.metric as Record<string, unknown> | undefined)?.metricName, q.expression]),
      [
        ["in0", "InputTokenCount", undefined],
        ["out0", "OutputTokenCount", undefined],
        ["tokens", undefined, "FILL(in0, 0) + FILL(out0, 0)"],
      ],
    );
    assert.deepStrictEqual(tokens[0].metric, {
      namespace: "AWS/Bedrock",
      metricName: "InputTokenCount",
      dimensions: { ModelId: "amazon.nova-lite-v1:0" },
      period: 86400,
      stat: "Sum",
    });
  });

  it("creates no alarm without a topic, and refuses a role nobody may assume or that invokes nothing", async () => {
    const { resources } = await evaluate(
      () => new BedrockAccess("bedrock", { ...nova, alarmTopicArn: undefined }),
    );
    assert.strictEqual(ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").length, 0);
    assert.throws(() => new BedrockAccess("b", { ...nova, trustedServices: [] }), {
      message:
        "BedrockAccess b: trustedServices = []: must name a service (or set trustedRoleArns): someone must assume the role",
    });
    assert.throws(() => new BedrockAccess("b", { ...nova, modelIds: [] }), {
      message: "BedrockAccess b: modelIds = []: must name a model (or set inferenceProfiles)",
    });
  });
});
