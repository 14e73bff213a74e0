import * as assert from "assert";
import { configIssues, K, loadStack } from "../helpers/config";

describe("success metrics config (uptime probe, SLO, deploy-time target)", () => {
  it("probes dev with the scheduled function and staging and prod with Route 53, against 99.9 % and 5 minutes", () => {
    const expected = (uptimeProbe: string) => ({
      uptimeProbe,
      uptimeSloPercent: 99.9,
      deployTimeTargetMinutes: 5,
    });
    assert.deepStrictEqual(loadStack("dev").successMetrics, expected("function"));
    assert.deepStrictEqual(loadStack("staging").successMetrics, expected("route53"));
    assert.deepStrictEqual(loadStack("prod").successMetrics, expected("route53"));
    assert.deepStrictEqual(
      loadStack("prod", { [K("uptimeSloPercent")]: "99.95", [K("deployTimeTargetMinutes")]: "10" })
        .successMetrics,
      { uptimeProbe: "route53", uptimeSloPercent: 99.95, deployTimeTargetMinutes: 10 },
    );
  });

  it("names each bad key, its value and what is allowed", () => {
    assert.deepStrictEqual(
      configIssues("dev", {
        [K("uptimeProbe")]: "canary",
        [K("uptimeSloPercent")]: "100",
        [K("deployTimeTargetMinutes")]: "0",
      }),
      [
        'agent-platform:uptimeProbe = "canary": must be one of route53, function',
        "agent-platform:uptimeSloPercent = 100: must be between 95 and 99.99",
        "agent-platform:deployTimeTargetMinutes = 0: must be between 1 and 120",
      ],
    );
    assert.deepStrictEqual(configIssues("dev", { [K("uptimeSloPercent")]: "90" }), [
      "agent-platform:uptimeSloPercent = 90: must be between 95 and 99.99",
    ]);
  });
});
