import * as assert from "assert";
import { summarizeAlarms } from "../../tools/offline/alarms";
import { fakeResource } from "../helpers/offline";

describe("alarm summary in the offline report", () => {
  it("says what a metric alarm watches, when it fires and whether it notifies anyone", () => {
    const [simple, math, silent] = summarizeAlarms([
      fakeResource("aws:cloudwatch/metricAlarm:MetricAlarm", "dlq-depth", {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: "q-dlq" },
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        evaluationPeriods: 1,
        period: 60,
        alarmActions: ["arn:aws:sns:us-east-1:123456789012:alerts"],
      }),
      fakeResource("aws:cloudwatch/metricAlarm:MetricAlarm", "error-rate", {
        comparisonOperator: "GreaterThanThreshold",
        threshold: 5,
        evaluationPeriods: 1,
        metricQueries: [
          { id: "e", metric: { namespace: "AWS/Lambda", metricName: "Errors", stat: "Sum", period: 300 } },
          { id: "rate", expression: "100 * e / 10", returnData: true },
        ],
        alarmActions: ["a", "b"],
      }),
      fakeResource("aws:cloudwatch/metricAlarm:MetricAlarm", "silent", {
        namespace: "AWS/ECS",
        metricName: "CPUUtilization",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 70,
        period: 300,
        evaluationPeriods: 3,
      }),
      fakeResource("aws:sns/topic:Topic", "not-an-alarm", {}),
    ]);
    assert.deepStrictEqual(
      [simple.name, simple.watches, simple.condition, simple.actions],
      ["dlq-depth", "AWS/SQS/ApproximateNumberOfMessagesVisible Maximum by QueueName", "> 0 for 1 x 60 s", 1],
    );
    assert.deepStrictEqual(
      [math.watches, math.condition, math.actions],
      ["100 * e / 10 where e=AWS/Lambda/Errors Sum", "> 5 for 1 x 300 s", 2],
    );
    assert.deepStrictEqual(
      [silent.watches, silent.condition, silent.actions],
      ["AWS/ECS/CPUUtilization", ">= 70 for 3 x 300 s", 0],
    );
    assert.strictEqual(summarizeAlarms([]).length, 0);
  });
});
