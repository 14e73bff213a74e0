import * as fs from "fs";
import * as path from "path";
import { chromium, type Browser, type Page } from "playwright-core";

/*
 * Headless Chromium from Debian (`apt-get install chromium`; .ci/run installs it when missing), driven by
 * playwright-core, which downloads nothing. Shared by every test that opens a page in a real browser.
 */

/** The browser binary: CHROMIUM_PATH when set (a CI image with its own Chrome), else Debian's. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/**
 * Root needs --no-sandbox; the rest keep the browser from reaching out on its own (updates, sync, field
 * trials), so a test sees only the requests its page makes.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Where tests leave screenshots; CI keeps the folder as an artifact (git-ignored under out/). */
export const SCREENSHOTS = path.resolve(__dirname, "..", "..", "out", "screenshots");

export function hasChromium(): boolean {
  return fs.existsSync(CHROMIUM_PATH);
}

/**
 * In a mocha `before`: the browser, or a skipped suite when there is none here. In CI a missing browser is a
 * failure, so the browser tests cannot pass by not running.
 */
export async function launchOrSkip(ctx: Mocha.Context): Promise<Browser> {
  if (!hasChromium()) {
    const why = `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH; .ci/run installs it)`;
    if (process.env.CI) throw new Error(why);
    console.log(`    skipped: ${why}`);
    ctx.skip();
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export const MERMAID_SCRIPT = require.resolve("mermaid/dist/mermaid.min.js");

/** The natural size of a rendered diagram (its SVG's viewBox), in CSS pixels. */
export interface DiagramSize {
  width: number;
  height: number;
}

/**
 * A blank page of `browser` with the mermaid package's own bundle loaded (nothing fetched), kept for the
 * browser's life: the bundle is 5.5 MB, so each load costs the browser about a second of parsing and compiling.
 */
const mermaidPages = new WeakMap<Browser, Promise<Page>>();
function mermaidPage(browser: Browser): Promise<Page> {
  let page = mermaidPages.get(browser);
  if (!page) {
    page = (async () => {
      const p = await browser.newPage();
      await p.setContent("<!doctype html><html><body></body></html>");
      await p.addScriptTag({ path: MERMAID_SCRIPT });
      await p.evaluate(`mermaid.initialize({ startOnLoad: false, securityLevel: "strict" })`);
      return p;
    })();
    mermaidPages.set(browser, page);
  }
  return page;
}

/**
 * Renders Mermaid texts in `browser` and returns each diagram's natural size, and its SVG for screenshots.
 * A text given twice (a component the same in two stacks) is rendered once: each rendering takes the browser a
 * tenth of a second or more.
 */
export async function renderMermaid(
  browser: Browser,
  texts: string[],
): Promise<{ size: DiagramSize; svg: string }[]> {
  const distinct = [...new Set(texts)];
  const page = await mermaidPage(browser);
  const rendered = (await page.evaluate(`(async (texts) => {
    const out = [];
    for (const text of texts) {
      // Each rendering needs an element id of its own in the page.
      const id = "d" + (window.__rendered = (window.__rendered || 0) + 1);
      const { svg } = await mermaid.render(id, text);
      const box = /viewBox="([^"]+)"/.exec(svg)[1].split(/\\s+/).map(Number);
      out.push({ size: { width: Math.ceil(box[2]), height: Math.ceil(box[3]) }, svg });
    }
    return out;
  })(${JSON.stringify(distinct)})`)) as { size: DiagramSize; svg: string }[];
  const byText = new Map(distinct.map((text, i) => [text, rendered[i]]));
  return texts.map((text) => byText.get(text)!);
}
