import * as assert from "assert";
import { configIssues, K, loadStack } from "../helpers/config";

describe("bedrock config", () => {
  it("Nova Lite for ECS tasks, with usage alarms, in every stack", () => {
    const dev = loadStack("dev").bedrock;
    assert.deepStrictEqual(dev, {
      models: {
        modelIds: ["amazon.nova-lite-v1:0"],
        inferenceProfiles: [],
        inferenceProfileRegions: [],
        trustedServices: ["ecs-tasks.amazonaws.com"],
        trustedRoleArns: [],
        dailyTokenBudget: 2000000,
      },
      access: { alarmsEnabled: true },
    });
    assert.strictEqual(
      loadStack("dev", { [K("bedrockAlarmsEnabled")]: "false" }).bedrock.access?.alarmsEnabled,
      false,
    );
    assert.strictEqual(loadStack("staging").bedrock.access?.alarmsEnabled, true);
    assert.strictEqual(loadStack("prod").bedrock.access?.alarmsEnabled, true);
    // Without the role, the agents still take their model from the list.
    const off = loadStack("dev", { [K("bedrockAccessEnabled")]: "false" }).bedrock;
    assert.deepStrictEqual([off.access, off.models.modelIds], [undefined, ["amazon.nova-lite-v1:0"]]);
  });

  it("reads an inference profile and the regions it routes to", () => {
    const b = loadStack("staging", {
      [K("bedrockModelIds")]: "[]",
      [K("bedrockInferenceProfileIds")]: '["us.amazon.nova-lite-v1:0"]',
      [K("bedrockInferenceProfileRegions")]: '["us-east-1","us-east-2","us-west-2"]',
    }).bedrock.models;
    assert.deepStrictEqual(b.inferenceProfiles, [
      { id: "us.amazon.nova-lite-v1:0", modelId: "amazon.nova-lite-v1:0" },
    ]);
  });

  it("refuses bad model ids, profiles that cannot route from the stack, and a role nobody assumes", () => {
    assert.deepStrictEqual(
      configIssues("staging", {
        [K("bedrockModelIds")]: '["Nova Lite","us.amazon.nova-lite-v1:0"]',
        [K("bedrockInferenceProfileIds")]: '["xx.amazon.nova-lite-v1:0","eu.amazon.nova-lite-v1:0"]',
        [K("bedrockInferenceProfileRegions")]: '["eu-west-1"]',
        [K("bedrockTrustedServices")]: '["ec2.amazonaws.com"]',
        [K("bedrockTrustedRoleArns")]: '["agents"]',
      }),
      [
        'agent-platform:bedrockInferenceProfileIds[0] = "xx.amazon.nova-lite-v1:0": must be a cross-region inference profile id: us, us-gov, eu, apac then a model id, such as us.amazon.nova-lite-v1:0',
        'agent-platform:bedrockModelIds[0] = "Nova Lite": must be a Bedrock foundation model id such as amazon.nova-lite-v1:0',
        'agent-platform:bedrockModelIds[1] = "us.amazon.nova-lite-v1:0": is an inference profile id: list it in bedrockInferenceProfileIds',
        'agent-platform:bedrockTrustedServices[0] = "ec2.amazonaws.com": must be one of ecs-tasks.amazonaws.com, lambda.amazonaws.com',
        'agent-platform:bedrockTrustedRoleArns[0] = "agents": must be an IAM role ARN such as arn:aws:iam::123456789012:role/agents',
        'agent-platform:bedrockInferenceProfileRegions = ["eu-west-1"]: must include the stack\'s region us-east-1 (the source region the profiles are invoked from)',
      ],
    );
    assert.deepStrictEqual(
      configIssues("staging", {
        [K("bedrockInferenceProfileIds")]: '["us.amazon.nova-lite-v1:0"]',
        [K("bedrockInferenceProfileRegions")]: '["us-east-1","eu-west-1"]',
      }),
      [
        'agent-platform:bedrockInferenceProfileRegions[1] = "eu-west-1": must be a region the us. profile us.amazon.nova-lite-v1:0 routes to',
      ],
    );
  });
});
