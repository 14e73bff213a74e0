import * as assert from "assert";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { createWsApp, MAX_FRAME_BYTES, WsEvent } from "../../../functions/ws/app";
import { CONNECTION_TTL_SECONDS, MAX_SUBSCRIPTIONS, subscriptionKey } from "../../../functions/ws/schema";
import { LocalConnections, startConnectionsTable } from "./local-connections";

const NOW = new Date("2025-11-24T12:00:00.000Z");
const EXPIRES = Math.floor(NOW.getTime() / 1000) + CONNECTION_TTL_SECONDS;
const USER = "arn:aws:iam::123456789012:user/alice";

describe("ws handler against dynalite", function () {
  this.timeout(30_000);
  let table: LocalConnections;
  let app: ReturnType<typeof createWsApp>;
  const errors: unknown[] = [];

  before(async () => {
    table = await startConnectionsTable();
    app = createWsApp({
      ddb: table.doc,
      tableName: table.tableName,
      now: () => NOW,
      logError: (e) => errors.push(e),
    });
  });
  after(() => table?.close());

  const event = (routeKey: string, connectionId: string, body?: string): WsEvent => ({
    requestContext: { routeKey, connectionId, requestId: "req-1", identity: { userArn: USER } },
    body: body ?? null,
  });
  const send = async (connectionId: string, frame: unknown) => {
    const res = await app(
      event("$default", connectionId, typeof frame === "string" ? frame : JSON.stringify(frame)),
    );
    return { statusCode: res.statusCode, frame: JSON.parse(res.body ?? "null") as unknown };
  };

  it("records a connection on $connect with its principal and a TTL", async () => {
    assert.deepStrictEqual(await app(event("$connect", "c1")), { statusCode: 200 });
    assert.deepStrictEqual(await table.items(), [
      {
        pk: "CONN#c1",
        sk: "CONN",
        connectionId: "c1",
        connectedAt: "2025-11-24T12:00:00.000Z",
        principal: USER,
        expiresAt: EXPIRES,
      },
    ]);
  });

  it("subscribes idempotently, indexed by project, with the connection's expiry", async () => {
    const first = await send("c1", { action: "subscribe", projectId: "proj_a" });
    const again = await send("c1", { action: "subscribe", projectId: "proj_a" });
    assert.deepStrictEqual(first, { statusCode: 200, frame: { type: "subscribed", projectId: "proj_a" } });
    assert.deepStrictEqual(again, first);
    const subs = (await table.items()).filter((i) => String(i.sk).startsWith("SUB#"));
    assert.deepStrictEqual(subs, [
      {
        pk: "CONN#c1",
        sk: "SUB#proj_a",
        projectId: "proj_a",
        connectionId: "c1",
        subscribedAt: "2025-11-24T12:00:00.000Z",
        expiresAt: EXPIRES,
      },
    ]);
  });

  it("unsubscribes (also from a project it never subscribed to)", async () => {
    await send("c1", { action: "subscribe", projectId: "proj_b" });
    assert.deepStrictEqual(await send("c1", { action: "unsubscribe", projectId: "proj_b" }), {
      statusCode: 200,
      frame: { type: "unsubscribed", projectId: "proj_b" },
    });
    assert.deepStrictEqual(await send("c1", { action: "unsubscribe", projectId: "proj_zz" }), {
      statusCode: 200,
      frame: { type: "unsubscribed", projectId: "proj_zz" },
    });
    assert.deepStrictEqual(
      (await table.items()).map((i) => i.sk),
      ["CONN", "SUB#proj_a"],
    );
  });

  it("answers bad frames with an error frame, never a crash", async () => {
    const error = (code: string, message: string, details?: object) => ({
      statusCode: 200,
      frame: { type: "error", error: { code, message, ...(details ? { details } : {}) } },
    });
    assert.deepStrictEqual(await send("c1", "{not json"), error("BAD_JSON", "the frame is not valid JSON"));
    assert.deepStrictEqual(await send("c1", "[1]"), error("BAD_JSON", "the frame must be a JSON object"));
    assert.deepStrictEqual(await send("c1", "null"), error("BAD_JSON", "the frame must be a JSON object"));
    assert.deepStrictEqual(
      await send("c1", { action: "delete", projectId: "proj_a" }),
      error("UNKNOWN_ACTION", "action must be one of subscribe, unsubscribe", {
        field: "action",
        allowed_values: ["subscribe", "unsubscribe"],
      }),
    );
    const badProject = error("VALIDATION_ERROR", "projectId must be 1-128 letters, digits, '-' or '_'", {
      field: "projectId",
    });
    assert.deepStrictEqual(await send("c1", { action: "subscribe" }), badProject);
    assert.deepStrictEqual(await send("c1", { action: "subscribe", projectId: 42 }), badProject);
    assert.deepStrictEqual(await send("c1", { action: "subscribe", projectId: "a#b" }), badProject);
    assert.deepStrictEqual(
      await send("c1", JSON.stringify({ action: "subscribe", projectId: "x".repeat(MAX_FRAME_BYTES) })),
      error("VALIDATION_ERROR", `frames are limited to ${MAX_FRAME_BYTES} bytes`),
    );
    const empty = await app({ requestContext: { routeKey: "$default", connectionId: "c1" } });
    assert.deepStrictEqual(JSON.parse(empty.body!), error("BAD_JSON", "the frame is not valid JSON").frame);
    assert.deepStrictEqual(errors, []);
  });

  it("refuses subscriptions of an unknown connection and beyond the limit", async () => {
    assert.deepStrictEqual(await send("ghost", { action: "subscribe", projectId: "proj_a" }), {
      statusCode: 200,
      frame: {
        type: "error",
        error: { code: "NOT_CONNECTED", message: "the connection is not registered; reconnect" },
      },
    });
    await app(event("$connect", "busy"));
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++)
      await table.doc.send(
        new PutCommand({
          TableName: table.tableName,
          Item: { ...subscriptionKey("busy", `p${i}`), projectId: `p${i}`, connectionId: "busy" },
        }),
      );
    assert.deepStrictEqual(await send("busy", { action: "subscribe", projectId: "one-more" }), {
      statusCode: 200,
      frame: {
        type: "error",
        error: {
          code: "LIMIT_EXCEEDED",
          message: `a connection may subscribe to at most ${MAX_SUBSCRIPTIONS} projects`,
          details: { limit: MAX_SUBSCRIPTIONS },
        },
      },
    });
  });

  it("removes the connection and every subscription on $disconnect (more than one batch)", async () => {
    assert.deepStrictEqual(await app(event("$disconnect", "busy")), { statusCode: 200 });
    assert.deepStrictEqual(await app(event("$disconnect", "c1")), { statusCode: 200 });
    assert.deepStrictEqual(await table.items(), []);
    // A second $disconnect (API Gateway delivers at least once) is harmless.
    assert.deepStrictEqual(await app(event("$disconnect", "c1")), { statusCode: 200 });
  });

  it("logs a failing dependency and answers 500 instead of throwing", async () => {
    const broken = createWsApp({
      ddb: table.doc,
      tableName: "no-such-table",
      logError: (e) => errors.push(e),
    });
    assert.deepStrictEqual(await broken(event("$connect", "c9")), { statusCode: 500 });
    const res = await broken(
      event("$default", "c9", JSON.stringify({ action: "subscribe", projectId: "p" })),
    );
    assert.deepStrictEqual(res.statusCode, 500);
    assert.deepStrictEqual(JSON.parse(res.body!), {
      type: "error",
      error: { code: "INTERNAL", message: "try again" },
    });
    assert.strictEqual(errors.length, 2);
    assert.deepStrictEqual(await broken(event("$other", "c9")), {
      statusCode: 400,
      body: JSON.stringify({ message: "unknown route $other" }),
    });
  });
});
