import type { RegisteredResource } from "./evaluate";

/** What one CloudWatch alarm watches, for the offline report. */
export interface AlarmSummary {
  urn: string;
  name: string;
  /** The metric (namespace/name and dimensions) or the metric-math expression. */
  watches: string;
  /** Comparison and threshold, e.g. ">= 1 for 1 x 60 s". */
  condition: string;
  /** Number of alarm actions (an alarm without one notifies nobody). */
  actions: number;
}

type Props = Record<string, unknown>;

const OPERATORS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: ">=",
  GreaterThanThreshold: ">",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "<=",
  LessThanLowerOrGreaterThanUpperThreshold: "outside band",
  GreaterThanUpperThreshold: "> band",
  LessThanLowerThreshold: "< band",
};

function metric(namespace: unknown, name: unknown, dimensions: unknown, stat: unknown): string {
  const dims = Object.keys((dimensions as Props | undefined) ?? {}).join(", ");
  return `${String(namespace)}/${String(name)}${stat ? ` ${String(stat)}` : ""}${dims ? ` by ${dims}` : ""}`;
}

/** Summarises every metric alarm of a stack from its inputs. */
export function summarizeAlarms(resources: RegisteredResource[]): AlarmSummary[] {
  return resources
    .filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")
    .map((r) => {
      const p = r.inputs;
      let watches: string;
      const queries = (p.metricQueries as Props[] | undefined) ?? [];
      if (queries.length > 0) {
        const result = queries.find((q) => q.returnData === true) ?? queries[queries.length - 1];
        const inputs = queries
          .filter((q) => q.metric)
          .map((q) => {
            const m = q.metric as Props;
            return `${String(q.id)}=${metric(m.namespace, m.metricName, m.dimensions, m.stat)}`;
          });
        watches = `${String(result.expression ?? result.id)} where ${inputs.join("; ")}`;
      } else {
        watches = metric(p.namespace, p.metricName, p.dimensions, p.statistic ?? p.extendedStatistic);
      }
      const op = OPERATORS[String(p.comparisonOperator)] ?? String(p.comparisonOperator);
      const periods = p.evaluationPeriods ?? 1;
      const period = p.period ?? (queries.find((q) => q.metric)?.metric as Props | undefined)?.period;
      return {
        urn: r.urn,
        name: r.name,
        watches,
        condition: `${op} ${String(p.threshold)} for ${String(periods)} x ${String(period ?? "?")} s`,
        actions: ((p.alarmActions as unknown[] | undefined) ?? []).length,
      };
    });
}
