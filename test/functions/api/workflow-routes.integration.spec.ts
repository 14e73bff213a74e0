import * as assert from "assert";
import { randomBytes } from "node:crypto";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { TICKET_TTL_SECONDS } from "../../../contracts/websocket";
import { readTemplateCatalog, templateItem } from "../../../components/agents/template-catalog";
import { ApiEvent, createApp, TicketIssuer } from "../../../functions/api/app";
import { Store } from "../../../functions/api/lib/store";
import { createArtifactStore } from "../../../functions/shared/artifact-store";
import { ProjectLog } from "../../../functions/shared/project-log";
import { signTicket, verifyTicket } from "../../../functions/shared/ticket";
import { LocalS3, startLocalS3 } from "../../../tools/local/s3";
import { REPO_ROOT } from "../../helpers/offline";
import { LocalDynamo, startDynamo } from "./local-aws";

type Body = {
  success: boolean;
  data?: Record<string, unknown>;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  request_id: string;
  timestamp: string;
};

const BUCKET = "artifacts-bucket";
const NOW = new Date("2026-03-01T10:00:00.000Z");
const KEY = randomBytes(32);

describe("api-handler workflow routes (from-template, files, events, ws-ticket, modifications)", function () {
  this.timeout(30_000);
  let dynamo: LocalDynamo;
  let s3: LocalS3;
  let sent: string[];
  const issue: TicketIssuer = async (claims) => signTicket(KEY, claims);
  const build = (issueTicket?: TicketIssuer) =>
    createApp({
      store: new Store(dynamo.doc, dynamo.tableName),
      sendToFirstAgent: async (body) => {
        sent.push(body);
      },
      artifacts: createArtifactStore(s3.client, BUCKET),
      log: new ProjectLog(dynamo.doc, dynamo.tableName, () => NOW),
      ...(issueTicket ? { issueTicket } : {}),
      now: () => NOW,
    });
  let app: ReturnType<typeof createApp>;

  before(async () => {
    [dynamo, s3] = await Promise.all([startDynamo("workflow-routes"), startLocalS3([BUCKET])]);
    // The repository's templates, seeded as the ProjectTemplates component and the local runner seed them.
    for (const t of readTemplateCatalog(`${REPO_ROOT}/templates/projects`)) {
      await dynamo.doc.send(new PutCommand({ TableName: dynamo.tableName, Item: templateItem(t.metadata) }));
      for (const f of t.files)
        await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: f.key, Body: f.content }));
    }
    app = build(issue);
  });
  beforeEach(() => {
    sent = [];
  });
  after(async () => {
    await Promise.all([dynamo?.close(), s3?.close()]);
  });

  async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    via = app,
  ) {
    const event: ApiEvent = {
      httpMethod: method,
      path,
      headers: { "content-type": "application/json", ...headers },
      queryStringParameters: null,
      body: body === undefined ? null : JSON.stringify(body),
      requestContext: { requestId: "req-1", identity: { apiKeyId: "key1" } },
    };
    const res = await via(event);
    return { status: res.statusCode, body: JSON.parse(res.body) as Body, headers: res.headers };
  }
  const text = async (key: string) =>
    (await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
  const fromTemplate = (extra: Record<string, unknown> = {}) =>
    call("POST", "/api/projects/from-template", {
      template_id: "rest-api-fastapi",
      project_name: "My API",
      variables: { db_name: "mydb" },
      ...extra,
    });

  describe("POST /api/projects/from-template", () => {
    it("copies the template's files to the new project with the variables filled in", async () => {
      const res = await fromTemplate();
      assert.strictEqual(res.status, 201);
      const project = res.body.data!.project as Record<string, unknown>;
      assert.match(String(project.id), /^proj_[0-9a-f]{32}$/);
      assert.deepStrictEqual(
        [project.name, project.type, project.template_id, project.owner_id, project.status],
        ["My API", "api", "rest-api-fastapi", "key1", "active"],
      );
      assert.deepStrictEqual(res.body.data!.files, ["README.md", "main.py", "requirements.txt"]);
      const main = await text(`projects/${project.id}/main.py`);
      assert.match(main, /postgresql:\/\/localhost:5432\/mydb/);
      assert.match(main, /FastAPI\(title="My API"\)/);
      // An optional variable not given stays a visible placeholder rather than silently becoming empty.
      assert.match(main, /\{\{project_description\}\}/);
    });

    it("answers an unknown template with 404 in seed 003's error format", async () => {
      const res = await fromTemplate({ template_id: "no-such-template" });
      assert.strictEqual(res.status, 404);
      assert.deepStrictEqual(
        { success: res.body.success, code: res.body.error!.code, message: res.body.error!.message },
        { success: false, code: "NOT_FOUND", message: "No template with id no-such-template" },
      );
      assert.strictEqual(res.body.request_id, "req-1");
      assert.strictEqual(res.body.timestamp, NOW.toISOString());
    });

    const bad: [string, Record<string, unknown>, string][] = [
      ["missing template_id", { template_id: undefined }, "$.template_id is required"],
      ["missing project_name", { project_name: undefined }, "$.project_name is required"],
      [
        "a variable that is not a string",
        { variables: { db_name: 5 } },
        "$.variables.db_name must be of type string, not integer",
      ],
      [
        "a required variable missing",
        { variables: {} },
        "$.variables.db_name is required by template rest-api-fastapi",
      ],
      [
        "an unknown variable",
        { variables: { db_name: "d", colour: "red" } },
        "$.variables.colour is not a variable of template rest-api-fastapi (it takes db_name, project_description, project_name)",
      ],
    ];
    for (const [what, change, message] of bad)
      it(`refuses ${what} with 400 naming the field`, async () => {
        const res = await fromTemplate(change);
        assert.deepStrictEqual(
          [res.status, res.body.error!.code, res.body.error!.message],
          [400, "VALIDATION_ERROR", message],
        );
      });

    it("copies again on a retried request, so a copy cut short is completed", async () => {
      const key = { "Idempotency-Key": `tpl-${randomBytes(4).toString("hex")}` };
      const first = await call(
        "POST",
        "/api/projects/from-template",
        { template_id: "web-app-react", project_name: "Shop" },
        key,
      );
      const id = (first.body.data!.project as { id: string }).id;
      await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `projects/${id}/src/App.jsx` }));
      const retry = await call(
        "POST",
        "/api/projects/from-template",
        { template_id: "web-app-react", project_name: "Shop" },
        key,
      );
      assert.strictEqual(retry.headers["idempotent-replayed"], "true");
      assert.deepStrictEqual(retry.body.data, first.body.data);
      assert.match(await text(`projects/${id}/src/App.jsx`), /<h1>Shop<\/h1>/);
    });
  });

  describe("GET /api/projects/{id}/files and /files/{path}", () => {
    let id: string;
    before(async () => {
      id = ((await fromTemplate()).body.data!.project as { id: string }).id;
    });

    it("lists every file with a short-lived pre-signed URL that downloads it", async () => {
      const res = await call("GET", `/api/projects/${id}/files`);
      assert.strictEqual(res.status, 200);
      const files = res.body.data!.files as { path: string; size: number; url: string; expires_in: number }[];
      assert.deepStrictEqual(
        files.map((f) => f.path),
        ["README.md", "main.py", "requirements.txt"],
      );
      assert.ok(files.every((f) => f.expires_in === 300 && f.size > 0));
      const main = files.find((f) => f.path === "main.py")!;
      assert.strictEqual(new URL(main.url).searchParams.get("X-Amz-Expires"), "300");
      assert.strictEqual(await (await fetch(main.url)).text(), await text(`projects/${id}/main.py`));
    });

    it("redirects one file to its pre-signed URL", async () => {
      const res = await call("GET", `/api/projects/${id}/files/main.py`);
      assert.strictEqual(res.status, 302);
      assert.strictEqual(res.headers.location, res.body.data!.location);
      assert.match(await (await fetch(res.headers.location)).text(), /FastAPI/);
    });

    it("answers a missing file or project with 404 and a path outside the project with 400", async () => {
      assert.strictEqual((await call("GET", `/api/projects/${id}/files/nope.py`)).status, 404);
      assert.strictEqual((await call("GET", "/api/projects/proj_nope/files")).status, 404);
      const escape = await call("GET", `/api/projects/${id}/files/a/../../secret`);
      assert.deepStrictEqual([escape.status, escape.body.error!.code], [400, "VALIDATION_ERROR"]);
    });
  });

  describe("GET /api/projects/{id}/events", () => {
    it("returns the project's messages after the cursor, in order, with the next cursor", async () => {
      const id = ((await fromTemplate()).body.data!.project as { id: string }).id;
      const log = new ProjectLog(dynamo.doc, dynamo.tableName, () => NOW);
      for (const status of ["queued", "running", "succeeded"] as const)
        await log.append({
          type: "agent_status",
          project_id: id,
          modification_id: "mod_1",
          agent: "pm",
          round: 0,
          status,
          at: NOW.toISOString(),
        });
      const all = await call("GET", `/api/projects/${id}/events`);
      const items = all.body.data!.items as { id: string; status: string }[];
      assert.deepStrictEqual(
        items.map((i) => [i.id, i.status]),
        [
          ["000000000001", "queued"],
          ["000000000002", "running"],
          ["000000000003", "succeeded"],
        ],
      );
      assert.strictEqual(all.body.data!.next_cursor, "000000000003");
      const after = await app({
        httpMethod: "GET",
        path: `/api/projects/${id}/events`,
        queryStringParameters: { after: "000000000001", limit: "1" },
      });
      const page = JSON.parse(after.body) as Body;
      assert.deepStrictEqual(
        (page.data!.items as { id: string }[]).map((i) => i.id),
        ["000000000002"],
      );
      assert.strictEqual(page.data!.next_cursor, "000000000002");
      const bad = await app({
        httpMethod: "GET",
        path: `/api/projects/${id}/events`,
        queryStringParameters: { after: "2" },
      });
      assert.strictEqual(bad.statusCode, 400);
      assert.strictEqual((await call("GET", "/api/projects/proj_nope/events")).status, 404);
    });
  });

  describe("POST /api/projects/{id}/ws-ticket", () => {
    it("issues a ticket bound to the project and a client id, expiring in minutes", async () => {
      const id = ((await fromTemplate()).body.data!.project as { id: string }).id;
      const res = await call("POST", `/api/projects/${id}/ws-ticket`, {});
      assert.strictEqual(res.status, 201);
      const data = res.body.data as {
        ticket: string;
        client_id: string;
        expires_in: number;
        expires_at: string;
      };
      assert.match(data.client_id, /^client_[0-9a-f]{24}$/);
      assert.strictEqual(data.expires_in, TICKET_TTL_SECONDS);
      assert.strictEqual(data.expires_at, new Date(NOW.getTime() + TICKET_TTL_SECONDS * 1000).toISOString());
      const nowSeconds = NOW.getTime() / 1000;
      const check = verifyTicket(KEY, data.ticket, { projectId: id, nowSeconds });
      assert.deepStrictEqual(check, {
        ok: true,
        claims: { projectId: id, clientId: data.client_id, expiresAt: nowSeconds + TICKET_TTL_SECONDS },
      });
      assert.deepStrictEqual(verifyTicket(KEY, data.ticket, { projectId: "proj_other", nowSeconds }), {
        ok: false,
        reason: "ticket is for another project",
      });
      const again = await call("POST", `/api/projects/${id}/ws-ticket`, { client_id: data.client_id });
      assert.strictEqual((again.body.data as { client_id: string }).client_id, data.client_id);
    });

    it("refuses a bad client id (400), a missing project (404), and answers 501 where tickets are off", async () => {
      const id = ((await fromTemplate()).body.data!.project as { id: string }).id;
      assert.strictEqual(
        (await call("POST", `/api/projects/${id}/ws-ticket`, { client_id: "x" })).status,
        400,
      );
      assert.strictEqual((await call("POST", "/api/projects/proj_nope/ws-ticket", {})).status, 404);
      const iam = await call("POST", `/api/projects/${id}/ws-ticket`, {}, {}, build());
      assert.deepStrictEqual([iam.status, iam.body.error!.code], [501, "NOT_IMPLEMENTED"]);
    });
  });

  describe("GET /api/projects/{id}/modifications/{modification_id}", () => {
    it("shows the modification's steps in order with links to their documents", async () => {
      const id = ((await fromTemplate()).body.data!.project as { id: string }).id;
      const mod = (await call("POST", `/api/projects/${id}/modify`, { request: "Add auth" })).body.data!;
      const modId = String(mod.id);
      assert.strictEqual(sent.length, 1);
      await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `plans/${modId}.json`, Body: "{}" }));
      const task = (agent: string, round: number, result: Record<string, unknown>, at: string) =>
        dynamo.doc.send(
          new PutCommand({
            TableName: dynamo.tableName,
            Item: {
              PK: `PROJECT#${id}`,
              SK: `TASK#${modId}-r${round}#${agent}`,
              task_id: `${modId}-r${round}`,
              agent,
              status: "succeeded",
              result,
              created_at: at,
              updated_at: at,
            },
          }),
        );
      await task("dev", 0, { artifacts: [`projects/${id}/main.py`] }, "2026-03-01T10:00:02Z");
      await task(
        "pm",
        0,
        { artifacts: [`plans/${modId}.json`], usage: { totalTokens: 9 } },
        "2026-03-01T10:00:01Z",
      );
      await task("dev", 1, { artifacts: [`projects/${id}/main.py`] }, "2026-03-01T10:00:04Z");
      const res = await call("GET", `/api/projects/${id}/modifications/${modId}`);
      assert.strictEqual(res.status, 200);
      const steps = res.body.data!.steps as { agent: string; round: number }[];
      assert.deepStrictEqual(
        steps.map((s) => [s.agent, s.round]),
        [
          ["pm", 0],
          ["dev", 0],
          ["dev", 1],
        ],
      );
      const links = res.body.data!.links as Record<string, string>;
      assert.deepStrictEqual(Object.keys(links), [`plans/${modId}.json`]);
      assert.strictEqual(await (await fetch(links[`plans/${modId}.json`])).text(), "{}");
      assert.strictEqual((await call("GET", `/api/projects/${id}/modifications/mod_nope`)).status, 404);
    });
  });
});
