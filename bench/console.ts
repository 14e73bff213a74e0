/**
 * The web console: what it weighs (JS + CSS, gzipped; target under 60 KB) and how soon it renders on the local
 * stack in headless Chromium (target: first render under 1 s).
 *
 *   npm run bench console
 *
 * Writes bench/results/console.md. Each load is a new browser context (empty cache, empty sessionStorage);
 * times are from navigation start (performance.now() in the page) to the moment the element appears in the
 * DOM, observed by a MutationObserver installed before the page's own script.
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { buildConsole } from "../console/build";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../test/helpers/browser";
import { modify, projectFromTemplate, watch, finished } from "../test/e2e/client";
import { startLocalStack } from "../tools/local/stack";
import { machine, median } from "./machine";

const RUNS = 15;
const KEY_ITEM = "agent-platform.console.apiKey";

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

async function main() {
  const build = buildConsole();
  const size = (p: string) => build.files.find((f) => f.path === p)!;
  const [js, css] = [size(build.script), size(build.stylesheet)];
  const gzipTotal = js.gzipBytes + css.gzipBytes;

  const stack = await startLocalStack({ logLevel: "ERROR" });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    // A project with one finished modification, for the project page's first render.
    const projectId = await projectFromTemplate(stack);
    const watcher = await watch(stack, projectId);
    await watcher.waitFor(finished(await modify(stack, projectId, "Add user authentication")), 60_000);
    await watcher.close();

    /** Loads `path` in a fresh context and returns when each mark's selector first appeared (ms). */
    const load = async (path: string, marks: Record<string, string>, key?: string) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const page = await context.newPage();
        await page.addInitScript(
          `(() => {
            ${key ? `sessionStorage.setItem(${JSON.stringify(KEY_ITEM)}, ${JSON.stringify(key)});` : ""}
            const marks = ${JSON.stringify(marks)};
            window.__marks = {};
            const look = () => { for (const [k, s] of Object.entries(marks))
              if (!(k in window.__marks) && document.querySelector(s)) window.__marks[k] = performance.now(); };
            new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true });
          })()`,
        );
        await page.goto(`${stack.siteUrl}${path}`);
        // A function, not a string: a string predicate is eval'd in the page, which its CSP forbids.
        await page.waitForFunction(
          (count) => Object.keys((globalThis as unknown as { __marks: object }).__marks).length === count,
          Object.keys(marks).length,
          { timeout: 10_000 },
        );
        const times = (await page.evaluate("window.__marks")) as Record<string, number>;
        const paint = (await page.evaluate(
          "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null",
        )) as number | null;
        return { ...times, ...(paint ? { fcp: paint } : {}) };
      } finally {
        await context.close();
      }
    };

    const scenarios: { name: string; path: string; marks: Record<string, string>; key?: string }[] = [
      {
        name: "key form (first visit)",
        path: "/",
        marks: { render: "#api-key" },
      },
      {
        name: "projects list (key in the tab)",
        path: "/#/projects",
        marks: { render: "h1", data: "table.stack tbody tr" },
        key: stack.apiKey,
      },
      {
        name: "project page, live (key in the tab)",
        path: `/#/projects/${projectId}`,
        marks: {
          render: "h1",
          data: 'article[data-outcome="modification_complete"]',
          live: '.live[data-mode="live"]',
        },
        key: stack.apiKey,
      },
    ];
    const rows: string[] = [];
    let worstRender = 0;
    for (const s of scenarios) {
      await load(s.path, s.marks, s.key); // warms the stack's paths (first Lambda-like invocations)
      const runs: Record<string, number>[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await load(s.path, s.marks, s.key));
      const col = (k: string) => runs.map((r) => r[k]).filter((x): x is number => typeof x === "number");
      const cell = (k: string) =>
        col(k).length ? `${median(col(k)).toFixed(0)} / ${percentile(col(k), 90).toFixed(0)}` : "-";
      worstRender = Math.max(worstRender, percentile(col("render"), 90));
      rows.push(`| ${s.name} | ${cell("fcp")} | ${cell("render")} | ${cell("data")} | ${cell("live")} |`);
    }

    const lines = [
      "# Web console: size and first render",
      "",
      `Generated by \`npm run bench console\` on ${new Date().toISOString().slice(0, 10)}; ${machine()}, load average ${loadavg()[0].toFixed(2)}; Chromium ${browser.version()} headless.`,
      "",
      "## Size (console/build.ts, esbuild, minified)",
      "",
      "| file | bytes | gzip -9 |",
      "| --- | ---: | ---: |",
      ...build.files.map(
        (f) => `| ${f.path} | ${f.bytes.toLocaleString("en")} | ${f.gzipBytes.toLocaleString("en")} |`,
      ),
      `| **JS + CSS** | ${(js.bytes + css.bytes).toLocaleString("en")} | **${gzipTotal.toLocaleString("en")} (${kb(gzipTotal)} KiB)** |`,
      "",
      `Target: JS + CSS under 60 KB gzipped: ${gzipTotal < 60 * 1024 ? "met" : "NOT met"}.`,
      "",
      "## First render on the local stack",
      "",
      `\`npm run -s local\`'s stack started in-process; ${RUNS} loads per row, each in a new browser context (no cache,`,
      "no sessionStorage except the key where the row says so), after one warm-up load. Milliseconds from navigation",
      "start, median / p90: first contentful paint; `render`, the view's heading or the key field in the DOM (after",
      "index.html, the script, the stylesheet and config.json); `data`, the API's answer shown; `live`, the WebSocket",
      "open and resumed.",
      "",
      "| screen | first contentful paint | render | data shown | live |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...rows,
      "",
      `Target: first render under 1 s: ${worstRender < 1000 ? "met" : "NOT met"} (worst p90 ${worstRender.toFixed(0)} ms).`,
      "",
    ];
    writeFileSync(join(__dirname, "results", "console.md"), lines.join("\n"));
    console.log(lines.join("\n"));
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
