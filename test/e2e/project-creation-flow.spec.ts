/**
 * The end-to-end test ("Complete User Flow", tests/e2e/test_project_creation_flow.py), translated to
 * TypeScript and run against `npm run -s local` as a user runs it: a child process whose one stdout line
 * names the API, the WebSocket API and the key. The translation keeps the seed's six steps; where the
 * platform's contract adds to them (an API key, a WebSocket ticket, acknowledgements, `{success, data}`
 * responses), the test does what the docs tell a client to do.
 */
import { strict as assert } from "node:assert";
import { get } from "node:http";
import { Runner, startRunner } from "../helpers/local-runner";
import { api, finished, modify, projectFromTemplate, watch } from "./client";

describe("seed 003 end-to-end: the complete user flow against npm run -s local", function () {
  this.timeout(180_000);
  let runner: Runner;
  before(async () => {
    runner = await startRunner();
  });
  after(async () => {
    if (runner && runner.child.exitCode === null) await runner.stop();
  });

  it("test_complete_project_creation: from template, WebSocket, modify, live updates to modification_complete, files", async () => {
    const e = runner.endpoints;
    // 1. Create project from template
    const projectId = await projectFromTemplate(e);

    // 2. Connect WebSocket (with a ticket for the project)
    const ws = await watch(e, projectId);

    // 3. Request modification
    const modificationId = await modify(e, projectId, "Add user authentication");

    // 4. Receive real-time updates via WebSocket
    await ws.waitFor(finished(modificationId), 60_000);
    const updates = ws.messages();

    // 5. Verify completion
    assert.ok(updates.some((u) => u.type === "modification_complete"));
    // Every step of PM -> Dev -> QA -> Ops reported, each message with an id, in order, without gaps.
    const ids = updates.map((u) => Number(u.id));
    assert.deepEqual(
      ids,
      ids.map((_, i) => ids[0] + i),
    );
    const done = updates
      .filter((u) => u.type === "agent_status" && u.status === "succeeded")
      .map((u) => u.type === "agent_status" && u.agent);
    assert.deepEqual(done, ["pm", "dev", "qa", "ops"]);
    assert.equal(updates.at(-1)!.type, "modification_complete");
    await ws.close();

    // 6. Download generated files
    const files = await api<{ files: { path: string; url: string }[] }>(
      e,
      "GET",
      `/api/projects/${projectId}/files`,
    );
    assert.equal(files.status, 200);
    assert.ok(files.body.data.files.map((f) => f.path).includes("main.py"));
    const main = files.body.data.files.find((f) => f.path === "main.py")!;
    const source = await (await fetch(main.url)).text();
    assert.match(source, /postgresql:\/\/localhost:5432\/mydb/, "the template's variable");
    assert.match(source, /def add_user_authentication\(\)/, "Dev's change, written by the workflow");
  });

  it("printed exactly one JSON line on stdout, the contract's four fields, on free loopback ports", () => {
    assert.match(runner.stdout(), /^\{[^\n]*\}\n$/);
    const line = JSON.parse(runner.stdout()) as Record<string, string>;
    assert.deepEqual(Object.keys(line), ["apiUrl", "wsUrl", "apiKey", "siteUrl"]);
    assert.match(line.apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(line.wsUrl, /^ws:\/\/127\.0\.0\.1:\d+$/);
    assert.match(line.apiKey, /^[0-9a-f]{40}$/);
    assert.match(line.siteUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("serves the web console with the API on its own origin, and config.json naming the site and the WebSocket", async () => {
    const e = runner.endpoints;
    const index = await fetch(`${e.siteUrl}/`);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /<script src="\/assets\/app\.[0-9a-f]{16}\.js" defer><\/script>/);
    assert.equal(
      index.headers
        .get("content-security-policy")
        ?.split("; ")
        .find((d) => d.startsWith("connect-src")),
      `connect-src 'self' ${e.wsUrl}`,
    );
    assert.deepEqual(await (await fetch(`${e.siteUrl}/config.json`)).json(), {
      apiUrl: e.siteUrl,
      wsUrl: e.wsUrl,
    });
    // A path that is no file gets index.html (the SPA fallback), also one that tries to leave the site: sent as
    // is (fetch would resolve the dots), and with encoded slashes, which URL parsing leaves for the server.
    for (const path of ["/projects/x", "/../package.json", "/..%2f..%2f..%2fpackage.json"]) {
      const [type, body] = await new Promise<[string | undefined, string]>((resolve, reject) =>
        get(`${e.siteUrl}${path}`, { path }, (res) => {
          let text = "";
          res.on("data", (d: Buffer) => (text += d.toString()));
          res.on("end", () => resolve([res.headers["content-type"], text]));
        }).on("error", reject),
      );
      assert.equal(type, "text/html; charset=utf-8", path);
      assert.match(body, /^<!doctype html>/, path);
    }
    // /api/* is the API itself, as CloudFront's API behaviour passes it on: its answers, its refusals, a body.
    const templates = await fetch(`${e.siteUrl}/api/templates?limit=1`, {
      headers: { "x-api-key": e.apiKey },
    });
    assert.equal(templates.status, 200);
    assert.equal(((await templates.json()) as { success: boolean }).success, true);
    const refused = await fetch(`${e.siteUrl}/api/templates`, { headers: { "x-api-key": "wrong" } });
    assert.deepEqual([refused.status, await refused.json()], [403, { message: "Forbidden" }]);
    const created = await fetch(`${e.siteUrl}/api/projects/from-template`, {
      method: "POST",
      headers: { "x-api-key": e.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ template_id: "no-such-template", project_name: "x" }),
    });
    // The body went through: the API looked the template up by the id in it.
    const missing = (await created.json()) as { error: { code: string; message: string } };
    assert.deepEqual([created.status, missing.error.code], [404, "NOT_FOUND"]);
    assert.match(missing.error.message, /no-such-template/);
    // Same origin, so the API names no CORS origin for the console.
    const direct = await fetch(`${e.apiUrl}/api/templates`, {
      headers: { origin: e.siteUrl, "x-api-key": e.apiKey },
    });
    assert.equal(direct.headers.get("access-control-allow-origin"), null);
  });

  it("refuses the REST API without the key and the WebSocket without a valid ticket", async () => {
    const e = runner.endpoints;
    const noKey = await fetch(`${e.apiUrl}/api/projects?owner_id=x`);
    assert.deepEqual([noKey.status, await noKey.json()], [403, { message: "Forbidden" }]);
    const health = await fetch(`${e.apiUrl}/health`);
    assert.equal(health.status, 200, "the health check needs no key");
    const projectId = await projectFromTemplate(e);
    const refused = await new Promise<number>((resolve) => {
      const WebSocket = require("ws") as typeof import("ws");
      const s = new WebSocket(`${e.wsUrl}?project_id=${projectId}&ticket=v1.forged.signature`);
      s.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      s.on("open", () => resolve(101));
    });
    assert.equal(refused, 403);
  });

  it("stops on SIGTERM within seconds, exit code 0", async () => {
    const { code, ms } = await runner.stop();
    assert.equal(code, 0);
    assert.ok(ms < 5000, `stopped in ${ms} ms`);
  });
});
