/*
 * Writes docs/architecture/<stack>.md for every stack from the offline preview's resource graph: a Mermaid
 * flowchart (components as subgraphs, resources grouped by type with counts, edges where a resource of one
 * component references a resource of another), then the components, the IAM roles and what each may touch,
 * the alarms by kind with their runbook entry, and the fixed monthly cost estimate.
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
import { costRows, usdRange } from "./offline/cost";
import { asList, rolePolicies, trustedPrincipals } from "./iam-roles";
import { componentOf, Tidy, tidier } from "./resource-graph";
import { securityGuide } from "./gen-security-roles";
import type { RegisteredResource } from "./offline/evaluate";
import { loadPack, previewStack, StackReport } from "./offline/preview";
import { listStacks } from "./offline/stack-files";

const STACK_TYPE = "pulumi:pulumi:Stack";
const ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** `aws:sqs/queue:Queue` -> `sqs Queue`; `pulumiservice:index:Stack` -> `Stack`; `kubernetes:apps/v1:Deployment` -> `apps/v1 Deployment`. */
export function shortType(type: string): string {
  const [pkg, module = "", name = type] = type.split(":");
  if (pkg === "aws") return `${module.split("/")[0]} ${name}`;
  return module && module !== "index" ? `${module} ${name}` : name;
}

/** A Mermaid node id from any string (letters, digits and underscores only). */
function nodeId(prefix: string, s: string): string {
  return `${prefix}_${s.replace(/[^A-Za-z0-9]+/g, "_")}`;
}

/** Text safe inside a quoted Mermaid label or a Markdown table cell. */
function label(s: string): string {
  return s.replace(/"/g, "'").replace(/\|/g, "/");
}

/** Is this a resource that belongs in the diagram (not the stack, not a provider)? */
function drawn(r: RegisteredResource): boolean {
  return r.type !== STACK_TYPE && !r.type.startsWith("pulumi:providers:");
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

/** The Mermaid flowchart of one stack. */
export function mermaid(resources: RegisteredResource[]): string {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const stack = resources.find((r) => r.type === STACK_TYPE);
  const components = resources.filter((r) => !r.custom && drawn(r));
  const custom = resources.filter((r) => r.custom && drawn(r));
  const childComponents = new Map<string, RegisteredResource[]>();
  for (const c of components) {
    const p = componentOf(c, byUrn) ?? "";
    childComponents.set(p, [...(childComponents.get(p) ?? []), c]);
  }
  const members = new Map<string, RegisteredResource[]>();
  for (const r of custom) {
    const c = componentOf(r, byUrn) ?? "";
    members.set(c, [...(members.get(c) ?? []), r]);
  }
  // Ids from names, not positions, so adding a component changes only its own lines in the diff.
  const compName = (urn: string) => {
    const c = byUrn.get(urn);
    return !c || c.type === STACK_TYPE ? "stack" : `${c.type.split(":").pop()}_${c.name}`;
  };
  const compId = (urn: string) => nodeId("c", compName(urn));
  const groupId = (componentUrn: string, type: string) =>
    nodeId("g", `${compName(componentUrn)}_${shortType(type)}`);
  const byName = (a: RegisteredResource, b: RegisteredResource) =>
    a.type.localeCompare(b.type) || a.name.localeCompare(b.name);

  const lines = ["flowchart LR"];
  const groups = (componentUrn: string, pad: string) => {
    const counts = countBy(members.get(componentUrn) ?? [], (r) => r.type);
    for (const [type, n] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
      lines.push(`${pad}${groupId(componentUrn, type)}["${label(`${n} × ${shortType(type)}`)}"]`);
    }
  };
  const walk = (c: RegisteredResource, depth: number) => {
    const pad = "  ".repeat(depth);
    lines.push(`${pad}subgraph ${compId(c.urn)}["${label(`${c.name}: ${shortType(c.type)}`)}"]`);
    groups(c.urn, pad + "  ");
    for (const k of (childComponents.get(c.urn) ?? []).sort(byName)) walk(k, depth + 1);
    lines.push(`${pad}end`);
  };
  if (stack) {
    groups(stack.urn, "  ");
    for (const c of (childComponents.get(stack.urn) ?? []).sort(byName)) walk(c, 1);
  }

  // Edges between components only, aggregated per pair of type groups: inside a component the type list says
  // enough, and 80 resource-to-resource arrows would hide the architecture.
  const edges = new Set<string>();
  for (const r of custom) {
    const from = componentOf(r, byUrn) ?? "";
    const deps = new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()]);
    for (const d of deps) {
      const target = byUrn.get(d);
      if (!target || !drawn(target)) continue;
      const to = target.custom ? (componentOf(target, byUrn) ?? "") : target.urn;
      if (to === from) continue;
      const toId = target.custom ? groupId(to, target.type) : compId(to);
      edges.add(`  ${groupId(from, r.type)} --> ${toId}`);
    }
  }
  lines.push(...[...edges].sort());
  return lines.join("\n");
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

/** The whole page for one stack. */
export function renderArchitecture(report: StackReport): string {
  const { resources } = report;
  const tidy = tidier(resources);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const custom = resources.filter((r) => r.custom && drawn(r));
  const components = resources
    .filter((r) => !r.custom && drawn(r))
    .sort((a, b) => a.urn.localeCompare(b.urn));
  const lines = [
    `# Architecture: ${report.stack}`,
    "",
    "Generated from the offline preview's resource graph by `npm run -s docs:diagrams`; do not edit by hand (a",
    "test fails when this page no longer matches the program). Arrows point from a resource group to what it",
    "references in another component.",
    "",
    `${custom.length} resources in ${components.length} components.`,
    "",
    "```mermaid",
    mermaid(resources),
    "```",
    "",
    "## Components",
    "",
    "| component | type | resources |",
    "| --- | --- | --- |",
  ];
  for (const c of components) {
    const own = custom.filter((r) => componentOf(r, byUrn) === c.urn);
    const counts = [...countBy(own, (r) => shortType(r.type))].sort((a, b) => a[0].localeCompare(b[0]));
    lines.push(
      `| ${c.name} | \`${c.type}\` | ${counts.map(([t, n]) => `${n} ${t}`).join(", ") || "(only components)"} |`,
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
