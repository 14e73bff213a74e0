import * as assert from "assert";
import * as path from "path";
import { burnThreshold, SuccessMetrics } from "../../components/success-metrics";
import { policies } from "../../policy/policies";
import { Evaluation } from "../../tools/offline/evaluate";
import { estimateCost, loadPrices } from "../../cost/estimate";
import { readStack } from "../../tools/offline/stack-files";
import { check, evaluate, named, ofType, REPO_ROOT } from "../helpers/offline";

/*
 * The success metrics in the real program, per stack: what probes the public endpoints (the stack's
 * uptimeProbe), the SLO alarms and their thresholds, the deploy-time alarm and its stack output, the dashboard's
 * graphs, and each stack within its budget with them.
 */

async function program(stack: string): Promise<Evaluation> {
  const input = readStack(REPO_ROOT, stack);
  return evaluate(path.join(REPO_ROOT, "index.ts"), {
    stack,
    config: input.config,
    secretKeys: input.secretKeys,
    region: input.region,
  });
}

const TOPIC = /^arn:aws:sns:us-east-1:\d{12}:observability-alerts/;

describe("SuccessMetrics", function () {
  this.timeout(120_000);
  const stacks: Record<string, Evaluation> = {};
  before(async () => {
    for (const stack of ["dev", "staging", "prod"]) stacks[stack] = await program(stack);
  });
  const inputsOf = (stack: string, name: string) => named(stacks[stack].resources, name).inputs;
  const dashboardOf = (stack: string) =>
    JSON.parse(
      String(ofType(stacks[stack].resources, "aws:cloudwatch/dashboard:Dashboard")[0].inputs.dashboardBody),
    );

  it("burns the error budget 14.4 times too fast at the threshold: 1.44 % of an hour for 99.9 %", () => {
    assert.strictEqual(burnThreshold(99.9), 0.0144);
    assert.strictEqual(burnThreshold(99.5), 0.072);
  });

  it("staging and prod: a Route 53 HTTPS check of the API's /health and of the web endpoint, with an SLO alarm each", () => {
    for (const stack of ["staging", "prod"]) {
      const { resources, outputs } = stacks[stack];
      const api = new URL(`${String(outputs.apiUrl)}/health`);
      const web = new URL(String(outputs.webUrl));
      for (const [name, url] of [
        ["api", api],
        ["web", web],
      ] as const) {
        const check = inputsOf(stack, `success-${name}-health`);
        assert.deepStrictEqual(
          [check.type, check.fqdn, check.port, check.resourcePath, check.enableSni, check.requestInterval],
          ["HTTPS", url.hostname, 443, url.pathname, true, 30],
          `${stack} ${name}`,
        );
        const alarm = named(resources, `success-${name}-slo`);
        const i = alarm.inputs;
        assert.deepStrictEqual(
          [
            i.namespace,
            i.metricName,
            i.statistic,
            i.period,
            i.evaluationPeriods,
            i.threshold,
            i.comparisonOperator,
          ],
          ["AWS/Route53", "HealthCheckStatus", "Average", 3600, 1, 0.9856, "LessThanThreshold"],
        );
        // The alarm watches its own check (the id is known only once Route 53 has created it).
        assert.deepStrictEqual(alarm.propertyDependencies.dimensions, [
          named(resources, `success-${name}-health`).urn,
        ]);
        assert.strictEqual(i.treatMissingData, "breaching", "no data from Route 53 is no evidence of uptime");
        assert.match(String((i.alarmActions as string[])[0]), TOPIC);
        // Route 53 publishes health-check metrics in us-east-1 only.
        assert.match(String(alarm.provider), /aws-us-east-1/);
      }
      assert.strictEqual(
        ofType(resources, "aws:lambda/function:Function").filter((f) => f.name.startsWith("success")).length,
        0,
      );
    }
  });

  it("dev: one probe function on a one-minute schedule, never retried, whose errors the SLO alarm counts", () => {
    const { resources, outputs } = stacks.dev;
    assert.deepStrictEqual(ofType(resources, "aws:route53/healthCheck:HealthCheck"), []);
    const fn = inputsOf("dev", "success-probe-fn");
    const targets = JSON.parse(
      String((fn.environment as { variables: Record<string, string> }).variables.PROBE_TARGETS),
    );
    assert.deepStrictEqual(targets, [
      { name: "api", url: `${String(outputs.apiUrl)}/health` },
      { name: "web", url: `${String(outputs.webUrl)}/` },
    ]);
    assert.deepStrictEqual([fn.memorySize, fn.timeout, fn.vpcConfig], [128, 60, undefined]);
    assert.strictEqual(inputsOf("dev", "success-probe-schedule").scheduleExpression, "rate(1 minute)");
    const target = inputsOf("dev", "success-probe-target");
    assert.strictEqual(target.arn, named(resources, "success-probe-fn").outputs.arn);
    const permission = inputsOf("dev", "success-probe-permission");
    assert.deepStrictEqual(
      [permission.principal, permission.sourceArn],
      ["events.amazonaws.com", named(resources, "success-probe-schedule").outputs.arn],
    );
    const invoke = inputsOf("dev", "success-probe-invoke");
    assert.deepStrictEqual([invoke.maximumRetryAttempts, invoke.maximumEventAgeInSeconds], [0, 60]);
    // Only its own logs and traces: the probe calls public endpoints, nothing in AWS.
    const policy = JSON.parse(String(inputsOf("dev", "success-probe-role-policy").policy));
    assert.deepStrictEqual(
      policy.Statement.map((s: { Sid: string }) => s.Sid),
      ["WriteItsLogs", "SendTraces"],
    );
    const alarm = inputsOf("dev", "success-uptime-slo");
    assert.deepStrictEqual(
      [
        alarm.namespace,
        alarm.metricName,
        alarm.statistic,
        alarm.period,
        alarm.threshold,
        alarm.comparisonOperator,
      ],
      ["AWS/Lambda", "Errors", "Sum", 3600, 0.864, "GreaterThanThreshold"],
    );
    assert.deepStrictEqual(alarm.dimensions, { FunctionName: fn.name });
    assert.strictEqual(alarm.treatMissingData, "breaching", "no probe ran: no evidence of uptime");
    // The SLO alarm is the probe's alarm: no error-rate, throttle or duration alarms of its own.
    assert.deepStrictEqual(
      ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm")
        .map((a) => a.name)
        .filter((n) => n.startsWith("success"))
        .sort(),
      ["success-deploy-time", "success-uptime-slo"],
    );
  });

  it("every stack: an alarm on the day's median update time, where the deploy workflow records it", () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const { outputs } = stacks[stack];
      assert.deepStrictEqual(outputs.deployTimeMetric, {
        namespace: "agent-platform/deploys",
        metricName: "UpdateDuration",
        dimensions: { Stack: stack },
        targetSeconds: 300,
      });
      const a = inputsOf(stack, "success-deploy-time");
      assert.deepStrictEqual(
        [
          a.namespace,
          a.metricName,
          a.dimensions,
          a.extendedStatistic,
          a.period,
          a.threshold,
          a.comparisonOperator,
        ],
        [
          "agent-platform/deploys",
          "UpdateDuration",
          { Stack: stack },
          "p50",
          86400,
          300,
          "GreaterThanThreshold",
        ],
      );
      assert.strictEqual(a.treatMissingData, "notBreaching", "a day without deploys is not a slow deploy");
    }
  });

  it("puts uptime against the SLO and deploy time against the target on the dashboard, with their alarms", () => {
    for (const stack of ["dev", "prod"]) {
      const body = dashboardOf(stack);
      const titles: string[] = body.widgets.map(
        (w: { properties: { title?: string } }) => w.properties.title,
      );
      const uptime = body.widgets.find((w: { properties: { title?: string } }) =>
        w.properties.title?.startsWith("Uptime"),
      );
      assert.deepStrictEqual(uptime.properties.annotations.horizontal, [
        { label: "SLO 99.9 %", value: 99.9 },
      ]);
      const deploy = body.widgets.find((w: { properties: { title?: string } }) =>
        w.properties.title?.startsWith("Deploy time"),
      );
      assert.deepStrictEqual(deploy.properties.annotations.horizontal, [
        { label: "target 5 min", value: 300 },
      ]);
      assert.ok(titles.includes("Success metrics: alarm status"), stack);
    }
    const prod = dashboardOf("prod");
    const expressions = JSON.stringify(prod.widgets[2].properties.metrics);
    assert.match(expressions, /"expression":"100 \* h0","label":"api \(%\)"/);
    assert.match(expressions, /"expression":"100 \* h1","label":"web \(%\)"/);
  });

  it("keeps every stack within its budget, and passes the pack with the probe's one reasoned exemption", async () => {
    const budgets: Record<string, number> = { dev: 50, staging: 200, prod: 1500 };
    for (const stack of ["dev", "staging", "prod"]) {
      const cost = estimateCost(stacks[stack].resources, loadPrices());
      assert.ok(cost.monthlyUsd <= budgets[stack], `${stack}: $${cost.monthlyUsd}`);
    }
    const findings = (await check(policies, stacks.dev.resources))
      .filter((v) => v.name.startsWith("success"))
      .map((v) => `${v.policy} ${v.name} ${v.enforcementLevel}`);
    assert.deepStrictEqual(findings, ["lambda-async-dlq success-probe-fn advisory"]);
  });

  it("refuses to measure nothing", () => {
    assert.throws(
      () =>
        new SuccessMetrics("s", {
          settings: { uptimeProbe: "function", uptimeSloPercent: 99.9, deployTimeTargetMinutes: 5 },
          targets: [],
          region: "us-east-1",
          logRetentionDays: 7,
          logKeyArn: "k",
        }),
      /SuccessMetrics s: targets = \[\]: must name an endpoint to probe/,
    );
  });
});
