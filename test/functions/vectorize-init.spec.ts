import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

describe("functions/vectorize cold init", () => {
  it("loads the telemetry and the batch handler only: the runtime and its SDK clients wait for the first invocation", () => {
    // Prepare: a fresh process, as a Lambda container's init.
    const script = `
      require(${JSON.stringify(join(ROOT, "functions", "vectorize", "index.ts"))});
      const loaded = Object.keys(require.cache);
      const has = (part) => loaded.some((f) => f.includes(part));
      process.stdout.write(JSON.stringify({
        runtime: has("functions/vectorize/runtime.ts"),
        bedrock: has("@aws-sdk/client-bedrock-runtime"),
        upstash: has("@upstash/vector"),
        batch: has("functions/shared/sqs-batch.ts"),
      }));`;
    // Act
    const out = execFileSync(process.execPath, ["-r", join(ROOT, "tools", "register-ts.js"), "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, POWERTOOLS_SERVICE_NAME: "test", POWERTOOLS_METRICS_NAMESPACE: "Test" },
    });
    // Assess
    assert.deepEqual(JSON.parse(out), { runtime: false, bedrock: false, upstash: false, batch: true });
  });
});
