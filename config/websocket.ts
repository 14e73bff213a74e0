import { WS_AUTHORIZATION_MODES, WsAuthorizationMode } from "../contracts/websocket";
import { LAMBDA_MEMORY_MB } from "./pipeline";
import { ConfigReader } from "./reader";
import { readThrottle } from "./api-gateway";

/**
 * The WebSocket API (issue 9): clients subscribe to a project's task status and agent workers push updates.
 * Usage-priced (API Gateway messages and connection minutes, Lambda, an on-demand table), so it is on in every
 * stack; the fixed costs are its alarms, each switched by config, and (ticket authorization) the ticket key's
 * secret.
 */
export interface WebSocketConfig {
  readonly enabled: boolean;
  /**
   * How $connect is authorized: `ticket` (a REQUEST authorizer checks a short-lived ticket from the REST API;
   * what browsers can do) or `iam` (SigV4-signed $connect, for server-side clients).
   */
  readonly authorization: WsAuthorizationMode;
  /** Steady-state messages per second the stage's default route settings admit (API Gateway throttling). */
  readonly throttleRateLimit: number;
  /** Burst of messages above the rate the stage admits. */
  readonly throttleBurstLimit: number;
  /** The ws function's sizing. */
  readonly memoryMb: number;
  /** At most 29 s: API Gateway stops waiting for a WebSocket integration after 29 s. */
  readonly timeoutSeconds: number;
  /** -1 reserves none. */
  readonly reservedConcurrency: number;
  /** The ws function's standard alarms (error rate, throttles, duration: $0.40 a month). */
  readonly functionAlarms: boolean;
  /** An alarm on the stage's integration errors (a $0.10 metric a month). */
  readonly integrationErrorAlarm: boolean;
}

/** API Gateway's integration timeout for WebSocket APIs. */
export const WEBSOCKET_INTEGRATION_TIMEOUT_SECONDS = 29;

export function readWebSocket(r: ConfigReader): WebSocketConfig {
  const { throttleRateLimit, throttleBurstLimit } = readThrottle(r, "websocket", { rate: 50, burst: 100 });
  return {
    enabled: r.boolean("websocketEnabled", true),
    authorization: r.oneOf("websocketAuthorization", WS_AUTHORIZATION_MODES, "ticket"),
    throttleRateLimit,
    throttleBurstLimit,
    memoryMb: r.number("websocketMemoryMb", { min: LAMBDA_MEMORY_MB.min, max: LAMBDA_MEMORY_MB.max }, 256),
    timeoutSeconds: r.number(
      "websocketTimeoutSeconds",
      { min: 1, max: WEBSOCKET_INTEGRATION_TIMEOUT_SECONDS },
      10,
    ),
    reservedConcurrency: r.number("websocketReservedConcurrency", { min: -1, max: 1000 }, -1),
    functionAlarms: r.boolean("websocketFunctionAlarms", true),
    integrationErrorAlarm: r.boolean("websocketIntegrationErrorAlarm", true),
  };
}
