import * as assert from "assert";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { classifyPushError, PUSH_RETRY_POLICY, StatusPushError } from "../../../functions/shared/status-push";
import { connectionKey, subscriptionKey } from "../../../contracts/connections";
import { LocalConnections, pusherFor, startConnectionsTable, startHttp } from "./local-connections";

const FRAME = {
  id: "000000000007",
  type: "agent_status",
  project_id: "proj_1",
  modification_id: "mod_1",
  agent: "dev",
  round: 0,
  status: "running",
  at: "2025-11-24T12:00:00.000Z",
  detail: { step: 2 },
};

/** The management API's answers, by connection id: a list of statuses taken one per request (last repeats). */
type Script = Record<string, number[]>;

describe("status push against dynalite and a loopback management API", function () {
  this.timeout(30_000);
  let table: LocalConnections;
  let api: { url: string; close(): Promise<void> };
  let script: Script = {};
  const requests: { method: string; path: string; body: string; auth: boolean }[] = [];

  before(async () => {
    table = await startConnectionsTable();
    api = await startHttp((req, body, res) => {
      requests.push({
        method: req.method!,
        path: decodeURIComponent(req.url!),
        body,
        auth: String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256"),
      });
      const match = /^\/live\/@connections\/([^/]+)$/.exec(decodeURIComponent(req.url!));
      const queue = match ? script[match[1]] : undefined;
      const status = req.method !== "POST" || !queue ? 404 : queue.length > 1 ? queue.shift()! : queue[0];
      const type: Record<number, string> = {
        410: "GoneException",
        429: "LimitExceededException",
        403: "ForbiddenException",
      };
      res.statusCode = status;
      res.setHeader("content-type", "application/json");
      if (type[status]) res.setHeader("x-amzn-errortype", type[status]);
      res.end(status === 200 ? "" : JSON.stringify({ message: `status ${status}` }));
    });
  });
  after(async () => Promise.all([table?.close(), api?.close()]));

  beforeEach(() => {
    requests.length = 0;
  });

  async function connect(connectionId: string, projects: string[]) {
    await table.doc.send(
      new PutCommand({ TableName: table.tableName, Item: { ...connectionKey(connectionId), connectionId } }),
    );
    for (const projectId of projects)
      await table.doc.send(
        new PutCommand({
          TableName: table.tableName,
          Item: { ...subscriptionKey(connectionId, projectId), projectId, connectionId },
        }),
      );
  }

  const pusher = () => pusherFor(table, api.url);

  it("delivers to every subscriber, retries 429 and 500, and deletes a connection that is gone", async () => {
    await connect("alive", ["proj_1", "proj_2"]);
    await connect("flaky", ["proj_1"]);
    await connect("gone", ["proj_1", "proj_3"]);
    await connect("other", ["proj_2"]);
    script = { alive: [200], flaky: [429, 500, 200], gone: [410], other: [200] };

    assert.deepStrictEqual(await pusher().push("proj_1", FRAME), { delivered: 2, stale: 1 });

    const posts = requests.map((r) => `${r.method} ${r.path}`).sort();
    assert.deepStrictEqual(posts, [
      "POST /live/@connections/alive",
      "POST /live/@connections/flaky",
      "POST /live/@connections/flaky",
      "POST /live/@connections/flaky",
      "POST /live/@connections/gone",
    ]);
    assert.ok(
      requests.every((r) => r.auth),
      "every post is SigV4-signed",
    );
    for (const r of requests) assert.deepStrictEqual(JSON.parse(r.body), FRAME);
    // The stale connection and all its subscriptions are gone; the others are untouched.
    assert.deepStrictEqual(
      (await table.items()).map((i) => `${i.pk} ${i.sk}`),
      [
        "CONN#alive CONN",
        "CONN#alive SUB#proj_1",
        "CONN#alive SUB#proj_2",
        "CONN#flaky CONN",
        "CONN#flaky SUB#proj_1",
        "CONN#other CONN",
        "CONN#other SUB#proj_2",
      ],
    );
  });

  it("delivers nothing when nobody subscribed", async () => {
    assert.deepStrictEqual(await pusher().push("proj_nobody", FRAME), {
      delivered: 0,
      stale: 0,
    });
    assert.deepStrictEqual(requests, []);
  });

  it("tries every subscriber, then reports posts that failed for good", async () => {
    await connect("forbidden", ["proj_4"]);
    await connect("fine", ["proj_4"]);
    await connect("down", ["proj_4"]);
    script = { forbidden: [403], fine: [200], down: [503] };
    await assert.rejects(pusher().push("proj_4", FRAME), (e: unknown) => {
      assert.ok(e instanceof StatusPushError);
      assert.strictEqual(e.message, "status push: 2 of 3 connections failed");
      assert.deepStrictEqual([e.delivered, e.stale, e.failed], [1, 0, 2]);
      return true;
    });
    const count = (id: string) => requests.filter((r) => r.path.endsWith(`/${id}`)).length;
    // 403 is not retried; 503 is retried up to the policy's attempts.
    assert.deepStrictEqual(
      [count("forbidden"), count("fine"), count("down")],
      [1, 1, PUSH_RETRY_POLICY.maxAttempts],
    );
  });

  it("posts frames to one connection in order, and says when it is gone (forgetting it)", async () => {
    await connect("replayer", ["proj_5"]);
    await connect("left", ["proj_5"]);
    script = { replayer: [200], left: [410] };
    const frames = [1, 2, 3].map((n) => ({ ...FRAME, id: `00000000000${n}` }));
    assert.strictEqual(await pusher().postTo("replayer", frames), true);
    assert.deepStrictEqual(
      requests.map((r) => JSON.parse(r.body).id),
      ["000000000001", "000000000002", "000000000003"],
    );
    assert.strictEqual(await pusher().postTo("left", frames), false);
    assert.ok(!(await table.items()).some((i) => String(i.pk) === "CONN#left"));
  });

  it("classifies errors: throttling, 5xx and network errors retry; 4xx and 410 do not", () => {
    const err = (name: string, httpStatusCode?: number) => ({ name, $metadata: { httpStatusCode } });
    assert.deepStrictEqual(classifyPushError(err("LimitExceededException", 429)), { retryable: true });
    assert.deepStrictEqual(classifyPushError(err("InternalServerError", 500)), { retryable: true });
    assert.deepStrictEqual(classifyPushError(err("GoneException", 410)), { retryable: false });
    assert.deepStrictEqual(classifyPushError(err("ForbiddenException", 403)), { retryable: false });
    assert.deepStrictEqual(classifyPushError(new Error("ECONNRESET")), { retryable: true });
    assert.deepStrictEqual(classifyPushError({ name: "GoneException" }), { retryable: false });
  });
});
