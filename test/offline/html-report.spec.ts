import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Browser, Page } from "playwright-core";
import { diffPreviews, signedUsd, StackDiff, usd } from "../../tools/offline/diff";
import { DocStack, PreviewDocument, previewDocument } from "../../tools/offline/document";
import { renderHtmlReport } from "../../tools/offline/html-report";
import { loadPack, StackReport } from "../../tools/offline/preview";
import { launchOrSkip, SCREENSHOTS } from "../helpers/browser";
import { REPO_ROOT } from "../helpers/offline";
import { allPreviews } from "../helpers/previews";

/*
 * The HTML report of every stack, opened as a file in headless Chromium at desktop and phone width: no page
 * error, no request beyond the file itself, diagrams drawn, no sideways scrolling on a phone, and every
 * figure on the page equal to the JSON document's. The base is the same preview with one resource fewer, an
 * extra finding, a changed resource and a cheaper service, so the difference section has something to show.
 */

/** A base preview: dev without its dashboard, with a finding since fixed, the web service changed and cheaper. */
function baseOf(doc: PreviewDocument): PreviewDocument {
  const base = structuredClone(doc);
  const dev = base.stacks.find((s) => s.stack === "dev")!;
  const dashboard = dev.resources.find((r) => r.type === "aws:cloudwatch/dashboard:Dashboard")!;
  dev.resources = dev.resources.filter((r) => r !== dashboard);
  const service = dev.resources.find((r) => r.type === "aws:ecs/service:Service")!;
  service.inputsHash = "0000000000000000";
  dev.violations.push({
    policy: "lambda-dlq",
    enforcementLevel: "mandatory",
    urn: service.urn,
    type: service.type,
    name: service.name,
    message: "Asynchronous work has a dead-letter queue\nthe web service had none",
  });
  const item = dev.costEstimate.items.find((i) => i.urn === service.urn)!;
  const dashboardItem = dev.costEstimate.items.find((i) => i.urn === dashboard.urn)!;
  dev.costEstimate.items = dev.costEstimate.items.filter((i) => i !== dashboardItem);
  item.monthlyUsd = (item.monthlyUsd as number) - 10;
  dev.costEstimate.monthlyUsd =
    Math.round((dev.costEstimate.monthlyUsd - 10 - (dashboardItem.monthlyUsd as number)) * 100) / 100;
  return base;
}

/** The top-level component of each resource, walked up the JSON's parent links. */
function componentsOf(s: DocStack): Map<string, string> {
  const byUrn = new Map(s.resources.map((r) => [r.urn, r]));
  const out = new Map<string, string>();
  for (const r of s.resources) {
    let c = r;
    while (c.parent && byUrn.get(c.parent)?.type !== "pulumi:pulumi:Stack") c = byUrn.get(c.parent)!;
    out.set(r.urn, c.name);
  }
  return out;
}

const sum = (xs: number[]) => Math.round(xs.reduce((t, x) => t + x, 0) * 100) / 100;

describe("the offline preview's HTML report in Chromium", function () {
  this.timeout(180000);
  let browser: Browser;
  let reports: StackReport[];
  let doc: PreviewDocument;
  let diffs: StackDiff[];
  let file: string;

  before(async function () {
    browser = await launchOrSkip(this);
    reports = await allPreviews();
    doc = previewDocument(reports, loadPack(REPO_ROOT).policies, REPO_ROOT);
    diffs = diffPreviews(baseOf(doc), doc);
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "report-")), "preview.html");
    fs.writeFileSync(file, renderHtmlReport({ reports, doc, diffs, baseLabel: "base.json" }));
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  /** The report open in one tab: what the page logged as errors, and every request it made. */
  interface Tab {
    page: Page;
    errors: string[];
    requests: string[];
  }
  let opened: Tab | undefined;

  /**
   * The report in the one tab, loaded once (the page carries Mermaid, about 5 MB of script, so each load costs
   * seconds of the browser's time) and resized to this width and height.
   */
  async function tab(width: number, height: number): Promise<Tab> {
    if (!opened) {
      const page = await browser.newPage({ viewport: { width, height } });
      const t: Tab = { page, errors: [], requests: [] };
      page.on("pageerror", (e) => t.errors.push(`page error: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error") t.errors.push(`console: ${m.text()}`);
      });
      page.on("request", (r) => t.requests.push(r.url()));
      await page.goto(`file://${file}`);
      opened = t;
    }
    const size = opened.page.viewportSize();
    if (size?.width !== width || size.height !== height) await opened.page.setViewportSize({ width, height });
    return opened;
  }

  /** Shows one stack's section as its nav link does (#stack-<name>), once its diagram is drawn. */
  async function show(stack: string, width = 1280, height = 900): Promise<Tab> {
    const t = await tab(width, height);
    await t.page.evaluate(`location.hash = "#stack-${stack}"`);
    // The section is shown and `data-ready` set to false in the same task; ready again once drawn.
    await t.page.waitForSelector(`#stack-${stack}.shown`);
    await t.page.waitForSelector("body[data-ready=true]", { timeout: 60000 });
    return t;
  }

  const metric = async (page: Page, stack: string, name: string) => {
    const el = page.locator(`#stack-${stack} [data-metric="${name}"]`);
    return { value: Number(await el.getAttribute("data-value")), text: (await el.innerText()).trim() };
  };

  it("shows each stack at desktop and phone width with no error, no request, and its diagram drawn", async () => {
    for (const { stack } of doc.stacks) {
      for (const [label, width, height] of [
        ["desktop", 1280, 900],
        ["phone", 390, 844],
      ] as const) {
        const { page, errors, requests } = await show(stack, width, height);
        assert.deepStrictEqual(errors, [], `${stack} ${label}`);
        assert.deepStrictEqual(requests, [`file://${file}`], `${stack} ${label}: only the file itself`);
        assert.ok(
          await page.locator(`#stack-${stack}.shown figure.diagram svg`).isVisible(),
          `${stack}: diagram`,
        );
        const overflow = await page.evaluate("document.documentElement.scrollWidth");
        assert.ok((overflow as number) <= width, `${stack} ${label}: page is ${overflow} px wide`);
        await page.screenshot({
          path: path.join(SCREENSHOTS, `report-${stack}-${label}.png`),
          fullPage: true,
        });
      }
    }
  });

  it("shows the JSON's numbers: totals, findings, cost by component and kind, usage-priced items", async () => {
    for (const s of doc.stacks) {
      const { page } = await show(s.stack);
      const resources = s.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:")).length;
      const mandatory = s.violations.filter((v) => v.enforcementLevel === "mandatory").length;
      for (const [name, value, text] of [
        ["resources", resources, String(resources)],
        ["mandatory", mandatory, String(mandatory)],
        ["advisory", s.violations.length - mandatory, String(s.violations.length - mandatory)],
        ["exemptions", s.exemptions!.length, String(s.exemptions!.length)],
        ["summary-monthlyUsd", s.costEstimate.monthlyUsd, usd(s.costEstimate.monthlyUsd)],
        ["monthlyUsd", s.costEstimate.monthlyUsd, usd(s.costEstimate.monthlyUsd)],
        ["notEstimated", s.costEstimate.notEstimated!.length, String(s.costEstimate.notEstimated!.length)],
        ...((s.costEstimate.maxMonthlyUsd as number) > s.costEstimate.monthlyUsd
          ? [
              [
                "maxMonthlyUsd",
                s.costEstimate.maxMonthlyUsd as number,
                usd(s.costEstimate.maxMonthlyUsd as number),
              ] as const,
            ]
          : []),
      ] as const)
        assert.deepStrictEqual(await metric(page, s.stack, name), { value, text }, `${s.stack} ${name}`);

      const names = componentsOf(s);
      const expect = (key: (i: Record<string, unknown>) => string) => {
        const m = new Map<string, number>();
        for (const i of s.costEstimate.items) m.set(key(i), (m.get(key(i)) ?? 0) + (i.monthlyUsd as number));
        return new Map([...m].map(([k, v]) => [k, Math.round(v * 100) / 100]));
      };
      /** A chart's bars as label -> value, each bar's text checked against its value. */
      const chart = async (id: string) => {
        const rows = (await page.evaluate(
          `[...document.querySelectorAll("#${id} .row")].map((r) => [r.dataset.label, Number(r.dataset.usd), r.querySelector(".value").textContent])`,
        )) as [string, number, string][];
        for (const [label, value, text] of rows) assert.strictEqual(text, usd(value), `${id} ${label}`);
        return new Map(rows.map(([label, value]) => [label, value]));
      };
      assert.deepStrictEqual(
        await chart(`cost-component-${s.stack}`),
        expect((i) => names.get(String(i.urn))!),
      );
      const kinds = expect((i) => {
        const [pkg, module = "", name = ""] = String(i.type).split(":");
        return pkg === "aws"
          ? `${module.split("/")[0]} ${name}`
          : module && module !== "index"
            ? `${module} ${name}`
            : name;
      });
      assert.deepStrictEqual(await chart(`cost-kind-${s.stack}`), kinds);
      assert.strictEqual(
        sum([...kinds.values()]),
        s.costEstimate.monthlyUsd,
        `${s.stack}: the kinds add up to the total`,
      );
    }
  });

  it("shows the difference against the base: resource added and changed, finding fixed, cost delta", async () => {
    const dev = diffs.find((d) => d.stack === "dev")!;
    assert.deepStrictEqual(
      [dev.resources.added.length, dev.resources.changed.length, dev.findings.fixed.length],
      [1, 1, 1],
      "the base differs from the head as built",
    );
    const { page } = await show("dev");
    for (const [name, value, text] of [
      ["diff-added", 1, "+1"],
      ["diff-removed", 0, "−0"],
      ["diff-changed", 1, "~1"],
      ["diff-new", 0, "0 new"],
      ["diff-fixed", 1, "1 fixed"],
      ["diff-delta", dev.cost.deltaUsd, signedUsd(dev.cost.deltaUsd)],
    ] as const)
      assert.deepStrictEqual(await metric(page, "dev", name), { value, text }, name);
    assert.ok(dev.cost.deltaUsd > 10, "the service's $10 and the dashboard's price");
    for (const other of ["staging", "prod"]) {
      const { page: p } = await show(other);
      assert.strictEqual(
        await p.locator(`#stack-${other} [data-metric="diff-unchanged"]`).innerText(),
        "No change.",
      );
    }
  });
});
