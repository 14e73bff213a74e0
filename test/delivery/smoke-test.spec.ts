import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../tools/smoke-test";
import { tamperedSignature } from "../../tools/smoke/api-checks";
import { SMOKE_DOCUMENT, SMOKE_FOLDER, uploadSessionPolicy } from "../../tools/smoke/pipeline-checks";
import { Check, runChecks, selectChecks, SmokeFailure, verdict } from "../../tools/smoke/run";
import { previousUpdate, smokeSummary } from "../../tools/smoke/summary";
import { targetFromOutputs, TargetError } from "../../tools/smoke/target";
import { documentId } from "../../functions/vectorize/vector-ids";
import { FakeApiGateway } from "../functions/helpers/fake-api-gateway";
import { bedrockError } from "../functions/helpers/fake-bedrock";
import { Runner, startRunner } from "../helpers/local-runner";
import { LocalPipeline, startLocalPipeline } from "../helpers/local-pipeline";
import { REPO_ROOT } from "../helpers/offline";

/*
 * The smoke test the deploy workflow runs after each stack's update (tools/smoke-test.ts). No stack exists
 * here, so its requests go where a stack's would, to the same code on loopback: the REST and WebSocket checks to
 * `npm run -s local` (the api-handler, the ticket authorizer and the ws function behind local API Gateways), the
 * pipeline checks to the real process and vectorize handlers fed by the local S3's notifications, and the AWS
 * calls (GetApiKey, AssumeRole, HeadObject, GetSecretValue) to loopback servers of those APIs. The CLI runs as
 * the workflow runs it: `npm run -s smoke`, a child process, judged by its exit code and what it printed.
 */

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function smoke(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  const child = spawn("npm", ["run", "-s", "smoke", "--", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, GITHUB_ACTIONS: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.once("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
}

/** An entry of `pulumi stack history --json`: an update with its message and the commit it deployed. */
function update(version: number, message: string, head = "", result = "succeeded") {
  return { version, kind: "update", result, message, environment: { "git.head": head } };
}

/** The status each check ended with, from the lines `[name] passed|FAILED|skipped`. */
function statuses(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdout.matchAll(/^\[([\w-]+)\] (passed|FAILED|skipped)/gm)) out[m[1]] = m[2];
  return out;
}

describe("smoke test after a deploy (tools/smoke-test.ts)", function () {
  this.timeout(120_000);
  let runner: Runner;
  let pipeline: LocalPipeline;
  let apiGateway: FakeApiGateway;
  let dir: string;

  before(async () => {
    [runner, pipeline, apiGateway] = await Promise.all([
      startRunner(),
      startLocalPipeline(),
      new FakeApiGateway().start(),
    ]);
    apiGateway.keys.set("k3y1d", { value: runner.endpoints.apiKey, enabled: true });
    dir = mkdtempSync(join(tmpdir(), "smoke-test-"));
  });
  after(async () => {
    if (runner && runner.child.exitCode === null) await runner.stop();
    await Promise.all([pipeline?.close(), apiGateway?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    pipeline.bedrock.clearFaults();
    pipeline.upstash.namespaces.clear();
  });

  /** A stack's outputs as `pulumi stack output --json` prints them, its endpoints the local ones. */
  const stackOutputs = () => ({
    apiUrl: runner.endpoints.apiUrl,
    apiKeyId: "k3y1d",
    websocketUrl: runner.endpoints.wsUrl,
    ...pipeline.outputs,
    environment: "dev",
  });

  /** A `pulumi` on PATH that answers `stack output --json --stack <s>` with `outputs`, and logs its arguments. */
  function fakePulumi(outputs: object): { path: string; calls: () => string[] } {
    const bin = mkdtempSync(join(dir, "bin-"));
    writeFileSync(join(bin, "outputs.json"), JSON.stringify(outputs));
    writeFileSync(join(bin, "pulumi"), `#!/bin/sh\necho "$*" >> "${bin}/calls"\ncat "${bin}/outputs.json"\n`);
    chmodSync(join(bin, "pulumi"), 0o755);
    return {
      path: `${bin}:${process.env.PATH}`,
      calls: () => readFileSync(join(bin, "calls"), "utf8").trim().split("\n"),
    };
  }

  it("passes every check against a stack's outputs: key by id, project, WebSocket, one document to the index", async () => {
    // Prepare
    const pulumi = fakePulumi(stackOutputs());
    const summary = join(dir, "summary-pass.md");
    // Act
    const run = await smoke(["--stack", "ORG/dev", "--summary", summary, "--poll", "0.2"], {
      ...pipeline.env,
      AWS_ENDPOINT_URL_API_GATEWAY: apiGateway.url,
      PATH: pulumi.path,
    });
    // Assess
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.deepEqual(statuses(run.stdout), {
      health: "passed",
      "api-key": "passed",
      "project-create": "passed",
      "websocket-ticket": "passed",
      "websocket-bad-ticket": "passed",
      "project-delete": "passed",
      "pipeline-upload": "passed",
      "pipeline-processed": "passed",
      "pipeline-vectorized": "passed",
    });
    assert.deepEqual(pulumi.calls(), ["stack output --json --stack ORG/dev"]);
    // Every check says what it did and what it saw.
    assert.match(run.stdout, /^\[health\] GET \/health -> 200 /m);
    assert.match(
      run.stdout,
      /^\[api-key\] GetApiKey k3y1d \(includeValue\) -> .*enabled true, a value of 40 characters$/m,
    );
    assert.match(run.stdout, /^\[project-create\] POST \/api\/projects \{.*\} -> 201 /m);
    assert.match(run.stdout, /^\[websocket-ticket\] <- \{"type":"resumed","project_id":"proj_\w+"/m);
    assert.match(run.stdout, /^\[websocket-bad-ticket\] open ws:\/\/\S+ -> 403 \(refused\)$/m);
    assert.match(run.stdout, /^\[project-delete\] GET \/api\/projects\/proj_\w+ -> 404 /m);
    assert.match(
      run.stdout,
      /^\[pipeline-upload\] PUT s3:\/\/pipeline-raw-local\/uploads\/smoke-test\/smoke\.md \(pre-signed, \d+ bytes\) -> 200 ETag \w+$/m,
    );
    assert.match(
      run.stdout,
      /^\[pipeline-processed\] HeadObject s3:\/\/pipeline-processed-local\/documents\/smoke-test\/smoke\.md@\w+\.jsonl -> 200, chunk-count 1/m,
    );
    assert.match(
      run.stdout,
      /^\[pipeline-vectorized\] range [0-9a-f]{32}- \(includeData\) -> 1 of 1 vectors, holding smoke-marker-/m,
    );
    assert.match(run.stdout, /^smoke test passed: 9 checks$/m);
    // Neither the key nor a whole ticket is printed.
    assert.ok(!run.stdout.includes(runner.endpoints.apiKey), "the API key is not in the output");
    assert.doesNotMatch(run.stdout, /ticket=v1\./);
    // The key was asked for with its value; the upload's session was narrowed to the smoke test's folder.
    assert.equal(apiGateway.requests.at(-1)!.query.get("includeValue"), "true");
    const assumed = pipeline.sts.assumed.at(-1)!;
    assert.equal(assumed.RoleArn, pipeline.outputs.uploaderRoleArn);
    assert.equal(assumed.DurationSeconds, "900");
    assert.deepEqual(
      JSON.parse(assumed.Policy).Statement[0].Resource,
      `arn:aws:s3:::pipeline-raw-local/uploads/${SMOKE_FOLDER}*`,
    );
    // The document went through both functions; its vectors were indexed, then deleted again.
    await pipeline.settled();
    assert.deepEqual(
      pipeline.vectorize.outcomes().map((o) => [o.outcome, o.sourceKey]),
      [["done", `uploads/${SMOKE_FOLDER}${SMOKE_DOCUMENT}`]],
    );
    assert.equal(pipeline.upstash.commands("upsert").length, 1);
    assert.equal(pipeline.upstash.vectors(pipeline.namespace).size, 0, "no smoke vector left in the index");
    assert.match(readFileSync(summary, "utf8"), /^### Smoke test: ORG\/dev passed\n/);
    assert.doesNotMatch(readFileSync(summary, "utf8"), /Promotion stopped/);
  });

  it("fails with a wrong API key: exit 1 naming project-create, and skips what needs the project", async () => {
    // Prepare
    const outputs = join(dir, "local.json");
    writeFileSync(outputs, `${JSON.stringify(runner.endpoints)}\n`);
    // Act
    const run = await smoke(["--outputs", outputs, "--api-key", "not-the-key"]);
    // Assess
    assert.equal(run.code, 1);
    assert.deepEqual(statuses(run.stdout), {
      health: "passed",
      "project-create": "FAILED",
      "websocket-ticket": "skipped",
      "websocket-bad-ticket": "skipped",
      "project-delete": "skipped",
      pipeline: "skipped",
    });
    assert.match(
      run.stdout,
      /^\[project-create\] POST \/api\/projects .* -> 403 \{"message":"Forbidden"\}$/m,
    );
    assert.equal(
      run.stderr.trim(),
      'smoke test failed: project-create (POST /api/projects answered 403 {"message":"Forbidden"}, expected 201: ' +
        "is the API key the stack's (output apiKeyId) and enabled in its usage plan?)",
    );
  });

  it("passes the REST and WebSocket checks against the local runner's own line (its key, no pipeline)", async () => {
    const outputs = join(dir, "local-ok.json");
    writeFileSync(outputs, `${JSON.stringify(runner.endpoints)}\n`);
    const run = await smoke(["--outputs", outputs]);
    assert.equal(run.code, 0, run.stdout);
    assert.match(
      run.stdout,
      /^\[pipeline\] skipped \(the target has no ingestion pipeline: no rawBucketName output\)$/m,
    );
    assert.match(run.stdout, /^smoke test passed: 5 checks$/m);
  });

  it("fails the pipeline within its bound when documents are not vectorized, stops promotion and says how to roll back", async () => {
    // Prepare: the embedding model refuses every call, so the vectorize function indexes nothing; and an earlier
    // run's vector of the same document is still in the index (its clean-up failed), which must not count.
    pipeline.bedrock.inject(
      bedrockError(403, "AccessDeniedException", "not authorized to invoke the model"),
      100,
    );
    const docId = documentId(pipeline.outputs.rawBucketName, `uploads/${SMOKE_FOLDER}${SMOKE_DOCUMENT}`);
    pipeline.upstash.vectors(pipeline.namespace).set(`${docId}-0-stale`, {
      id: `${docId}-0-stale`,
      vector: [],
      data: "# Smoke test of an earlier run. Marker: smoke-marker-20260101T000000Z-abcdef.",
    });
    const pulumi = fakePulumi(stackOutputs());
    const history = join(dir, "history.json");
    writeFileSync(
      history,
      JSON.stringify([
        update(12, "deploy main (run 900)", "c0ffee12"),
        update(11, "deploy 1234abc (run 800)", "1234abc", "failed"),
        { ...update(10, "deploy main (run 700)", "900d900d"), startTime: "2026-12-01T10:00:00Z" },
        { version: 9, kind: "refresh", result: "succeeded", message: "", environment: {} },
      ]),
    );
    const summary = join(dir, "summary-fail.md");
    // Act
    const run = await smoke(
      [
        "--stack",
        "ORG/staging",
        "--checks",
        "pipeline",
        // The bound the processed document must arrive within: generous, as a machine running the other test
        // files at the same time can take seconds to process it; the vectorized check then waits it out.
        "--pipeline-timeout",
        "8",
        "--poll",
        "0.2",
        "--summary",
        summary,
        "--history",
        history,
        "--run-id",
        "900",
        "--rollback-url",
        "https://github.com/OWNER/REPO/blob/main/docs/deployment.md#rollback",
      ],
      { ...pipeline.env, PATH: pulumi.path },
    );
    // Assess
    assert.equal(run.code, 1, run.stdout);
    assert.deepEqual(statuses(run.stdout), {
      "pipeline-upload": "passed",
      "pipeline-processed": "passed",
      "pipeline-vectorized": "FAILED",
    });
    assert.match(
      run.stderr,
      /^smoke test failed: pipeline-vectorized \(vectors with prefix [0-9a-f]{32}- in namespace local: not there after \d s \(the bound\)\)$/m,
    );
    assert.ok(run.ms < 30_000, `bounded: took ${run.ms} ms`);
    const text = readFileSync(summary, "utf8");
    assert.match(text, /^### Smoke test: ORG\/staging FAILED$/m);
    assert.match(text, /^\| pipeline-vectorized \| \*\*failed\*\* \| vectors with prefix /m);
    assert.match(
      text,
      /\*\*Promotion stopped:\*\* the stacks after ORG\/staging are not deployed by this run\./,
    );
    assert.match(
      text,
      /\(\[docs\/deployment\.md#rollback\]\(https:\/\/github\.com\/OWNER\/REPO\/blob\/main\/docs\/deployment\.md#rollback\)\)/,
    );
    // This run's own update (900) is skipped, and so is the failed one: the previous good commit is 900d900d.
    assert.match(
      text,
      /`ref` = `900d900d`, the commit of this stack's previous update \(run 700, 2026-12-01T10:00:00Z;/,
    );
  });

  it("exits 2, naming each missing output, when a stack exports a pipeline without what the checks need", async () => {
    const outputs: Record<string, unknown> = stackOutputs();
    delete outputs.processedPrefix;
    delete outputs.vectorNamespace;
    const file = join(dir, "partial.json");
    writeFileSync(file, JSON.stringify(outputs));
    const summary = join(dir, "summary-partial.md");
    const err: string[] = [];
    const code = await main(["--outputs", file, "--summary", summary], {
      out: () => undefined,
      err: (line) => err.push(line),
      env: {},
    });
    assert.equal(code, 2);
    assert.deepEqual(err, [
      "smoke-test: output processedPrefix is missing, and the pipeline checks need it; " +
        "output vectorNamespace is missing, and the pipeline checks need it",
    ]);
    assert.match(
      readFileSync(summary, "utf8"),
      /The smoke test could not run: output processedPrefix is missing/,
    );
    assert.match(readFileSync(summary, "utf8"), /Promotion stopped/);
  });

  it("masks the API key in GitHub Actions logs before anything could print it", async () => {
    const pulumi = fakePulumi(stackOutputs());
    const run = await smoke(["--stack", "ORG/dev", "--checks", "project"], {
      AWS_ENDPOINT_URL_API_GATEWAY: apiGateway.url,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_REGION: "us-east-1",
      PATH: pulumi.path,
      GITHUB_ACTIONS: "true",
    });
    assert.equal(run.code, 0, run.stdout);
    const lines = run.stdout.split("\n");
    const mask = lines.indexOf(`::add-mask::${runner.endpoints.apiKey}`);
    assert.ok(mask >= 0, "the key is masked");
    assert.ok(mask < lines.findIndex((l) => l.startsWith("[project-create]")), "before the key is used");
  });
});

describe("smoke test: its parts", () => {
  const check = (name: string, outcome: "pass" | "fail", needs: string[] = [], group = name): Check => ({
    name,
    group,
    needs,
    run: async () => {
      if (outcome === "fail") throw new SmokeFailure(`${name} saw something wrong`);
      return `${name} fine`;
    },
  });

  it("skips a check whose prerequisite did not pass, and still runs one that needs only what passed", async () => {
    const lines: string[] = [];
    const results = await runChecks(
      [
        check("create", "pass"),
        check("socket", "fail", ["create"]),
        check("socket-2", "pass", ["socket"]),
        check("delete", "pass", ["create"]),
      ],
      (l) => lines.push(l),
    );
    assert.deepEqual(
      results.map((r) => [r.name, r.status]),
      [
        ["create", "passed"],
        ["socket", "failed"],
        ["socket-2", "skipped"],
        ["delete", "passed"],
      ],
    );
    assert.deepEqual(verdict(results), {
      ok: false,
      line: "smoke test failed: socket (socket saw something wrong)",
    });
    assert.ok(lines.includes("[socket-2] skipped (not run: needs socket)"));
    assert.deepEqual(verdict(results.filter((r) => r.name !== "socket")).ok, true);
  });

  it("selects the chosen groups and every check they need", () => {
    const all = [
      check("health", "pass"),
      check("create", "pass", [], "project"),
      check("ticket", "pass", ["create"], "websocket"),
      check("delete", "pass", ["create"], "project"),
    ];
    assert.deepEqual(
      selectChecks(all, ["websocket"]).map((c) => c.name),
      ["create", "ticket"],
    );
    assert.deepEqual(
      selectChecks(all, ["health"]).map((c) => c.name),
      ["health"],
    );
    assert.equal(selectChecks(all, undefined).length, 4);
  });

  it("reads the target from stack outputs or the local runner's line, flags first, every problem at once", () => {
    const stack = targetFromOutputs(
      {
        apiUrl: "https://abc.execute-api.eu-west-1.amazonaws.com/live/",
        apiKeyId: "k1",
        websocketUrl: "wss://ws.execute-api.eu-west-1.amazonaws.com/live",
        websocketClientPolicyArn: "arn:aws:iam::1:policy/ws",
      },
      {},
      "prod",
    );
    assert.deepEqual(stack, {
      label: "prod",
      apiUrl: "https://abc.execute-api.eu-west-1.amazonaws.com/live",
      apiKeyId: "k1",
      websocket: { url: "wss://ws.execute-api.eu-west-1.amazonaws.com/live", authorization: "iam" },
      region: "eu-west-1",
    });
    const local = targetFromOutputs(
      { apiUrl: "http://127.0.0.1:1", wsUrl: "ws://127.0.0.1:2", apiKey: "k" },
      { apiKey: "x" },
      "l",
    );
    assert.deepEqual(
      [local.apiKey, local.apiKeyId, local.websocket],
      ["x", undefined, { url: "ws://127.0.0.1:2", authorization: "ticket" }],
    );
    assert.throws(
      () => targetFromOutputs({ apiUrl: "ftp://x", websocketUrl: "https://not-ws" }, {}, "bad"),
      (e: unknown) =>
        e instanceof TargetError &&
        e.message ===
          'output apiUrl "ftp://x" is not a https: or http:// URL; neither output apiKeyId nor apiKey is present (give --api-key); ' +
            'output websocketUrl "https://not-ws" is not a wss: or ws:// URL',
    );
  });

  it("names the previous successful deploy of the stack, not this run's and not a failed one", () => {
    const history = [
      update(5, "deploy main (run 42)", "aaa"),
      update(4, "manual fix", "bbb"),
      { ...update(3, "deploy v1.2 (run 41)"), environment: {} },
    ];
    assert.deepEqual(previousUpdate(history, "42"), { ref: "v1.2", runId: "41" });
    assert.deepEqual(previousUpdate(history, "7"), { ref: "aaa", runId: "42" });
    assert.equal(previousUpdate({ not: "a list" }, "42"), undefined);
    const failed = smokeSummary({
      stack: "dev",
      results: [{ name: "health", status: "failed", detail: "GET /health answered 502 | bad", ms: 3 }],
      rollbackUrl: "docs/deployment.md#rollback",
    });
    assert.match(failed, /^\| health \| \*\*failed\*\* \| GET \/health answered 502 \\\| bad \|$/m);
    assert.match(failed, /`ref` = the last good commit/);
  });

  it("tampers with the signature's first character, which changes the signature's bytes", () => {
    const ticket = "v1.eyJwIjoieCJ9.Qk9vT2s0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM";
    const forged = tamperedSignature(ticket);
    assert.equal(forged.slice(0, ticket.lastIndexOf(".") + 1), ticket.slice(0, ticket.lastIndexOf(".") + 1));
    assert.notDeepEqual(
      Buffer.from(forged.split(".")[2], "base64url"),
      Buffer.from(ticket.split(".")[2], "base64url"),
    );
    assert.equal(tamperedSignature("v1.c.Abc"), "v1.c.Bbc");
  });

  it("narrows the upload session to the smoke test's folder in the role's partition", () => {
    const policy = JSON.parse(
      uploadSessionPolicy({
        rawBucket: "raw",
        processedBucket: "p",
        uploadPrefix: "in/",
        processedPrefix: "out/",
        uploaderRoleArn: "arn:aws-us-gov:iam::1:role/u",
        upstashSecretArn: "arn:aws-us-gov:secretsmanager:us-gov-west-1:1:secret:s",
        vectorNamespace: "n",
      }),
    );
    assert.deepEqual(policy.Statement[0], {
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: "arn:aws-us-gov:s3:::raw/in/smoke-test/*",
    });
  });
});
