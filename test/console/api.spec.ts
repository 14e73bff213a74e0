/** The console's API client against a real server on loopback: what each kind of failure tells the person. */
import * as assert from "assert";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Api, ConsoleError } from "../../console/src/api";

describe("console API client", () => {
  let server: Server;
  let base: string;
  const keys: (string | undefined)[] = [];
  const answers: Record<string, [number, string]> = {
    "/ok": [200, JSON.stringify({ success: true, data: { id: "proj_1" }, request_id: "r1" })],
    "/invalid": [
      400,
      JSON.stringify({
        success: false,
        error: { code: "VALIDATION_ERROR", message: "owner_id must match ^[A-Za-z0-9_.@-]+$" },
        request_id: "req-42",
      }),
    ],
    "/forbidden": [403, JSON.stringify({ message: "Forbidden" })],
    "/throttled": [429, JSON.stringify({ message: "Too Many Requests" })],
    "/broken": [502, JSON.stringify({ message: "Internal server error" })],
    "/html": [503, "<html>maintenance</html>"],
  };
  before(async () => {
    server = createServer((req, res) => {
      keys.push(req.headers["x-api-key"] as string | undefined);
      const [status, body] = answers[req.url ?? ""] ?? [404, "{}"];
      res.writeHead(status, { "content-type": "application/json" }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const failure = async (api: Api, path: string) =>
    api.get(path).then(
      () => assert.fail(`${path} should fail`),
      (e: unknown) => e as ConsoleError,
    );

  it("returns the envelope's data, and sends the key", async () => {
    keys.length = 0;
    assert.deepStrictEqual(await new Api(base, "k-123").get("/ok"), { id: "proj_1" });
    assert.deepStrictEqual(keys, ["k-123"]);
  });

  it("shows an API error in seed 003's format with its code and request id", async () => {
    const e = await failure(new Api(base, "k"), "/invalid");
    assert.deepStrictEqual(
      [e.kind, e.message, e.status, e.code, e.requestId],
      [
        "api",
        "owner_id must match ^[A-Za-z0-9_.@-]+$ (VALIDATION_ERROR, HTTP 400)",
        400,
        "VALIDATION_ERROR",
        "req-42",
      ],
    );
  });

  it("tells a refused key, throttling and a failing API apart", async () => {
    const api = new Api(base, "k");
    const key = await failure(api, "/forbidden");
    assert.deepStrictEqual([key.kind, key.code], ["key", "FORBIDDEN"]);
    assert.match(key.message, /^The API refused this API key \(403 Forbidden\)/);
    assert.match((await failure(api, "/throttled")).message, /^Too many requests/);
    assert.strictEqual(
      (await failure(api, "/broken")).message,
      "The API failed (HTTP 502: Internal server error). Try again shortly.",
    );
    assert.strictEqual(
      (await failure(api, "/html")).message,
      "The API failed (HTTP 503). Try again shortly.",
    );
  });

  it("says the API cannot be reached when nothing answers, and that the device is offline when it is", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = await failure(new Api(`http://127.0.0.1:${port}`, "k"), "/ok");
    assert.strictEqual(down.kind, "unreachable");
    assert.match(
      down.message,
      new RegExp(`^Cannot reach the API at http://127\\.0\\.0\\.1:${port}\\. It may be stopped`),
    );
    const offline = await failure(new Api(`http://127.0.0.1:${port}`, "k", undefined, () => false), "/ok");
    assert.strictEqual(offline.message, "This device is offline. Reconnect to the network and try again.");
  });
});
