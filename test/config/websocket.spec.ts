import * as assert from "assert";
import { readWebSocket } from "../../config/websocket";
import { ConfigReader, mapConfigSource } from "../../config/reader";

const K = (name: string) => `agent-platform:${name}`;
const DEFAULTS: Record<string, string> = {
  websocketEnabled: "true",
  websocketAuthorization: "ticket",
  websocketThrottleRateLimit: "50",
  websocketThrottleBurstLimit: "100",
  websocketMemoryMb: "256",
  websocketTimeoutSeconds: "10",
  websocketReservedConcurrency: "-1",
  websocketFunctionAlarms: "true",
  websocketIntegrationErrorAlarm: "true",
};

function read(changes: Record<string, string>) {
  const values = Object.fromEntries(Object.entries({ ...DEFAULTS, ...changes }).map(([k, v]) => [K(k), v]));
  const r = new ConfigReader(mapConfigSource(values), "agent-platform");
  const config = readWebSocket(r);
  try {
    r.finish();
    return { config, problems: [] as string[] };
  } catch (e) {
    const issues = (e as { issues: { key: string; allowed: string }[] }).issues;
    return { config, problems: issues.map((i) => `${i.key}: ${i.allowed}`) };
  }
}

describe("websocket config", () => {
  it("reads the defaults", () => {
    assert.deepStrictEqual(read({}), {
      config: {
        authorization: "ticket",
        throttleRateLimit: 50,
        throttleBurstLimit: 100,
        memoryMb: 256,
        timeoutSeconds: 10,
        reservedConcurrency: -1,
        functionAlarms: true,
        integrationErrorAlarm: true,
      },
      problems: [],
    });
  });

  it("authorizes $connect with tickets or IAM, nothing else", () => {
    assert.equal(read({ websocketAuthorization: "iam" }).config?.authorization, "iam");
    assert.deepStrictEqual(read({ websocketAuthorization: "cookie" }).problems, [
      "agent-platform:websocketAuthorization: must be one of ticket, iam",
    ]);
  });

  it("keeps the timeout within API Gateway's 29 s integration timeout", () => {
    assert.deepStrictEqual(read({ websocketTimeoutSeconds: "30" }).problems, [
      "agent-platform:websocketTimeoutSeconds: must be between 1 and 29",
    ]);
  });

  it("refuses a burst below the rate and out-of-range sizing", () => {
    assert.deepStrictEqual(
      read({
        websocketThrottleRateLimit: "200",
        websocketThrottleBurstLimit: "100",
        websocketMemoryMb: "64",
        websocketReservedConcurrency: "-2",
      }).problems,
      [
        "agent-platform:websocketThrottleBurstLimit: must be at least websocketThrottleRateLimit (200): a burst below the rate throttles steady traffic",
        "agent-platform:websocketMemoryMb: must be between 128 and 10240",
        "agent-platform:websocketReservedConcurrency: must be between -1 and 1000",
      ],
    );
    // A switch that is not a boolean leaves the API off: its settings are not judged on top of it.
    assert.deepStrictEqual(read({ websocketEnabled: "yes", websocketMemoryMb: "64" }), {
      config: undefined,
      problems: ["agent-platform:websocketEnabled: must be true or false"],
    });
  });
});
