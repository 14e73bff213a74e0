import { MockTable } from "./context";

export const CLOUDWATCH_OUTPUTS: MockTable = {
  "aws:cloudwatch/logGroup:LogGroup": (c) => {
    const { physical } = c;
    return { id: physical, arn: c.arn("logs", `log-group:${physical}`) };
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => {
    const { physical } = c;
    return { id: physical, arn: c.arn("cloudwatch", `alarm:${physical}`) };
  },
  "aws:cloudwatch/dashboard:Dashboard": (c) => {
    const { inputs, physical, accountId } = c;
    return {
      id: String(inputs["dashboardName"] ?? physical),
      dashboardArn: `arn:${c.partition}:cloudwatch::${accountId}:dashboard/${String(inputs["dashboardName"] ?? physical)}`,
    };
  },
};
