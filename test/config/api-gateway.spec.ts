import * as assert from "assert";
import { configIssues, K, loadStack } from "../helpers/config";

describe("API Gateway config", () => {
  it("gives seed 003's numbers by default and differs per stack only where the stack files say", () => {
    const dev = loadStack("dev").api;
    assert.deepStrictEqual(dev, {
      throttleRateLimit: 100,
      throttleBurstLimit: 200,
      monthlyQuota: 100_000,
      corsOrigins: ["http://localhost:3000"],
      alarmsEnabled: true,
      errorRateAlarmPercent: 1,
      latencyP95AlarmMs: 500,
      handler: { memoryMb: 512, timeoutSeconds: 25, reservedConcurrency: -1 },
      wafEnabled: false,
      manageAccountLogsRole: false,
    });
    const prod = loadStack("prod").api;
    assert.deepStrictEqual([prod.corsOrigins, prod.alarmsEnabled, prod.wafEnabled], [[], true, true]);
    const staging = loadStack("staging").api;
    assert.deepStrictEqual([staging.corsOrigins, staging.alarmsEnabled], [[], true]);
  });

  it("reads every key from the stack", () => {
    const api = loadStack("dev", {
      [K("apiThrottleRateLimit")]: "50",
      [K("apiThrottleBurstLimit")]: "80",
      [K("apiMonthlyQuota")]: "5000",
      [K("apiErrorRateAlarmPercent")]: "3",
      [K("apiLatencyP95AlarmMs")]: "800",
      [K("apiHandlerMemoryMb")]: "1024",
      [K("apiHandlerTimeoutSeconds")]: "10",
      [K("apiHandlerReservedConcurrency")]: "5",
      [K("apiWafEnabled")]: "true",
      [K("apiManageAccountLogsRole")]: "true",
    }).api;
    assert.deepStrictEqual(
      [api.throttleRateLimit, api.throttleBurstLimit, api.monthlyQuota, api.errorRateAlarmPercent],
      [50, 80, 5000, 3],
    );
    assert.deepStrictEqual(api.handler, { memoryMb: 1024, timeoutSeconds: 10, reservedConcurrency: 5 });
    assert.deepStrictEqual(
      [api.latencyP95AlarmMs, api.wafEnabled, api.manageAccountLogsRole],
      [800, true, true],
    );
  });

  it("rejects a burst below the rate, a timeout at API Gateway's limit and wildcard or malformed origins", () => {
    assert.deepStrictEqual(
      configIssues("dev", {
        [K("apiThrottleRateLimit")]: "300",
        [K("apiHandlerTimeoutSeconds")]: "29",
        [K("apiCorsOrigins")]: JSON.stringify(["*", "https://app.example.com/", "http://app.example.com"]),
      }),
      [
        "agent-platform:apiThrottleBurstLimit = 200: must be at least apiThrottleRateLimit (300): a burst below the rate throttles steady traffic",
        'agent-platform:apiCorsOrigins[0] = "*": must be an origin such as https://app.example.com (lower case, no path; http only for localhost; no *)',
        'agent-platform:apiCorsOrigins[1] = "https://app.example.com/": must be an origin such as https://app.example.com (lower case, no path; http only for localhost; no *)',
        'agent-platform:apiCorsOrigins[2] = "http://app.example.com": must be an origin such as https://app.example.com (lower case, no path; http only for localhost; no *)',
        "agent-platform:apiHandlerTimeoutSeconds = 29: must be between 1 and 28",
      ],
    );
    assert.deepStrictEqual(configIssues("dev", { [K("apiErrorRateAlarmPercent")]: "0" }), [
      "agent-platform:apiErrorRateAlarmPercent = 0: must be between 1 and 100",
    ]);
    assert.deepStrictEqual(
      configIssues("dev", { [K("apiCorsOrigins")]: JSON.stringify(["https://a.example.com:8443"]) }),
      [],
    );
  });
});
