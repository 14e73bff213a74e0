import { strict as assert } from "node:assert";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handler } from "../../functions/uptime-probe/index";
import { failureMessage, probe, probeAll, readTargets } from "../../functions/uptime-probe/probe";

/*
 * The uptime probe against real HTTP servers on loopback: what counts as up (200-399, as Route 53 counts it), a
 * retry that hides one lost request but not an outage, timeouts, refused connections, and the error a failed
 * round throws (the function's Errors metric is what the SLO alarm counts).
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; server: Server; hits: IncomingMessage[] }> {
  const hits: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    hits.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`, server, hits };
}

const fast = { timeoutMs: 300, attempts: 2, retryDelayMs: 10, userAgent: "probe-test" };

describe("uptime probe", () => {
  const servers: Server[] = [];
  const open = async (handler: Handler) => {
    const s = await serve(handler);
    servers.push(s.server);
    return s;
  };
  after(() =>
    servers.forEach((s) => {
      s.closeAllConnections();
      s.close();
    }),
  );

  it("counts 200-399 as up, sends its user agent, and does not follow a redirect", async () => {
    // Prepare
    const ok = await open((_req, res) => res.end('{"status":"ok"}'));
    const moved = await open((_req, res) => res.writeHead(301, { location: "https://elsewhere/" }).end());
    // Act
    const results = await probeAll(
      [
        { name: "api", url: ok.url },
        { name: "web", url: moved.url },
      ],
      fast,
    );
    // Assess
    assert.deepEqual(
      results.map((r) => [r.name, r.up, r.status, r.attempts]),
      [
        ["api", true, 200, 1],
        ["web", true, 301, 1],
      ],
    );
    assert.equal(ok.hits[0].headers["user-agent"], "probe-test");
    assert.equal(ok.hits[0].method, "GET");
    assert.equal(failureMessage(results), undefined);
  });

  it("tries once more after a failed attempt, so one lost request is not downtime", async () => {
    // Prepare: the first request gets a 502, the second a 200.
    let n = 0;
    const flaky = await open((_req, res) => {
      res.statusCode = n++ === 0 ? 502 : 200;
      res.end();
    });
    // Act
    const result = await probe({ name: "api", url: flaky.url }, fast);
    // Assess
    assert.deepEqual([result.up, result.status, result.attempts], [true, 200, 2]);
    assert.equal(flaky.hits.length, 2);
  });

  it("reports an endpoint down after every attempt failed: 5xx, no answer in time, refused", async () => {
    // Prepare
    const broken = await open((_req, res) => {
      res.statusCode = 503;
      res.end("unavailable");
    });
    const hanging = await open(() => undefined);
    const refused = await open(() => undefined);
    const refusedUrl = refused.url;
    await new Promise((resolve) => refused.server.close(resolve));
    // Act
    const results = await probeAll(
      [
        { name: "api", url: broken.url },
        { name: "web", url: hanging.url },
        { name: "gone", url: refusedUrl },
      ],
      fast,
    );
    // Assess
    assert.deepEqual(
      results.map((r) => [r.name, r.up, r.problem, r.attempts]),
      [
        ["api", false, "answered HTTP 503", 2],
        ["web", false, "no answer within 300 ms", 2],
        ["gone", false, "failed to connect: ECONNREFUSED", 2],
      ],
    );
    assert.equal(broken.hits.length, 2);
    assert.equal(
      failureMessage(results),
      `uptime probe: api ${broken.url} answered HTTP 503 (2 attempts); web ${hanging.url} no answer within 300 ms ` +
        `(2 attempts); gone ${refusedUrl} failed to connect: ECONNREFUSED (2 attempts)`,
    );
  });

  it("as the Lambda handler: returns when every endpoint is up, throws (a Lambda error) when one is down", async function () {
    this.timeout(10_000);
    // Prepare
    let status = 200;
    const endpoint = await open((_req, res) => {
      res.statusCode = status;
      res.end();
    });
    process.env.PROBE_TARGETS = JSON.stringify([{ name: "api", url: endpoint.url }]);
    // Act + Assess
    assert.deepEqual(await handler(), { up: 1, down: 0 });
    status = 500;
    await assert.rejects(
      handler(),
      new RegExp(`^Error: uptime probe: api ${endpoint.url} answered HTTP 500 \\(2 attempts\\)$`),
    );
    delete process.env.PROBE_TARGETS;
  });

  it("reads PROBE_TARGETS, naming the variable and what is wrong", () => {
    assert.deepEqual(readTargets('[{"name":"api","url":"https://a.example/v1/health"}]'), [
      { name: "api", url: "https://a.example/v1/health" },
    ]);
    assert.throws(() => readTargets(undefined), /^Error: PROBE_TARGETS is not set: expected JSON \[/);
    assert.throws(() => readTargets("api=https://x"), /PROBE_TARGETS is not JSON \("api=https:\/\/x"\)/);
    assert.throws(() => readTargets("[]"), /PROBE_TARGETS is not a non-empty list/);
    assert.throws(
      () => readTargets('[{"name":"api","url":"ftp://x"}]'),
      /PROBE_TARGETS \[0\] url is not an http\(s\) URL/,
    );
    assert.throws(() => readTargets('[{"url":"https://x"}]'), /PROBE_TARGETS \[0\] has no name/);
  });
});
