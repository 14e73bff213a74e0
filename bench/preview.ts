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
];
fs.mkdirSync(path.join(__dirname, "results"), { recursive: true });
fs.writeFileSync(path.join(__dirname, "results", "preview.md"), report.join("\n"));
console.log(report.join("\n"));
