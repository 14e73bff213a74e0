import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { createTelemetry } from "../../functions/shared/telemetry";

/** Runs `act` with these environment variables set, capturing what is written to stdout. */
async function captureStdout(
  env: Record<string, string>,
  act: () => void | Promise<void>,
): Promise<string[]> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(
      ...String(chunk)
        .split("\n")
        .filter((l) => l !== ""),
    );
    return true;
  }) as typeof process.stdout.write;
  try {
    await act();
  } finally {
    process.stdout.write = write;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return lines;
}

describe("functions/shared/telemetry (Powertools)", () => {
  it("writes structured JSON logs and EMF metrics in the configured namespace", async () => {
    // Prepare + Act
    const lines = await captureStdout(
      {
        POWERTOOLS_SERVICE_NAME: "pipeline-test",
        POWERTOOLS_METRICS_NAMESPACE: "AgentPlatform/Test",
        LOG_LEVEL: "INFO",
        // Powertools counts cold starts only in on-demand Lambda environments.
        AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      },
      () => {
        const telemetry = createTelemetry("fallback");
        const end = telemetry.begin({ functionName: "agent-platform-dev-process", awsRequestId: "req-1" });
        telemetry.log.info("record done", { messageId: "m0", outcome: "done" });
        telemetry.log.debug("not shown at INFO");
        telemetry.count("Documents");
        telemetry.count("Chunks", 12);
        telemetry.milliseconds("Latency", 42);
        end();
      },
    );
    // Assess
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const log = records.find((r) => r.message === "record done");
    assert.ok(log, "the log line is JSON");
    assert.equal(log.level, "INFO");
    assert.equal(log.service, "pipeline-test");
    assert.equal(log.messageId, "m0");
    assert.equal(log.function_request_id, "req-1");
    assert.equal(records.filter((r) => r.message === "not shown at INFO").length, 0);

    const emf = records.filter((r) => "_aws" in r);
    const metrics = emf.find((r) => "Documents" in r) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string; Unit: string }[] }[] };
    };
    assert.ok(metrics, "an EMF document carries the metrics");
    assert.equal(metrics._aws.CloudWatchMetrics[0].Namespace, "AgentPlatform/Test");
    assert.equal(metrics.Documents, 1);
    assert.equal(metrics.Chunks, 12);
    assert.equal(metrics.service, "pipeline-test");
    assert.deepEqual(metrics._aws.CloudWatchMetrics[0].Metrics.map((m) => [m.Name, m.Unit]).sort(), [
      ["Chunks", "Count"],
      ["Documents", "Count"],
      ["Latency", "Milliseconds"],
    ]);
    assert.ok(
      emf.some((r) => r.ColdStart === 1),
      "the cold start is counted on the first invocation",
    );
  });

  /** In a fresh process with `env`: whether the X-Ray SDK got loaded, and whether a client came back traced. */
  function tracerLoaded(env: Record<string, string>): { xray: boolean; traced: boolean } {
    const root = path.resolve(__dirname, "..", "..");
    const script = `
      const { createTelemetry } = require("./functions/shared/telemetry");
      let used = 0;
      const client = { middlewareStack: { remove() {}, use() { used++; } }, config: {} };
      createTelemetry("probe").traceClient(client);
      const traced = used > 0;
      const xray = Object.keys(require.cache).some((f) => f.includes("aws-xray-sdk-core"));
      process.stdout.write(JSON.stringify({ xray, traced }));`;
    const env2 = { ...process.env, ...env };
    if (!("AWS_EXECUTION_ENV" in env)) delete env2.AWS_EXECUTION_ENV;
    const r = spawnSync(process.execPath, ["-r", "./tools/register-ts.js", "-e", script], {
      cwd: root,
      env: env2,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { xray: boolean; traced: boolean };
  }

  it("loads the X-Ray SDK only in an AWS execution environment, where Powertools traces", () => {
    // Outside AWS the SDK's process-wide async hook would only slow every promise down.
    assert.deepEqual(tracerLoaded({}), { xray: false, traced: false });
    assert.deepEqual(tracerLoaded({ AWS_EXECUTION_ENV: "AWS_Lambda_nodejs20.x" }), {
      xray: true,
      traced: true,
    });
  });
});
