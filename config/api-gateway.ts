import type { FunctionSizing } from "../components/lambda-function";
import { ConfigReader } from "./reader";

/*
 * The REST API of seed 003 (API Gateway + the api-handler Lambda): per-key throttling and quota (usage plan),
 * CORS origins, alarm thresholds, the handler's sizing and an optional regional WAF web ACL.
 */

/** API Gateway's hard limit on a Lambda integration; the handler must answer before it. */
export const INTEGRATION_TIMEOUT_SECONDS = 29;

/** An origin as browsers send it: scheme, host and optional port; https, or http for localhost only. */
const ORIGIN =
  /^(https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+|http:\/\/localhost)(:\d{1,5})?$/;

export interface ApiGatewayConfig {
  /** Steady requests per second per API key (usage plan) and for the whole stage. Default 100 (seed 003). */
  readonly throttleRateLimit: number;
  /** Burst (token bucket size) per API key and for the stage. Default 200 (seed 003). */
  readonly throttleBurstLimit: number;
  /** Requests per API key per month (usage plan quota). Default 100000 (seed 003). */
  readonly monthlyQuota: number;
  /** Origins browsers may call the API from (CORS); empty: no CORS headers and no preflight methods. */
  readonly corsOrigins: readonly string[];
  /** Whether the API's alarms exist: 5XXError rate, p95 latency and the handler's (errors, throttles, duration). */
  readonly alarmsEnabled: boolean;
  /** Alarm when more than this percentage of requests in 5 minutes end in a 5XX. Default 1. */
  readonly errorRateAlarmPercent: number;
  /** Alarm when p95 latency exceeds this many milliseconds. Default 500 (seed 003). */
  readonly latencyP95AlarmMs: number;
  /** The api-handler's memory, timeout (below the 29 s integration limit) and reserved concurrency. */
  readonly handler: FunctionSizing;
  /** A regional WAF web ACL on the stage (the web service's rate limit and managed rule groups). */
  readonly wafEnabled: boolean;
  /**
   * Manage the region's API Gateway account setting (the role that lets API Gateway write access logs to
   * CloudWatch). One per account and region: turn it off in all but one stack sharing an account.
   */
  readonly manageAccountLogsRole: boolean;
}

/**
 * `<prefix>ThrottleRateLimit` and `<prefix>ThrottleBurstLimit` of an API Gateway stage (a token bucket: the
 * burst is its size, the rate its refill), within API Gateway's account quotas.
 */
export function readThrottle(
  r: ConfigReader,
  prefix: string,
  defaults: { rate: number; burst: number },
): { throttleRateLimit: number; throttleBurstLimit: number } {
  const throttleRateLimit = r.number(`${prefix}ThrottleRateLimit`, { min: 1, max: 10_000 }, defaults.rate);
  const throttleBurstLimit = r.number(`${prefix}ThrottleBurstLimit`, { min: 1, max: 5_000 }, defaults.burst);
  if (throttleBurstLimit < throttleRateLimit)
    r.report(
      `${prefix}ThrottleBurstLimit`,
      throttleBurstLimit,
      `must be at least ${prefix}ThrottleRateLimit (${throttleRateLimit}): a burst below the rate throttles ` +
        "steady traffic",
    );
  return { throttleRateLimit, throttleBurstLimit };
}

export function readApiGateway(r: ConfigReader): ApiGatewayConfig {
  const { throttleRateLimit, throttleBurstLimit } = readThrottle(r, "api", { rate: 100, burst: 200 });
  const corsOrigins = r.stringList("apiCorsOrigins", []);
  corsOrigins.forEach((origin, i) => {
    if (!ORIGIN.test(origin))
      r.report(
        `apiCorsOrigins[${i}]`,
        origin,
        "must be an origin such as https://app.example.com (lower case, no path; http only for localhost; no *)",
      );
  });
  const timeoutSeconds = r.number(
    "apiHandlerTimeoutSeconds",
    { min: 1, max: INTEGRATION_TIMEOUT_SECONDS - 1 },
    25,
  );
  return {
    throttleRateLimit,
    throttleBurstLimit,
    monthlyQuota: r.number("apiMonthlyQuota", { min: 1, max: 1_000_000_000 }, 100_000),
    corsOrigins,
    alarmsEnabled: r.boolean("apiAlarmsEnabled", true),
    errorRateAlarmPercent: r.number("apiErrorRateAlarmPercent", { min: 1, max: 100 }, 1),
    latencyP95AlarmMs: r.number("apiLatencyP95AlarmMs", { min: 10, max: 29_000 }, 500),
    handler: {
      memoryMb: r.number("apiHandlerMemoryMb", { min: 128, max: 10_240 }, 512),
      timeoutSeconds,
      reservedConcurrency: r.number("apiHandlerReservedConcurrency", { min: -1, max: 1000 }, -1),
    },
    wafEnabled: r.boolean("apiWafEnabled", false),
    manageAccountLogsRole: r.boolean("apiManageAccountLogsRole", false),
  };
}
