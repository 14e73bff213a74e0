import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformFunction } from "./function";
import { serviceTrust } from "../shared/policy-statements";

/*
 * Blue/green deployments of one Lambda function through CodeDeploy. Pulumi and CodeDeploy share the `live`
 * alias, each owning a part of it:
 *  - Pulumi creates the alias (on the first published version) and publishes a new version whenever the code
 *    or configuration changes, but never moves the alias afterwards: `ignoreChanges` on functionVersion and
 *    routingConfig. Otherwise every `pulumi up` would flip all traffic at once, and the next `pulumi up` would
 *    undo a shift CodeDeploy has in progress (or a rollback it made).
 *  - CodeDeploy moves the alias from its current version to the new one, 10 % more every minute, and moves it
 *    back when a deployment fails or one of the function's alarms fires. The deploy step after `pulumi up`
 *    (tools/rollout-lambdas.ts) starts the deployments of all functions at once, each with an AppSpec naming
 *    both versions (tools/deploy-lambda.ts), and bounds the whole rollout (docs/agents.md).
 * Event sources, API integrations and permissions point at the alias (`qualifiedArn` / `invokeArn`), so they
 * follow what CodeDeploy decides; without blue/green they point at the function.
 */

/** Linear: 10 % of the traffic more every minute; a bad version reaches everyone only after 10 minutes. */
export const BLUE_GREEN_DEPLOYMENT_CONFIG = "CodeDeployDefault.LambdaLinear10PercentEvery1Minute";
export const LIVE_ALIAS = "live";

export interface BlueGreenArgs {
  /** The function, created with `publish: true` when enabled (each change publishes a version). */
  readonly fn: PlatformFunction;
  readonly enabled: boolean;
  /** CodeDeploy stops and rolls back a deployment while one of these is in ALARM (they notify the topic). */
  readonly alarms: aws.cloudwatch.MetricAlarm[];
}

/** What the deploy step (tools/rollout-lambdas.ts, .github/workflows/pulumi-up.yml) needs for one function. */
export interface BlueGreenDeployment {
  readonly functionName: pulumi.Output<string>;
  readonly application: pulumi.Output<string>;
  readonly group: pulumi.Output<string>;
  /** The group's CodeDeploy configuration: how long its traffic shift takes (the step's bound follows it). */
  readonly deploymentConfig: string;
}

export interface BlueGreen {
  /** The `live` alias (only when enabled). */
  readonly alias?: aws.lambda.Alias;
  /** What API Gateway integrations invoke: the alias's, or the function's. */
  readonly invokeArn: pulumi.Output<string>;
  /** What event sources and permissions name: the alias's ARN, or the function's. */
  readonly qualifiedArn: pulumi.Output<string>;
  /** The function, CodeDeploy application and deployment group the deploy step uses (only when enabled). */
  readonly deployment?: BlueGreenDeployment;
}

/**
 * CodeDeploy may assume the role only for this function's deployment group, in this account (the confused-deputy
 * conditions of CodeDeploy's guide). The group's ARN is built from the function's own ARN, so partition, region
 * and account are the function's, and from the names createBlueGreen gives the application (the function's
 * name) and the group (`live`); the group itself needs the role first.
 */
function codeDeployTrust(fn: aws.lambda.Function): pulumi.Output<string> {
  const where = fn.arn.apply((arn) => {
    const [, partition, , region, account] = arn.split(":");
    return { partition, region, account };
  });
  return serviceTrust("codedeploy.amazonaws.com", {
    condition: {
      StringEquals: { "aws:SourceAccount": where.account },
      ArnLike: {
        "aws:SourceArn": pulumi.interpolate`arn:${where.partition}:codedeploy:${where.region}:${where.account}:deploymentgroup:${fn.name}/${LIVE_ALIAS}`,
      },
    },
  });
}

/** The `live` alias and its CodeDeploy application and deployment group, or the function itself. */
export function createBlueGreen(parent: pulumi.Resource, name: string, args: BlueGreenArgs): BlueGreen {
  const fn = args.fn.function;
  if (!args.enabled) return { invokeArn: fn.invokeArn, qualifiedArn: fn.arn };
  const opts = { parent };
  const alias = new aws.lambda.Alias(
    `${name}-live`,
    {
      name: LIVE_ALIAS,
      description: "Production traffic; CodeDeploy moves it between versions",
      functionName: fn.name,
      functionVersion: fn.version,
    },
    // CodeDeploy owns the version the alias points at once it exists (see the comment at the top).
    { parent, ignoreChanges: ["functionVersion", "routingConfig"] },
  );
  const application = new aws.codedeploy.Application(
    `${name}-deploy`,
    { name: pulumi.interpolate`${fn.name}`, computePlatform: "Lambda" },
    opts,
  );
  const role = new aws.iam.Role(
    `${name}-deploy-role`,
    {
      description: pulumi.interpolate`CodeDeploy shifts traffic of the ${fn.name} function`,
      assumeRolePolicy: codeDeployTrust(fn),
    },
    opts,
  );
  // Inline and exact instead of AWSCodeDeployRoleForLambdaLimited, which policy/iam.ts's reviewed list does not
  // hold (it grants DescribeAlarms and UpdateAlias on every alarm and function).
  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-deploy-role-policy`,
    {
      role: role.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ShiftTheLiveAlias",
            Effect: "Allow",
            Action: ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"],
            Resource: alias.arn,
          },
          ...(args.alarms.length > 0
            ? [
                {
                  Sid: "WatchTheRollbackAlarms",
                  Effect: "Allow",
                  Action: "cloudwatch:DescribeAlarms",
                  Resource: args.alarms.map((a) => a.arn),
                },
              ]
            : []),
        ],
      }),
    },
    opts,
  );
  const group = new aws.codedeploy.DeploymentGroup(
    `${name}-deploy-group`,
    {
      appName: application.name,
      deploymentGroupName: LIVE_ALIAS,
      serviceRoleArn: role.arn,
      deploymentConfigName: BLUE_GREEN_DEPLOYMENT_CONFIG,
      deploymentStyle: { deploymentOption: "WITH_TRAFFIC_CONTROL", deploymentType: "BLUE_GREEN" },
      autoRollbackConfiguration: {
        enabled: true,
        events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
      },
      ...(args.alarms.length > 0
        ? { alarmConfiguration: { enabled: true, alarms: args.alarms.map((a) => a.name) } }
        : {}),
    },
    { parent, dependsOn: [rolePolicy] },
  );
  return {
    alias,
    invokeArn: alias.invokeArn,
    qualifiedArn: alias.arn,
    deployment: {
      functionName: fn.name,
      application: application.name,
      group: group.deploymentGroupName,
      deploymentConfig: BLUE_GREEN_DEPLOYMENT_CONFIG,
    },
  };
}
