import { KeyNames, Problems, selfNamed } from "../lib/problems";
import { isEmail } from "../lib/rules";

/*
 * What the Email component (SES: a verified sending domain with DKIM, a custom MAIL FROM domain and DMARC, a
 * configuration set, templates and reputation alarms) is given that config reads, and the rules of it.
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

const HTTPS_URL = /^https:\/\/[a-z0-9.-]+(:\d{1,5})?(\/[^\s]*)?$/i;

/** DMARC, the reputation alarms and the delivery-event webhook (what config reads). */
export interface EmailSettings {
  /** DMARC policy for mail failing alignment: none (monitor), quarantine or reject. No default. */
  readonly dmarcPolicy: DmarcPolicy;
  /** Where receivers send DMARC aggregate reports: a mailto: URI with one address (required). No default. */
  readonly dmarcReportUri: string;
  /** Alarm when the account's bounce rate exceeds this many basis points (1-999; 500 = 5 %). No default. */
  readonly bounceRateAlarmBp: number;
  /** Alarm when the account's complaint rate exceeds this many basis points (1-49; 10 = 0.1 %). No default. */
  readonly complaintRateAlarmBp: number;
  /** An HTTPS endpoint subscribed to the delivery-event topic. Default: none. */
  readonly eventWebhookUrl?: string;
}

export type EmailField = "dmarcReportUri" | "bounceRateAlarmBp" | "complaintRateAlarmBp" | "eventWebhookUrl";

export const EMAIL_FIELDS: KeyNames<EmailField> = selfNamed([
  "dmarcReportUri",
  "bounceRateAlarmBp",
  "complaintRateAlarmBp",
  "eventWebhookUrl",
] as const);

/** Every rule the e-mail settings break, each named by `keys`. */
export function emailProblems(s: EmailSettings, keys: KeyNames<EmailField> = EMAIL_FIELDS) {
  const p = new Problems(keys);
  p.number("bounceRateAlarmBp", s.bounceRateAlarmBp, { min: 1, max: SES_BOUNCE_PAUSE_BP - 1 });
  p.number("complaintRateAlarmBp", s.complaintRateAlarmBp, { min: 1, max: SES_COMPLAINT_PAUSE_BP - 1 });
  if (s.dmarcReportUri === "")
    p.add("dmarcReportUri", undefined, "is required: a mailto: URI for DMARC aggregate reports");
  else if (!s.dmarcReportUri.startsWith("mailto:"))
    p.add("dmarcReportUri", s.dmarcReportUri, "must be a mailto: URI such as mailto:dmarc@example.com");
  else if (!isEmail(s.dmarcReportUri.slice("mailto:".length)))
    p.add(
      "dmarcReportUri",
      s.dmarcReportUri,
      "must be mailto: followed by one e-mail address, such as mailto:dmarc@example.com",
    );
  if (s.eventWebhookUrl !== undefined && !HTTPS_URL.test(s.eventWebhookUrl))
    p.add(
      "eventWebhookUrl",
      s.eventWebhookUrl,
      "must be an https:// URL such as https://hooks.example.com/ses",
    );
  return p.list;
}
