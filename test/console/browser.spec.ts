/**
 * The web console in a real browser (Debian's Chromium through playwright-core) against `npm run -s local`,
 * as a person uses it: the key, a project from rest-api-fastapi, a modification watched step by step to
 * modification_complete, main.py and the PM's plan opened through their pre-signed URLs; a wrong key, an API
 * error, an expired ticket, the polling fallback and a stopped API each shown as a message. Every screen is
 * saved at desktop and phone width under out/screenshots/ (CI keeps the folder).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchOrSkip, SCREENSHOTS } from "../helpers/browser";
import { freePort, Runner, startRunner } from "../helpers/local-runner";

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };

/** Text below WCAG AA contrast (4.5:1; 3:1 for large text) among the visible elements, by computed colours. */
const LOW_CONTRAST = `(() => {
  const parse = (c) => { const [r, g, b, a = 1] = c.match(/[\\d.]+/g).map(Number); return { r, g, b, a }; };
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c.a > 0) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
  const low = [];
  for (const el of document.querySelectorAll("body *")) {
    const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join("");
    const box = el.getBoundingClientRect();
    if (!text || box.width <= 1 || box.height <= 1 || el.closest(".visually-hidden")) continue;
    const style = getComputedStyle(el);
    const [hi, lo] = [lum(parse(style.color)), lum(background(el))].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) low.push(el.tagName + " '" + text.slice(0, 40) + "' " + ratio.toFixed(2));
  }
  return low;
})()`;

/** Form controls a screen reader could not name. */
const UNLABELLED = `[...document.querySelectorAll("input, select, textarea")]
  .filter((el) => el.getClientRects().length > 0 && el.labels.length === 0 && !el.getAttribute("aria-label"))
  .map((el) => el.name || el.id)`;

describe("web console in Chromium against npm run -s local", function () {
  this.timeout(180_000);
  let browser: Browser;
  let runner: Runner;
  const contexts: BrowserContext[] = [];

  before(async function () {
    browser = await launchOrSkip(this);
    runner = await startRunner();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  // A test's tabs close with it: an open console keeps polling and holding its WebSocket, which would load the
  // runner and the browser for the rest of the suite.
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  after(async () => {
    await browser?.close();
    await runner?.stop();
  });

  /** A new tab of its own (its own sessionStorage), with what the page logged as errors. */
  async function open(): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: DESKTOP });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    return { page, errors };
  }

  /** Saves the screen at desktop and phone width; at phone width nothing may scroll sideways. */
  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(SCREENSHOTS, `console-${name}-desktop.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    const [scrollWidth, innerWidth] = (await page.evaluate(
      "[document.documentElement.scrollWidth, innerWidth]",
    )) as [number, number];
    assert.ok(
      scrollWidth <= innerWidth,
      `${name} scrolls sideways at phone width (${scrollWidth} > ${innerWidth})`,
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, `console-${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
  }

  /** The key form, used from the keyboard alone: Tab to the field, type, Enter. */
  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto(runner.endpoints.siteUrl);
    await page.getByRole("heading", { name: "Sign in with an API key" }).waitFor();
    await page.keyboard.press("Tab");
    assert.strictEqual(await page.evaluate("document.activeElement.id"), "api-key");
    await page.keyboard.type(key);
    await page.keyboard.press("Enter");
  }

  async function createProject(page: Page, name: string): Promise<string> {
    await page.getByLabel("Template", { exact: true }).selectOption("rest-api-fastapi");
    await page.getByLabel("Project name", { exact: true }).fill(name);
    await page.getByLabel("db_name (required)", { exact: true }).fill("mydb");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByRole("heading", { name, level: 1 }).waitFor();
    return decodeURIComponent(page.url().split("#/projects/")[1]);
  }

  const liveStatus = (page: Page, text: RegExp) => page.locator(".live", { hasText: text }).waitFor();

  it("refuses a wrong key with a message, and keeps nothing", async () => {
    const { page } = await open();
    await page.goto(runner.endpoints.siteUrl);
    await page.getByRole("heading", { name: "Sign in with an API key" }).waitFor();
    assert.deepStrictEqual(await page.evaluate(UNLABELLED), []);
    assert.deepStrictEqual(await page.evaluate(LOW_CONTRAST), []);
    await shoot(page, "sign-in");
    await signIn(page, "not-the-key");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(
      (await alert.textContent())!,
      /The API refused this API key \(403 Forbidden\)\. Check that it is this stack's key/,
    );
    assert.strictEqual(await page.evaluate("sessionStorage.getItem('agent-platform.console.apiKey')"), null);
    await shoot(page, "wrong-key");
  });

  it("creates a project from rest-api-fastapi, watches every step to modification_complete, opens main.py and the plan", async () => {
    const { page, errors } = await open();
    const sent: string[] = [];
    page.on("websocket", (ws) => ws.on("framesent", (f) => sent.push(String(f.payload))));
    await signIn(page, runner.endpoints.apiKey);
    await page.getByRole("heading", { name: "Projects", exact: true }).waitFor();
    // The key lives in this tab's sessionStorage only: no localStorage, no cookie.
    assert.deepStrictEqual(
      await page.evaluate(
        "[sessionStorage.getItem('agent-platform.console.apiKey'), localStorage.length, document.cookie]",
      ),
      [runner.endpoints.apiKey, 0, ""],
    );
    await page.getByLabel("db_name (required)", { exact: true }).waitFor();
    assert.deepStrictEqual(await page.evaluate(UNLABELLED), []);
    await shoot(page, "projects");

    await createProject(page, "My API");
    await liveStatus(page, /connected \(WebSocket\)/);
    await page.getByLabel("What should the agents change?", { exact: true }).fill("Add user authentication");
    await page.getByRole("button", { name: "Request modification" }).click();
    const done = page.locator('article[data-outcome="modification_complete"]');
    await done.waitFor({ timeout: 30_000 });
    for (const agent of ["pm", "dev", "qa", "ops"])
      assert.strictEqual(
        await done.locator(`tr[data-agent="${agent}"]`).getAttribute("data-status"),
        "succeeded",
      );
    assert.deepStrictEqual(
      await done.locator("tbody th").allTextContents(),
      ["PM", "Dev", "QA", "Ops"],
      "one row per agent step, in order",
    );
    assert.match(
      (await done.locator(".outcome").textContent())!,
      /^Complete in [\d.]+ (ms|s) · [\d,]+ tokens$/,
    );
    assert.match((await done.locator('tr[data-agent="qa"]').textContent())!, /verdict: pass/);
    await done.getByRole("heading", { name: "Add user authentication" }).waitFor();
    // Live over the WebSocket: a resume on connect and an acknowledgement of every message.
    assert.ok(sent.some((f) => JSON.parse(f).action === "resume"));
    assert.ok(sent.filter((f) => JSON.parse(f).action === "ack").length >= 13, `acks: ${sent.join(" ")}`);
    await page.getByRole("link", { name: "CHANGES.md" }).waitFor(); // the files were listed again
    assert.deepStrictEqual(await page.evaluate(LOW_CONTRAST), []);
    await shoot(page, "project");
    // The README's picture (docs/images/console-modification.png is a copy).
    await page
      .locator("section", { has: page.getByRole("heading", { name: "Modifications" }) })
      .screenshot({ path: path.join(SCREENSHOTS, "console-modification-card.png") });

    const [file] = await Promise.all([
      page.context().waitForEvent("page"),
      page.getByRole("link", { name: "main.py" }).click(),
    ]);
    await file.waitForLoadState();
    const source = (await file.textContent("body"))!;
    assert.match(source, /postgresql:\/\/localhost:5432\/mydb/, "the template's variable");
    assert.match(source, /def add_user_authentication\(\)/, "Dev's change");
    const [plan] = await Promise.all([
      page.context().waitForEvent("page"),
      done.getByRole("link", { name: "Plan (PM)" }).click(),
    ]);
    await plan.waitForLoadState();
    const planJson = JSON.parse((await plan.textContent("body"))!) as { summary: string; tasks: unknown[] };
    assert.ok(planJson.summary && planJson.tasks.length > 0);
    assert.deepStrictEqual(errors, [], "nothing blocked by the CSP, no script error");
  });

  it("lists projects by status and by owner, and shows an API error in seed 003's format", async () => {
    const { page } = await open();
    await signIn(page, runner.endpoints.apiKey);
    await page.getByRole("link", { name: "My API" }).first().waitFor();
    await page.getByLabel("List by", { exact: true }).selectOption("owner");
    await page.getByLabel("Owner id", { exact: true }).fill("localkey");
    await page.getByRole("button", { name: "Show projects" }).click();
    await page.getByRole("cell", { name: "My API" }).first().waitFor();
    await page.getByLabel("Owner id", { exact: true }).fill("not an owner!");
    await page.getByRole("button", { name: "Show projects" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(
      (await alert.textContent())!,
      /owner_id .*\(VALIDATION_ERROR, HTTP 400\)Request id: [0-9a-f-]{36}/,
    );
    await shoot(page, "api-error");
  });

  it("says an expired ticket was refused, then connects with a new one", async () => {
    const { page } = await open();
    await signIn(page, runner.endpoints.apiKey);
    let rewritten = 0;
    // The first ticket comes back expired (its claims and expiry in the past), as after a device slept
    // between asking and connecting: the authorizer refuses it at $connect.
    await page.route(/\/ws-ticket$/, async (route) => {
      if (rewritten > 0) return route.continue();
      rewritten += 1;
      const response = await route.fetch();
      const body = (await response.json()) as {
        data: { ticket: string; expires_in: number; expires_at: string };
      };
      const [version, claims, signature] = body.data.ticket.split(".");
      const past = Math.floor(Date.now() / 1000) - 60;
      const expired = { ...JSON.parse(Buffer.from(claims, "base64url").toString()), exp: past };
      body.data.ticket = [
        version,
        Buffer.from(JSON.stringify(expired)).toString("base64url"),
        signature,
      ].join(".");
      body.data.expires_in = 0;
      body.data.expires_at = new Date(past * 1000).toISOString();
      await route.fulfill({ response, json: body });
    });
    await createProject(page, "Ticket test");
    await liveStatus(
      page,
      /the ticket for live updates had expired, so the connection was refused; getting a new one/,
    );
    await shoot(page, "ticket-expired");
    await liveStatus(page, /connected \(WebSocket\)/);
    assert.strictEqual(rewritten, 1);
  });

  it("falls back to polling when the WebSocket cannot be opened, says so, and still shows the modification end", async () => {
    const { page } = await open();
    const closed = await freePort();
    // A WebSocket URL where nothing listens, as behind a proxy that blocks WebSockets.
    await page.route(/\/config\.json$/, (route) =>
      route.fulfill({ json: { apiUrl: runner.endpoints.siteUrl, wsUrl: `ws://127.0.0.1:${closed}` } }),
    );
    await signIn(page, runner.endpoints.apiKey);
    await createProject(page, "Polling test");
    await liveStatus(page, /reconnecting in \d+ s \(attempt 1\): the WebSocket could not be opened/);
    await liveStatus(
      page,
      /polling every few seconds instead of the WebSocket \(the WebSocket could not be opened\)/,
    );
    await page.getByLabel("What should the agents change?", { exact: true }).fill("Add a health route");
    await page.getByRole("button", { name: "Request modification" }).click();
    await page.locator('article[data-outcome="modification_complete"]').waitFor({ timeout: 30_000 });
    await shoot(page, "polling");
  });

  it("deletes a project only after a confirmation that Escape cancels", async () => {
    const { page } = await open();
    await signIn(page, runner.endpoints.apiKey);
    await page.getByRole("link", { name: "Ticket test" }).click();
    await page.getByRole("heading", { name: "Ticket test", level: 1 }).waitFor();
    const ask = page.getByRole("button", { name: "Delete project…" });
    await ask.click();
    await page.keyboard.press("Escape");
    assert.strictEqual(await page.evaluate("document.activeElement.textContent"), "Delete project…");
    await ask.click();
    await page.getByRole("button", { name: "Yes, delete Ticket test" }).click();
    await page.getByRole("heading", { name: "Projects", exact: true }).waitFor();
    await page.getByRole("link", { name: "My API" }).first().waitFor();
    assert.strictEqual(await page.getByRole("link", { name: "Ticket test" }).count(), 0);
  });

  it("says the API cannot be reached once it has stopped", async () => {
    const { page } = await open();
    await signIn(page, runner.endpoints.apiKey);
    await page.getByRole("link", { name: "My API" }).first().waitFor();
    assert.strictEqual((await runner.stop()).code, 0);
    await page.getByRole("button", { name: "Show projects" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(
      (await alert.textContent())!,
      new RegExp(
        `^Cannot reach the API at ${runner.endpoints.siteUrl.replace(/\./g, "\\.")}\\. It may be stopped`,
      ),
    );
    await shoot(page, "api-stopped");
  });
});
