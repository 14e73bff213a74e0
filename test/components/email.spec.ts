import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dmarcRecord, Email, EmailArgs, EMAIL_EVENT_TYPES } from "../../components/email";
import { loadEmailTemplates } from "../../components/email-templates";
import { platformProvider } from "../../components/shared/tagging";
import { policies } from "../../policy/policies";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import { check, evaluate, named, ofType, policyDocument, REPO_ROOT } from "../helpers/offline";

const ZONE = "Z0123456789EXAMPLE0AB";
const ALERTS = "arn:aws:sns:us-east-1:123456789012:alerts";
const args = (over: Partial<EmailArgs> = {}): EmailArgs => ({
  domain: "agents.example.com",
  hostedZoneId: ZONE,
  mailFromDomain: "mail.agents.example.com",
  dmarcPolicy: "quarantine",
  dmarcReportUri: "mailto:dmarc-reports@agents.example.com",
  templatesDir: path.join(REPO_ROOT, "templates", "email"),
  templatesDirShown: "templates/email",
  namePrefix: "agent-platform-prod-",
  bounceRateAlarmBp: 500,
  complaintRateAlarmBp: 10,
  alarmTopicArn: ALERTS,
  ...over,
});

/** The template folders the tests wrote, removed when the file's tests end. */
const templateDirs: string[] = [];
after(() => templateDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A folder of templates written for one test; `files` maps template/part to content. */
function templateDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "email-templates-"));
  templateDirs.push(dir);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** Registered resources of a type sorted by name (registration order follows output resolution). */
const sorted = (resources: RegisteredResource[], type: string) =>
  ofType(resources, type).sort((a, b) => a.name.localeCompare(b.name));

const records = (resources: RegisteredResource[]) =>
  sorted(resources, "aws:route53/record:Record").map((r) => [
    r.name,
    r.inputs.zoneId,
    r.inputs.name,
    r.inputs.type,
    r.inputs.ttl,
    r.inputs.records,
  ]);

describe("Email", () => {
  let resources: RegisteredResource[];
  before(async () => {
    ({ resources } = await evaluate(
      () =>
        new Email("email", args(), {
          providers: {
            aws: platformProvider(
              "aws",
              "us-east-1",
              {
                Environment: "prod",
                Project: "agent-platform",
                Owner: "platform-team",
              },
              ["123456789012"],
            ),
          },
        }),
      { stack: "prod" },
    ));
  });

  it("verifies the domain with Easy DKIM (RSA 2048) and publishes its three CNAMEs from the tokens", () => {
    const identity = named(resources, "email-identity");
    assert.deepStrictEqual(identity.inputs.emailIdentity, "agents.example.com");
    assert.deepStrictEqual(identity.inputs.dkimSigningAttributes, { nextSigningKeyLength: "RSA_2048_BIT" });
    assert.strictEqual(identity.inputs.configurationSetName, "agent-platform-prod-email");
    const tokens = (identity.outputs.dkimSigningAttributes as { tokens: string[] }).tokens;
    assert.strictEqual(tokens.length, 3);
    assert.deepStrictEqual(
      records(resources).filter(([n]) => String(n).includes("dkim")),
      tokens.map((t, i) => [
        `email-dkim-${i}`,
        ZONE,
        `${t}._domainkey.agents.example.com`,
        "CNAME",
        1800,
        [`${t}.dkim.amazonses.com`],
      ]),
    );
  });

  it("sets the custom MAIL FROM domain with its MX and SPF records, and DMARC from config", () => {
    const mailFrom = named(resources, "email-mail-from").inputs;
    assert.deepStrictEqual(mailFrom, {
      emailIdentity: "agents.example.com",
      mailFromDomain: "mail.agents.example.com",
      behaviorOnMxFailure: "USE_DEFAULT_VALUE",
    });
    assert.deepStrictEqual(
      records(resources).filter(([n]) => !String(n).includes("dkim")),
      [
        [
          "email-dmarc",
          ZONE,
          "_dmarc.agents.example.com",
          "TXT",
          1800,
          ["v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@agents.example.com; adkim=r; aspf=r"],
        ],
        [
          "email-mail-from-mx",
          ZONE,
          "mail.agents.example.com",
          "MX",
          1800,
          ["10 feedback-smtp.us-east-1.amazonses.com"],
        ],
        [
          "email-mail-from-spf",
          ZONE,
          "mail.agents.example.com",
          "TXT",
          1800,
          ["v=spf1 include:amazonses.com ~all"],
        ],
      ],
    );
    assert.strictEqual(
      dmarcRecord("reject", "mailto:d@x.io"),
      "v=DMARC1; p=reject; rua=mailto:d@x.io; adkim=r; aspf=r",
    );
  });

  it("requires TLS, records reputation and suppresses bounces and complaints in the configuration set", () => {
    assert.deepStrictEqual(named(resources, "email-config-set").inputs, {
      configurationSetName: "agent-platform-prod-email",
      deliveryOptions: { tlsPolicy: "REQUIRE" },
      reputationOptions: { reputationMetricsEnabled: true },
      sendingOptions: { sendingEnabled: true },
      suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] },
      tags: { Function: "email" },
    });
  });

  it("publishes delivery, bounce, complaint, reject and rendering-failure events to SNS and CloudWatch", () => {
    assert.deepStrictEqual(EMAIL_EVENT_TYPES, [
      "DELIVERY",
      "BOUNCE",
      "COMPLAINT",
      "REJECT",
      "RENDERING_FAILURE",
    ]);
    const topicArn = named(resources, "email-events").outputs.arn;
    const destinations = sorted(
      resources,
      "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
    ).map((d) => [
      d.name,
      d.inputs.configurationSetName,
      d.inputs.eventDestinationName,
      d.inputs.eventDestination,
    ]);
    assert.deepStrictEqual(destinations, [
      [
        "email-events-cloudwatch",
        "agent-platform-prod-email",
        "cloudwatch",
        {
          enabled: true,
          matchingEventTypes: EMAIL_EVENT_TYPES,
          cloudWatchDestination: {
            dimensionConfigurations: [
              {
                dimensionName: "category",
                dimensionValueSource: "MESSAGE_TAG",
                defaultDimensionValue: "untagged",
              },
            ],
          },
        },
      ],
      [
        "email-events-sns",
        "agent-platform-prod-email",
        "sns",
        { enabled: true, matchingEventTypes: EMAIL_EVENT_TYPES, snsDestination: { topicArn } },
      ],
    ]);
    // SES checks it may publish when the destination is created: the topic policy must exist first.
    assert.ok(
      named(resources, "email-events-sns").dependencies.includes(named(resources, "email-events-policy").urn),
    );
  });

  it("lets only SES, for this account and configuration set, publish to the encrypted topic and use its key", () => {
    const configSetArn = "arn:aws:ses:us-east-1:123456789012:configuration-set/agent-platform-prod-email";
    assert.strictEqual(named(resources, "email-config-set").outputs.arn, configSetArn);
    const topic = named(resources, "email-events");
    const key = named(resources, "email-events-key");
    assert.strictEqual(topic.inputs.kmsMasterKeyId, key.outputs.arn);
    assert.strictEqual(key.inputs.enableKeyRotation, true);
    const sesOnly = {
      Principal: { Service: "ses.amazonaws.com" },
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnEquals: { "aws:SourceArn": configSetArn },
      },
    };
    assert.deepStrictEqual(policyDocument(named(resources, "email-events-policy")).Statement, [
      {
        Sid: "SesPublishesEvents",
        Effect: "Allow",
        ...sesOnly,
        Action: "sns:Publish",
        Resource: topic.outputs.arn,
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Publish",
        Resource: topic.outputs.arn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    const [admin, ses] = policyDocument(key).Statement;
    assert.deepStrictEqual(admin.Principal, { AWS: "arn:aws:iam::123456789012:root" });
    assert.deepStrictEqual(ses, {
      Sid: "SesEncryptsEvents",
      Effect: "Allow",
      ...sesOnly,
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      Resource: "*",
    });
    assert.deepStrictEqual(ofType(resources, "aws:sns/topicSubscription:TopicSubscription"), []);
  });

  it("deploys every template folder of templates/email with its three files", () => {
    const dir = path.join(REPO_ROOT, "templates", "email");
    const templates = sorted(resources, "aws:ses/template:Template");
    assert.deepStrictEqual(
      templates.map((t) => [t.name, t.inputs.name]),
      [
        ["email-template-inquiry-confirmation", "agent-platform-prod-inquiry-confirmation"],
        ["email-template-internal-notification", "agent-platform-prod-internal-notification"],
      ],
    );
    const t = named(resources, "email-template-inquiry-confirmation").inputs;
    const file = (f: string) => fs.readFileSync(path.join(dir, "inquiry-confirmation", f), "utf8");
    assert.strictEqual(t.subject, "We received your request, {{name}}");
    assert.strictEqual(t.html, file("body.html"));
    assert.strictEqual(t.text, file("body.txt"));
  });

  it("alarms on the account's bounce and complaint rates, to the alerts topic, at the configured thresholds", () => {
    assert.deepStrictEqual(
      sorted(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [
        a.name,
        a.inputs.namespace,
        a.inputs.metricName,
        a.inputs.dimensions,
        a.inputs.statistic,
        a.inputs.threshold,
        a.inputs.comparisonOperator,
        a.inputs.treatMissingData,
        a.inputs.alarmActions,
        a.inputs.okActions,
      ]),
      [
        [
          "email-bounce-rate",
          "AWS/SES",
          "Reputation.BounceRate",
          undefined,
          "Maximum",
          0.05,
          "GreaterThanThreshold",
          "notBreaching",
          [ALERTS],
          [ALERTS],
        ],
        [
          "email-complaint-rate",
          "AWS/SES",
          "Reputation.ComplaintRate",
          undefined,
          "Maximum",
          0.001,
          "GreaterThanThreshold",
          "notBreaching",
          [ALERTS],
          [ALERTS],
        ],
      ],
    );
  });

  it("passes every mandatory policy of the pack", async () => {
    const found = (await check(policies, resources)).filter((v) => v.enforcementLevel === "mandatory");
    assert.deepStrictEqual(
      found.map((v) => `${v.policy}: ${v.message}`),
      [],
    );
  });

  it("subscribes the webhook over HTTPS and uses other thresholds when given", async () => {
    const { resources: r } = await evaluate(
      () =>
        new Email(
          "mail",
          args({
            eventWebhookUrl: "https://hooks.example.com/ses",
            bounceRateAlarmBp: 250,
            complaintRateAlarmBp: 5,
          }),
        ),
    );
    const sub = named(r, "mail-webhook").inputs;
    assert.deepStrictEqual(
      [sub.topic, sub.protocol, sub.endpoint],
      [named(r, "mail-events").outputs.arn, "https", "https://hooks.example.com/ses"],
    );
    assert.deepStrictEqual(
      sorted(r, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs.threshold),
      [0.025, 0.0005],
    );
  });

  it("refuses a MAIL FROM domain outside the sending domain and template names over 64 characters", () => {
    assert.throws(() => new Email("e", args({ mailFromDomain: "mail.example.org" })), {
      message: 'Email e: mailFromDomain = "mail.example.org": must be a subdomain of agents.example.com',
    });
    assert.throws(() => new Email("e", args({ namePrefix: "x".repeat(45) })), {
      message: `Email e: template names longer than 64 characters: ${"x".repeat(45)}inquiry-confirmation, ${"x".repeat(45)}internal-notification`,
    });
  });
});

describe("email templates", () => {
  it("reads templates/email: every folder with its subject (one line), html and text", () => {
    const templates = loadEmailTemplates(path.join(REPO_ROOT, "templates", "email"));
    assert.deepStrictEqual(
      templates.map((t) => [t.name, t.subject]),
      [
        ["inquiry-confirmation", "We received your request, {{name}}"],
        ["internal-notification", "[{{severity}}] {{title}}"],
      ],
    );
  });

  it("names each missing, empty, stray or malformed file", () => {
    const dir = templateDir({
      "welcome/subject.txt": "Hi\nthere\n",
      "welcome/body.html": "<p>{{name}</p>",
      "welcome/body.htm": "<p>typo</p>",
      "reset/subject.txt": "Reset",
      "reset/body.txt": "  \n",
      "bad name/subject.txt": "x",
      "bad name/body.html": "x",
      "bad name/body.txt": "x",
    });
    assert.throws(() => loadEmailTemplates(dir, "templates/email"), {
      message: [
        "email templates in templates/email:",
        "  - templates/email/bad name: a template name has only letters, digits, _ and -",
        "  - templates/email/reset/body.html: missing (every template needs subject.txt, body.html, body.txt)",
        "  - templates/email/reset/body.txt: empty",
        "  - templates/email/welcome/body.htm: not a template part (expected subject.txt, body.html, body.txt)",
        "  - templates/email/welcome/body.html: unbalanced {{ }} placeholders",
        "  - templates/email/welcome/body.txt: missing (every template needs subject.txt, body.html, body.txt)",
        "  - templates/email/welcome/subject.txt: must be one line",
      ].join("\n"),
    });
    assert.throws(() => loadEmailTemplates(path.join(dir, "nope"), "templates/nope"), {
      message: "email templates: templates/nope is not a folder",
    });
  });

  it("fails the component before it registers anything when a template is broken", async () => {
    const dir = templateDir({ "welcome/subject.txt": "Hi", "welcome/body.html": "<p>Hi</p>" });
    assert.throws(() => new Email("e", args({ templatesDir: dir, templatesDirShown: "templates/email" })), {
      message:
        "email templates in templates/email:\n" +
        "  - templates/email/welcome/body.txt: missing (every template needs subject.txt, body.html, body.txt)",
    });
  });
});
