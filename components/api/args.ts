import type { WsAuthorizationMode } from "../../contracts/websocket";
import { KeyNames, Problems, selfNamed } from "../../lib/problems";
import { FunctionSizing, LAMBDA_MEMORY_MB, LAMBDA_RESERVED_CONCURRENCY } from "../lambda/args";

/*
 * What the Api (REST) and WebSocketApi components are given, and the rules of it: API Gateway's quotas and
 * integration timeouts, and the functions' Lambda limits. config/ reads Pulumi config into these settings and
 * reports each problem under its config key; the constructors check the same rules.
 */

/** API Gateway's hard limit on a Lambda integration of a REST API; the handler must answer before it. */
export const INTEGRATION_TIMEOUT_SECONDS = 29;
/** API Gateway's integration timeout for WebSocket APIs. */
export const WEBSOCKET_INTEGRATION_TIMEOUT_SECONDS = 29;

/** An origin as browsers send it: scheme, host and optional port; https, or http for localhost only. */
const ORIGIN =
  /^(https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+|http:\/\/localhost)(:\d{1,5})?$/;

/** A stage's throttling: a token bucket, the burst its size and the rate its refill. */
export interface Throttle {
  /** Steady requests (or messages) per second (1-10000). */
  readonly throttleRateLimit: number;
  /** Burst (token bucket size), at least the rate (1-5000). */
  readonly throttleBurstLimit: number;
}

/** The REST API's settings (what config reads); the component adds its wiring. No field has a default. */
export interface ApiSettings extends Throttle {
  /** Requests per API key per month (usage plan quota; 1 to 1 billion; Pulumi.yaml: 100000). */
  readonly monthlyQuota: number;
  /** Origins browsers may call the API from (CORS); empty: no CORS headers and no preflight methods. */
  readonly corsOrigins: readonly string[];
  /** Whether the API's alarms exist: 5XXError rate, p95 latency and the handler's (errors, throttles, duration). */
  readonly alarmsEnabled: boolean;
  /** Alarm when more than this percentage (1-100) of requests in 5 minutes end in a 5XX. */
  readonly errorRateAlarmPercent: number;
  /** Alarm when p95 latency exceeds this many milliseconds (10-29000; Pulumi.yaml: 500). */
  readonly latencyP95AlarmMs: number;
  /** The api-handler's memory, timeout (below the 29 s integration limit) and reserved concurrency. */
  readonly handler: FunctionSizing;
  /** A regional WAF web ACL on the stage (the stack's WAF rules). */
  readonly wafEnabled: boolean;
  /**
   * Manage the region's API Gateway account setting (the role that lets API Gateway write access logs to
   * CloudWatch). One per account and region: turn it off in all but one stack sharing an account.
   */
  readonly manageAccountLogsRole: boolean;
}

/** The WebSocket API's settings (what config reads); the component adds its wiring. No field has a default. */
export interface WebSocketSettings extends Throttle {
  /**
   * How $connect is authorized: `ticket` (a REQUEST authorizer checks a short-lived ticket from the REST API;
   * what browsers can do) or `iam` (SigV4-signed $connect, for server-side clients).
   */
  readonly authorization: WsAuthorizationMode;
  /** The ws function's memory in MB (128-10240). */
  readonly memoryMb: number;
  /** The ws function's timeout, at most 29 s: API Gateway stops waiting for a WebSocket integration then. */
  readonly timeoutSeconds: number;
  /** The ws function's reserved concurrency; -1 reserves none. */
  readonly reservedConcurrency: number;
  /** The ws function's standard alarms (error rate, throttles, duration: $0.40 a month). */
  readonly functionAlarms: boolean;
  /** An alarm on the stage's integration errors (a $0.10 metric a month). */
  readonly integrationErrorAlarm: boolean;
}

type ThrottleField = "throttleRateLimit" | "throttleBurstLimit";

function throttleProblems(t: Throttle, p: Problems<ThrottleField>): void {
  const rateOk = p.number("throttleRateLimit", t.throttleRateLimit, { min: 1, max: 10_000 });
  const burstOk = p.number("throttleBurstLimit", t.throttleBurstLimit, { min: 1, max: 5_000 });
  if (rateOk && burstOk && t.throttleBurstLimit < t.throttleRateLimit)
    p.add(
      "throttleBurstLimit",
      t.throttleBurstLimit,
      `must be at least ${p.key("throttleRateLimit")} (${t.throttleRateLimit}): a burst below the rate throttles ` +
        "steady traffic",
    );
}

export type ApiField =
  | ThrottleField
  | "monthlyQuota"
  | "corsOrigins"
  | "errorRateAlarmPercent"
  | "latencyP95AlarmMs"
  | "handlerMemoryMb"
  | "handlerTimeoutSeconds"
  | "handlerReservedConcurrency";

export const API_FIELDS: KeyNames<ApiField> = {
  throttleRateLimit: "throttleRateLimit",
  throttleBurstLimit: "throttleBurstLimit",
  monthlyQuota: "monthlyQuota",
  corsOrigins: "corsOrigins",
  errorRateAlarmPercent: "errorRateAlarmPercent",
  latencyP95AlarmMs: "latencyP95AlarmMs",
  handlerMemoryMb: "handler.memoryMb",
  handlerTimeoutSeconds: "handler.timeoutSeconds",
  handlerReservedConcurrency: "handler.reservedConcurrency",
};

/** Every rule the REST API's settings break, each named by `keys`. */
export function apiProblems(s: ApiSettings, keys: KeyNames<ApiField> = API_FIELDS) {
  const p = new Problems(keys);
  throttleProblems(s, p);
  s.corsOrigins.forEach((origin, i) => {
    if (!ORIGIN.test(origin))
      p.add(
        "corsOrigins",
        origin,
        "must be an origin such as https://app.example.com (lower case, no path; http only for localhost; no *)",
        i,
      );
  });
  p.number("handlerTimeoutSeconds", s.handler.timeoutSeconds, {
    min: 1,
    max: INTEGRATION_TIMEOUT_SECONDS - 1,
  });
  p.number("monthlyQuota", s.monthlyQuota, { min: 1, max: 1_000_000_000 });
  p.number("errorRateAlarmPercent", s.errorRateAlarmPercent, { min: 1, max: 100 });
  p.number("latencyP95AlarmMs", s.latencyP95AlarmMs, { min: 10, max: 29_000 });
  p.number("handlerMemoryMb", s.handler.memoryMb, LAMBDA_MEMORY_MB);
  p.number("handlerReservedConcurrency", s.handler.reservedConcurrency, LAMBDA_RESERVED_CONCURRENCY);
  return p.list;
}

export type WebSocketField = ThrottleField | "memoryMb" | "timeoutSeconds" | "reservedConcurrency";

export const WEBSOCKET_FIELDS: KeyNames<WebSocketField> = selfNamed([
  "throttleRateLimit",
  "throttleBurstLimit",
  "memoryMb",
  "timeoutSeconds",
  "reservedConcurrency",
] as const);

/** Every rule the WebSocket API's settings break, each named by `keys`. */
export function webSocketProblems(s: WebSocketSettings, keys: KeyNames<WebSocketField> = WEBSOCKET_FIELDS) {
  const p = new Problems(keys);
  throttleProblems(s, p);
  p.number("memoryMb", s.memoryMb, LAMBDA_MEMORY_MB);
  p.number("timeoutSeconds", s.timeoutSeconds, { min: 1, max: WEBSOCKET_INTEGRATION_TIMEOUT_SECONDS });
  p.number("reservedConcurrency", s.reservedConcurrency, LAMBDA_RESERVED_CONCURRENCY);
  return p.list;
}
