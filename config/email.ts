import { ConfigReader } from "./reader";
import { isDomainName, isEmail } from "../lib/rules";

/*
 * Outbound e-mail through SES (seed 004): a verified sending domain with DKIM, a custom MAIL FROM domain and
 * DMARC in the stack's Route 53 zone, a configuration set that publishes delivery events, templates and
 * reputation alarms. SES needs DNS records it can only get from a hosted zone we own, so e-mail exists only
 * where the stack has a domain.
 */

export const DMARC_POLICIES = ["none", "quarantine", "reject"] as const;
export type DmarcPolicy = (typeof DMARC_POLICIES)[number];

/*
 * Rates are in basis points (1 = 0.01 %): Pulumi's config schema has integers but no decimals, and the
 * complaint rate that matters is a fraction of a percent. SES reviews an account at a 5 % bounce or 0.1 %
 * complaint rate and may pause its sending at 10 % or 0.5 %; the alarms must fire before that.
 */
export const SES_BOUNCE_PAUSE_BP = 1000;
export const SES_COMPLAINT_PAUSE_BP = 50;

/** Where the identity is sent from and whose zone holds its records; present only when e-mail is on. */
export interface EmailSending {
  /** The verified sending domain: the stack's domainName or a subdomain of it. */
  readonly domain: string;
  /** The Route 53 hosted zone of the stack's domainName, which holds every record of `domain`. */
  readonly hostedZoneId: string;
  /** The custom MAIL FROM domain (bounce handling, SPF): `<emailMailFromSubdomain>.<domain>`. */
  readonly mailFromDomain: string;
}

export interface EmailConfig {
  /** Whether the SES identity, configuration set, templates and alarms are deployed. */
  readonly enabled: boolean;
  readonly sending?: EmailSending;
  /** DMARC policy for mail that fails both SPF and DKIM alignment. */
  readonly dmarcPolicy: DmarcPolicy;
  /** Where receivers send DMARC aggregate reports: a `mailto:` URI (undefined when e-mail is off). */
  readonly dmarcReportUri?: string;
  /** Alarm when the account's bounce rate exceeds this many basis points (500 = 5 %). */
  readonly bounceRateAlarmBp: number;
  /** Alarm when the account's complaint rate exceeds this many basis points (10 = 0.1 %). */
  readonly complaintRateAlarmBp: number;
  /** An HTTPS endpoint subscribed to the delivery-event topic (the seed's "webhooks"); undefined for none. */
  readonly eventWebhookUrl?: string;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const HTTPS_URL = /^https:\/\/[a-z0-9.-]+(:\d{1,5})?(\/[^\s]*)?$/i;

/**
 * Reads the email section. `domainName` is the stack's domainName as given (undefined when empty) and
 * `hostedZoneId` the zone once domainName and hostedZoneId are both valid (their own problems are reported
 * by the domain section, not again here).
 */
export function readEmail(
  r: ConfigReader,
  domainName: string | undefined,
  hostedZoneId: string | undefined,
): EmailConfig {
  const enabled = r.boolean("emailEnabled", false);
  const explicitDomain = r.optionalString("emailDomain");
  const mailFromSubdomain = r.string("emailMailFromSubdomain", "mail");
  const dmarcPolicy = r.oneOf("emailDmarcPolicy", DMARC_POLICIES, "none");
  const dmarcReportUri = r.optionalString("emailDmarcReportUri");
  const bounceRateAlarmBp = r.number(
    "emailBounceRateAlarmBasisPoints",
    { min: 1, max: SES_BOUNCE_PAUSE_BP - 1 },
    500,
  );
  const complaintRateAlarmBp = r.number(
    "emailComplaintRateAlarmBasisPoints",
    { min: 1, max: SES_COMPLAINT_PAUSE_BP - 1 },
    10,
  );
  const eventWebhookUrl = r.optionalString("emailEventWebhookUrl");

  if (!LABEL.test(mailFromSubdomain))
    r.report(
      "emailMailFromSubdomain",
      mailFromSubdomain,
      "must be one DNS label (lower-case letters, digits, hyphens) such as mail",
    );
  if (dmarcReportUri !== undefined && !dmarcReportUri.startsWith("mailto:"))
    r.report("emailDmarcReportUri", dmarcReportUri, "must be a mailto: URI such as mailto:dmarc@example.com");
  else if (dmarcReportUri !== undefined && !isEmail(dmarcReportUri.slice("mailto:".length)))
    r.report(
      "emailDmarcReportUri",
      dmarcReportUri,
      "must be mailto: followed by one e-mail address, such as mailto:dmarc@example.com",
    );
  if (eventWebhookUrl !== undefined && !HTTPS_URL.test(eventWebhookUrl))
    r.report(
      "emailEventWebhookUrl",
      eventWebhookUrl,
      "must be an https:// URL such as https://hooks.example.com/ses",
    );

  const domain = explicitDomain ?? domainName;
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

  let sending: EmailSending | undefined;
  if (enabled) {
    if (domainName === undefined)
      r.report(
        "emailEnabled",
        true,
        "needs domainName and hostedZoneId: SES verifies the sending domain through DNS records in that zone",
      );
    if (dmarcReportUri === undefined)
      r.report(
        "emailDmarcReportUri",
        undefined,
        "is required when emailEnabled is true: a mailto: URI for DMARC aggregate reports",
      );
    if (domain !== undefined && hostedZoneId !== undefined)
      sending = { domain, hostedZoneId, mailFromDomain: `${mailFromSubdomain}.${domain}` };
  }
  return {
    enabled,
    ...(sending ? { sending } : {}),
    dmarcPolicy,
    ...(enabled && dmarcReportUri !== undefined ? { dmarcReportUri } : {}),
    bounceRateAlarmBp,
    complaintRateAlarmBp,
    ...(eventWebhookUrl !== undefined ? { eventWebhookUrl } : {}),
  };
}
