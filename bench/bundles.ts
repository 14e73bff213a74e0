/**
 * Size and cold initialisation time of each function's bundle.
 *
 * Initialisation is the time to load the bundle (require, module scope run: Powertools, SDK clients' code), in a
 * fresh Node process each time, with Lambda-like environment variables so Powertools starts as it does in Lambda
 * (tracing on). Node's own start-up is not included: Lambda's runtime is already up when it loads the handler.
 *
 * For the build choices in lib/build-functions.ts, the same handlers are also built (into .build/bench-variants)
 *  - with esbuild's default main fields (CommonJS builds of the SDK, no tree shaking), and
 *  - with the AWS SDK left out of the bundle and loaded from node_modules, as the Lambda runtime's copy would be;
 * and loaded with NODE_OPTIONS=--enable-source-maps, which makes stack traces point at the TypeScript.
 *
 *   npx ts-node --transpile-only bench/bundles.ts
 *
 * Writes bench/results/bundles.md.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { buildFunctions, FunctionName } from "../lib/build-functions";

const ROOT = join(__dirname, "..");
/** The ingestion pipeline's functions (build-functions.ts may build others, measured elsewhere). */
const PIPELINE_FUNCTIONS: readonly FunctionName[] = ["process", "vectorize"];
const SAMPLES = 21;
const TARGET_MS = 150;

const LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: "us-east-1",
  AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
  AWS_LAMBDA_FUNCTION_NAME: "agent-platform-bench",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024",
  AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
  AWS_XRAY_CONTEXT_MISSING: "IGNORE_ERROR",
  POWERTOOLS_SERVICE_NAME: "bench",
  POWERTOOLS_METRICS_NAMESPACE: "Bench",
  LOG_LEVEL: "INFO",
  PATH: process.env.PATH ?? "",
};

/** Loads `file` in a fresh process: the wall time and the CPU time (user + system) `require` took, in ms. */
function loadTime(file: string, extraEnv: Record<string, string> = {}): { wall: number; cpu: number } {
  const script = `const c = process.cpuUsage(); const t = process.hrtime.bigint(); const m = require(${JSON.stringify(file)}); const wall = Number(process.hrtime.bigint() - t) / 1e6; const u = process.cpuUsage(c); if (typeof m.handler !== "function") throw new Error("no handler"); process.stdout.write(JSON.stringify({ wall, cpu: (u.user + u.system) / 1000 }));`;
  const out = execFileSync(process.execPath, ["-e", script], {
    env: { ...LAMBDA_ENV, ...extraEnv },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return JSON.parse(out) as { wall: number; cpu: number };
}

interface Case {
  readonly file: string;
  readonly env?: Record<string, string>;
  /** Wall times, sorted once measured. */
  readonly times: number[];
  readonly cpu: number[];
}

/**
 * SAMPLES rounds, each loading every case once: interleaved, so load from other work on the machine spreads
 * evenly over the cases instead of falling on whichever ran at the wrong moment. CPU time is reported too: it is
 * what the load costs with a core to itself, as a Lambda function has.
 */
function measureAll(cases: readonly Case[]): void {
  for (let round = 0; round < SAMPLES; round++) {
    for (const c of cases) {
      const { wall, cpu } = loadTime(c.file, c.env);
      c.times.push(wall);
      c.cpu.push(cpu);
    }
  }
  for (const c of cases) {
    c.times.sort((a, b) => a - b);
    c.cpu.sort((a, b) => a - b);
  }
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)];
const p90 = (sorted: number[]) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))];
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

async function buildVariant(
  name: FunctionName,
  variant: "cjs-main-fields" | "sdk-external",
): Promise<string> {
  // Inside the repository so an external SDK resolves from its node_modules.
  const outfile = join(ROOT, ".build", "bench-variants", variant, name, "index.js");
  mkdirSync(join(outfile, ".."), { recursive: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, "functions", name, "index.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    logLevel: "silent",
    ...(variant === "sdk-external"
      ? { mainFields: ["module", "main"], external: ["@aws-sdk/*", "@smithy/*"] }
      : {}),
  });
  return outfile;
}

function machine(): string {
  const cpu = cpus();
  // The load average shows whether other work shared the machine during the run.
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  return `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, Node ${process.version}, ${process.platform}/${process.arch}; load average at start ${load}`;
}

async function main(): Promise<void> {
  const bundles = await buildFunctions({ metafile: true });
  const lines = [
    "# Bundle size and cold initialisation",
    "",
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Machine: ${machine()}`,
    "- Command: `npx ts-node --transpile-only bench/bundles.ts`",
    `- Initialisation: time to \`require\` the bundle in a fresh Node process (Node start-up excluded), ${SAMPLES} processes per row, all rows interleaved; Lambda-like environment (AWS_EXECUTION_ENV set, so Powertools Tracer starts with tracing on). Target: under ${TARGET_MS} ms.`,
    "",
    "| function | index.js | gzip | source map | init min | init median | init p90 | init CPU time (median) | median under target |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  const composition: string[] = [];
  const variants: string[] = [];
  const cases = new Map<string, Case>();
  const add = (key: string, file: string, env?: Record<string, string>) =>
    cases.set(key, { file, ...(env ? { env } : {}), times: [], cpu: [] });
  for (const name of PIPELINE_FUNCTIONS) {
    add(`${name}`, bundles[name].bundle);
    add(`${name} maps`, bundles[name].bundle, { NODE_OPTIONS: "--enable-source-maps" });
    add(`${name} cjs`, await buildVariant(name, "cjs-main-fields"));
    add(`${name} external`, await buildVariant(name, "sdk-external"));
  }
  measureAll([...cases.values()]);
  const timesOf = (key: string) => (cases.get(key) as Case).times;

  for (const name of PIPELINE_FUNCTIONS) {
    const bundle = bundles[name];
    const js = readFileSync(bundle.bundle);
    const times = timesOf(name);
    const cpu = (cases.get(name) as Case).cpu;
    lines.push(
      `| ${name} | ${kib(bundle.bytes)} | ${kib(gzipSync(js).length)} | ${kib(statSync(`${bundle.bundle}.map`).size)} | ${times[0].toFixed(0)} ms | ${median(times).toFixed(0)} ms | ${p90(times).toFixed(0)} ms | ${median(cpu).toFixed(0)} ms | ${median(times) < TARGET_MS ? "yes" : "no"} |`,
    );
    console.log(
      `${name}: ${kib(bundle.bytes)}, init min ${times[0].toFixed(0)} ms, median ${median(times).toFixed(0)} ms, p90 ${p90(times).toFixed(0)} ms`,
    );

    const byPackage = new Map<string, number>();
    const output = Object.values(bundle.metafile?.outputs ?? {}).find((o) => o.entryPoint !== undefined);
    for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match ? match[1] : "functions/ (this repository)";
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
    const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8);
    composition.push(`| ${name} | ${top.map(([p, b]) => `${p} ${kib(b)}`).join(", ")} |`);

    const cjs = cases.get(`${name} cjs`) as Case;
    const external = cases.get(`${name} external`) as Case;
    variants.push(
      `| ${name} | ${median(times).toFixed(0)} ms | ${median(timesOf(`${name} maps`)).toFixed(0)} ms | ${kib(statSync(cjs.file).size)}, ${median(cjs.times).toFixed(0)} ms | ${kib(statSync(external.file).size)} + SDK from node_modules, ${median(external.times).toFixed(0)} ms |`,
    );
  }
  lines.push(
    "",
    "Largest contributors to each bundle (minified bytes):",
    "",
    "| function | packages |",
    "|---|---|",
    ...composition,
    "",
    "Build choices (median init):",
    "",
    "| function | as built (ES module builds, tree-shaken) | same, with NODE_OPTIONS=--enable-source-maps | CommonJS main fields | AWS SDK not bundled |",
    "|---|---:|---:|---:|---:|",
    ...variants,
    "",
  );
  writeFileSync(join(ROOT, "bench", "results", "bundles.md"), lines.join("\n"));
  console.log(lines.join("\n"));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
