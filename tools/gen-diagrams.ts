/*
 * Writes docs/architecture/<stack>.md for every stack from the offline preview's resource graph: a Mermaid
 * flowchart at component level (one box per component with its key facts, arrows where a component's
 * resources refer to another's), the components with their facts, one flowchart per component of its
 * resources grouped by type (tools/offline/architecture.ts draws both), then the IAM roles and what each may
 * touch, the alarms by kind with their runbook entry, and the fixed monthly cost estimate.
 *
 *   npm run -s docs:diagrams            # regenerate the checked-in files
 *   npm run -s docs:diagrams -- --check # exit 1 and name the stale files instead of writing
 *
 * A test regenerates and compares, so the pages cannot drift from the program. Everything here is derived
 * from what the program registered, never typed by hand; physical names lose their random suffix and the
 * account id is masked, so the pages change only when the architecture does.
 */
import * as fs from "fs";
import * as path from "path";
import {
  architectureOf,
  componentDiagram,
  ComponentView,
  monitoringSummary,
  resourceDiagram,
} from "./offline/architecture";
import { costRows, usdRange } from "../cost/estimate";
import { asList, rolePolicies, trustedPrincipals } from "./iam-roles";
import { Tidy, tidier } from "./resource-graph";
import { securityGuide } from "./gen-security-roles";
import type { RegisteredResource } from "./offline/evaluate";
import { countBy, shortType, typeName } from "./offline/graph";
import { loadPack, previewStack, StackReport } from "./offline/preview";
import { listStacks } from "./offline/stack-files";

const ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** Text safe inside a Markdown table cell. */
function label(s: string): string {
  return s.replace(/"/g, "'").replace(/\|/g, "/");
}

/** Each IAM role: who may assume it, and every statement of its inline and attached policies. */
function rolesSection(resources: RegisteredResource[], tidy: Tidy): string[] {
  const roles = rolePolicies(resources);
  if (roles.length === 0) return ["No IAM roles in this stack."];
  const lines: string[] = [];
  for (const { role, trust, documents, awsManaged } of roles) {
    lines.push(
      `- **${role.name}**: assumed by ${
        trustedPrincipals(trust)
          .map((p) => `\`${tidy(p)}\``)
          .join(", ") || "(no principal)"
      }`,
    );
    for (const arn of awsManaged) lines.push(`  - AWS managed policy \`${tidy(arn)}\``);
    for (const { via, statements } of documents) {
      for (const s of statements) {
        const actions = asList(s.Action).length
          ? asList(s.Action)
          : asList(s.NotAction).map((a) => `NOT ${a}`);
        lines.push(
          `  - ${s.Effect ?? "Allow"} ${actions.map((a) => `\`${a}\``).join(", ")} on ${asList(s.Resource)
            .map((x) => `\`${tidy(x)}\``)
            .join(", ")} (${via})`,
        );
      }
    }
  }
  return lines;
}

/** The metrics an alarm watches, as `namespace/metric` (metric-math alarms list each metric they use). */
export function alarmMetrics(alarm: RegisteredResource): string[] {
  const single = alarm.inputs.metricName ? [`${alarm.inputs.namespace}/${alarm.inputs.metricName}`] : [];
  const queries =
    (alarm.inputs.metricQueries as { metric?: { namespace?: string; metricName?: string } }[]) ?? [];
  const fromQueries = queries
    .filter((q) => q.metric?.metricName)
    .map((q) => `${q.metric!.namespace}/${q.metric!.metricName}`);
  return [...new Set([...single, ...fromQueries])].sort();
}

/**
 * The runbook's anchor for a metric: `AWS/SQS/ApproximateAgeOfOldestMessage` -> `aws-sqs-approximateageofoldestmessage`.
 * Metrics in the platform's own namespaces (set per stack) are keyed by name alone: `custom-failures`.
 */
export function runbookAnchor(metric: string): string {
  // The platform's own EMF namespaces differ per stack (agent-platform-<stack>/...): one entry serves all.
  const key = metric.startsWith("agent-platform") ? `custom/${metric.split("/").pop()}` : metric;
  return key.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

const COMPARATORS: Record<string, string> = {
  GreaterThanThreshold: ">",
  GreaterThanOrEqualToThreshold: "≥",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "≤",
};

function alarmsSection(resources: RegisteredResource[]): string[] {
  const alarms = resources.filter((r) => r.type === ALARM_TYPE);
  if (alarms.length === 0) return ["No alarms in this stack."];
  const kinds = new Map<string, RegisteredResource[]>();
  for (const a of alarms) {
    const key = alarmMetrics(a).join(" + ") || "(no metric)";
    kinds.set(key, [...(kinds.get(key) ?? []), a]);
  }
  const lines = ["| watches | alarms | threshold | notifies | runbook |", "| --- | --- | --- | --- | --- |"];
  for (const [key, as] of [...kinds].sort((a, b) => a[0].localeCompare(b[0]))) {
    const thresholds = [
      ...new Set(
        as.map((a) =>
          `${COMPARATORS[String(a.inputs.comparisonOperator)] ?? a.inputs.comparisonOperator ?? ""} ${a.inputs.threshold ?? ""}`.trim(),
        ),
      ),
    ];
    const withAction = as.filter((a) => ((a.inputs.alarmActions as unknown[]) ?? []).length > 0).length;
    const first = key.split(" + ")[0];
    lines.push(
      `| \`${label(key)}\` | ${as.length} | ${thresholds.map(label).join("; ")} | ${withAction} of ${as.length} | [runbook](../runbook.md#${runbookAnchor(first)}) |`,
    );
  }
  return lines;
}

function costSection(report: StackReport): string[] {
  const { costEstimate } = report;
  const rows = costRows(costEstimate.items);
  const lines = [
    `Fixed monthly estimate: **${usdRange(costEstimate.minMonthlyUsd, costEstimate.maxMonthlyUsd)}** ` +
      `(${costEstimate.priceRegion} prices of ${costEstimate.priceDate}, \`cost/prices.json\`; the budget policy ` +
      `judges the low end, see [cost.md](../cost.md)).`,
    "",
  ];
  if (rows.length > 0) {
    lines.push("| item | count | monthly | the range depends on |", "| --- | --- | --- | --- |");
    for (const row of rows)
      lines.push(
        `| ${label(row.description)} | ${row.count} | ${usdRange(row.minUsd, row.maxUsd)} | ${label(row.dependsOn ?? "")} |`,
      );
    lines.push("");
  }
  const reasons = countBy(costEstimate.notEstimated, (n) => `${shortType(n.type)}: ${n.reason}`);
  if (reasons.size > 0) {
    lines.push("Not estimated (usage-priced, or no price model):", "");
    for (const [k, n] of [...reasons].sort((a, b) => a[0].localeCompare(b[0])))
      lines.push(`- ${n} × ${label(k)}`);
  }
  return lines;
}

/** The heading of a component's section, and the anchor GitHub derives from it. */
export function componentHeading(c: ComponentView): { text: string; anchor: string } {
  const text = `${c.name}: ${typeName(c.type)}`;
  return {
    text,
    anchor: text
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-"),
  };
}

/** The whole page for one stack. */
export function renderArchitecture(report: StackReport): string {
  const { resources } = report;
  const tidy = tidier(resources);
  const arch = architectureOf(resources, report.costEstimate.items);
  const total = arch.components.reduce((t, c) => t + c.resources.length, 0);
  const nested = arch.components.reduce((t, c) => t + c.nested.length, 0);
  const lines = [
    `# Architecture: ${report.stack}`,
    "",
    "Generated from the offline preview's resource graph by `npm run -s docs:diagrams`; do not edit by hand (a",
    "test fails when this page no longer matches the program).",
    "",
    `${total} resources in ${arch.components.length} components${nested ? ` (and ${nested} nested in them)` : ""}; fixed monthly estimate ${usdRange(report.costEstimate.minMonthlyUsd, report.costEstimate.maxMonthlyUsd)}.`,
    "",
    "## Components",
    "",
    "Each box is a component with its key facts, its resource count and its fixed monthly estimate. An arrow",
    "points from a component to another whose resources its own refer to (IAM grants, event sources, subnets,",
    "security groups, DNS names, web ACLs).",
    "",
    "```mermaid",
    componentDiagram(arch),
    "```",
    "",
    "| component | type | key facts | resources | fixed monthly |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const c of arch.components) {
    const h = componentHeading(c);
    lines.push(
      `| [${c.name}](#${h.anchor}) | \`${c.type}\` | ${c.facts.map((f) => label(f.text)).join("; ")} | ${c.resources.length} | ${usdRange(c.monthlyUsd, c.maxMonthlyUsd)} |`,
    );
  }
  const monitoring = monitoringSummary(arch);
  if (monitoring.length > 0) {
    lines.push(
      "",
      "Monitoring ties are not drawn (every component's alarms would point at the alerts topic):",
      "",
      ...monitoring.map((m) => `- ${label(m)}`),
    );
  }
  for (const c of arch.components) {
    const counts = [...countBy(c.resources, (r) => shortType(r.type))].sort((a, b) =>
      a[0].localeCompare(b[0]),
    );
    lines.push(
      "",
      `## ${componentHeading(c).text}`,
      "",
      `${counts.map(([t, n]) => `${n} ${t}`).join(", ") || "No resources of its own."}${c.nested.length ? ` Nested: ${c.nested.map((n) => `${n.name} (${typeName(n.type)})`).join(", ")}.` : ""}`,
      "",
      "```mermaid",
      resourceDiagram(arch, c),
      "```",
    );
  }
  lines.push("", "## IAM roles and what each may touch", "", ...rolesSection(resources, tidy));
  lines.push("", "## Alarms", "", ...alarmsSection(resources));
  lines.push("", "## Cost", "", ...costSection(report), "");
  return lines.join("\n");
}

/** The offline preview of every stack, as the generator and its tests use it. */
export async function previewAll(root: string): Promise<StackReport[]> {
  const pack = loadPack(root);
  const reports: StackReport[] = [];
  for (const stack of listStacks(root))
    reports.push(await previewStack({ root, stack, policies: pack.policies, pack }));
  return reports;
}

/** Every stack's page, keyed by its path relative to the root. */
export function architecturePages(reports: StackReport[]): Map<string, string> {
  return new Map(
    reports.map((r) => [path.join("docs", "architecture", `${r.stack}.md`), renderArchitecture(r)]),
  );
}

/** docs/security.md, whose workload-role table is generated from the same previews. */
export const SECURITY_GUIDE = path.join("docs", "security.md");

export async function generateArchitecture(root: string): Promise<Map<string, string>> {
  const reports = await previewAll(root);
  const pages = architecturePages(reports);
  pages.set(SECURITY_GUIDE, securityGuide(fs.readFileSync(path.join(root, SECURITY_GUIDE), "utf8"), reports));
  return pages;
}

/** The checked-in pages that differ from what the program generates now. */
export function stalePages(root: string, pages: Map<string, string>): string[] {
  return [...pages]
    .filter(([file, text]) => {
      const full = path.join(root, file);
      return !fs.existsSync(full) || fs.readFileSync(full, "utf8") !== text;
    })
    .map(([file]) => file);
}

if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  const check = process.argv.includes("--check");
  generateArchitecture(root).then(
    (pages) => {
      if (check) {
        const stale = stalePages(root, pages);
        if (stale.length > 0) {
          console.error(`stale: ${stale.join(", ")}; run npm run -s docs:diagrams`);
          process.exit(1);
        }
        console.log(`${pages.size} generated pages up to date`);
        return;
      }
      for (const [file, text] of pages) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
        console.log(`${file} written`);
      }
    },
    (e) => {
      console.error(`docs:diagrams failed: ${(e as Error).message}`);
      process.exit(2);
    },
  );
}
