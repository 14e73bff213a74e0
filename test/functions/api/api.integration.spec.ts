import * as assert from "assert";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { stepTaskMessage } from "../../../contracts/agents";
import { ApiEvent, createApp } from "../../../functions/api/app";
import { Store } from "../../../functions/api/lib/store";
import { createArtifactStore } from "../../../functions/shared/artifact-store";
import { ProjectLog } from "../../../functions/shared/project-log";
import { LocalS3, startLocalS3 } from "../../../tools/local/s3";
import { LocalDynamo, LocalSqs, startDynamo, startSqs } from "./local-aws";

type Body = {
  success: boolean;
  data?: Record<string, unknown> & { items?: Record<string, unknown>[]; next_token?: string | null };
  error?: { code: string; message: string; details?: Record<string, unknown> };
  request_id: string;
  timestamp: string;
};

const BUCKET = "artifacts-bucket";

describe("api-handler against dynalite, s3rver and a loopback SQS", function () {
  this.timeout(30_000);
  let dynamo: LocalDynamo;
  let sqs: LocalSqs;
  let s3: LocalS3;
  let app: ReturnType<typeof createApp>;
  let n = 0;
  const errors: unknown[] = [];

  before(async () => {
    [dynamo, sqs, s3] = await Promise.all([startDynamo(), startSqs(), startLocalS3([BUCKET])]);
    app = createApp({
      store: new Store(dynamo.doc, dynamo.tableName),
      sendToFirstAgent: async (body) => {
        await sqs.client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: body }));
      },
      artifacts: createArtifactStore(s3.client, BUCKET),
      log: new ProjectLog(dynamo.doc, dynamo.tableName),
      now: () => new Date("2025-11-24T12:00:00.000Z"),
      logError: (e) => errors.push(e),
    });
  });
  after(async () => {
    if (process.env.SHOW_ERRORS) console.log(errors);
    await Promise.all([dynamo?.close(), sqs?.close(), s3?.close()]);
  });

  /** Prepare an event, Act, and return the status and parsed body. */
  async function call(
    httpMethod: string,
    path: string,
    options: {
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
      query?: Record<string, string>;
    } = {},
  ): Promise<{ status: number; body: Body; headers: Record<string, string> }> {
    const event: ApiEvent = {
      httpMethod,
      path,
      headers: { "content-type": "application/json", ...options.headers },
      queryStringParameters: options.query ?? null,
      body: options.raw ?? (options.body === undefined ? null : JSON.stringify(options.body)),
      requestContext: { requestId: `req-${++n}` },
    };
    const res = await app(event);
    return { status: res.statusCode, body: JSON.parse(res.body) as Body, headers: res.headers };
  }

  const newProject = (owner = "user123") => ({ name: "Todo API", type: "api", owner_id: owner });

  it("runs the full project CRUD flow with seed 003's response shape", async () => {
    const created = await call("POST", "/api/projects", { body: { ...newProject(), description: "REST" } });
    assert.strictEqual(created.status, 201);
    assert.strictEqual(created.body.success, true);
    assert.strictEqual(created.body.request_id, `req-${n}`);
    assert.strictEqual(created.body.timestamp, "2025-11-24T12:00:00.000Z");
    const project = created.body.data!;
    assert.match(String(project.id), /^proj_[0-9a-f]{32}$/);
    assert.deepStrictEqual(
      { ...project, id: "x" },
      {
        id: "x",
        name: "Todo API",
        type: "api",
        status: "active",
        owner_id: "user123",
        description: "REST",
        dependencies: [],
        deployment_config: {},
        version: 1,
        created_at: "2025-11-24T12:00:00.000Z",
        updated_at: "2025-11-24T12:00:00.000Z",
      },
    );
    const read = await call("GET", `/api/projects/${project.id}`);
    assert.strictEqual(read.status, 200);
    assert.deepStrictEqual(read.body.data, project, "no key attributes leak");

    const byOwner = await call("GET", "/api/projects", { query: { owner_id: "user123" } });
    assert.deepStrictEqual(
      byOwner.body.data!.items!.map((p) => p.id),
      [project.id],
    );
    const updated = await call("PUT", `/api/projects/${project.id}/`, {
      body: { version: 1, name: "Todo API v2", status: "archived" },
    });
    assert.strictEqual(updated.status, 200);
    assert.strictEqual(updated.body.data!.version, 2);
    assert.strictEqual(updated.body.data!.name, "Todo API v2");
    const archived = await call("GET", "/api/projects", { query: { status: "archived" } });
    assert.deepStrictEqual(
      archived.body.data!.items!.map((p) => p.id),
      [project.id],
      "GSI2 follows the status",
    );
    const active = await call("GET", "/api/projects", { query: { status: "active" } });
    assert.ok(!active.body.data!.items!.some((p) => p.id === project.id));

    const deleted = await call("DELETE", `/api/projects/${project.id}`);
    assert.deepStrictEqual([deleted.status, deleted.body.data], [200, { id: project.id, deleted: true }]);
    const gone = await call("GET", `/api/projects/${project.id}`);
    assert.strictEqual(gone.status, 404);
    assert.deepStrictEqual(gone.body.error, {
      code: "NOT_FOUND",
      message: `No project with id ${project.id}`,
      details: { id: project.id },
    });
    assert.strictEqual((await call("DELETE", `/api/projects/${project.id}`)).status, 404);
  });

  it("pages the owner's projects with next_token and rejects a forged token", async () => {
    for (let i = 0; i < 3; i++) await call("POST", "/api/projects", { body: newProject("pager") });
    const first = await call("GET", "/api/projects", { query: { owner_id: "pager", limit: "2" } });
    assert.strictEqual(first.body.data!.items!.length, 2);
    const second = await call("GET", "/api/projects", {
      query: { owner_id: "pager", limit: "2", next_token: first.body.data!.next_token! },
    });
    assert.strictEqual(second.body.data!.items!.length, 1);
    const forged = await call("GET", "/api/projects", { query: { owner_id: "pager", next_token: "!!" } });
    assert.deepStrictEqual([forged.status, forged.body.error!.code], [400, "VALIDATION_ERROR"]);
  });

  it("answers a stale update with 409 CONFLICT and the current version", async () => {
    const { body } = await call("POST", "/api/projects", { body: newProject() });
    const id = body.data!.id;
    assert.strictEqual(
      (await call("PUT", `/api/projects/${id}`, { body: { version: 1, name: "A" } })).status,
      200,
    );
    const stale = await call("PUT", `/api/projects/${id}`, { body: { version: 1, name: "B" } });
    assert.strictEqual(stale.status, 409);
    assert.deepStrictEqual(stale.body.error, {
      code: "CONFLICT",
      message: "The project changed since it was read; read it again and retry",
      details: { expected_version: 1, current_version: 2 },
    });
    const racing = await Promise.all(
      ["C", "D", "E"].map((name) => call("PUT", `/api/projects/${id}`, { body: { version: 2, name } })),
    );
    assert.deepStrictEqual(racing.map((r) => r.status).sort(), [200, 409, 409], "one writer wins a race");
    const missing = await call("PUT", "/api/projects/proj_missing", { body: { version: 1, name: "X" } });
    assert.strictEqual(missing.status, 404);
  });

  it("creates a project once per Idempotency-Key and refuses the key for another request", async () => {
    const headers = { "Idempotency-Key": "create-1" };
    const first = await call("POST", "/api/projects", { body: newProject("idem"), headers });
    const retry = await call("POST", "/api/projects", { body: newProject("idem"), headers });
    assert.strictEqual(retry.status, 201);
    assert.deepStrictEqual(retry.body.data, first.body.data);
    assert.strictEqual(retry.headers["idempotent-replayed"], "true");
    const listed = await call("GET", "/api/projects", { query: { owner_id: "idem" } });
    assert.strictEqual(listed.body.data!.items!.length, 1);
    const other = await call("POST", "/api/projects", { body: newProject("someone-else"), headers });
    assert.deepStrictEqual([other.status, other.body.error!.code], [422, "IDEMPOTENCY_KEY_REUSED"]);
  });

  it("records a modification and sends its first step to the first agent's queue, once per Idempotency-Key", async () => {
    const { body } = await call("POST", "/api/projects", { body: newProject() });
    const id = String(body.data!.id);
    const before = sqs.messages.length;
    const request = { request: "Add user authentication", requested_by: "user123" };
    const headers = { "Idempotency-Key": `mod-${id}` };
    const first = await call("POST", `/api/projects/${id}/modify`, { body: request, headers });
    assert.strictEqual(first.status, 202);
    const mod = first.body.data!;
    assert.deepStrictEqual(
      { ...mod, id: "x" },
      { id: "x", project_id: id, ...request, requested_at: "2025-11-24T12:00:00.000Z", status: "pending" },
    );
    const retry = await call("POST", `/api/projects/${id}/modify`, { body: request, headers });
    assert.deepStrictEqual([retry.status, retry.body.data], [202, mod]);
    const sent = sqs.messages.slice(before);
    assert.strictEqual(sent.length, 1, "a retried modification is not queued twice");
    assert.strictEqual(sent[0].queueUrl, sqs.queueUrl);
    // The first step of the workflow, for the PM agent's queue (the api-handler's FIRST_AGENT_QUEUE_URL).
    assert.deepStrictEqual(JSON.parse(sent[0].body), stepTaskMessage(id, String(mod.id), 0));
  });

  it("takes a modification without requested_by (seed 003's end-to-end request), for the API key's owner", async () => {
    const { body } = await call("POST", "/api/projects", { body: newProject() });
    const id = String(body.data!.id);
    const res = await app({
      httpMethod: "POST",
      path: `/api/projects/${id}/modify`,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ request: "Add user authentication" }),
      requestContext: { requestId: "r", identity: { apiKeyId: "key123" } },
    });
    assert.strictEqual(res.statusCode, 202);
    assert.strictEqual((JSON.parse(res.body) as Body).data!.requested_by, "key123");
  });

  it("sends the message on a retry when the first send failed", async () => {
    const { body } = await call("POST", "/api/projects", { body: newProject() });
    const id = String(body.data!.id);
    const request = { request: "Add tests", requested_by: "user123" };
    const headers = { "Idempotency-Key": `flaky-${id}` };
    const before = sqs.messages.length;
    sqs.failNext(1);
    const failed = await call("POST", `/api/projects/${id}/modify`, { body: request, headers });
    assert.deepStrictEqual([failed.status, failed.body.error!.code], [500, "INTERNAL_ERROR"]);
    const retry = await call("POST", `/api/projects/${id}/modify`, { body: request, headers });
    assert.strictEqual(retry.status, 202);
    const again = await call("POST", `/api/projects/${id}/modify`, { body: request, headers });
    assert.strictEqual(again.status, 202);
    assert.strictEqual(sqs.messages.length - before, 1);
  });

  it("refuses a modification of a missing project with 404 and sends nothing", async () => {
    const before = sqs.messages.length;
    const res = await call("POST", "/api/projects/proj_nope/modify", {
      body: { request: "x", requested_by: "user123" },
    });
    assert.deepStrictEqual([res.status, res.body.error!.code], [404, "NOT_FOUND"]);
    assert.strictEqual(sqs.messages.length, before);
  });

  it("lists and creates templates, refusing a duplicate id", async () => {
    const template = { id: "rest-api-fastapi", name: "REST API with FastAPI", category: "api" };
    const created = await call("POST", "/api/templates", { body: template });
    assert.strictEqual(created.status, 201);
    const duplicate = await call("POST", "/api/templates", { body: template });
    assert.deepStrictEqual([duplicate.status, duplicate.body.error!.code], [409, "CONFLICT"]);
    const listed = await call("GET", "/api/templates");
    assert.deepStrictEqual(
      listed.body.data!.items!.map((t) => [t.id, t.name]),
      [["rest-api-fastapi", "REST API with FastAPI"]],
    );
  });

  it("returns pre-signed download URLs for the project's documentation files (its Markdown in the bucket)", async () => {
    const { body } = await call("POST", "/api/projects", { body: newProject() });
    const id = String(body.data!.id);
    for (const file of ["README.md", "main.py", "docs/API.md"])
      await s3.client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `projects/${id}/${file}`, Body: "0123456789" }),
      );
    const res = await call("GET", `/api/projects/${id}/docs`);
    assert.strictEqual(res.status, 200);
    const items = res.body.data!.items!;
    assert.deepStrictEqual(
      items.map((i) => i.path),
      ["README.md", "docs/API.md"],
    );
    assert.deepStrictEqual(
      items.map((i) => i.size),
      [10, 10],
    );
    const url = new URL(String(items[0].url));
    assert.strictEqual(url.pathname, `/${BUCKET}/projects/${id}/README.md`);
    assert.strictEqual(url.searchParams.get("X-Amz-Expires"), "300");
    // The link works: s3rver checks the signature.
    assert.strictEqual(await (await fetch(url)).text(), "0123456789");
    assert.ok(url.searchParams.get("X-Amz-Signature"));
    assert.strictEqual((await call("GET", "/api/projects/proj_nope/docs")).status, 404);
  });

  describe("bad requests", () => {
    const cases: [
      string,
      string,
      string,
      { body?: unknown; raw?: string; headers?: Record<string, string> },
      number,
      string,
      string?,
    ][] = [
      [
        "missing field",
        "POST",
        "/api/projects",
        { body: { name: "x", type: "api" } },
        400,
        "VALIDATION_ERROR",
        "$.owner_id is required",
      ],
      [
        "wrong type",
        "POST",
        "/api/projects",
        { body: { name: 5, type: "api", owner_id: "u" } },
        400,
        "VALIDATION_ERROR",
        "$.name must be of type string, not integer",
      ],
      [
        "unknown enum value",
        "POST",
        "/api/projects",
        { body: { name: "x", type: "desktop", owner_id: "u" } },
        400,
        "VALIDATION_ERROR",
        "$.type must be one of api, web, mobile, data, microservice",
      ],
      [
        "unknown field",
        "POST",
        "/api/projects",
        { body: { ...{ name: "x", type: "api", owner_id: "u" }, admin: true } },
        400,
        "VALIDATION_ERROR",
        "$.admin is not allowed",
      ],
      [
        "body not an object",
        "POST",
        "/api/projects",
        { body: [1] },
        400,
        "VALIDATION_ERROR",
        "$ must be of type object, not array",
      ],
      [
        "invalid JSON",
        "POST",
        "/api/projects",
        { raw: "{nope" },
        400,
        "INVALID_JSON",
        "The body is not valid JSON",
      ],
      [
        "oversize body",
        "POST",
        "/api/projects",
        { raw: JSON.stringify({ name: "x".repeat(70_000) }) },
        413,
        "PAYLOAD_TOO_LARGE",
      ],
      [
        "not JSON",
        "POST",
        "/api/templates",
        { raw: "a=b", headers: { "content-type": "text/plain" } },
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      ],
      [
        "update without version",
        "PUT",
        "/api/projects/proj_1",
        { body: { name: "x" } },
        400,
        "VALIDATION_ERROR",
        "$.version is required",
      ],
      [
        "update with nothing to change",
        "PUT",
        "/api/projects/proj_1",
        { body: { version: 1 } },
        400,
        "VALIDATION_ERROR",
        "$ must have at least 2 properties",
      ],
      [
        "bad idempotency key",
        "POST",
        "/api/projects",
        { body: { name: "x", type: "api", owner_id: "u" }, headers: { "Idempotency-Key": "has space" } },
        400,
        "VALIDATION_ERROR",
      ],
      ["unknown route", "GET", "/api/nothing", {}, 404, "ROUTE_NOT_FOUND", "No route for GET /api/nothing"],
      ["bad project id", "GET", "/api/projects/a$b", {}, 404, "ROUTE_NOT_FOUND"],
      [
        "wrong method",
        "PATCH",
        "/api/projects/proj_1",
        {},
        405,
        "METHOD_NOT_ALLOWED",
        "PATCH is not allowed on /api/projects/proj_1",
      ],
      [
        "list without filter",
        "GET",
        "/api/projects",
        {},
        400,
        "VALIDATION_ERROR",
        "Give exactly one of owner_id and status",
      ],
    ];
    for (const [what, method, path, options, status, code, message] of cases) {
      it(`${what} → ${status} ${code}`, async () => {
        const res = await call(method, path, options);
        assert.strictEqual(res.status, status);
        assert.strictEqual(res.body.success, false);
        assert.strictEqual(res.body.error!.code, code);
        if (message) assert.strictEqual(res.body.error!.message, message);
        assert.strictEqual(res.body.request_id, `req-${n}`);
      });
    }
  });

  it("answers /health without touching the table", async () => {
    const res = await call("GET", "/health");
    assert.deepStrictEqual([res.status, res.body.data], [200, { status: "ok" }]);
  });
});
