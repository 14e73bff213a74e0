import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { Dashboard, dashboardBody, sectionOf } from "../../components/dashboard";
import { evaluate, named, ofType } from "../helpers/offline";

const arn = (name: string) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;

describe("Dashboard", () => {
  it("graphs each alarm of the components present and leaves out the absent ones", () => {
    const { widgets } = dashboardBody(
      "agent-platform-dev overview",
      [
        { title: "Agent queues", alarmArns: [arn("q-dlq"), arn("q-age"), arn("r-dlq"), arn("r-age")] },
        { title: "Web service", alarmArns: [] },
      ],
      "us-east-1",
      50,
    );
    assert.deepStrictEqual(
      widgets.map((w) => [w.type, w.x, w.y, w.width, w.height]),
      [
        ["text", 0, 0, 24, 2],
        ["metric", 0, 2, 24, 6],
        ["alarm", 0, 8, 24, 2],
        ["metric", 0, 10, 8, 6],
        ["metric", 8, 10, 8, 6],
        ["metric", 16, 10, 8, 6],
        ["metric", 0, 16, 8, 6],
      ],
    );
    assert.match(JSON.stringify(widgets[0]), /4 alarms in 1 parts/);
    assert.deepStrictEqual((widgets[1].properties as { annotations: unknown }).annotations, {
      horizontal: [{ label: "Monthly budget", value: 50 }],
    });
    assert.deepStrictEqual(widgets[2].properties, {
      title: "Agent queues: alarm status",
      alarms: [arn("q-dlq"), arn("q-age"), arn("r-dlq"), arn("r-age")],
    });
    assert.deepStrictEqual(widgets[3].properties, {
      title: "q-dlq",
      region: "us-east-1",
      annotations: { alarms: [arn("q-dlq")] },
    });
    assert.ok(!JSON.stringify(widgets).includes("Web service"), "a section without alarms has no widget");
  });

  it("puts the headline graphs (uptime, deploy time) under the charges, two to a row, before the sections", () => {
    const graph = (title: string) => ({ type: "metric", properties: { title } });
    const { widgets } = dashboardBody(
      "agent-platform-dev overview",
      [{ title: "Success metrics", alarmArns: [arn("slo")] }],
      "us-east-1",
      50,
      [graph("Uptime"), graph("Deploy time"), graph("Third")],
    );
    assert.deepStrictEqual(
      widgets.map((w) => [(w.properties as { title?: string }).title ?? w.type, w.x, w.y, w.width, w.height]),
      [
        ["text", 0, 0, 24, 2],
        ["Estimated charges this month (USD)", 0, 2, 24, 6],
        ["Uptime", 0, 8, 12, 6],
        ["Deploy time", 12, 8, 12, 6],
        ["Third", 0, 14, 12, 6],
        ["Success metrics: alarm status", 0, 20, 24, 2],
        ["slo", 0, 22, 8, 6],
      ],
    );
  });

  it("gives a switched-off component no section", () => {
    assert.deepStrictEqual(sectionOf("Database", undefined), []);
  });

  it("builds one dashboard per stack from the alarms' ARNs", async () => {
    const { resources } = await evaluate(() => {
      const alarm = new aws.cloudwatch.MetricAlarm("dlq", {
        comparisonOperator: "GreaterThanThreshold",
        evaluationPeriods: 1,
        threshold: 0,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        statistic: "Maximum",
        period: 60,
      });
      new Dashboard("dashboard", {
        region: "us-east-1",
        monthlyBudgetUsd: 50,
        sections: sectionOf("Queues", [alarm]),
      });
    });
    const [dashboard] = ofType(resources, "aws:cloudwatch/dashboard:Dashboard");
    assert.strictEqual(dashboard.inputs.dashboardName, "agent-platform-test");
    const body = JSON.parse(dashboard.inputs.dashboardBody as string);
    assert.deepStrictEqual(body.widgets[2].properties.alarms, [named(resources, "dlq").outputs.arn]);
  });
});
