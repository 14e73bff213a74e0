import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, Server } from "node:http";
import { createServer as createHttp2Server, Http2Server, ServerHttp2Stream } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AGENT_CONTAINER_ENV } from "../../contracts/agent-container";
import { buildAgentContainer, ContainerBundle } from "../../lib/agent-container-build";
import { taskKey } from "../../functions/agent-worker/task-store";
import { createDataTable, LocalDynamoServer, startDynalite } from "../../tools/local/dynamo";
import { listenOnLoopback } from "../../tools/local/loopback";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, LocalQueue, LocalSqs } from "../../tools/local/sqs";
import { freePort } from "../helpers/local-runner";

const E = AGENT_CONTAINER_ENV;
const CREDENTIALS = { accessKeyId: "x", secretAccessKey: "y" };
const TABLE = "agent-container-data";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The image's CMD, read from the Dockerfile: the bundle is started exactly so. */
function imageCmd(): string[] {
  const line = readFileSync("containers/agent/Dockerfile", "utf8")
    .split("\n")
    .find((l) => l.startsWith("CMD "));
  return JSON.parse(line!.slice(4)) as string[];
}

describe("the agent container's bundle, started as the image's CMD starts it", function () {
  this.timeout(60_000);
  let out: string;
  let bundle: ContainerBundle;
  let dynamo: LocalDynamoServer;
  let doc: DynamoDBDocumentClient;
  let sqs: LocalSqs;
  let queue: LocalQueue;
  /** Bedrock on loopback that never answers: a task is in the middle of a model call until it is stopped. */
  let bedrock: Http2Server;
  let bedrockUrl: string;
  const pending: ServerHttp2Stream[] = [];
  /** The ECS agent's task protection endpoint (ECS_AGENT_URI). */
  let ecsAgent: Server;
  let ecsAgentUrl: string;
  const protection: unknown[] = [];
  let child: ChildProcess | undefined;
  let logs = "";

  before(async () => {
    out = mkdtempSync(join(tmpdir(), "agent-container-"));
    // What the Dockerfile's build stage runs, into what its runtime stage copies to /app.
    bundle = await buildAgentContainer(out);
    dynamo = await startDynalite(LOCAL_REGION, CREDENTIALS);
    await createDataTable(dynamo.client, TABLE);
    doc = DynamoDBDocumentClient.from(dynamo.client);
    sqs = await new LocalSqs().start();
    queue = sqs.create("agents-dev", { visibilityTimeoutSeconds: 120, maxReceiveCount: 3 });
    bedrock = createHttp2Server();
    bedrock.on("stream", (stream) => {
      pending.push(stream);
      stream.on("error", () => undefined);
    });
    bedrockUrl = `http://127.0.0.1:${await listenOnLoopback(bedrock as unknown as Server)}`;
    ecsAgent = createHttpServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        if (req.method === "PUT" && req.url === "/task-protection/v1/state")
          protection.push(JSON.parse(body));
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    ecsAgentUrl = `http://127.0.0.1:${await listenOnLoopback(ecsAgent)}`;
  });
  after(async () => {
    child?.kill("SIGKILL");
    for (const s of pending) s.destroy();
    await Promise.all([
      dynamo?.close(),
      sqs?.close(),
      new Promise((resolve) => bedrock?.close(resolve)),
      new Promise((resolve) => ecsAgent?.close(resolve)),
    ]);
    rmSync(out, { recursive: true, force: true });
    rmSync(`${out}.build.json`, { force: true });
  });

  async function startContainer(port: number): Promise<ChildProcess> {
    const [command, ...args] = imageCmd();
    assert.equal(command, "node");
    // The image's /app is this test's output directory.
    const started = spawn(
      process.execPath,
      args.map((a) => a.replace(/^\/app\//, `${out}/`)),
      {
        cwd: out,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          PATH: process.env.PATH ?? "",
          NODE_ENV: "production",
          NODE_OPTIONS: "--enable-source-maps",
          AWS_REGION: LOCAL_REGION,
          AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          AWS_ENDPOINT_URL_SQS: sqs.endpoint,
          AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrockUrl,
          ECS_AGENT_URI: ecsAgentUrl,
          [E.serviceName]: "agent-dev-container",
          [E.metricsNamespace]: "AgentPlatform/Test",
          [E.agentName]: "dev",
          [E.tableName]: TABLE,
          [E.queueUrl]: queue.url,
          [E.continuationMarginSeconds]: "5",
          [E.llmApiKeySecretArn]: `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:secret:llm-key`,
          [E.modelId]: "amazon.nova-lite-v1:0",
          [E.modelCallReserveSeconds]: "1",
          [E.consumerTimeoutSeconds]: "60",
          [E.visibilityTimeoutSeconds]: "120",
          [E.healthPort]: String(port),
        },
      },
    );
    started.stdout!.on("data", (d: Buffer) => (logs += d.toString()));
    started.stderr!.on("data", (d: Buffer) => (logs += d.toString()));
    return started;
  }

  async function health(
    port: number,
  ): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    } catch {
      return undefined;
    }
  }

  const exited = (p: ChildProcess) =>
    new Promise<number | null>((resolve) => {
      // "close": the exit code, and every byte the process wrote read.
      if (p.exitCode !== null && p.stdout?.readableEnded !== false) resolve(p.exitCode);
      else p.once("close", (code) => resolve(code));
    });

  it("is one file with no node_modules beside it, built by the Dockerfile's own build script", () => {
    assert.ok(bundle.bytes > 100_000 && bundle.bytes < 5_000_000, `${bundle.bytes} bytes`);
    assert.match(bundle.sha256, /^[a-f0-9]{64}$/);
  });

  it("reuses the bundle while every input is unchanged, and rebuilds when an input or the bundle differs", async () => {
    // Unchanged: the same bundle, not written again (the preview asks for it on every run).
    const before = statSync(bundle.file).mtimeMs;
    assert.deepStrictEqual(await buildAgentContainer(out), bundle);
    assert.strictEqual(statSync(bundle.file).mtimeMs, before);
    // An input whose recorded content no longer matches, then a bundle edited by hand: rebuilt to the same bytes.
    const recordFile = `${out}.build.json`;
    const record = JSON.parse(readFileSync(recordFile, "utf8")) as { inputs: Record<string, string> };
    assert.ok(Object.keys(record.inputs).includes("functions/agent-worker/container.ts"));
    writeFileSync(
      recordFile,
      JSON.stringify({
        ...record,
        inputs: { ...record.inputs, "functions/agent-worker/container.ts": "stale" },
      }),
    );
    assert.deepStrictEqual(await buildAgentContainer(out), bundle);
    assert.deepStrictEqual(JSON.parse(readFileSync(recordFile, "utf8")), record);
    writeFileSync(bundle.file, "tampered");
    assert.deepStrictEqual(await buildAgentContainer(out), bundle);
    assert.notStrictEqual(readFileSync(bundle.file, "utf8"), "tampered");
  });

  it("answers GET /health with 200 while polling; SIGTERM mid-task continues the task and exits 0 well within 120 s", async () => {
    const port = await freePort();
    child = await startContainer(port);
    let up: Awaited<ReturnType<typeof health>>;
    for (let i = 0; i < 100 && !(up = await health(port)); i++) await sleep(100);
    assert.deepEqual(up, { status: 200, body: { status: "ok", busy: false } }, logs);
    assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);

    queue.send(JSON.stringify({ type: "generate", task_id: "t-spot", project_id: "proj_s", request: "x" }));
    const key = taskKey({ projectId: "proj_s", taskId: "t-spot" }, "dev");
    const item = async () => (await doc.send(new GetCommand({ TableName: TABLE, Key: key }))).Item;
    for (let i = 0; i < 100 && pending.length === 0; i++) await sleep(100);
    assert.equal(pending.length, 1, `the model call in flight\n${logs}`);
    assert.equal((await item())?.status, "running");
    assert.equal((await health(port))?.body.busy, true);
    assert.deepEqual(protection, [{ ProtectionEnabled: true, ExpiresInMinutes: 6 }]);

    const began = Date.now();
    child.kill("SIGTERM");
    const code = await exited(child);
    const ms = Date.now() - began;
    assert.equal(code, 0, logs);
    assert.ok(ms < 10_000, `exited ${ms} ms after SIGTERM`);
    assert.equal((await item())?.status, "continued");
    assert.equal(queue.messages.length, 1, "only the continuation is left");
    assert.equal(JSON.parse(queue.messages[0].body).sequence, 1);
    assert.deepEqual(protection.at(-1), { ProtectionEnabled: false });
  });

  it("refuses to start with an invalid environment: exit 2, naming the variable", async () => {
    const [, ...args] = imageCmd();
    const bad = spawn(
      process.execPath,
      args.map((a) => a.replace(/^\/app\//, `${out}/`)),
      {
        env: { PATH: process.env.PATH ?? "", [E.consumerTimeoutSeconds]: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let text = "";
    bad.stdout!.on("data", (d: Buffer) => (text += d.toString()));
    bad.stderr!.on("data", (d: Buffer) => (text += d.toString()));
    assert.equal(await exited(bad), 2);
    assert.match(text, /CONSUMER_TIMEOUT_SECONDS=\\"0\\": must be a whole number from 1 to 43200/);
  });
});
