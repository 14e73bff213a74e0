import { ConfigReader } from "./reader";

/*
 * Seed 000's success metrics, measured: uptime of the public endpoints against an SLO, and the time a deploy
 * takes against a target. Which probe measures uptime is per stack: both are faithful HTTPS GETs of the same
 * URLs, at different prices (docs/runbook.md, "Success metrics", compares them).
 */

/**
 * - route53: Route 53 HTTPS health checks from several regions, every 30 s (about $2.75 a month per endpoint).
 * - function: a Lambda function on a one-minute schedule in the stack's region (usage-priced, a few cents).
 */
export const UPTIME_PROBES = ["route53", "function"] as const;
export type UptimeProbe = (typeof UPTIME_PROBES)[number];

export interface SuccessMetricsConfig {
  readonly uptimeProbe: UptimeProbe;
  /** Monthly availability objective of each public endpoint, in percent. */
  readonly uptimeSloPercent: number;
  /** A typical `pulumi up` should finish within this many minutes. */
  readonly deployTimeTargetMinutes: number;
}

export function readSuccessMetrics(r: ConfigReader): SuccessMetricsConfig {
  return {
    uptimeProbe: r.oneOf("uptimeProbe", UPTIME_PROBES, "route53"),
    // Below 95 % an hour of total outage would not burn the error budget 14.4 times too fast, and the SLO
    // alarm (which alarms at that rate) could never fire.
    uptimeSloPercent: r.number("uptimeSloPercent", { min: 95, max: 99.99, integer: false }, 99.9),
    deployTimeTargetMinutes: r.number("deployTimeTargetMinutes", { min: 1, max: 120 }, 5),
  };
}
