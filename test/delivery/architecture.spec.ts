import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  alarmMetrics,
  architecturePages,
  componentHeading,
  runbookAnchor,
  stalePages,
} from "../../tools/gen-diagrams";
import { roleTable, securityGuide } from "../../tools/gen-security-roles";
import { asList, rolePolicies } from "../../tools/iam-roles";
import { architectureOf, componentDiagram } from "../../tools/offline/architecture";
import type { StackReport } from "../../tools/offline/preview";
import { listStacks } from "../../tools/offline/stack-files";
import { fakeResource, REPO_ROOT } from "../helpers/offline";
import { allPreviews as reportsOnce } from "../helpers/previews";

const DOCS = path.join(REPO_ROOT, "docs");

describe("docs/architecture: generated from the offline preview", function () {
  this.timeout(60000);
  let pages: Map<string, string>;
  before(async () => (pages = architecturePages(await reportsOnce())));

  it("has one page per stack, and each checked-in page is what the program generates now", () => {
    assert.deepStrictEqual(
      [...pages.keys()],
      listStacks(REPO_ROOT).map((s) => path.join("docs", "architecture", `${s}.md`)),
    );
    assert.deepStrictEqual(
      stalePages(REPO_ROOT, pages),
      [],
      "docs/architecture is stale: run `npm run -s docs:diagrams` and commit the result",
    );
    const onDisk = fs
      .readdirSync(path.join(DOCS, "architecture"))
      .map((f) => path.join("docs", "architecture", f));
    assert.deepStrictEqual(
      onDisk.sort(),
      [...pages.keys()].sort(),
      "a page for a stack that no longer exists",
    );
  });

  it("docs/security.md's workload-role table is what the program generates now, every role and statement", async () => {
    const reports = await reportsOnce();
    const onDisk = fs.readFileSync(path.join(DOCS, "security.md"), "utf8");
    assert.ok(
      onDisk === securityGuide(onDisk, reports),
      "docs/security.md is stale: run `npm run -s docs:diagrams` and commit the result",
    );
    const table = roleTable(reports);
    for (const report of reports)
      for (const { role, documents } of rolePolicies(report.resources)) {
        assert.ok(table.includes(`| \`${role.name}\` |`), `${report.stack}: ${role.name}`);
        for (const action of documents.flatMap((d) => d.statements).flatMap((s) => asList(s.Action)))
          assert.ok(table.includes(`\`${action}\``), `${report.stack}: ${role.name} ${action}`);
      }
  });

  it("draws every top-level component as one box, and gives each a section with its resources' diagram", async () => {
    for (const report of await reportsOnce()) {
      const text = pages.get(path.join("docs", "architecture", `${report.stack}.md`))!;
      const blocks = [...text.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
      const stackUrn = report.resources.find((r) => r.type === "pulumi:pulumi:Stack")!.urn;
      const tops = report.resources.filter((r) => !r.custom && r.parent === stackUrn);
      assert.ok(tops.length > 5, report.stack);
      // The component diagram first: exactly one box per top-level component, none for nested ones.
      const boxes = [...blocks[0].matchAll(/^ {2}(c_\w+)\["<b>([^<]+)<\/b>/gm)].map((m) => m[2]);
      assert.deepStrictEqual(boxes.sort(), tops.map((t) => t.name).sort(), report.stack);
      for (const c of architectureOf(report.resources).components) {
        const section = text.split(`\n## ${componentHeading(c).text}\n`)[1];
        assert.ok(section, `${report.stack}: a section for ${c.name}`);
        const diagram = /```mermaid\n([\s\S]*?)```/.exec(section)![1];
        assert.match(
          diagram,
          new RegExp(`subgraph c_${c.type.split(":").pop()}_${c.name.replace(/[^A-Za-z0-9]+/g, "_")}\\[`),
        );
        for (const n of c.nested) assert.match(diagram, new RegExp(`subgraph \\w+\\["${n.name}: `));
      }
    }
  });

  it("draws two components that refer to each other as one two-headed arrow", async () => {
    const prod = (await reportsOnce()).find((r) => r.stack === "prod")!;
    const arrows = componentDiagram(architectureOf(prod.resources))
      .split("\n")
      .filter((l) => /c_Dns_dns/.test(l) && /c_Frontend_frontend|c_FargateService_web/.test(l))
      .map((l) => l.trim());
    // Dns holds the certificates the distributions use and the records that point at them.
    assert.deepStrictEqual(arrows.sort(), [
      "c_Dns_dns <--> c_FargateService_web",
      "c_Dns_dns <--> c_Frontend_frontend",
    ]);
  });
});

describe("tools/gen-diagrams.ts", () => {
  it("reads the metrics of single-metric and metric-math alarms", () => {
    const single = fakeResource("aws:cloudwatch/metricAlarm:MetricAlarm", "a", {
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
    });
    const math = fakeResource("aws:cloudwatch/metricAlarm:MetricAlarm", "b", {
      metricQueries: [
        { id: "e", expression: "100 * errors / invocations" },
        { id: "errors", metric: { namespace: "AWS/Lambda", metricName: "Errors" } },
        { id: "invocations", metric: { namespace: "AWS/Lambda", metricName: "Invocations" } },
      ],
    });
    assert.deepStrictEqual(alarmMetrics(single), ["AWS/SQS/ApproximateAgeOfOldestMessage"]);
    assert.deepStrictEqual(alarmMetrics(math), ["AWS/Lambda/Errors", "AWS/Lambda/Invocations"]);
    assert.strictEqual(runbookAnchor("AWS/Lambda/Errors"), "aws-lambda-errors");
    assert.strictEqual(runbookAnchor("agent-platform-dev/pipeline/Failures"), "custom-failures");
  });
});

describe("docs/runbook.md", function () {
  this.timeout(60000);
  let reports: StackReport[];
  before(async () => (reports = await reportsOnce()));

  it("has an entry for every metric an alarm of any stack watches", () => {
    const runbook = fs.readFileSync(path.join(DOCS, "runbook.md"), "utf8");
    const anchors = new Set([...runbook.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
    const missing = new Set<string>();
    for (const r of reports) {
      for (const alarm of r.resources.filter((x) => x.type === "aws:cloudwatch/metricAlarm:MetricAlarm")) {
        const metrics = alarmMetrics(alarm);
        if (!metrics.some((m) => anchors.has(runbookAnchor(m))))
          missing.add(`${metrics.join(" + ") || "(no metric)"} (alarm ${alarm.name}, stack ${r.stack})`);
      }
    }
    assert.deepStrictEqual([...missing], [], "add a runbook entry (<a id=...>) for these alarms");
  });

  it("notifies someone from every alarm", () => {
    for (const r of reports) {
      for (const alarm of r.resources.filter((x) => x.type === "aws:cloudwatch/metricAlarm:MetricAlarm"))
        assert.ok(((alarm.inputs.alarmActions as unknown[]) ?? []).length > 0, `${r.stack}: ${alarm.name}`);
    }
  });
});

describe("docs/", () => {
  // config.md and functions.md belong to other generators and owners; their links are theirs to check.
  const pages = fs
    .readdirSync(DOCS, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".md") && !["config.md", "functions.md"].includes(f));

  it("has the guides the delivery issue asks for", () => {
    for (const f of [
      "deployment.md",
      "runbook.md",
      "disaster-recovery.md",
      "security.md",
      "cost.md",
      "troubleshooting.md",
      "faq.md",
      "data-ingestion.md",
    ])
      assert.ok(pages.includes(f), `docs/${f}`);
  });

  it("links only to files and anchors that exist", () => {
    for (const page of pages) {
      const text = fs.readFileSync(path.join(DOCS, page), "utf8");
      for (const m of text.matchAll(/\]\((?!https?:|mailto:)([^)#\s]*)(?:#([^)\s]+))?\)/g)) {
        const target = m[1] ? path.join(DOCS, path.dirname(page), m[1]) : path.join(DOCS, page);
        assert.ok(fs.existsSync(target), `docs/${page} links to ${m[1]}`);
        if (m[2] && target.endsWith(".md")) {
          const linked = fs.readFileSync(target, "utf8");
          const slugs = new Set([
            ...[...linked.matchAll(/<a id="([^"]+)">/g)].map((a) => a[1]),
            ...[...linked.matchAll(/^#+ (.+)$/gm)].map((h) =>
              h[1]
                .toLowerCase()
                .replace(/[^\p{L}\p{N} _-]/gu, "")
                .replace(/ /g, "-"),
            ),
          ]);
          assert.ok(
            slugs.has(m[2]),
            `docs/${page} links to ${m[1] || page}#${m[2]}, which has no such anchor`,
          );
        }
      }
    }
  });
});
