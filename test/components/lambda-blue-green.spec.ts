import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createBlueGreen } from "../../components/lambda/blue-green";
import type { PlatformFunction } from "../../components/lambda/function";
import { createDeploymentInput, lambdaAppSpec, parseArgs } from "../../tools/deploy-lambda";
import { rolloutMinutes } from "../../tools/rollout-lambdas";
import { evaluate, named, ofType } from "../helpers/offline";

/** A bare function (what createPlatformFunction returns, without the parts blue/green does not use). */
function platformFunction(publish: boolean): PlatformFunction {
  const fn = new aws.lambda.Function("fn", {
    name: "agent-platform-test-agent-dev",
    role: "arn:aws:iam::123456789012:role/r",
    runtime: "nodejs22.x",
    handler: "index.handler",
    code: new pulumi.asset.AssetArchive({}),
    publish,
  });
  return { function: fn } as PlatformFunction;
}

describe("createBlueGreen", function () {
  this.timeout(60_000);

  it("without blue/green, points callers at the function itself and creates nothing", async () => {
    let out: ReturnType<typeof createBlueGreen> | undefined;
    const { resources } = await evaluate(() => {
      const fn = platformFunction(false);
      out = createBlueGreen(fn.function, "bg", { fn, enabled: false, alarms: [] });
    });
    assert.deepStrictEqual(
      resources.filter((r) => /alias|codedeploy|iam/.test(r.type)).map((r) => r.name),
      [],
    );
    assert.strictEqual(out!.alias, undefined);
    assert.strictEqual(out!.deployment, undefined);
    const qualified = await new Promise((resolve) => out!.qualifiedArn.apply(resolve));
    assert.strictEqual(qualified, named(resources, "fn").outputs.arn);
  });

  it("with blue/green and no alarms, rolls back on failure only and grants no DescribeAlarms", async () => {
    const { resources } = await evaluate(() => {
      const fn = platformFunction(true);
      createBlueGreen(fn.function, "bg", { fn, enabled: true, alarms: [] });
    });
    const group = named(resources, "bg-deploy-group").inputs;
    assert.strictEqual(group.alarmConfiguration, undefined);
    assert.deepStrictEqual(group.autoRollbackConfiguration, {
      enabled: true,
      events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
    });
    const policy = JSON.parse(named(resources, "bg-deploy-role-policy").inputs.policy as string);
    assert.deepStrictEqual(
      policy.Statement.map((s: { Sid: string }) => s.Sid),
      ["ShiftTheLiveAlias"],
    );
    assert.strictEqual(ofType(resources, "aws:lambda/alias:Alias").length, 1);
  });

  it("lets CodeDeploy assume its role only for this function's deployment group, in this account", async () => {
    const { resources } = await evaluate(() => {
      const fn = platformFunction(true);
      createBlueGreen(fn.function, "bg", { fn, enabled: true, alarms: [] });
    });
    const app = named(resources, "bg-deploy").inputs;
    const group = named(resources, "bg-deploy-group").inputs;
    const groupArn = `arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:${app.name}/${group.deploymentGroupName}`;
    assert.strictEqual(
      groupArn,
      "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:agent-platform-test-agent-dev/live",
    );
    assert.deepStrictEqual(JSON.parse(named(resources, "bg-deploy-role").inputs.assumeRolePolicy as string), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "codedeploy.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": groupArn },
          },
        },
      ],
    });
  });

  it("tells the deploy step the group's deployment configuration, which the step knows how long to give", async () => {
    let out: ReturnType<typeof createBlueGreen> | undefined;
    const { resources } = await evaluate(() => {
      const fn = platformFunction(true);
      out = createBlueGreen(fn.function, "bg", { fn, enabled: true, alarms: [] });
    });
    const config = named(resources, "bg-deploy-group").inputs.deploymentConfigName;
    assert.strictEqual(out!.deployment!.deploymentConfig, config);
    assert.strictEqual(rolloutMinutes(String(config)), 10);
  });
});

describe("tools/deploy-lambda", () => {
  const rollout = {
    functionName: "agent-platform-prod-agent-dev",
    alias: "live",
    currentVersion: "7",
    targetVersion: "8",
  };

  it("builds the AppSpec that moves the alias from the current to the target version", () => {
    assert.ok(lambdaAppSpec(rollout).startsWith('{"version":0.0,"Resources":['));
    assert.deepStrictEqual(JSON.parse(lambdaAppSpec(rollout)), {
      version: 0,
      Resources: [
        {
          "agent-platform-prod-agent-dev": {
            Type: "AWS::Lambda::Function",
            Properties: {
              Name: "agent-platform-prod-agent-dev",
              Alias: "live",
              CurrentVersion: "7",
              TargetVersion: "8",
            },
          },
        },
      ],
    });
  });

  it("builds CodeDeploy's CreateDeployment request, or nothing when the alias already serves the target", () => {
    assert.deepStrictEqual(createDeploymentInput("agent-platform-prod-agent-dev", "live", rollout), {
      applicationName: "agent-platform-prod-agent-dev",
      deploymentGroupName: "live",
      description: "agent-platform-prod-agent-dev: live from version 7 to 8",
      revision: { revisionType: "AppSpecContent", appSpecContent: { content: lambdaAppSpec(rollout) } },
    });
    assert.strictEqual(createDeploymentInput("a", "live", { ...rollout, targetVersion: "7" }), undefined);
  });

  it("refuses $LATEST, a numeric alias and a bad function name, naming each", () => {
    assert.throws(
      () =>
        lambdaAppSpec({
          functionName: "bad name",
          alias: "3",
          currentVersion: "$LATEST",
          targetVersion: "2",
        }),
      {
        message:
          "cannot build an AppSpec: invalid function name bad name, alias 3, current version $LATEST " +
          "(a published version number)",
      },
    );
    assert.throws(() => parseArgs(["--application", "a"], ["application", "group"]), {
      message: "missing --group",
    });
    assert.throws(() => parseArgs(["--region", "x"], ["application"]), {
      message: "unexpected argument --region; usage: --application <value>",
    });
  });
});
