import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SourceMap } from "node:module";
import { functionBundles } from "../../components/lambda/function";
import { buildFunctions, FUNCTION_NAMES, ownSourceMap } from "../../lib/build-functions";
import { fixture, sqsEvent } from "./helpers/events";

/** Loads a bundle in a fresh Node process with `env` and calls its handler with `event`. */
function invokeBundle(
  bundle: string,
  env: Record<string, string>,
  event: unknown,
): { ok: boolean; value: unknown } {
  const script = `
        const { handler } = require(process.argv[1]);
        handler(JSON.parse(process.argv[2])).then(
            (value) => process.stdout.write("\\nRESULT " + JSON.stringify({ ok: true, value })),
            (error) => process.stdout.write("\\nRESULT " + JSON.stringify({ ok: false, value: String(error && error.message) })),
        );`;
  const output = execFileSync(process.execPath, ["-e", script, bundle, JSON.stringify(event)], {
    env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1", ...env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(output.slice(output.lastIndexOf("\nRESULT ") + 8)) as { ok: boolean; value: unknown };
}

describe("lib/build-functions", function () {
  this.timeout(60_000);
  const a = mkdtempSync(join(tmpdir(), "bundles-a-"));
  let first: Awaited<ReturnType<typeof buildFunctions>>;
  before(async () => {
    first = await buildFunctions({ outDir: a });
  });
  after(() => rmSync(a, { recursive: true, force: true }));

  it("builds byte-for-byte identical bundles and source maps, whatever the output directory", async () => {
    // Act: the build the program deploys (.build/functions, once per process), beside this one in a temp dir.
    const second = await functionBundles();
    // Assess
    for (const name of FUNCTION_NAMES) {
      assert.equal(first[name].sha256, second[name].sha256, name);
      assert.ok(first[name].bytes > 10_000, `${name} bundle has content`);
      assert.deepEqual(readFileSync(first[name].bundle), readFileSync(second[name].bundle));
      assert.deepEqual(readFileSync(`${first[name].bundle}.map`), readFileSync(`${second[name].bundle}.map`));
      assert.equal(first[name].bundle, join(a, name, "index.js"));
      assert.match(readFileSync(first[name].bundle, "utf8"), /\/\/# sourceMappingURL=index\.js\.map\s*$/);
    }
  });

  it("reuses a bundle whose inputs are unchanged and rebuilds when an input or the bundle differs", async () => {
    // Prepare: the build in `a` recorded its inputs beside the process function's directory.
    const recordFile = join(a, "process.build.json");
    const record = JSON.parse(readFileSync(recordFile, "utf8")) as {
      inputs: Record<string, string>;
      sha256: string;
    };
    assert.ok(Object.keys(record.inputs).includes("functions/process/index.ts"));
    assert.ok(Object.keys(record.inputs).some((i) => i.startsWith("node_modules/@aws-sdk/client-s3/")));
    // The builder is an input too: other options or another esbuild make other bytes.
    assert.ok(
      ["lib/build-functions.ts", "node_modules/esbuild/package.json"].every((i) => i in record.inputs),
    );
    // Act: an input whose recorded content no longer matches, and a bundle edited by hand.
    writeFileSync(
      recordFile,
      JSON.stringify({ ...record, inputs: { ...record.inputs, "functions/process/index.ts": "stale" } }),
    );
    writeFileSync(first.vectorize.bundle, "tampered");
    const again = await buildFunctions({ outDir: a });
    // Assess: both were rebuilt to the same bytes, and the record is current again.
    assert.equal(again.process.sha256, first.process.sha256);
    assert.equal(again.vectorize.sha256, first.vectorize.sha256);
    assert.notEqual(readFileSync(first.vectorize.bundle, "utf8"), "tampered");
    assert.deepEqual(JSON.parse(readFileSync(recordFile, "utf8")), record);
    // Act: a record an older builder wrote, which did not list the builder among its inputs.
    const { "lib/build-functions.ts": _builder, ...older } = record.inputs;
    writeFileSync(recordFile, JSON.stringify({ ...record, inputs: older }));
    await buildFunctions({ outDir: a, only: ["process"] });
    // Assess: not reused, rebuilt and recorded in full.
    assert.deepEqual(JSON.parse(readFileSync(recordFile, "utf8")), record);
  });

  it("keeps source mappings for this repository's code only, and they point at the TypeScript lines", () => {
    // Prepare
    const js = readFileSync(first.vectorize.bundle, "utf8");
    const payload = JSON.parse(readFileSync(`${first.vectorize.bundle}.map`, "utf8")) as {
      sources: string[];
    };
    const at = js.indexOf("record skipped");
    const generatedLine = js.slice(0, at).split("\n").length - 1;
    const generatedColumn = at - (js.lastIndexOf("\n", at) + 1);
    // Act
    const entry = new SourceMap(payload as never).findEntry(generatedLine, generatedColumn) as {
      originalSource?: string;
      originalLine?: number;
    };
    // Assess
    assert.ok(
      payload.sources.length > 5 &&
        payload.sources.every((s) => /^\.\.\/\.\.\/\.\.\/(functions|contracts)\//.test(s)),
    );
    assert.equal(entry.originalSource, "../../../functions/shared/sqs-batch.ts");
    const line = readFileSync(join(__dirname, "../../functions/shared/sqs-batch.ts"), "utf8").split("\n")[
      entry.originalLine ?? -1
    ];
    assert.match(line, /record skipped/);
  });

  it("ownSourceMap drops dependency mappings, ending the previous mapping where they start", () => {
    // Prepare: generated columns 0 (a.ts 0:0), 5 (node_modules 0:0), 9 (a.ts 1:2, name "x").
    const map = {
      version: 3,
      sources: ["a.ts", "../node_modules/x/index.js"],
      names: ["x"],
      mappings: "AAAA,KCAA,IDCEA",
    };
    // Act
    const reduced = JSON.parse(ownSourceMap(JSON.stringify(map))) as typeof map;
    // Assess
    assert.deepEqual(reduced.sources, ["a.ts"]);
    assert.deepEqual(reduced.names, ["x"]);
    const sm = new SourceMap(reduced as never);
    assert.deepEqual(
      [0, 5, 9].map((c) => (sm.findEntry(0, c) as { originalLine?: number }).originalLine),
      [0, undefined, 1],
    );
  });

  it("produces self-contained bundles whose handler acknowledges the S3 test event and fails fast on a bad environment", async () => {
    // Prepare
    const bundles = first;
    const event = sqsEvent([JSON.stringify(fixture("s3-test-event.json"))]);
    const common = {
      POWERTOOLS_SERVICE_NAME: "bundle-test",
      POWERTOOLS_METRICS_NAMESPACE: "Test",
      LOG_LEVEL: "SILENT",
      POWERTOOLS_METRICS_DISABLED: "true",
    };
    // Act
    const processed = invokeBundle(
      bundles.process.bundle,
      { ...common, RAW_BUCKET: "raw-bucket", PROCESSED_BUCKET: "processed-bucket" },
      event,
    );
    const vectorized = invokeBundle(
      bundles.vectorize.bundle,
      {
        ...common,
        RAW_BUCKET: "raw-bucket",
        PROCESSED_BUCKET: "processed-bucket",
        UPSTASH_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:upstash",
        UPSTASH_NAMESPACE: "test",
      },
      event,
    );
    const misconfigured = invokeBundle(
      bundles.process.bundle,
      { ...common, MAX_OBJECT_BYTES: "huge" },
      event,
    );
    // Assess
    assert.deepEqual(processed, { ok: true, value: { batchItemFailures: [] } });
    assert.deepEqual(vectorized, { ok: true, value: { batchItemFailures: [] } });
    assert.equal(misconfigured.ok, false);
    assert.match(
      String(misconfigured.value),
      /RAW_BUCKET is not set[\s\S]*PROCESSED_BUCKET is not set[\s\S]*MAX_OBJECT_BYTES = "huge"/,
    );
  });
});
