import * as assert from "assert";
import { configIssues, K, loadStack } from "../helpers/config";

describe("email config", () => {
  it("is on only in prod, which has a domain and zone: sending as agents.example.com with DMARC reports", () => {
    for (const stack of ["dev", "staging"]) {
      assert.strictEqual(loadStack(stack).email, undefined, stack);
    }
    assert.deepStrictEqual(loadStack("prod").email, {
      domain: "agents.example.com",
      hostedZoneId: "Z0123456789EXAMPLE0AB",
      mailFromDomain: "mail.agents.example.com",
      dmarcPolicy: "quarantine",
      dmarcReportUri: "mailto:dmarc-reports@agents.example.com",
      bounceRateAlarmBp: 500,
      complaintRateAlarmBp: 10,
    });
  });

  it("sends from a subdomain of domainName with its own MAIL FROM label and webhook", () => {
    const email = loadStack("prod", {
      [K("emailDomain")]: "notify.agents.example.com",
      [K("emailMailFromSubdomain")]: "bounce",
      [K("emailEventWebhookUrl")]: "https://hooks.example.com/ses",
    }).email!;
    assert.deepStrictEqual(
      [email.domain, email.hostedZoneId, email.mailFromDomain],
      ["notify.agents.example.com", "Z0123456789EXAMPLE0AB", "bounce.notify.agents.example.com"],
    );
    assert.strictEqual(email.eventWebhookUrl, "https://hooks.example.com/ses");
  });

  it("refuses e-mail without a domain, and a sending domain outside domainName", () => {
    assert.deepStrictEqual(
      configIssues("staging", {
        [K("emailEnabled")]: "true",
        [K("emailDmarcReportUri")]: "mailto:dmarc@example.com",
      }),
      [
        "agent-platform:emailEnabled = true: needs domainName and hostedZoneId: SES verifies the sending domain through DNS records in that zone",
      ],
    );
    assert.deepStrictEqual(
      configIssues("dev", {
        [K("emailEnabled")]: "true",
        [K("emailDmarcReportUri")]: "mailto:dmarc@example.com",
        [K("emailDomain")]: "agents.example.com",
      }),
      [
        'agent-platform:emailDomain = "agents.example.com": needs domainName and hostedZoneId (the zone that holds its DNS records); set them or remove emailDomain',
        "agent-platform:emailEnabled = true: needs domainName and hostedZoneId: SES verifies the sending domain through DNS records in that zone",
      ],
    );
    // Switched off, e-mail's keys are read but not judged.
    assert.deepStrictEqual(configIssues("dev", { [K("emailDomain")]: "agents.example.com" }), []);
    assert.deepStrictEqual(
      configIssues("prod", { [K("emailDomain")]: "example.com" }).concat(
        configIssues("prod", { [K("emailDomain")]: "evilagents.example.com" }),
        configIssues("prod", { [K("emailDomain")]: "Mail.Example" }),
      ),
      [
        'agent-platform:emailDomain = "example.com": must be domainName (agents.example.com) or a subdomain of it: its records go in domainName\'s hosted zone',
        'agent-platform:emailDomain = "evilagents.example.com": must be domainName (agents.example.com) or a subdomain of it: its records go in domainName\'s hosted zone',
        'agent-platform:emailDomain = "Mail.Example": must be a DNS name such as agents.example.com',
      ],
    );
  });

  it("validates the DMARC policy and report URI, the MAIL FROM label, thresholds and webhook", () => {
    assert.deepStrictEqual(
      configIssues("prod", {
        [K("emailDmarcPolicy")]: "block",
        [K("emailDmarcReportUri")]: "dmarc@agents.example.com",
        [K("emailMailFromSubdomain")]: "mail.out",
        [K("emailBounceRateAlarmBasisPoints")]: "1000",
        [K("emailComplaintRateAlarmBasisPoints")]: "0",
        [K("emailEventWebhookUrl")]: "http://hooks.example.com/ses",
      }),
      [
        'agent-platform:emailDmarcPolicy = "block": must be one of none, quarantine, reject',
        'agent-platform:emailMailFromSubdomain = "mail.out": must be one DNS label (lower-case letters, digits, hyphens) such as mail',
        "agent-platform:emailBounceRateAlarmBasisPoints = 1000: must be between 1 and 999",
        "agent-platform:emailComplaintRateAlarmBasisPoints = 0: must be between 1 and 49",
        'agent-platform:emailDmarcReportUri = "dmarc@agents.example.com": must be a mailto: URI such as mailto:dmarc@example.com',
        'agent-platform:emailEventWebhookUrl = "http://hooks.example.com/ses": must be an https:// URL such as https://hooks.example.com/ses',
      ],
    );
    assert.deepStrictEqual(configIssues("prod", { [K("emailDmarcReportUri")]: "mailto:not-an-address" }), [
      'agent-platform:emailDmarcReportUri = "mailto:not-an-address": must be mailto: followed by one e-mail address, such as mailto:dmarc@example.com',
    ]);
    assert.deepStrictEqual(configIssues("prod", { [K("emailDmarcReportUri")]: "" }), [
      "agent-platform:emailDmarcReportUri = undefined: is required: a mailto: URI for DMARC aggregate reports",
    ]);
  });
});
