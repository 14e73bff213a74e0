import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "../lib/problems";
import { logsMayEncrypt } from "./shared/kms-statements";
import { denyInsecureTransport } from "./shared/policy-statements";
import { BUDGET_TAG_KEY, ObservabilitySettings, observabilityProblems } from "./observability-args";
import { PlatformComponent } from "./shared/tagging";

export interface ObservabilityArgs extends ObservabilitySettings {
  /** The stack's Environment tag value: budgets and the anomaly monitor look only at resources with it. No default. */
  readonly environment: string;
}

/**
 * The stack's operational log groups, which use the operations key: the ECS tasks' groups (fargate/task.ts
 * names them `/ecs/<project>-<stack>/<name>`), the VPC's flow logs (`/aws/vpc/flow-logs/<vpc-id>`,
 * network/flow-logs.ts), and the functions' and API Gateway access logs (`/aws/lambda/<project>-<stack>-<name>`,
 * `/aws/apigateway/<project>-<stack>-<name>`). A component with a key of its own for its data may still
 * encrypt its functions' logs with that key (the pipeline, the database's migration runner).
 */
export function operationsLogGroupPatterns(): string[] {
  const stack = `${pulumi.getProject()}-${pulumi.getStack()}`;
  return [
    `/ecs/${stack}/*`,
    "/aws/vpc/flow-logs/vpc-*",
    `/aws/lambda/${stack}-*`,
    `/aws/apigateway/${stack}-*`,
  ];
}

/** Services that publish to the alerts topic and therefore need the topic's KMS key. */
const PUBLISHERS = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"];

/**
 * `agent-platform:index:Observability`: where every alarm, budget and cost anomaly of the stack is sent.
 *
 * - The alerts topic is encrypted with the stack's operations key: the AWS-managed SNS key cannot be granted
 *   to CloudWatch, Budgets or Cost Anomaly Detection, which encrypt the messages they publish. The same key
 *   encrypts the operational log groups of operationsLogGroupPatterns (one $1-a-month key instead of one per
 *   log group: what they hold is operational, not customer data, which keeps keys of its own).
 * - The topic policy admits those three services from this account only, the account's own principals, and
 *   refuses publishing without TLS.
 * - The budget (80 % actual, 100 % forecast) and the anomaly monitor are scoped to the stack's Environment
 *   tag, so several stacks can share an account without alerting on each other's spend. AWS filters on
 *   activated cost allocation tags only: one stack per account activates them (activateCostAllocationTags).
 */
export class Observability extends PlatformComponent {
  /** The topic every alarm in the stack notifies. */
  readonly alertsTopicArn: pulumi.Output<string>;
  readonly alertsKeyArn: pulumi.Output<string>;
  /** The operations key, which CloudWatch Logs may use for the log groups of operationsLogGroupPatterns. */
  readonly logsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    // Guard clauses before anything is registered: a bad argument leaves no half-built component.
    throwIfProblems("Observability", name, observabilityProblems(args));
    super("agent-platform:index:Observability", name, "observability", opts);

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    const accountRoot = pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:root`;

    const key = new aws.kms.Key(
      `${name}-alerts-key`,
      {
        description: `Encrypts the ${name} alerts topic and the stack's operational log groups`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              // Without this statement nobody could ever manage the key again.
              Sid: "AccountAdministersKey",
              Effect: "Allow",
              Principal: { AWS: accountRoot },
              Action: "kms:*",
              Resource: "*",
            },
            {
              Sid: "PublishersEncrypt",
              Effect: "Allow",
              Principal: { Service: PUBLISHERS },
              Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
              Resource: "*",
              Condition: { StringEquals: { "aws:SourceAccount": identity.accountId } },
            },
            logsMayEncrypt(
              "CloudWatchLogsEncryptsOperationalGroups",
              region.region,
              partition.dnsSuffix,
              operationsLogGroupPatterns().map(
                (pattern) =>
                  pulumi.interpolate`arn:${partition.partition}:logs:${region.region}:${identity.accountId}:log-group:${pattern}`,
              ),
              "ArnLike",
            ),
          ],
        }),
      },
      { parent: this },
    );

    const topic = new aws.sns.Topic(`${name}-alerts`, { kmsMasterKeyId: key.arn }, { parent: this });

    new aws.sns.TopicPolicy(
      `${name}-alerts-policy`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "ServicesPublish",
              Effect: "Allow",
              Principal: { Service: PUBLISHERS },
              Action: "sns:Publish",
              Resource: topic.arn,
              Condition: { StringEquals: { "aws:SourceAccount": identity.accountId } },
            },
            {
              Sid: "AccountManagesTopic",
              Effect: "Allow",
              Principal: { AWS: accountRoot },
              Action: [
                "sns:Publish",
                "sns:Subscribe",
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
              ],
              Resource: topic.arn,
            },
            denyInsecureTransport("sns:Publish", topic.arn),
          ],
        }),
      },
      { parent: this },
    );

    args.alertEmails.forEach((email, i) => {
      new aws.sns.TopicSubscription(
        `${name}-alerts-email-${i}`,
        { topic: topic.arn, protocol: "email", endpoint: email },
        { parent: this },
      );
    });

    const environmentTag = `user:${BUDGET_TAG_KEY}$${args.environment}`;
    new aws.budgets.Budget(
      `${name}-budget`,
      {
        budgetType: "COST",
        timeUnit: "MONTHLY",
        limitAmount: args.monthlyBudgetUsd.toFixed(2),
        limitUnit: "USD",
        costFilters: [{ name: "TagKeyValue", values: [environmentTag] }],
        notifications: [
          {
            notificationType: "ACTUAL",
            comparisonOperator: "GREATER_THAN",
            threshold: 80,
            thresholdType: "PERCENTAGE",
            subscriberSnsTopicArns: [topic.arn],
          },
          {
            notificationType: "FORECASTED",
            comparisonOperator: "GREATER_THAN",
            threshold: 100,
            thresholdType: "PERCENTAGE",
            subscriberSnsTopicArns: [topic.arn],
          },
        ],
      },
      { parent: this },
    );

    // A custom monitor on the Environment tag: the account-wide SERVICE monitor is limited to one per account.
    const monitor = new aws.costexplorer.AnomalyMonitor(
      `${name}-anomalies`,
      {
        monitorType: "CUSTOM",
        monitorSpecification: JSON.stringify({
          Tags: { Key: BUDGET_TAG_KEY, Values: [args.environment], MatchOptions: ["EQUALS"] },
        }),
      },
      { parent: this },
    );
    new aws.costexplorer.AnomalySubscription(
      `${name}-anomaly-alerts`,
      {
        // IMMEDIATE is the only frequency that can notify an SNS topic.
        frequency: "IMMEDIATE",
        monitorArnLists: [monitor.arn],
        subscribers: [{ type: "SNS", address: topic.arn }],
        thresholdExpression: {
          dimension: {
            key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
            matchOptions: ["GREATER_THAN_OR_EQUAL"],
            values: [String(args.anomalyThresholdUsd)],
          },
        },
      },
      { parent: this },
    );

    // Every stack's budget relies on the activation, so it outlives this stack: deleting the resource would
    // set the tag Inactive for the whole account.
    for (const tagKey of args.activateCostAllocationTags ? args.costAllocationTagKeys : []) {
      new aws.costexplorer.CostAllocationTag(
        `${name}-cost-tag-${tagKey.toLowerCase()}`,
        { tagKey, status: "Active" },
        { parent: this, retainOnDelete: true },
      );
    }

    this.alertsTopicArn = topic.arn;
    this.alertsKeyArn = key.arn;
    this.logsKeyArn = key.arn;
    this.registerOutputs({ alertsTopicArn: this.alertsTopicArn, alertsKeyArn: this.alertsKeyArn });
  }
}
