// Wall time of `preview:offline --stack all` against the floor of loading @pulumi/pulumi and @pulumi/aws,
// both measured in this run as fresh processes. Target: at most 2x the floor. Writes bench/results/preview.md.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { defaultJobs } from "../tools/preview-offline";
import { machine, median } from "./machine";

const root = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

interface Timing {
  wall: number[];
  cpu: number[];
}

/** Wall and CPU time (user + system, all threads) of RUNS fresh processes. */
function time(args: string[], env: Record<string, string> = {}): Timing {
  const t: Timing = { wall: [], cpu: [] };
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["-r", "./bench/cpu-report.js", ...args], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, ...env },
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    t.wall.push(ms);
    t.cpu.push(Number(/CPU_MS (\d+)/.exec(r.stderr)?.[1] ?? NaN));
  }
  return t;
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const loadBefore = load();
const floor = time(["-e", "require('@pulumi/pulumi'); require('@pulumi/aws');"]);
const previewArgs = ["-r", "./tools/register-ts.js", "tools/preview-offline.ts", "--stack", "all"];
// The CLI's default: one thread per idle core (worker threads preview stacks in parallel).
const jobsAtStart = defaultJobs();
const preview = time(previewArgs);
// Every stack in one thread: the least CPU time.
const previewOneThread = time(previewArgs, { PREVIEW_OFFLINE_JOBS: "1" });
// One thread per core, whatever the load.
const cores = os.availableParallelism();
const previewAllCores = time(previewArgs, { PREVIEW_OFFLINE_JOBS: String(cores) });
const loadAfter = load();
const jsonFile = path.join(fs.mkdtempSync(path.join(require("os").tmpdir(), "bench-")), "preview.json");
spawnSync(
  process.execPath,
  ["-r", "./tools/register-ts.js", "tools/preview-offline.ts", "--stack", "all", "--json", jsonFile],
  { cwd: root },
);
const doc = JSON.parse(fs.readFileSync(jsonFile, "utf8"));
const counts = (doc.stacks as { stack: string; resources: unknown[] }[])
  .map((s) => `${s.stack} ${s.resources.length}`)
  .join(", ");

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
      const ev = await evaluateProgram({ program: input.main, project: input.project, stack, config: input.config,
        secretKeys: input.secretKeys, region: input.region, accountId: "123456789012", sourceRoots: [process.cwd()] });
      rows.push([stack + ": evaluate the program (" + ev.resources.length + " resources)", Date.now() - t]);
      t = Date.now();
      await runPolicies(pack.policies, ev.resources, pack);
      rows.push([stack + ": run " + pack.policies.length + " policies", Date.now() - t]);
    }
    process.stdout.write("PHASES " + JSON.stringify(rows));
  })();`;
const phaseRun = spawnSync(process.execPath, ["-r", "./tools/register-ts.js", "-e", phasesScript], {
  cwd: root,
  encoding: "utf8",
});
const phases = JSON.parse(phaseRun.stdout.slice(phaseRun.stdout.indexOf("PHASES ") + 7)) as [
  string,
  number,
][];

const f = median(floor.wall);
const p = median(preview.wall);
const ratio = p / f;
const row = (what: string, t: Timing) =>
  `| ${what} | ${median(t.wall).toFixed(0)} | ${Math.min(...t.wall).toFixed(0)} | ${Math.max(...t.wall).toFixed(0)} | ${median(t.cpu).toFixed(0)} |`;
const report = [
  "# Offline preview benchmark",
  "",
  `Recorded ${new Date().toISOString().slice(0, 10)} on ${machine()}; load average ${loadBefore} before, ${loadAfter} after`,
  "(other work on the machine lengthens the wall times; the CPU times, user + system of every thread, much less).",
  `Median of ${RUNS} fresh processes each. Registered resources per stack: ${counts}.`,
  "",
  "| measure | median ms | min ms | max ms | median CPU ms |",
  "| --- | ---: | ---: | ---: | ---: |",
  row("floor: load @pulumi/pulumi + @pulumi/aws", floor),
  row(
    `preview:offline --stack all (default: one thread per idle core, ${jobsAtStart} at the start)`,
    preview,
  ),
  row("preview:offline --stack all, PREVIEW_OFFLINE_JOBS=1 (one thread)", previewOneThread),
  row(`preview:offline --stack all, PREVIEW_OFFLINE_JOBS=${cores} (one thread per core)`, previewAllCores),
  "",
  `Ratio: ${ratio.toFixed(2)}x the floor (target: at most 2x) - ${ratio <= 2 ? "met" : "NOT met"}.`,
  "",
  "Where one thread's time goes (one child process, every stack in turn; the first evaluation also loads the",
  "@pulumi/aws modules the program uses, the first policy run compiles the pack's code):",
  "",
  "| phase | ms |",
  "| --- | ---: |",
  ...phases.map(([what, ms]) => `| ${what} | ${ms} |`),
  "",
];
fs.mkdirSync(path.join(__dirname, "results"), { recursive: true });
fs.writeFileSync(path.join(__dirname, "results", "preview.md"), report.join("\n"));
console.log(report.join("\n"));
