import { WebSocketField, WebSocketSettings, webSocketProblems } from "../components/api/args";
import { WS_AUTHORIZATION_MODES } from "../contracts/websocket";
import type { KeyNames } from "../lib/problems";
import { ConfigReader } from "./reader";

/*
 * The WebSocket API (clients subscribe to a project's task status and agent workers push updates): its keys,
 * read into the component's own settings (components/api/args.ts). Usage-priced (API Gateway messages and
 * connection minutes, Lambda, an on-demand table), so it is on in every stack; the fixed costs are its alarms,
 * each switched by config, and (ticket authorization) the ticket key's secret.
 */

const KEYS: KeyNames<WebSocketField> = {
  throttleRateLimit: "websocketThrottleRateLimit",
  throttleBurstLimit: "websocketThrottleBurstLimit",
  memoryMb: "websocketMemoryMb",
  timeoutSeconds: "websocketTimeoutSeconds",
  reservedConcurrency: "websocketReservedConcurrency",
};

/** The WebSocket API, or undefined where websocketEnabled is false. */
export function readWebSocket(r: ConfigReader): WebSocketSettings | undefined {
  const enabled = r.boolean("websocketEnabled");
  const settings: WebSocketSettings = {
    authorization: r.oneOf("websocketAuthorization", WS_AUTHORIZATION_MODES),
    throttleRateLimit: r.number("websocketThrottleRateLimit"),
    throttleBurstLimit: r.number("websocketThrottleBurstLimit"),
    memoryMb: r.number("websocketMemoryMb"),
    timeoutSeconds: r.number("websocketTimeoutSeconds"),
    reservedConcurrency: r.number("websocketReservedConcurrency"),
    functionAlarms: r.boolean("websocketFunctionAlarms"),
    integrationErrorAlarm: r.boolean("websocketIntegrationErrorAlarm"),
  };
  if (!enabled) return undefined;
  r.reportAll(webSocketProblems(settings, KEYS));
  return settings;
}
