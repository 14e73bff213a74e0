import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformComponent } from "./shared/tagging";

/** One part of the platform on the dashboard: its title and the alarms its component exposes. */
export interface DashboardSection {
  readonly title: string;
  readonly alarmArns: pulumi.Input<pulumi.Input<string>[]>;
}

/** A section for a component that may be switched off: none when it is absent. */
export function sectionOf(
  title: string,
  alarms: readonly aws.cloudwatch.MetricAlarm[] | undefined,
): DashboardSection[] {
  return alarms ? [{ title, alarmArns: alarms.map((a) => a.arn) }] : [];
}

export interface DashboardArgs {
  /** Sections of the components present in the stack; a switched-off component simply has no section. */
  readonly sections: readonly DashboardSection[];
  /** The stack's region: every widget reads metrics there. */
  readonly region: string;
  /** The monthly budget, drawn as a line on the estimated-charges graph. */
  readonly monthlyBudgetUsd: number;
  /** Headline graphs (the success metrics: uptime against the SLO, deploy time), placed under the charges. */
  readonly headlines?: pulumi.Input<Widget[]>;
}

type Widget = Record<string, unknown>;

const HEADLINE_WIDTH = 12;
const GRID = 24;
const GRAPH_WIDTH = 8;
const GRAPH_HEIGHT = 6;

/**
 * The dashboard body, from plain values. Per section with alarms: an alarm-status row and one graph per
 * alarm (the alarm's own metric with its threshold, so the graph shows what the alarm watches). Sections
 * without alarms get no widget at all. Estimated charges are read in us-east-1, where AWS publishes them.
 */
export function dashboardBody(
  title: string,
  sections: readonly { title: string; alarmArns: readonly string[] }[],
  region: string,
  monthlyBudgetUsd: number,
  headlines: readonly Widget[] = [],
): { widgets: Widget[] } {
  const widgets: Widget[] = [];
  let y = 0;
  const present = sections.filter((s) => s.alarmArns.length > 0);
  const alarmCount = present.reduce((n, s) => n + s.alarmArns.length, 0);
  widgets.push({
    type: "text",
    x: 0,
    y,
    width: GRID,
    height: 2,
    properties: {
      markdown: `# ${title}\n${alarmCount} alarms in ${present.length} parts; each graph shows one alarm's metric and threshold.`,
    },
  });
  y += 2;
  widgets.push({
    type: "metric",
    x: 0,
    y,
    width: GRID,
    height: GRAPH_HEIGHT,
    properties: {
      title: "Estimated charges this month (USD)",
      region: "us-east-1",
      view: "timeSeries",
      stat: "Maximum",
      period: 21600,
      metrics: [["AWS/Billing", "EstimatedCharges", "Currency", "USD"]],
      annotations: { horizontal: [{ label: "Monthly budget", value: monthlyBudgetUsd }] },
    },
  });
  y += GRAPH_HEIGHT;
  headlines.forEach((w, i) => {
    const perRow = GRID / HEADLINE_WIDTH;
    widgets.push({
      ...w,
      x: (i % perRow) * HEADLINE_WIDTH,
      y: y + Math.floor(i / perRow) * GRAPH_HEIGHT,
      width: HEADLINE_WIDTH,
      height: GRAPH_HEIGHT,
    });
  });
  y += Math.ceil(headlines.length / (GRID / HEADLINE_WIDTH)) * GRAPH_HEIGHT;
  for (const section of present) {
    const statusHeight = 1 + Math.ceil(section.alarmArns.length / 4);
    widgets.push({
      type: "alarm",
      x: 0,
      y,
      width: GRID,
      height: statusHeight,
      properties: { title: `${section.title}: alarm status`, alarms: [...section.alarmArns] },
    });
    y += statusHeight;
    section.alarmArns.forEach((arn, i) => {
      widgets.push({
        type: "metric",
        x: (i % (GRID / GRAPH_WIDTH)) * GRAPH_WIDTH,
        y: y + Math.floor(i / (GRID / GRAPH_WIDTH)) * GRAPH_HEIGHT,
        width: GRAPH_WIDTH,
        height: GRAPH_HEIGHT,
        properties: { title: arn.slice(arn.lastIndexOf(":") + 1), region, annotations: { alarms: [arn] } },
      });
    });
    y += Math.ceil(section.alarmArns.length / (GRID / GRAPH_WIDTH)) * GRAPH_HEIGHT;
  }
  return { widgets };
}

/**
 * `agent-platform:index:Dashboard`: one CloudWatch dashboard per stack, built from the alarms of the
 * components present, so what is on it is exactly what pages someone.
 */
export class Dashboard extends PlatformComponent {
  readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: DashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-platform:index:Dashboard", name, "observability", opts);
    // Dashboard names allow letters, digits, "-" and "_" only; the stack's name keeps them apart per account.
    const dashboardName = `${pulumi.getProject()}-${pulumi.getStack()}`.replace(/[^A-Za-z0-9_-]/g, "-");
    const body = pulumi
      .all([
        pulumi.all(args.sections.map((s) => pulumi.output(s.alarmArns))),
        pulumi.output(args.headlines ?? []),
      ])
      .apply(([lists, headlines]) =>
        JSON.stringify(
          dashboardBody(
            `${dashboardName} overview`,
            args.sections.map((s, i) => ({ title: s.title, alarmArns: lists[i] })),
            args.region,
            args.monthlyBudgetUsd,
            headlines as Widget[],
          ),
        ),
      );
    const dashboard = new aws.cloudwatch.Dashboard(
      name,
      { dashboardName, dashboardBody: body },
      { parent: this },
    );
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ dashboardName: this.dashboardName });
  }
}
