import * as assert from "assert";
import { ApiEvent, createApp, CORS_MAX_AGE_SECONDS } from "../../../functions/api/app";
import { API_ROUTES, CORS_ALLOW_HEADERS } from "../../../contracts/api-routes";
import type { Store } from "../../../functions/api/lib/store";

// A store that fails every call: these tests look at routing and headers, not at data.
const failingStore = new Proxy(
  {},
  {
    get: () => async () => {
      throw new Error("no store in this test");
    },
  },
) as unknown as Store;

const app = createApp({
  store: failingStore,
  sendToFirstAgent: async () => undefined,
  artifacts: failingStore as never,
  log: failingStore as never,
  corsOrigins: ["https://app.example.com", "http://localhost:3000"],
  now: () => new Date("2026-01-01T00:00:00Z"),
});

const event = (method: string, path: string, headers: Record<string, string> = {}): ApiEvent => ({
  httpMethod: method,
  path,
  headers,
  body: null,
  requestContext: { requestId: "req-1" },
});

describe("api-handler routes and CORS", () => {
  it("answers every route of the table API Gateway is built from (no ROUTE_NOT_FOUND or METHOD_NOT_ALLOWED)", async () => {
    for (const route of API_ROUTES) {
      const res = await app(event(route.method, route.path.replace(/\{[^}]+\}/g, "x_1")));
      const code = (JSON.parse(res.body) as { error?: { code: string } }).error?.code;
      assert.ok(
        code !== "ROUTE_NOT_FOUND" && code !== "METHOD_NOT_ALLOWED",
        `${route.method} ${route.path}: ${code}`,
      );
    }
  });

  it("echoes an allowed Origin on responses, never another one", async () => {
    const allowed = await app(event("GET", "/health", { Origin: "https://app.example.com" }));
    assert.strictEqual(allowed.statusCode, 200);
    assert.deepStrictEqual(allowed.headers, {
      "content-type": "application/json",
      "access-control-allow-origin": "https://app.example.com",
      "access-control-expose-headers": "idempotent-replayed",
      vary: "Origin",
    });
    const other = await app(event("GET", "/health", { origin: "https://evil.example.com" }));
    assert.deepStrictEqual(other.headers, { "content-type": "application/json" });
    const error = await app(event("GET", "/nowhere", { origin: "http://localhost:3000" }));
    assert.strictEqual(error.statusCode, 404);
    assert.strictEqual(error.headers["access-control-allow-origin"], "http://localhost:3000");
  });

  it("answers preflights with the route's methods for allowed origins only", async () => {
    const ok = await app(event("OPTIONS", "/api/projects/proj_1", { origin: "https://app.example.com" }));
    assert.deepStrictEqual(ok, {
      statusCode: 204,
      headers: {
        "access-control-allow-methods": "GET,PUT,DELETE,OPTIONS",
        "access-control-allow-headers": CORS_ALLOW_HEADERS,
        "access-control-max-age": String(CORS_MAX_AGE_SECONDS),
        "access-control-allow-origin": "https://app.example.com",
        "access-control-expose-headers": "idempotent-replayed",
        vary: "Origin",
      },
      body: "",
    });
    const refused = await app(event("OPTIONS", "/api/projects", { origin: "https://evil.example.com" }));
    assert.deepStrictEqual(refused, { statusCode: 204, headers: {}, body: "" });
  });
});
