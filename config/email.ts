import { DMARC_POLICIES, EmailField, EmailSettings, emailProblems } from "../components/email-args";
import type { KeyNames } from "../lib/problems";
import { isDomainName } from "../lib/rules";
import { ConfigReader } from "./reader";

/*
 * Outbound e-mail through SES: its keys, read into the component's own settings
 * (components/email-args.ts). SES needs DNS records it can only get from a hosted zone we own, so e-mail exists
 * only where the stack has a domain in an existing zone.
 */

/** E-mail where emailEnabled: the settings, and where the identity is sent from and whose zone holds its records. */
export interface EmailConfig extends EmailSettings {
  /** The verified sending domain: the stack's domainName or a subdomain of it. */
  readonly domain: string;
  /** The Route 53 hosted zone of the stack's domainName, which holds every record of `domain`. */
  readonly hostedZoneId: string;
  /** The custom MAIL FROM domain (bounce handling, SPF): `<emailMailFromSubdomain>.<domain>`. */
  readonly mailFromDomain: string;
}

const KEYS: KeyNames<EmailField> = {
  dmarcReportUri: "emailDmarcReportUri",
  bounceRateAlarmBp: "emailBounceRateAlarmBasisPoints",
  complaintRateAlarmBp: "emailComplaintRateAlarmBasisPoints",
  eventWebhookUrl: "emailEventWebhookUrl",
};

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The e-mail section, or undefined where emailEnabled is false. `domainName` is the stack's domainName as given
 * (undefined when empty) and `hostedZoneId` the zone once domainName and hostedZoneId are both valid (their own
 * problems are reported by the domain section, not again here).
 */
export function readEmail(
  r: ConfigReader,
  domainName: string | undefined,
  hostedZoneId: string | undefined,
): EmailConfig | undefined {
  const enabled = r.boolean("emailEnabled");
  const explicitDomain = r.optionalString("emailDomain");
  const mailFromSubdomain = r.string("emailMailFromSubdomain");
  const dmarcReportUri = r.optionalString("emailDmarcReportUri");
  const eventWebhookUrl = r.optionalString("emailEventWebhookUrl");
  const settings: EmailSettings = {
    dmarcPolicy: r.oneOf("emailDmarcPolicy", DMARC_POLICIES),
    dmarcReportUri: dmarcReportUri ?? "",
    bounceRateAlarmBp: r.number("emailBounceRateAlarmBasisPoints"),
    complaintRateAlarmBp: r.number("emailComplaintRateAlarmBasisPoints"),
    ...(eventWebhookUrl !== undefined ? { eventWebhookUrl } : {}),
  };
  if (!enabled) return undefined;

  if (!LABEL.test(mailFromSubdomain))
    r.report(
      "emailMailFromSubdomain",
      mailFromSubdomain,
      "must be one DNS label (lower-case letters, digits, hyphens) such as mail",
    );
  r.reportAll(emailProblems(settings, KEYS));

  if (explicitDomain !== undefined) {
    if (!isDomainName(explicitDomain))
      r.report("emailDomain", explicitDomain, "must be a DNS name such as agents.example.com");
    else if (domainName === undefined)
      r.report(
        "emailDomain",
        explicitDomain,
        "needs domainName and hostedZoneId (the zone that holds its DNS records); set them or remove emailDomain",
      );
    else if (explicitDomain !== domainName && !explicitDomain.endsWith(`.${domainName}`))
      r.report(
        "emailDomain",
        explicitDomain,
        `must be domainName (${domainName}) or a subdomain of it: its records go in domainName's hosted zone`,
      );
  }
  if (domainName === undefined)
    r.report(
      "emailEnabled",
      true,
      "needs domainName and hostedZoneId: SES verifies the sending domain through DNS records in that zone",
    );
  const domain = explicitDomain ?? domainName;
  if (domain === undefined || hostedZoneId === undefined) return undefined;
  return { ...settings, domain, hostedZoneId, mailFromDomain: `${mailFromSubdomain}.${domain}` };
}
