import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import {
  alarmMetrics,
  architecturePages,
  mermaid,
  runbookAnchor,
  shortType,
  stalePages,
} from "../../tools/gen-diagrams";
import type { StackReport } from "../../tools/offline/preview";
import { listStacks } from "../../tools/offline/stack-files";
import { fakeResource, REPO_ROOT } from "../helpers/offline";
import { stackReport } from "../helpers/stacks";

const DOCS = path.join(REPO_ROOT, "docs");

/** One offline preview of every stack, shared by the page and runbook checks (it is the slow part). */
let previews: Promise<StackReport[]> | undefined;
const reportsOnce = () => (previews ??= Promise.all(listStacks(REPO_ROOT).map((s) => stackReport(s))));

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

  it("draws every component as a subgraph", () => {
    for (const [file, text] of pages) {
      const components = [...text.matchAll(/^\| (\S+) \| `(agent-platform:index:\w+)` \|/gm)];
      assert.ok(components.length > 0, file);
      for (const [, name, type] of components)
        assert.match(
          text,
          // Mermaid ids take only letters, digits and underscores: the generator folds the rest into "_".
          new RegExp(
            `subgraph c_${type.split(":").pop()}_${name.replace(/[^A-Za-z0-9]+/g, "_")}\\["${name}: ${type.split(":").pop()}"\\]`,
          ),
        );
    }
  });
});

describe("tools/gen-diagrams.ts", () => {
  const stack = fakeResource("pulumi:pulumi:Stack", "agent-platform-dev", {}, { custom: false });
  const comp = (type: string, name: string, parent = stack) =>
    fakeResource(type, name, {}, { custom: false, parent: parent.urn });
  const res = (type: string, name: string, parent: RegisteredResource, deps: RegisteredResource[] = []) =>
    fakeResource(type, name, {}, { parent: parent.urn, dependencies: deps.map((d) => d.urn) });

  it("names types briefly", () => {
    assert.strictEqual(shortType("aws:sqs/queue:Queue"), "sqs Queue");
    assert.strictEqual(shortType("pulumiservice:index:Stack"), "Stack");
    assert.strictEqual(shortType("kubernetes:apps/v1:Deployment"), "apps/v1 Deployment");
  });

  it("groups resources by type with counts, nests components, and draws one edge per pair of groups", () => {
    const alerts = comp("agent-platform:index:Alerts", "alerts");
    const topic = res("aws:sns/topic:Topic", "alerts-topic", alerts);
    const queues = comp("agent-platform:index:Queues", "agents");
    const pair = comp("agent-platform:index:QueuePair", "agents-pm", queues);
    const q1 = res("aws:sqs/queue:Queue", "q1", pair);
    const q2 = res("aws:sqs/queue:Queue", "q2", pair);
    const a1 = res("aws:cloudwatch/metricAlarm:MetricAlarm", "a1", pair, [q1, topic]);
    const a2 = res("aws:cloudwatch/metricAlarm:MetricAlarm", "a2", pair, [q2, topic]);
    const provider = fakeResource("pulumi:providers:aws", "aws", {}, { parent: stack.urn });
    assert.strictEqual(
      mermaid([stack, provider, alerts, topic, queues, pair, q1, q2, a1, a2]),
      [
        "flowchart LR",
        '  subgraph c_Alerts_alerts["alerts: Alerts"]',
        '    g_Alerts_alerts_sns_Topic["1 × sns Topic"]',
        "  end",
        '  subgraph c_Queues_agents["agents: Queues"]',
        '    subgraph c_QueuePair_agents_pm["agents-pm: QueuePair"]',
        '      g_QueuePair_agents_pm_cloudwatch_MetricAlarm["2 × cloudwatch MetricAlarm"]',
        '      g_QueuePair_agents_pm_sqs_Queue["2 × sqs Queue"]',
        "    end",
        "  end",
        "  g_QueuePair_agents_pm_cloudwatch_MetricAlarm --> g_Alerts_alerts_sns_Topic",
      ].join("\n"),
    );
  });

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
