import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "../lib/problems";
import { DmarcPolicy, EmailSettings, emailProblems } from "./email-args";
import { loadEmailTemplates, MAX_TEMPLATE_NAME } from "./email-templates";
import { accountAdministersKey } from "./shared/kms-statements";
import { denyInsecureTransport } from "./shared/policy-statements";
import { PlatformComponent } from "./shared/tagging";

export interface EmailArgs extends EmailSettings {
  /** The sending domain SES verifies (the stack's domain or a subdomain of it). No default. */
  readonly domain: string;
  /** The Route 53 hosted zone that holds `domain`'s records (DKIM, MAIL FROM, DMARC). No default. */
  readonly hostedZoneId: string;
  /** The custom MAIL FROM domain, a subdomain of `domain` (e.g. mail.<domain>). No default. */
  readonly mailFromDomain: string;
  /** Folder with one sub-folder per template (subject.txt, body.html, body.txt). No default. */
  readonly templatesDir: string;
  /** How errors name `templatesDir` (project-relative). Default: templatesDir. */
  readonly templatesDirShown?: string;
  /**
   * Prefix of the account-wide names (configuration set, templates), e.g. agent-platform-prod-: SES names are
   * unique per account and region, and stacks may share an account. No default.
   */
  readonly namePrefix: string;
  /** The topic the alarms notify (the stack's alerts topic). Default: none (the alarms only change state). */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/** The events SES publishes to both destinations: deliveries and every way a message can fail. */
export const EMAIL_EVENT_TYPES = ["DELIVERY", "BOUNCE", "COMPLAINT", "REJECT", "RENDERING_FAILURE"];
/** The message tag senders set (e.g. the template's name) to split the CloudWatch event metrics. */
export const EMAIL_METRIC_DIMENSION = { name: "category", default: "untagged" };
/** Easy DKIM always returns three tokens, so the three CNAME records are created without reading them first. */
const DKIM_TOKEN_COUNT = 3;

/** The DMARC TXT record's value (relaxed alignment: SES signs as `domain` and bounces to its subdomain). */
export function dmarcRecord(policy: DmarcPolicy, reportUri: string): string {
  return `v=DMARC1; p=${policy}; rua=${reportUri}; adkim=r; aspf=r`;
}

/**
 * `agent-platform:index:Email`: SES sending for one verified domain.
 *
 * - Domain identity with Easy DKIM (2048-bit keys) and its three CNAME records, a custom MAIL FROM domain with
 *   its MX and SPF records, and DMARC at _dmarc.<domain>: receivers see SPF, DKIM and DMARC aligned.
 * - A configuration set, the identity's default, that requires TLS to the receiving server, records
 *   reputation metrics, suppresses addresses that bounced or complained, and publishes delivery, bounce,
 *   complaint, reject and rendering-failure events to a KMS-encrypted SNS topic (only SES, for this account
 *   and this configuration set, may publish) and to CloudWatch.
 * - Templates from files (ses.Template: @pulumi/aws 7.48 has no sesv2 template resource; SES v1 and v2 share
 *   one template store, so SendEmail of either API uses them).
 * - Bounce-rate and complaint-rate alarms to the alerts topic.
 *
 * Leaving the SES sandbox (production access) is an account-level request AWS reviews by hand: docs/email.md.
 */
export class Email extends PlatformComponent {
  readonly identityArn: pulumi.Output<string>;
  readonly configurationSetName: pulumi.Output<string>;
  readonly eventsTopicArn: pulumi.Output<string>;
  /** The templates' SES names, by file-folder name. */
  readonly templateNames: Record<string, string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: EmailArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = emailProblems(args);
    if (!args.mailFromDomain.endsWith(`.${args.domain}`))
      problems.push({
        key: "mailFromDomain",
        value: args.mailFromDomain,
        allowed: `must be a subdomain of ${args.domain}`,
      });
    throwIfProblems("Email", name, problems);
    // Read before anything is registered: a broken template leaves no half-built component.
    const templates = loadEmailTemplates(args.templatesDir, args.templatesDirShown);
    const tooLong = templates
      .map((t) => args.namePrefix + t.name)
      .filter((n) => n.length > MAX_TEMPLATE_NAME);
    if (tooLong.length > 0)
      throw new Error(
        `Email ${name}: template names longer than ${MAX_TEMPLATE_NAME} characters: ${tooLong.join(", ")}`,
      );
    super("agent-platform:index:Email", name, "email", opts);

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    const record = (
      suffix: string,
      recordName: pulumi.Input<string>,
      type: string,
      values: pulumi.Input<string>[],
    ) =>
      new aws.route53.Record(
        `${name}-${suffix}`,
        { zoneId: args.hostedZoneId, name: recordName, type, ttl: 1800, records: values },
        { parent: this },
      );

    const configurationSet = new aws.sesv2.ConfigurationSet(
      `${name}-config-set`,
      {
        configurationSetName: `${args.namePrefix}email`,
        deliveryOptions: { tlsPolicy: "REQUIRE" },
        reputationOptions: { reputationMetricsEnabled: true },
        sendingOptions: { sendingEnabled: true },
        suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] },
      },
      { parent: this },
    );

    // Every message sent from the domain goes through the configuration set unless the sender names another.
    const emailIdentity = new aws.sesv2.EmailIdentity(
      `${name}-identity`,
      {
        emailIdentity: args.domain,
        configurationSetName: configurationSet.configurationSetName,
        dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
      },
      { parent: this },
    );
    const tokens = emailIdentity.dkimSigningAttributes.tokens;
    for (let i = 0; i < DKIM_TOKEN_COUNT; i++) {
      const token = tokens.apply((t) => {
        if (t.length !== DKIM_TOKEN_COUNT)
          throw new Error(
            `Email ${name}: SES returned ${t.length} DKIM tokens, expected ${DKIM_TOKEN_COUNT}`,
          );
        return t[i];
      });
      record(`dkim-${i}`, pulumi.interpolate`${token}._domainkey.${args.domain}`, "CNAME", [
        pulumi.interpolate`${token}.dkim.amazonses.com`,
      ]);
    }

    new aws.sesv2.EmailIdentityMailFromAttributes(
      `${name}-mail-from`,
      {
        emailIdentity: emailIdentity.emailIdentity,
        mailFromDomain: args.mailFromDomain,
        // Until the MX record resolves, SES falls back to amazonses.com instead of refusing to send.
        behaviorOnMxFailure: "USE_DEFAULT_VALUE",
      },
      { parent: this },
    );
    record("mail-from-mx", args.mailFromDomain, "MX", [
      pulumi.interpolate`10 feedback-smtp.${region.region}.amazonses.com`,
    ]);
    record("mail-from-spf", args.mailFromDomain, "TXT", ["v=spf1 include:amazonses.com ~all"]);
    record("dmarc", `_dmarc.${args.domain}`, "TXT", [dmarcRecord(args.dmarcPolicy, args.dmarcReportUri)]);

    const events = this.createEventsTopic(name, configurationSet, identity.accountId, partition.partition);
    this.eventsTopicArn = events.topic.arn;
    if (args.eventWebhookUrl)
      new aws.sns.TopicSubscription(
        `${name}-webhook`,
        { topic: events.topic.arn, protocol: "https", endpoint: args.eventWebhookUrl },
        { parent: this },
      );

    new aws.sesv2.ConfigurationSetEventDestination(
      `${name}-events-sns`,
      {
        configurationSetName: configurationSet.configurationSetName,
        eventDestinationName: "sns",
        eventDestination: {
          enabled: true,
          matchingEventTypes: EMAIL_EVENT_TYPES,
          snsDestination: { topicArn: events.topic.arn },
        },
      },
      { parent: this, dependsOn: [events.policy] },
    );
    new aws.sesv2.ConfigurationSetEventDestination(
      `${name}-events-cloudwatch`,
      {
        configurationSetName: configurationSet.configurationSetName,
        eventDestinationName: "cloudwatch",
        eventDestination: {
          enabled: true,
          matchingEventTypes: EMAIL_EVENT_TYPES,
          cloudWatchDestination: {
            dimensionConfigurations: [
              {
                dimensionName: EMAIL_METRIC_DIMENSION.name,
                dimensionValueSource: "MESSAGE_TAG",
                defaultDimensionValue: EMAIL_METRIC_DIMENSION.default,
              },
            ],
          },
        },
      },
      { parent: this },
    );

    this.templateNames = {};
    for (const t of templates) {
      this.templateNames[t.name] = `${args.namePrefix}${t.name}`;
      new aws.ses.Template(
        `${name}-template-${t.name}`,
        { name: this.templateNames[t.name], subject: t.subject, html: t.html, text: t.text },
        { parent: this },
      );
    }

    this.alarms = this.createAlarms(name, args);
    this.identityArn = emailIdentity.arn;
    this.configurationSetName = configurationSet.configurationSetName;
    this.registerOutputs({
      identityArn: this.identityArn,
      configurationSetName: this.configurationSetName,
      eventsTopicArn: this.eventsTopicArn,
      templateNames: this.templateNames,
    });
  }

  /**
   * The delivery-event topic, encrypted with a key of its own: SES must encrypt what it publishes, and the
   * AWS managed SNS key cannot be granted to it. Only SES, sending for this account through this configuration
   * set, may publish (and use the key); publishing without TLS is refused.
   */
  private createEventsTopic(
    name: string,
    configurationSet: aws.sesv2.ConfigurationSet,
    accountId: pulumi.Output<string>,
    partition: pulumi.Output<string>,
  ) {
    const sesOnly = {
      Principal: { Service: "ses.amazonaws.com" },
      Condition: {
        StringEquals: { "aws:SourceAccount": accountId },
        ArnEquals: { "aws:SourceArn": configurationSet.arn },
      },
    };
    const key = new aws.kms.Key(
      `${name}-events-key`,
      {
        description: `Encrypts the ${name} SES delivery-event topic`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            accountAdministersKey("AccountAdministersKey", partition, accountId),
            {
              Sid: "SesEncryptsEvents",
              Effect: "Allow",
              ...sesOnly,
              Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
              Resource: "*",
            },
          ],
        }),
      },
      { parent: this },
    );
    const topic = new aws.sns.Topic(`${name}-events`, { kmsMasterKeyId: key.arn }, { parent: this });
    const policy = new aws.sns.TopicPolicy(
      `${name}-events-policy`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "SesPublishesEvents",
              Effect: "Allow",
              ...sesOnly,
              Action: "sns:Publish",
              Resource: topic.arn,
            },
            denyInsecureTransport("sns:Publish", topic.arn),
          ],
        }),
      },
      { parent: this },
    );
    return { topic, policy };
  }

  /** Account-level reputation rates: the ones AWS reviews and pauses sending on. */
  private createAlarms(name: string, args: EmailArgs): aws.cloudwatch.MetricAlarm[] {
    const actions = args.alarmTopicArn
      ? { alarmActions: [args.alarmTopicArn], okActions: [args.alarmTopicArn] }
      : {};
    const rate = (
      suffix: string,
      metricName: string,
      bp: number,
      what: string,
      review: string,
      pause: string,
    ) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        {
          alarmDescription: `${name}: SES ${what} rate above ${bp / 100} % (AWS reviews the account at ${review}, may pause sending at ${pause})`,
          namespace: "AWS/SES",
          metricName,
          statistic: "Maximum",
          period: 900,
          evaluationPeriods: 1,
          // The rate is a fraction (0.05 = 5 %); SES publishes nothing while nothing is sent.
          threshold: bp / 10000,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          ...actions,
        },
        { parent: this },
      );
    return [
      rate("bounce-rate", "Reputation.BounceRate", args.bounceRateAlarmBp, "bounce", "5 %", "10 %"),
      rate(
        "complaint-rate",
        "Reputation.ComplaintRate",
        args.complaintRateAlarmBp,
        "complaint",
        "0.1 %",
        "0.5 %",
      ),
    ];
  }
}
