/*
 * The support window of each Kubernetes version on EKS: an aging fact, kept in one dated table that config.ts
 * (which versions exist) and the policy pack (eks-version-standard-support, eks-version-support-ending) read.
 * Checked 2026-12-06 against the release calendar of the EKS user guide
 * (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html, also quoted by
 * https://endoflife.date/amazon-eks). Dates are UTC; AWS bills extended support from the start of the end day.
 * When EKS releases a version, add its row (both dates are on the calendar from its release day).
 */

export interface EksVersionSupport {
  /** First day without standard support (extended support, or an upgrade under upgradePolicy STANDARD). */
  readonly standardEnd: string;
  /** First day without extended support: AWS upgrades the control plane. */
  readonly extendedEnd: string;
}

/** The day the table was last checked against AWS's calendar (the messages name it). */
export const EKS_VERSIONS_CHECKED = "2026-12-06";

export const EKS_VERSIONS: Readonly<Record<string, EksVersionSupport>> = {
  "1.29": { standardEnd: "2025-03-23", extendedEnd: "2026-03-23" },
  "1.30": { standardEnd: "2025-07-23", extendedEnd: "2026-07-23" },
  "1.31": { standardEnd: "2025-11-26", extendedEnd: "2026-11-26" },
  "1.32": { standardEnd: "2026-03-23", extendedEnd: "2027-03-23" },
  "1.33": { standardEnd: "2026-07-29", extendedEnd: "2027-07-29" },
  "1.34": { standardEnd: "2026-12-02", extendedEnd: "2027-12-02" },
  "1.35": { standardEnd: "2027-03-27", extendedEnd: "2028-03-27" },
};

export type EksSupportStatus =
  | { readonly state: "standard"; readonly standardEnd: string; readonly daysLeft: number }
  | { readonly state: "extended"; readonly standardEnd: string; readonly extendedEnd: string }
  | { readonly state: "ended"; readonly standardEnd: string; readonly extendedEnd: string }
  | { readonly state: "unknown" };

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Whole days from `from` to `to` (both YYYY-MM-DD, UTC). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Today as YYYY-MM-DD in UTC. */
export function utcToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function isIsoDay(s: string): boolean {
  return ISO_DAY.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

/** Where `version` stands on `today` (YYYY-MM-DD). */
export function eksSupportStatus(version: string, today: string): EksSupportStatus {
  const row = EKS_VERSIONS[version];
  if (!row) return { state: "unknown" };
  if (today < row.standardEnd)
    return { state: "standard", standardEnd: row.standardEnd, daysLeft: daysBetween(today, row.standardEnd) };
  if (today < row.extendedEnd) return { state: "extended", ...row };
  return { state: "ended", ...row };
}
