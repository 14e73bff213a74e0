import { ApiField, ApiSettings, apiProblems } from "../components/api/args";
import type { KeyNames } from "../lib/problems";
import { ConfigReader } from "./reader";

/*
 * The REST API (API Gateway + the api-handler Lambda): its keys, read into the component's own
 * settings (components/api/args.ts), whose rules name the keys below.
 */

const KEYS: KeyNames<ApiField> = {
  throttleRateLimit: "apiThrottleRateLimit",
  throttleBurstLimit: "apiThrottleBurstLimit",
  monthlyQuota: "apiMonthlyQuota",
  corsOrigins: "apiCorsOrigins",
  errorRateAlarmPercent: "apiErrorRateAlarmPercent",
  latencyP95AlarmMs: "apiLatencyP95AlarmMs",
  handlerMemoryMb: "apiHandlerMemoryMb",
  handlerTimeoutSeconds: "apiHandlerTimeoutSeconds",
  handlerReservedConcurrency: "apiHandlerReservedConcurrency",
};

export function readApiGateway(r: ConfigReader): ApiSettings {
  const settings: ApiSettings = {
    throttleRateLimit: r.number("apiThrottleRateLimit"),
    throttleBurstLimit: r.number("apiThrottleBurstLimit"),
    monthlyQuota: r.number("apiMonthlyQuota"),
    corsOrigins: r.stringList("apiCorsOrigins"),
    alarmsEnabled: r.boolean("apiAlarmsEnabled"),
    errorRateAlarmPercent: r.number("apiErrorRateAlarmPercent"),
    latencyP95AlarmMs: r.number("apiLatencyP95AlarmMs"),
    handler: {
      memoryMb: r.number("apiHandlerMemoryMb"),
      timeoutSeconds: r.number("apiHandlerTimeoutSeconds"),
      reservedConcurrency: r.number("apiHandlerReservedConcurrency"),
    },
    wafEnabled: r.boolean("apiWafEnabled"),
    manageAccountLogsRole: r.boolean("apiManageAccountLogsRole"),
  };
  r.reportAll(apiProblems(settings, KEYS));
  return settings;
}
