import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "../lib/problems";
import { awsContext, AwsContext } from "./shared/aws-context";
import { BedrockSettings, bedrockProblems } from "./bedrock-args";
import { PlatformComponent } from "./shared/tagging";

/*
 * `agent-platform:index:BedrockAccess`: the application role the agents use to call
 * Amazon Bedrock, allowed to invoke exactly the configured models and nothing else, and alarms on the usage
 * Bedrock publishes per ModelId in AWS/Bedrock (throttles, client errors, a daily token budget).
 *
 * A cross-region inference profile (us.amazon.nova-lite-v1:0) is invoked by its own ARN, and Bedrock then
 * checks the caller may also invoke the foundation model in the region the request is routed to: the policy
 * names the profile's ARN and the model's ARN in each of the profile's destination regions, no wildcard.
 */

export interface BedrockAccessArgs extends BedrockSettings {
  /** Where the alarms notify. Default: none, and then no alarm is created (an alarm nobody hears is not kept). */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/** The runtime actions an agent needs: a prompt and its answer, streamed or not (Converse uses the same two). */
export const INVOKE_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];

/** arn:<partition>:bedrock:<region>::foundation-model/<id> (foundation models have no account). */
export function foundationModelArnIn(ctx: AwsContext, region: pulumi.Input<string>, modelId: string) {
  return pulumi.interpolate`arn:${ctx.partition}:bedrock:${region}::foundation-model/${modelId}`;
}

/** Every ARN the role may invoke, in a stable order: direct models, then each profile and its models. */
export function invocableArns(ctx: AwsContext, args: BedrockAccessArgs): pulumi.Output<string>[] {
  const arns = args.modelIds.map((id) => foundationModelArnIn(ctx, ctx.region, id));
  for (const profile of args.inferenceProfiles) {
    arns.push(
      pulumi.interpolate`arn:${ctx.partition}:bedrock:${ctx.region}:${ctx.accountId}:inference-profile/${profile.id}`,
    );
    for (const region of args.inferenceProfileRegions)
      arns.push(foundationModelArnIn(ctx, region, profile.modelId));
  }
  return arns;
}

export class BedrockAccess extends PlatformComponent {
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: BedrockAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    throwIfProblems("BedrockAccess", name, bedrockProblems(args));
    super("agent-platform:index:BedrockAccess", name, "bedrock", opts);
    const ctx = awsContext(this);

    const statements: Record<string, unknown>[] = [];
    if (args.trustedServices.length > 0)
      statements.push({
        Sid: "TrustedServices",
        Effect: "Allow",
        Principal: { Service: [...args.trustedServices] },
        Action: "sts:AssumeRole",
        // Only tasks and functions of this account (confused-deputy protection).
        Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
      });
    if (args.trustedRoleArns.length > 0)
      statements.push({
        Sid: "TrustedRoles",
        Effect: "Allow",
        Principal: { AWS: [...args.trustedRoleArns] },
        Action: "sts:AssumeRole",
      });
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `${name}: invokes the configured Bedrock models`,
        assumeRolePolicy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }),
        maxSessionDuration: 3600,
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-invoke`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "InvokeConfiguredModels",
              Effect: "Allow",
              Action: INVOKE_ACTIONS,
              Resource: invocableArns(ctx, args),
            },
          ],
        }),
      },
      { parent: this },
    );

    this.alarms = args.alarmTopicArn ? this.createAlarms(name, args, args.alarmTopicArn) : [];
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName });
  }

  private createAlarms(name: string, args: BedrockAccessArgs, topic: pulumi.Input<string>) {
    const actions = { alarmActions: [topic], okActions: [topic] };
    // Bedrock publishes per ModelId the id the caller passed: the model id, or the profile id.
    const ids = [...args.modelIds, ...args.inferenceProfiles.map((p) => p.id)];
    const alarms: aws.cloudwatch.MetricAlarm[] = [];
    ids.forEach((modelId, i) => {
      const common = {
        namespace: "AWS/Bedrock",
        dimensions: { ModelId: modelId },
        statistic: "Sum",
        period: 300,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...actions,
      };
      alarms.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-${i}-throttles`,
          {
            ...common,
            alarmDescription: `${name}: ${modelId} throttled in 2 consecutive 5-minute periods (quota reached)`,
            metricName: "InvocationThrottles",
            evaluationPeriods: 2,
          },
          { parent: this },
        ),
        new aws.cloudwatch.MetricAlarm(
          `${name}-${i}-client-errors`,
          {
            ...common,
            alarmDescription: `${name}: ${modelId} refused requests (access denied, validation, model not enabled)`,
            metricName: "InvocationClientErrors",
            evaluationPeriods: 1,
          },
          { parent: this },
        ),
      );
    });
    // One budget over every model: input plus output tokens summed over a day.
    const metrics = ids.flatMap((modelId, i) =>
      ["InputTokenCount", "OutputTokenCount"].map((metricName) => ({
        id: `${metricName === "InputTokenCount" ? "in" : "out"}${i}`,
        returnData: false,
        metric: {
          namespace: "AWS/Bedrock",
          metricName,
          dimensions: { ModelId: modelId },
          period: 86400,
          stat: "Sum",
        },
      })),
    );
    alarms.push(
      new aws.cloudwatch.MetricAlarm(
        `${name}-daily-tokens`,
        {
          alarmDescription: `${name}: more than ${args.dailyTokenBudget} input + output tokens in a day (bedrockDailyTokenBudget)`,
          metricQueries: [
            ...metrics,
            {
              id: "tokens",
              label: "Input + output tokens a day",
              expression: metrics.map((m) => `FILL(${m.id}, 0)`).join(" + "),
              returnData: true,
            },
          ],
          evaluationPeriods: 1,
          threshold: args.dailyTokenBudget,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          ...actions,
        },
        { parent: this },
      ),
    );
    return alarms;
  }
}
