import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type { Browser } from "playwright-core";
import { architectureOf, componentDiagram, resourceDiagram } from "../../tools/offline/architecture";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import type { StackReport } from "../../tools/offline/preview";
import { DiagramSize, launchOrSkip, renderMermaid, SCREENSHOTS } from "../helpers/browser";
import { fakeResource } from "../helpers/offline";
import { allPreviews } from "../helpers/previews";

/*
 * The architecture pictures must fit on a screen: every diagram the architecture pages and the HTML report
 * draw is rendered by Mermaid (the npm package's bundle) in headless Chromium and measured.
 */

/** The most a diagram may take at its natural size, either way, in CSS pixels: what fits on a screen. */
const LIMIT = 2000;

/** The diagrams larger than the limit either way, with their sizes. */
function oversized(sizes: { name: string; size: DiagramSize }[], limit = LIMIT): string[] {
  return sizes
    .filter((s) => s.size.width > limit || s.size.height > limit)
    .map((s) => `${s.name}: ${s.size.width} x ${s.size.height}`);
}

describe("architecture diagrams rendered in Chromium", function () {
  this.timeout(120000);
  let browser: Browser;
  let reports: StackReport[];
  before(async function () {
    browser = await launchOrSkip(this);
    reports = await allPreviews();
  });
  after(() => browser?.close());

  it(`draws each stack's component diagram within ${LIMIT} x ${LIMIT} px (screenshots in out/screenshots)`, async () => {
    const texts = reports.map((r) => componentDiagram(architectureOf(r.resources, r.costEstimate.items)));
    const rendered = await renderMermaid(browser, texts);
    const sizes = rendered.map((x, i) => ({ name: reports[i].stack, size: x.size }));
    console.log(
      `      component diagrams: ${sizes.map((s) => `${s.name} ${s.size.width} x ${s.size.height}`).join(", ")}`,
    );
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    for (const [i, r] of rendered.entries()) {
      await page.setContent(`<!doctype html><html><body style="margin:0">${r.svg}</body></html>`);
      await page
        .locator("svg")
        .first()
        .screenshot({
          path: path.join(SCREENSHOTS, `architecture-${reports[i].stack}.png`),
        });
    }
    await page.close();
    assert.deepStrictEqual(oversized(sizes), []);
    assert.ok(
      sizes.every((s) => s.size.width > 200 && s.size.height > 200),
      "each diagram has drawn something",
    );
  });

  it(`draws every component's resource diagram within ${LIMIT} x ${LIMIT} px`, async () => {
    const named: { name: string; text: string }[] = [];
    for (const r of reports) {
      const arch = architectureOf(r.resources);
      for (const c of arch.components)
        named.push({ name: `${r.stack}/${c.name}`, text: resourceDiagram(arch, c) });
    }
    const rendered = await renderMermaid(
      browser,
      named.map((n) => n.text),
    );
    const sizes = rendered.map((x, i) => ({ name: named[i].name, size: x.size }));
    const largest = [...sizes].sort((a, b) => b.size.width * b.size.height - a.size.width * a.size.height)[0];
    console.log(
      `      ${sizes.length} resource diagrams; largest ${largest.name} ${largest.size.width} x ${largest.size.height}`,
    );
    assert.deepStrictEqual(oversized(sizes), []);
  });

  it("fails a component diagram that grows past the limit", async () => {
    // Forty components, each referring to the next: a chain no screen holds.
    const stack = fakeResource("pulumi:pulumi:Stack", "s", {}, { custom: false });
    const resources: RegisteredResource[] = [stack];
    let previous: RegisteredResource | undefined;
    for (let i = 0; i < 40; i++) {
      const c = fakeResource(
        "agent-platform:index:Part",
        `part-${i}`,
        {},
        { custom: false, parent: stack.urn },
      );
      const q = fakeResource(
        "aws:sqs/queue:Queue",
        `queue-${i}`,
        {},
        {
          parent: c.urn,
          propertyDependencies: previous ? { redrivePolicy: [previous.urn] } : {},
        },
      );
      resources.push(c, q);
      previous = q;
    }
    const [big] = await renderMermaid(browser, [componentDiagram(architectureOf(resources))]);
    assert.deepStrictEqual(oversized([{ name: "chain", size: big.size }]), [
      `chain: ${big.size.width} x ${big.size.height}`,
    ]);
  });
});
