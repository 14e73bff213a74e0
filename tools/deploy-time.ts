/**
 * The deploy workflow's clock (.github/workflows/pulumi-up.yml, docs/deployment.md "Deploy time"): after `pulumi
 * up` of a stack it writes the update's duration to the job summary and, for a successful update, the CloudWatch
 * PutMetricData input that the deploy-time alarm (components/success-metrics.ts) watches:
 *
 *   npx ts-node --transpile-only tools/deploy-time.ts --stack dev --started <epoch s> --finished <epoch s> \
 *     --outcome success --metric "$(pulumi stack output deployTimeMetric --json)" \
 *     --metric-data deploy-time.json >> "$GITHUB_STEP_SUMMARY"
 *   aws cloudwatch put-metric-data --cli-input-json file://deploy-time.json
 *
 * `--outcome` is the `pulumi up` step's outcome (success, failure, cancelled, skipped). `--metric` is the stack
 * output, or `null` when the stack has none yet (a first update that failed): the summary is still written. The
 * metric data file is written only for a successful update (a failed one is no typical update), else emptied.
 */
import { writeFileSync } from "node:fs";
import type { DeployTimeMetric } from "../contracts/deploy-time";
import { parseArgs } from "./deploy-lambda";

export const OUTCOMES = ["success", "failure", "cancelled", "skipped"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface DeployRun {
  readonly stack: string;
  /** Epoch seconds. */
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly outcome: Outcome;
  readonly metric?: DeployTimeMetric;
}

export function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}

/** The job summary's section for one stack (Markdown). */
export function deploySummary(run: DeployRun): string {
  const seconds = run.finishedAt - run.startedAt;
  const target = run.metric?.targetSeconds;
  const within =
    target === undefined || run.outcome !== "success" ? "—" : seconds <= target ? "yes" : "**no**";
  return [
    `### Deploy time: ${run.stack}`,
    "",
    "| pulumi up | outcome | target | within target |",
    "| --- | --- | --- | --- |",
    `| ${duration(seconds)} | ${run.outcome} | ${target === undefined ? "unknown" : duration(target)} | ${within} |`,
    "",
  ].join("\n");
}

/** PutMetricData input for a successful update; undefined otherwise (or without the stack output). */
export function putMetricDataInput(run: DeployRun): object | undefined {
  if (run.outcome !== "success" || !run.metric) return undefined;
  return {
    Namespace: run.metric.namespace,
    MetricData: [
      {
        MetricName: run.metric.metricName,
        Dimensions: Object.entries(run.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
        Timestamp: new Date(run.finishedAt * 1000).toISOString(),
        Value: run.finishedAt - run.startedAt,
        Unit: "Seconds",
      },
    ],
  };
}

/** The run from the CLI's arguments; every problem named with its flag. */
export function deployRun(a: Record<string, string>): DeployRun {
  const problems: string[] = [];
  const epoch = (flag: string) => {
    const n = Number(a[flag]);
    if (!/^\d{9,11}$/.test(a[flag] ?? "")) problems.push(`--${flag} ${a[flag]} is not epoch seconds`);
    return n;
  };
  const startedAt = epoch("started");
  const finishedAt = epoch("finished");
  if (problems.length === 0 && finishedAt < startedAt)
    problems.push(`--finished ${finishedAt} is before --started ${startedAt}`);
  if (!(OUTCOMES as readonly string[]).includes(a.outcome))
    problems.push(`--outcome ${a.outcome} is not one of ${OUTCOMES.join(", ")}`);
  let metric: DeployTimeMetric | undefined;
  try {
    const parsed = JSON.parse(a.metric) as DeployTimeMetric | null;
    if (parsed !== null) {
      if (
        typeof parsed.namespace !== "string" ||
        typeof parsed.metricName !== "string" ||
        typeof parsed.dimensions?.Stack !== "string" ||
        typeof parsed.targetSeconds !== "number"
      )
        throw new Error("shape");
      metric = parsed;
    }
  } catch {
    problems.push(
      `--metric ${a.metric} is not the deployTimeMetric stack output ({namespace, metricName, dimensions, targetSeconds}) or null`,
    );
  }
  if (metric && metric.dimensions.Stack !== a.stack)
    problems.push(`--metric is stack ${metric.dimensions.Stack}'s output, not ${a.stack}'s`);
  if (problems.length > 0) throw new Error(problems.join("; "));
  return {
    stack: a.stack,
    startedAt,
    finishedAt,
    outcome: a.outcome as Outcome,
    ...(metric ? { metric } : {}),
  };
}

if (require.main === module) {
  try {
    const a = parseArgs(process.argv.slice(2), [
      "stack",
      "started",
      "finished",
      "outcome",
      "metric",
      "metric-data",
    ]);
    const run = deployRun(a);
    process.stdout.write(deploySummary(run));
    const input = putMetricDataInput(run);
    writeFileSync(a["metric-data"], input ? `${JSON.stringify(input, null, 2)}\n` : "");
  } catch (error) {
    process.stderr.write(`deploy-time: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
