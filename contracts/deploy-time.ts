/**
 * The stack output `deployTimeMetric`: where the deploy workflow records each update's duration
 * (tools/deploy-time.ts writes the data point; the SuccessMetrics component builds the output and alarms on it).
 */
export interface DeployTimeMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: { readonly Stack: string };
  readonly targetSeconds: number;
}
