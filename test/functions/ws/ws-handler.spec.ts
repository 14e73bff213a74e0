import * as assert from "assert";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { ProjectLog } from "../../../functions/shared/project-log";
import { createWsApp, MAX_FRAME_BYTES, WsEvent } from "../../../functions/ws/app";
import {
  ACK_TTL_SECONDS,
  CONNECTION_TTL_SECONDS,
  MAX_SUBSCRIPTIONS,
  subscriptionKey,
} from "../../../contracts/connections";
import { LocalConnections, pusherFor, startConnectionsTable, startHttp } from "./local-connections";

const NOW = new Date("2025-11-24T12:00:00.000Z");
const EXPIRES = Math.floor(NOW.getTime() / 1000) + CONNECTION_TTL_SECONDS;
const USER = "arn:aws:iam::123456789012:user/alice";

describe("ws handler against dynalite and a loopback management API", function () {
  this.timeout(30_000);
  let table: LocalConnections;
  let app: ReturnType<typeof createWsApp>;
  let log: ProjectLog;
  let api: { url: string; close(): Promise<void> };
  /** Frames posted through the management API, by connection. */
  const posted: Record<string, { id: string }[]> = {};
  const errors: unknown[] = [];

  before(async () => {
    table = await startConnectionsTable();
    api = await startHttp((req, body, res) => {
      const id = /^\/live\/@connections\/([^/]+)$/.exec(decodeURIComponent(req.url!))![1];
      (posted[id] ??= []).push(JSON.parse(body));
      res.statusCode = 200;
      res.end("");
    });
    log = new ProjectLog(table.doc, table.dataTableName, () => NOW);
    app = createWsApp({
      ddb: table.doc,
      tableName: table.tableName,
      log,
      pusher: pusherFor(table, api.url),
      now: () => NOW,
      logError: (e) => errors.push(e),
    });
  });
  after(() => Promise.all([table?.close(), api?.close()]));

  const event = (routeKey: string, connectionId: string, body?: string): WsEvent => ({
    requestContext: { routeKey, connectionId, requestId: "req-1", identity: { userArn: USER } },
    body: body ?? null,
  });
  /** A $connect the ticket authorizer let through: its context names the project and the client. */
  const ticketConnect = (connectionId: string, projectId: string, clientId: string): WsEvent => ({
    requestContext: {
      routeKey: "$connect",
      connectionId,
      authorizer: { principalId: `ticket:${clientId}`, projectId, clientId },
    },
    queryStringParameters: { project_id: projectId, ticket: "checked-by-the-authorizer" },
  });
  const send = async (connectionId: string, frame: unknown) => {
    const res = await app(
      event("$default", connectionId, typeof frame === "string" ? frame : JSON.stringify(frame)),
    );
    return { statusCode: res.statusCode, frame: JSON.parse(res.body ?? "null") as unknown };
  };

  it("records an IAM connection on $connect with its principal and a TTL", async () => {
    assert.deepStrictEqual(await app(event("$connect", "c1")), { statusCode: 200 });
    assert.deepStrictEqual(await table.items(), [
      {
        pk: "CONN#c1",
        sk: "CONN",
        connectionId: "c1",
        connectedAt: "2025-11-24T12:00:00.000Z",
        principal: USER,
        clientId: "c1",
        expiresAt: EXPIRES,
      },
    ]);
  });

  it("subscribes idempotently, indexed by project, with the connection's expiry", async () => {
    const first = await send("c1", { action: "subscribe", project_id: "proj_a" });
    const again = await send("c1", { action: "subscribe", project_id: "proj_a" });
    assert.deepStrictEqual(first, { statusCode: 200, frame: { type: "subscribed", project_id: "proj_a" } });
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
    await send("c1", { action: "subscribe", project_id: "proj_b" });
    assert.deepStrictEqual(await send("c1", { action: "unsubscribe", project_id: "proj_b" }), {
      statusCode: 200,
      frame: { type: "unsubscribed", project_id: "proj_b" },
    });
    assert.deepStrictEqual(await send("c1", { action: "unsubscribe", project_id: "proj_zz" }), {
      statusCode: 200,
      frame: { type: "unsubscribed", project_id: "proj_zz" },
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
      await send("c1", { action: "delete", project_id: "proj_a" }),
      error("UNKNOWN_ACTION", "action must be one of subscribe, unsubscribe, ack, resume", {
        field: "action",
        allowed_values: ["subscribe", "unsubscribe", "ack", "resume"],
      }),
    );
    const badProject = error(
      "VALIDATION_ERROR",
      "project_id must be 1-100 letters, digits, '-' or '_' (a ticket connection may leave it out)",
      { field: "project_id" },
    );
    assert.deepStrictEqual(await send("c1", { action: "subscribe" }), badProject);
    assert.deepStrictEqual(await send("c1", { action: "subscribe", project_id: 42 }), badProject);
    assert.deepStrictEqual(await send("c1", { action: "subscribe", project_id: "a#b" }), badProject);
    assert.deepStrictEqual(
      await send("c1", { action: "ack", project_id: "proj_a", id: "7" }),
      error("VALIDATION_ERROR", "id must be a message id (12 digits)", { field: "id" }),
    );
    assert.deepStrictEqual(
      await send("c1", { action: "resume", project_id: "proj_a", after: "x" }),
      error("VALIDATION_ERROR", "after must be a message id (12 digits)", { field: "after" }),
    );
    assert.deepStrictEqual(
      await send("c1", JSON.stringify({ action: "subscribe", project_id: "x".repeat(MAX_FRAME_BYTES) })),
      error("VALIDATION_ERROR", `frames are limited to ${MAX_FRAME_BYTES} bytes`),
    );
    const empty = await app({ requestContext: { routeKey: "$default", connectionId: "c1" } });
    assert.deepStrictEqual(JSON.parse(empty.body!), error("BAD_JSON", "the frame is not valid JSON").frame);
    assert.deepStrictEqual(errors, []);
  });

  it("refuses subscriptions of an unknown connection and beyond the limit", async () => {
    assert.deepStrictEqual(await send("ghost", { action: "subscribe", project_id: "proj_a" }), {
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
    assert.deepStrictEqual(await send("busy", { action: "subscribe", project_id: "one-more" }), {
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
    assert.deepStrictEqual(
      (await table.items()).filter((i) => String(i.pk).startsWith("CONN#")),
      [],
    );
    // A second $disconnect (API Gateway delivers at least once) is harmless.
    assert.deepStrictEqual(await app(event("$disconnect", "c1")), { statusCode: 200 });
  });

  describe("ticket connections, acknowledgements and resume", () => {
    const message = (status: string) => ({
      type: "agent_status" as const,
      project_id: "proj_t",
      modification_id: "mod_1",
      agent: "dev" as const,
      round: 0,
      status: status as "running",
      at: NOW.toISOString(),
    });

    it("subscribes a ticket connection to its project at $connect, and to no other project", async () => {
      assert.deepStrictEqual(await app(ticketConnect("t1", "proj_t", "client_aaaaaaaa")), {
        statusCode: 200,
      });
      const items = (await table.items()).filter((i) => i.pk === "CONN#t1");
      assert.deepStrictEqual(
        items.map((i) => [i.sk, i.clientId ?? i.projectId, i.boundProjectId ?? null, i.principal ?? null]),
        [
          ["CONN", "client_aaaaaaaa", "proj_t", "ticket:client_aaaaaaaa"],
          ["SUB#proj_t", "proj_t", null, null],
        ],
      );
      assert.deepStrictEqual(await send("t1", { action: "subscribe", project_id: "proj_other" }), {
        statusCode: 200,
        frame: {
          type: "error",
          error: {
            code: "FORBIDDEN",
            message: "this connection's ticket is for project proj_t",
            details: { field: "project_id" },
          },
        },
      });
    });

    it("keeps the highest id a client acknowledged, under its client id, for the message log's lifetime", async () => {
      for (const id of ["000000000002", "000000000001", "000000000003"])
        assert.deepStrictEqual(await send("t1", { action: "ack", id }), { statusCode: 200, frame: null });
      const ack = (await table.items()).find((i) => i.pk === "CLIENT#client_aaaaaaaa");
      assert.deepStrictEqual(ack, {
        pk: "CLIENT#client_aaaaaaaa",
        sk: "ACK#proj_t",
        acked: "000000000003",
        expiresAt: Math.floor(NOW.getTime() / 1000) + ACK_TTL_SECONDS,
      });
    });

    it("resumes a reconnected client after what it acknowledged, in order, over its new connection", async () => {
      for (const status of ["queued", "running", "succeeded", "failed", "continued"])
        await log.append(message(status));
      await app(event("$disconnect", "t1"));
      await app(ticketConnect("t2", "proj_t", "client_aaaaaaaa"));
      const res = await send("t2", { action: "resume" });
      assert.deepStrictEqual(res.frame, {
        type: "resumed",
        project_id: "proj_t",
        replayed: 2,
        last_id: "000000000005",
        more: false,
      });
      assert.deepStrictEqual(
        posted.t2.map((f) => f.id),
        ["000000000004", "000000000005"],
      );
      // `after` moves the start later, never earlier than the acknowledgement.
      posted.t2 = [];
      await send("t2", { action: "resume", after: "000000000004" });
      assert.deepStrictEqual(
        posted.t2.map((f) => f.id),
        ["000000000005"],
      );
      posted.t2 = [];
      await send("t2", { action: "resume", after: "000000000001" });
      assert.deepStrictEqual(
        posted.t2.map((f) => f.id),
        ["000000000004", "000000000005"],
      );
      // Another client of the same project has acknowledged nothing: it gets everything.
      await app(ticketConnect("t3", "proj_t", "client_bbbbbbbb"));
      await send("t3", { action: "resume" });
      assert.deepStrictEqual(posted.t3.length, 5);
    });
  });

  it("logs a failing dependency and answers 500 instead of throwing", async () => {
    const broken = createWsApp({
      ddb: table.doc,
      tableName: "no-such-table",
      log,
      pusher: pusherFor(table, api.url),
      logError: (e) => errors.push(e),
    });
    assert.deepStrictEqual(await broken(event("$connect", "c9")), { statusCode: 500 });
    const res = await broken(
      event("$default", "c9", JSON.stringify({ action: "subscribe", project_id: "p" })),
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
