import { KeyNames, Problems, selfNamed } from "../lib/problems";
import { isEmail } from "../lib/rules";

/*
 * What the Observability component (the alerts topic, the operations key, the budget and the cost anomaly
 * monitor) and the SuccessMetrics component (uptime and deploy-time objectives) are given that config reads,
 * and the rules of it.
 */

/** The tag the budget and the cost anomaly monitor filter on. */
export const BUDGET_TAG_KEY = "Environment";

/** The tags the platform sets, which may be activated for cost allocation. */
export const COST_ALLOCATION_TAG_KEYS = ["Environment", "Project", "Owner", "Function"] as const;

/**
 * Why a budget filtered on BUDGET_TAG_KEY would see nothing with these activated keys, or undefined: AWS
 * filters budgets and cost monitors on activated cost allocation tags only.
 */
export function budgetFilterProblem(activatedKeys: readonly string[]): string | undefined {
  return activatedKeys.includes(BUDGET_TAG_KEY)
    ? undefined
    : `must include ${BUDGET_TAG_KEY}: the budget and the cost anomaly monitor filter on the ${BUDGET_TAG_KEY} ` +
        "tag, and AWS filters only on activated cost allocation tags (without it the budget sees $0 and never alerts)";
}

/** Where alerts go, and what the stack may spend. No field has a default. */
export interface ObservabilitySettings {
  /** E-mail addresses subscribed to the alerts topic; each must confirm its subscription. */
  readonly alertEmails: readonly string[];
  /** Monthly cost budget in USD for this stack's resources (1 to 1,000,000). */
  readonly monthlyBudgetUsd: number;
  /** Alert on a cost anomaly whose total impact reaches this many USD (1 to 1,000,000). */
  readonly anomalyThresholdUsd: number;
  /** Tag keys activated as cost allocation tags in the account (of COST_ALLOCATION_TAG_KEYS); must hold the budget's filter key. */
  readonly costAllocationTagKeys: readonly string[];
  /**
   * Activate them here. Account-wide, so one stack per account does; AWS refuses keys it has not yet seen in
   * billing data (up to 24 h after the first tagged resource).
   */
  readonly activateCostAllocationTags: boolean;
}

export type ObservabilityField =
  "alertEmails" | "monthlyBudgetUsd" | "anomalyThresholdUsd" | "costAllocationTagKeys";

export const OBSERVABILITY_FIELDS: KeyNames<ObservabilityField> = selfNamed([
  "alertEmails",
  "monthlyBudgetUsd",
  "anomalyThresholdUsd",
  "costAllocationTagKeys",
] as const);

/** Every rule the observability settings break, each named by `keys`. */
export function observabilityProblems(
  s: ObservabilitySettings,
  keys: KeyNames<ObservabilityField> = OBSERVABILITY_FIELDS,
) {
  const p = new Problems(keys);
  s.alertEmails.forEach((e, i) => {
    if (!isEmail(e)) p.add("alertEmails", e, "must be an e-mail address", i);
  });
  p.number("monthlyBudgetUsd", s.monthlyBudgetUsd, { min: 1, max: 1_000_000 });
  p.number("anomalyThresholdUsd", s.anomalyThresholdUsd, { min: 1, max: 1_000_000 });
  s.costAllocationTagKeys.forEach((k, i) => {
    if (!(COST_ALLOCATION_TAG_KEYS as readonly string[]).includes(k))
      p.add("costAllocationTagKeys", k, `must be one of ${COST_ALLOCATION_TAG_KEYS.join(", ")}`, i);
  });
  const problem = budgetFilterProblem(s.costAllocationTagKeys);
  if (problem) p.add("costAllocationTagKeys", s.costAllocationTagKeys, problem);
  return p.list;
}

/**
 * - route53: Route 53 HTTPS health checks from several regions, every 30 s (about $2.75 a month per endpoint).
 * - function: a Lambda function on a one-minute schedule in the stack's region (usage-priced, a few cents).
 */
export const UPTIME_PROBES = ["route53", "function"] as const;
export type UptimeProbe = (typeof UPTIME_PROBES)[number];

/** Uptime of the public endpoints against an SLO, and deploy time against a target. No defaults. */
export interface SuccessMetricsSettings {
  /** Which probe measures uptime: both are faithful HTTPS GETs of the same URLs, at different prices. */
  readonly uptimeProbe: UptimeProbe;
  /** Monthly availability objective of each public endpoint, in percent (95 to 99.99). */
  readonly uptimeSloPercent: number;
  /** A typical `pulumi up` should finish within this many minutes (1-120). */
  readonly deployTimeTargetMinutes: number;
}

export type SuccessMetricsField = "uptimeSloPercent" | "deployTimeTargetMinutes";

export const SUCCESS_METRICS_FIELDS: KeyNames<SuccessMetricsField> = selfNamed([
  "uptimeSloPercent",
  "deployTimeTargetMinutes",
] as const);

/** Every rule the success-metrics settings break, each named by `keys`. */
export function successMetricsProblems(
  s: SuccessMetricsSettings,
  keys: KeyNames<SuccessMetricsField> = SUCCESS_METRICS_FIELDS,
) {
  const p = new Problems(keys);
  // Below 95 % an hour of total outage would not burn the error budget 14.4 times too fast, and the SLO
  // alarm (which alarms at that rate) could never fire.
  p.number("uptimeSloPercent", s.uptimeSloPercent, { min: 95, max: 99.99, integer: false });
  p.number("deployTimeTargetMinutes", s.deployTimeTargetMinutes, { min: 1, max: 120 });
  return p.list;
}
