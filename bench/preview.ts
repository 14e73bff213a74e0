// Wall time of `preview:offline --stack all` against the floor of loading @pulumi/pulumi and @pulumi/aws,
// both measured in this run as fresh processes. Target: at most 2x the floor. Writes bench/results/preview.md.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { machine, median } from "./machine";

const root = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function time(args: string[]): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    times.push(ms);
  }
  return times;
}

const floor = time(["-e", "require('@pulumi/pulumi'); require('@pulumi/aws');"]);
const preview = time(["-r", "./tools/register-ts.js", "tools/preview-offline.ts", "--stack", "all"]);
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

const f = median(floor);
const p = median(preview);
const ratio = p / f;
const report = [
  "# Offline preview benchmark",
  "",
  `Recorded ${new Date().toISOString().slice(0, 10)} on ${machine()}.`,
  `Median of ${RUNS} fresh processes each. Registered resources per stack: ${counts}.`,
  "",
  "| measure | median ms | min ms | max ms |",
  "| --- | ---: | ---: | ---: |",
  `| floor: load @pulumi/pulumi + @pulumi/aws | ${f.toFixed(0)} | ${Math.min(...floor).toFixed(0)} | ${Math.max(...floor).toFixed(0)} |`,
  `| preview:offline --stack all | ${p.toFixed(0)} | ${Math.min(...preview).toFixed(0)} | ${Math.max(...preview).toFixed(0)} |`,
  "",
  `Ratio: ${ratio.toFixed(2)}x the floor (target: at most 2x) - ${ratio <= 2 ? "met" : "NOT met"}.`,
  "",
  "Where one run's time goes (one child process; the first evaluation also loads the @pulumi/aws modules the",
  "program uses):",
  "",
  "| phase | ms |",
  "| --- | ---: |",
  ...phases.map(([what, ms]) => `| ${what} | ${ms} |`),
  "",
];
fs.mkdirSync(path.join(__dirname, "results"), { recursive: true });
fs.writeFileSync(path.join(__dirname, "results", "preview.md"), report.join("\n"));
console.log(report.join("\n"));
