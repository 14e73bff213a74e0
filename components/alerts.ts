import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformComponent } from "./tagging";

export interface AlertsArgs {
  /** E-mail addresses subscribed to the topic; each must confirm the subscription. Default: none. */
  readonly emails: readonly string[];
}

/**
 * `agent-platform:index:Alerts`: the SNS topic every alarm and budget notifies. Encrypted with its own KMS key
 * (the AWS-managed SNS key cannot be used by CloudWatch or Budgets, which must encrypt messages they publish),
 * and a topic policy that admits only CloudWatch, Budgets and this account.
 */
export class Alerts extends PlatformComponent {
  readonly topicArn: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-platform:index:Alerts", name, "alerts", opts);
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the ${name} alerts topic`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AccountAdministers",
              Effect: "Allow",
              Principal: {
                AWS: pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:root`,
              },
              Action: "kms:*",
              Resource: "*",
            },
            {
              // CloudWatch alarms and Budgets publish to the encrypted topic, so they need the key.
              Sid: "AlarmAndBudgetPublishers",
              Effect: "Allow",
              Principal: { Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"] },
              Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
              Resource: "*",
              Condition: { StringEquals: { "aws:SourceAccount": identity.accountId } },
            },
          ],
        }),
      },
      { parent: this },
    );

    const topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: key.arn }, { parent: this });

    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "ServicesPublish",
              Effect: "Allow",
              Principal: { Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"] },
              Action: "sns:Publish",
              Resource: topic.arn,
              Condition: { StringEquals: { "aws:SourceAccount": identity.accountId } },
            },
            {
              Sid: "AccountManages",
              Effect: "Allow",
              Principal: {
                AWS: pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:root`,
              },
              Action: [
                "sns:Publish",
                "sns:Subscribe",
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
              ],
              Resource: topic.arn,
            },
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "sns:Publish",
              Resource: topic.arn,
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      { parent: this },
    );

    args.emails.forEach((email, i) => {
      new aws.sns.TopicSubscription(
        `${name}-email-${i}`,
        { topic: topic.arn, protocol: "email", endpoint: email },
        { parent: this },
      );
    });

    this.topicArn = topic.arn;
    this.keyArn = key.arn;
    this.registerOutputs({ topicArn: this.topicArn, keyArn: this.keyArn });
  }
}
