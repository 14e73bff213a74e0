// Wall time of `npm run preview:offline -- --stack all` against the floor of loading @pulumi/pulumi and
// @pulumi/aws, both measured in this run as fresh processes. Target: at most 2x the floor. Also measured: the
// preview with a thread per core, the least time the SDK itself needs to register as many (trivial)
// resources as the stacks have, and the same-count floor: the same command on a program of as many bare SQS
// queues as each stack has resources (it pays loading, the SDK's registration, the pack's start and its
// queue policies). Target: at most 1.25x the same-count floor. Writes bench/results/preview.md.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { machine, median } from "./machine";

const root = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

interface Timing {
  wall: number[];
  cpu: number[];
}

/**
 * Wall and CPU time (user + system, all threads) of RUNS fresh processes, after one that is not counted (it
 * fills the esbuild transform cache of tools/register-ts.js, and the disk cache, as any earlier run has).
 */
function time(args: string[], env: Record<string, string> = {}, okStatus = [0]): Timing {
  const t: Timing = { wall: [], cpu: [] };
  for (let i = -1; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["-r", "./bench/cpu-report.js", ...args], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, ...env },
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (!okStatus.includes(r.status ?? -1))
      throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    if (i < 0) continue;
    t.wall.push(ms);
    t.cpu.push(Number(/CPU_MS (\d+)/.exec(r.stderr)?.[1] ?? NaN));
  }
  return t;
}

/** The node options and script of the `preview:offline` npm script, so the benchmark runs what it runs. */
function previewScript(): string[] {
  const script = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts[
    "preview:offline"
  ] as string;
  const [node, ...args] = script.split(/\s+/);
  if (node !== "node") throw new Error(`preview:offline does not start with node: ${script}`);
  return args;
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const loadBefore = load();
const LOAD_BOTH = "require('@pulumi/pulumi'); require('@pulumi/aws');";
const floor = time(["-e", LOAD_BOTH]);
const previewArgs = [...previewScript(), "--stack", "all"];
const preview = time(previewArgs);
const cores = os.availableParallelism();
const previewAllCores = time(previewArgs, { PREVIEW_OFFLINE_JOBS: String(cores) });
const loadAfter = load();
const jsonFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "preview.json");
spawnSync(process.execPath, [...previewArgs, "--json", jsonFile], { cwd: root });
const doc = JSON.parse(fs.readFileSync(jsonFile, "utf8"));
const stackSizes = (doc.stacks as { stack: string; resources: unknown[] }[]).map(
  (s) => [s.stack, s.resources.length] as const,
);
const counts = stackSizes.map(([s, n]) => `${s} ${n}`).join(", ");

/**
 * The same-count floor: a program that registers, for each stack, as many bare queues as the stack has
 * resources (less the stack and its provider), run by the same command. Its directory links the repository's
 * node_modules, so @pulumi/aws is the same module; it lies outside them, so it runs afresh for each stack.
 */
const sameCountDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-same-count-"));
fs.symlinkSync(path.join(root, "node_modules"), path.join(sameCountDir, "node_modules"));
const sameCountProgram = path.join(sameCountDir, "queues.js");
fs.writeFileSync(
  sameCountProgram,
  `const pulumi = require("@pulumi/pulumi");
const aws = require("@pulumi/aws");
const counts = ${JSON.stringify(Object.fromEntries(stackSizes.map(([s, n]) => [s, n - 2])))};
for (let i = 0; i < counts[pulumi.getStack()]; i++) new aws.sqs.Queue("q" + i);
`,
);
// Exit 1: the pack reports the bare queues (no DLQ, no TLS-only policy).
const sameCount = time([...previewArgs, "--program", sameCountProgram], {}, [0, 1]);

/**
 * The SDK's own cost of registering as many resources as the stacks have, each a queue with two properties,
 * through the same evaluation as the preview (its mocks and monitor), one evaluation per stack: what no
 * preview that runs the real SDK can go below, besides loading it.
 */
const registrationScript = `
  Error.stackTraceLimit = 1;
  const aws = require("@pulumi/aws");
  const { evaluateProgram } = require("./tools/offline/evaluate");
  (async () => {
    const t = Date.now();
    for (const n of ${JSON.stringify(stackSizes.map(([, n]) => n - 2))}) {
      await evaluateProgram({
        program: () => { for (let i = 0; i < n; i++) new aws.sqs.Queue("q" + i, { delaySeconds: 1, tags: { Project: "p" } }); },
        project: "p", stack: "s", config: { "aws:region": "us-east-1" }, secretKeys: [], region: "us-east-1",
        accountId: "123456789012", sourceRoots: [] });
    }
    process.stdout.write("REGISTRATION_MS " + (Date.now() - t));
  })();`;
const registration: number[] = [];
for (let i = -1; i < RUNS; i++) {
  const r = spawnSync(process.execPath, [...previewScript().slice(0, -1), "-e", registrationScript], {
    cwd: root,
    encoding: "utf8",
  });
  const ms = Number(/REGISTRATION_MS (\d+)/.exec(r.stdout)?.[1]);
  if (!Number.isFinite(ms)) throw new Error(`registration floor failed: ${r.stderr}`);
  if (i >= 0) registration.push(ms);
}

/** Where one run's time goes, measured in a child process (fresh module cache, like the CLI). */
const phasesScript = `
  Error.stackTraceLimit = 1;
  const { loadPack } = require("./tools/offline/preview");
  const { readStack, listStacks } = require("./tools/offline/stack-files");
  const { evaluateProgram } = require("./tools/offline/evaluate");
  const { runPolicies } = require("./tools/offline/policy-harness");
  (async () => {
    const rows = [];
    let t = Date.now();
    const pack = loadPack(process.cwd());
    rows.push(["load the policy pack", Date.now() - t]);
    for (const stack of listStacks(process.cwd())) {
      const input = readStack(process.cwd(), stack);
      t = Date.now();
      const program = process.env.PHASES_PROGRAM || input.main;
      const ev = await evaluateProgram({ program, project: input.project, stack, config: input.config,
        secretKeys: input.secretKeys, region: input.region, accountId: "123456789012",
        sourceRoots: [process.cwd(), require("path").dirname(program)] });
      rows.push([stack + ": evaluate the program (" + ev.resources.length + " resources)", Date.now() - t]);
      t = Date.now();
      await runPolicies(pack.policies, ev.resources, pack);
      rows.push([stack + ": run " + pack.policies.length + " policies", Date.now() - t]);
    }
    process.stdout.write("PHASES " + JSON.stringify(rows));
  })();`;
const phasesOf = (program?: string) => {
  const run = spawnSync(process.execPath, [...previewScript().slice(0, -1), "-e", phasesScript], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, PHASES_PROGRAM: program ?? "" },
  });
  return JSON.parse(run.stdout.slice(run.stdout.indexOf("PHASES ") + 7)) as [string, number][];
};
const phases = phasesOf();
const sameCountPhases = phasesOf(sameCountProgram);

const f = median(floor.wall);
const sameCountRatio = median(preview.wall) / median(sameCount.wall);
const p = median(preview.wall);
const ratio = p / f;
const sdkBound = f + median(registration);
const row = (what: string, t: Timing) =>
  `| ${what} | ${median(t.wall).toFixed(0)} | ${Math.min(...t.wall).toFixed(0)} | ${Math.max(...t.wall).toFixed(0)} | ${median(t.cpu).toFixed(0)} |`;
const report = [
  "# Offline preview benchmark",
  "",
  `Recorded ${new Date().toISOString().slice(0, 10)} on ${machine()}; load average ${loadBefore} before, ${loadAfter} after`,
  "(other work on the machine lengthens the wall times; the CPU times, user + system of every thread, much less).",
  `Median of ${RUNS} fresh processes each; the preview runs as \`npm run preview:offline\` runs it (\`node ${previewScript().join(" ")}\`),`,
  "after one uncounted run. Registered resources per stack:",
  `${counts}.`,
  "",
  "| measure | median ms | min ms | max ms | median CPU ms |",
  "| --- | ---: | ---: | ---: | ---: |",
  row("floor: load @pulumi/pulumi + @pulumi/aws (plain node)", floor),
  row("preview:offline --stack all (default: one thread)", preview),
  row(`preview:offline --stack all, PREVIEW_OFFLINE_JOBS=${cores} (one thread per core)`, previewAllCores),
  row("same-count floor: preview:offline --stack all on as many bare SQS queues", sameCount),
  "",
  `Ratio to the same-count floor: ${sameCountRatio.toFixed(2)}x (target: at most 1.25x) - ${sameCountRatio <= 1.25 ? "met" : "NOT met"}.`,
  `Ratio: ${ratio.toFixed(2)}x the floor (target: at most 2x) - ${ratio <= 2 ? "met" : "NOT met"}.`,
  "",
  `The SDK alone: registering ${stackSizes.reduce((a, [, n]) => a + n - 2, 0)} queues of two properties each (as many`,
  "resources as the stacks, one evaluation per stack, through the preview's own mocks and monitor) takes",
  `${median(registration).toFixed(0)} ms (median; min ${Math.min(...registration).toFixed(0)}, max ${Math.max(...registration).toFixed(0)}) after loading. With the floor that is`,
  `${sdkBound.toFixed(0)} ms, ${(sdkBound / f).toFixed(2)}x the floor, before any real property, Output between resources, program logic or policy.`,
  "",
  "Where one thread's time goes (one child process, every stack in turn; the first evaluation also loads the",
  "@pulumi/aws modules the program uses, the first policy run compiles the pack's code):",
  "",
  "| phase | ms | same-count floor: phase | ms |",
  "| --- | ---: | --- | ---: |",
  ...phases.map(
    ([what, ms], i) =>
      `| ${what} | ${ms} | ${sameCountPhases[i]?.[0] ?? ""} | ${sameCountPhases[i]?.[1] ?? ""} |`,
  ),
  "",
];
fs.mkdirSync(path.join(__dirname, "results"), { recursive: true });
fs.writeFileSync(path.join(__dirname, "results", "preview.md"), report.join("\n"));
console.log(report.join("\n"));
