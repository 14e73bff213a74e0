import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { nested, throwIfProblems } from "../lib/problems";
import { API_ROUTES } from "../contracts/api-routes";
import type { FunctionBundle } from "../lib/build-functions";
import type { DeployTimeMetric } from "../contracts/deploy-time";
import { alarmActions, createPlatformFunction, functionBundles, stackScopedName } from "./lambda/function";
import { SUCCESS_METRICS_FIELDS, SuccessMetricsSettings, successMetricsProblems } from "./observability-args";
import { PlatformComponent } from "./shared/tagging";

/*
 * The success metrics, measured and alarmed:
 * - uptime: each public endpoint (the API's /health, the web service's health path) probed over HTTPS, by Route 53
 *   health checks or by a scheduled Lambda function (config uptimeProbe), with an SLO alarm per probe;
 * - deploy time: the deploy workflow records each `pulumi up` as a metric (tools/deploy-time.ts), and an alarm
 *   fires when a day's median update is slower than the target.
 * Both are on the dashboard (widgets below, and the alarms' own graphs).
 */

/** One public endpoint: a short name for messages and the full URL probed (scheme, host and path). */
export interface UptimeTarget {
  readonly name: string;
  readonly url: pulumi.Input<string>;
}

export interface SuccessMetricsArgs {
  /** The probe, the SLO and the deploy-time target (observability-args.ts). No default. */
  readonly settings: SuccessMetricsSettings;
  /** The endpoints, decided from config (a plain list: the resource count is known at preview). */
  readonly targets: readonly UptimeTarget[];
  /** The alerts topic; the SLO and deploy-time alarms notify it. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** Route 53 publishes health-check metrics in us-east-1 only: their alarms use this provider when given. */
  readonly usEast1Provider?: aws.Provider;
  /** The stack's region, where the function and the deploy metric live. */
  readonly region: string;
  /** Retention of the probe function's log group, in days. No default. */
  readonly logRetentionDays: number;
  /** The key of the probe function's log group (Observability.logsKeyArn). No default. */
  readonly logKeyArn: pulumi.Input<string>;
  /** Tests only: the function bundles (default: built once per process). */
  readonly bundle?: Promise<FunctionBundle>;
}

/** The REST API's health route (the one route the API declares public), under the stage URL. */
export function apiHealthUrl(stageUrl: pulumi.Input<string>): pulumi.Output<string> {
  const health = API_ROUTES.find((r) => r.operationId === "health");
  if (!health) throw new Error("the API declares no health route (operationId health)");
  return pulumi.interpolate`${stageUrl}${health.path}`;
}

/**
 * The SLO alarm's window and burn rate (Google's SRE workbook, multiwindow alerting): an hour in which the error
 * budget of a 30-day SLO is spent 14.4 times too fast, i.e. 2 % of the month's budget gone in one hour.
 */
export const SLO_WINDOW_SECONDS = 3600;
export const BURN_RATE = 14.4;
/** The function probes once a minute (EventBridge's shortest rate). */
export const PROBES_PER_HOUR = 60;

/** Fraction of an hour's probes that may fail before the SLO alarm fires. */
export function burnThreshold(sloPercent: number): number {
  return Math.round(BURN_RATE * (1 - sloPercent / 100) * 1e6) / 1e6;
}

/** Where the deploy workflow records updates (a stack output, so the workflow and the alarm agree). */
export function deployTimeMetric(targetMinutes: number): DeployTimeMetric {
  return {
    namespace: `${pulumi.getProject()}/deploys`,
    metricName: "UpdateDuration",
    dimensions: { Stack: pulumi.getStack() },
    targetSeconds: targetMinutes * 60,
  };
}

type Widget = Record<string, unknown>;

/**
 * `agent-platform:index:SuccessMetrics`: the probes, their SLO alarms, the deploy-time alarm and the dashboard
 * widgets that show availability against the SLO and deploy time against the target.
 */
export class SuccessMetrics extends PlatformComponent {
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
  /** Availability and deploy-time graphs for the dashboard (their x/y are the dashboard's). */
  readonly widgets: pulumi.Output<Widget[]>;
  readonly deployTimeMetric: DeployTimeMetric;

  constructor(name: string, args: SuccessMetricsArgs, opts?: pulumi.ComponentResourceOptions) {
    throwIfProblems("SuccessMetrics", name, [
      ...successMetricsProblems(args.settings, nested(SUCCESS_METRICS_FIELDS, "settings")),
      ...(args.targets.length === 0
        ? [{ key: "targets", value: [], allowed: "must name an endpoint to probe" }]
        : []),
    ]);
    super("agent-platform:index:SuccessMetrics", name, "observability", opts);
    const s = args.settings;
    const actions = alarmActions(args.alarmTopicArn);
    const threshold = burnThreshold(s.uptimeSloPercent);
    const sloLine = { label: `SLO ${s.uptimeSloPercent} %`, value: s.uptimeSloPercent };
    let availability: pulumi.Output<Widget[]>;

    if (s.uptimeProbe === "route53") {
      const usEast1 = args.usEast1Provider
        ? { parent: this, provider: args.usEast1Provider }
        : { parent: this };
      const checks = args.targets.map((t) => {
        const url = pulumi.output(t.url).apply((u) => new URL(u));
        const check = new aws.route53.HealthCheck(
          `${name}-${t.name}-health`,
          {
            type: "HTTPS",
            fqdn: url.apply((u) => u.hostname),
            port: 443,
            resourcePath: url.apply((u) => `${u.pathname}${u.search}`),
            // CloudFront and API Gateway refuse a TLS handshake without SNI.
            enableSni: true,
            failureThreshold: 3,
            requestInterval: 30,
            tags: { Name: `${name}-${t.name}` },
          },
          { parent: this },
        );
        this.alarms.push(
          new aws.cloudwatch.MetricAlarm(
            `${name}-${t.name}-slo`,
            {
              alarmDescription:
                `${t.name} uptime SLO ${s.uptimeSloPercent} %: healthy less than ${round((1 - threshold) * 100)} % ` +
                `of the last hour (Route 53 HTTPS checks), a rate that spends the month's error budget in ` +
                `${round(30 / BURN_RATE)} days`,
              namespace: "AWS/Route53",
              metricName: "HealthCheckStatus",
              dimensions: { HealthCheckId: check.id },
              // HealthCheckStatus is 1 or 0 each minute: the hour's average is the share of healthy minutes.
              statistic: "Average",
              period: SLO_WINDOW_SECONDS,
              evaluationPeriods: 1,
              threshold: round(1 - threshold, 6),
              comparisonOperator: "LessThanThreshold",
              // No data means Route 53 stopped checking: no evidence of uptime.
              treatMissingData: "breaching",
              ...actions,
            },
            usEast1,
          ),
        );
        return { name: t.name, id: check.id };
      });
      availability = pulumi.all(checks.map((c) => c.id)).apply((ids): Widget[] => [
        {
          type: "metric",
          properties: {
            title: "Uptime: share of healthy minutes per hour (Route 53 HTTPS checks)",
            region: "us-east-1",
            view: "timeSeries",
            period: SLO_WINDOW_SECONDS,
            metrics: ids.flatMap((id, i) => [
              [
                "AWS/Route53",
                "HealthCheckStatus",
                "HealthCheckId",
                id,
                { id: `h${i}`, stat: "Average", visible: false },
              ],
              [{ expression: `100 * h${i}`, label: `${checks[i].name} (%)` }],
            ]),
            yAxis: { left: { min: Math.floor(s.uptimeSloPercent) - 1, max: 100 } },
            annotations: { horizontal: [sloLine] },
          },
        },
      ]);
    } else {
      const probe = this.probeFunction(name, args);
      const functionName = probe.function.name;
      this.alarms.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-uptime-slo`,
          {
            alarmDescription:
              `Uptime SLO ${s.uptimeSloPercent} % of ${args.targets.map((t) => t.name).join(" and ")}: more than ` +
              `${round(threshold * PROBES_PER_HOUR, 3)} of the last hour's ${PROBES_PER_HOUR} probes failed, a rate ` +
              `that spends the month's error budget in ${round(30 / BURN_RATE)} days (the probe's log names the endpoint)`,
            namespace: "AWS/Lambda",
            metricName: "Errors",
            dimensions: { FunctionName: functionName },
            statistic: "Sum",
            period: SLO_WINDOW_SECONDS,
            evaluationPeriods: 1,
            threshold: round(threshold * PROBES_PER_HOUR, 6),
            comparisonOperator: "GreaterThanThreshold",
            // No invocations means no probe ran: no evidence of uptime.
            treatMissingData: "breaching",
            ...actions,
          },
          { parent: this },
        ),
      );
      availability = functionName.apply((fn): Widget[] => [
        {
          type: "metric",
          properties: {
            title: "Uptime: share of successful probes per hour (probe function, every endpoint)",
            region: args.region,
            view: "timeSeries",
            period: SLO_WINDOW_SECONDS,
            metrics: [
              ["AWS/Lambda", "Errors", "FunctionName", fn, { id: "e", stat: "Sum", visible: false }],
              ["AWS/Lambda", "Invocations", "FunctionName", fn, { id: "i", stat: "Sum", visible: false }],
              [{ expression: "100 * (1 - FILL(e, 0) / i)", label: "Successful probes (%)" }],
            ],
            yAxis: { left: { min: Math.floor(s.uptimeSloPercent) - 1, max: 100 } },
            annotations: { horizontal: [sloLine] },
          },
        },
      ]);
    }

    this.deployTimeMetric = deployTimeMetric(s.deployTimeTargetMinutes);
    const d = this.deployTimeMetric;
    this.alarms.push(
      new aws.cloudwatch.MetricAlarm(
        `${name}-deploy-time`,
        {
          alarmDescription:
            `Deploys: the day's median pulumi up of this stack took longer than ${s.deployTimeTargetMinutes} ` +
            `minutes (recorded by the deploy workflow)`,
          namespace: d.namespace,
          metricName: d.metricName,
          dimensions: { ...d.dimensions },
          extendedStatistic: "p50",
          period: 86400,
          evaluationPeriods: 1,
          threshold: d.targetSeconds,
          comparisonOperator: "GreaterThanThreshold",
          // A day without deploys is not a slow deploy.
          treatMissingData: "notBreaching",
          ...actions,
        },
        { parent: this },
      ),
    );
    const deployWidget: Widget = {
      type: "metric",
      properties: {
        title: `Deploy time: pulumi up of ${d.dimensions.Stack} (seconds)`,
        region: args.region,
        view: "timeSeries",
        period: 86400,
        metrics: [
          [d.namespace, d.metricName, "Stack", d.dimensions.Stack, { stat: "p50", label: "median" }],
          [d.namespace, d.metricName, "Stack", d.dimensions.Stack, { stat: "Maximum", label: "slowest" }],
        ],
        annotations: {
          horizontal: [{ label: `target ${s.deployTimeTargetMinutes} min`, value: d.targetSeconds }],
        },
      },
    };
    this.widgets = availability.apply((a) => [...a, deployWidget]);
    this.registerOutputs({ deployTimeMetric: this.deployTimeMetric });
  }

  /**
   * The probe function: no role statements beyond its own logs and traces (it calls only public endpoints), run
   * every minute, never retried (a retried failure would count one bad minute twice), and without the standard
   * function alarms (the SLO alarm is its alarm).
   */
  private probeFunction(name: string, args: SuccessMetricsArgs) {
    const fn = createPlatformFunction(this, `${name}-probe`, {
      description: "Uptime probe: HTTPS GET of each public endpoint every minute; fails when one is down",
      functionName: stackScopedName("uptime-probe"),
      sizing: { memoryMb: 128, timeoutSeconds: 60, reservedConcurrency: -1 },
      environment: {
        POWERTOOLS_SERVICE_NAME: "uptime-probe",
        PROBE_TARGETS: pulumi
          .all(args.targets.map((t) => pulumi.output(t.url)))
          .apply((urls) => JSON.stringify(urls.map((url, i) => ({ name: args.targets[i].name, url })))),
      },
      statements: [],
      logKeyArn: args.logKeyArn,
      logRetentionDays: args.logRetentionDays,
      bundle: args.bundle ?? functionBundles().then((b) => b["uptime-probe"]),
      alarmTopicArn: args.alarmTopicArn,
      alarms: false,
      tags: {
        "policy-exempt:lambda-async-dlq":
          "an uptime probe: a failed event holds nothing to replay - the failure is the measurement and the " +
          "SLO alarm counts it",
      },
    });
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-probe-invoke`,
      { functionName: fn.function.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      { parent: this },
    );
    const schedule = new aws.cloudwatch.EventRule(
      `${name}-probe-schedule`,
      { description: "Runs the uptime probe every minute", scheduleExpression: "rate(1 minute)" },
      { parent: this },
    );
    const permission = new aws.lambda.Permission(
      `${name}-probe-permission`,
      {
        action: "lambda:InvokeFunction",
        function: fn.function.name,
        principal: "events.amazonaws.com",
        sourceArn: schedule.arn,
      },
      { parent: this },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-probe-target`,
      { rule: schedule.name, arn: fn.function.arn },
      { parent: this, dependsOn: [permission] },
    );
    return fn;
  }
}

function round(n: number, places = 2): number {
  const f = 10 ** places;
  return Math.round(n * f) / f;
}
