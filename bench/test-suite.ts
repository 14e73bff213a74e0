// The test suite's time: `npm test` (mocha over test/**/*.spec.ts, one process) with bench/suite-profile.js
// as its reporter, so each spec file's wall and CPU time is known. Target: under 60 s on this project's
// 2-core machines, without dropping a test. Records bench/results/test-suite.md.
//
//   npm run bench -- test-suite
//   SUITE_CHECKOUTS="before=/path/to/other/checkout,after=." SUITE_ROUNDS=2 npm run bench -- test-suite
//
// With several checkouts (each with its node_modules) the runs alternate, so they meet the same load. Each run
// starts without .build/functions, as CI's fresh clone does.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { machine, median } from "./machine";

interface Profile {
  passing: number;
  failing: number;
  pending: number;
  failures: string[];
  processCpuMs: number;
  files: Array<{ file: string; wallMs: number; cpuMs: number }>;
}

interface Run {
  wallMs: number;
  /** User + system time of mocha and the processes it waited for (GNU time); undefined without it. */
  treeCpuMs?: number;
  profile: Profile;
}

const ROOT = path.resolve(__dirname, "..");
const REPORTER = path.join(__dirname, "suite-profile.js");
const TIME = "/usr/bin/time";

const checkouts = (process.env.SUITE_CHECKOUTS ?? `this=${ROOT}`).split(",").map((entry) => {
  const [label, dir] = entry.includes("=") ? entry.split("=") : [path.basename(entry), entry];
  return { label, dir: path.resolve(dir) };
});
const rounds = Number(process.env.SUITE_ROUNDS ?? 1);

function runSuite(dir: string): Run {
  // As in CI's fresh clone: no function bundles from an earlier run to reuse.
  fs.rmSync(path.join(dir, ".build", "functions"), { recursive: true, force: true });
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "suite-profile-")), "profile.json");
  const mocha = [
    path.join(dir, "node_modules", "mocha", "bin", "mocha.js"),
    "test/**/*.spec.ts",
    "--reporter",
    REPORTER,
  ];
  const timed = fs.existsSync(TIME);
  const began = Date.now();
  const r = spawnSync(
    timed ? TIME : process.execPath,
    timed ? ["-f", "%U %S", process.execPath, ...mocha] : mocha,
    {
      cwd: dir,
      env: { ...process.env, SUITE_PROFILE_OUT: out },
      encoding: "utf8",
      maxBuffer: 64 * 2 ** 20,
    },
  );
  const wallMs = Date.now() - began;
  if (!fs.existsSync(out))
    throw new Error(`the suite in ${dir} produced no profile (exit ${r.status}):\n${r.stderr}`);
  const profile = JSON.parse(fs.readFileSync(out, "utf8")) as Profile;
  const times = timed ? /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(r.stderr) : null;
  return { wallMs, treeCpuMs: times ? (Number(times[1]) + Number(times[2])) * 1000 : undefined, profile };
}

const loadBefore = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");
const runs = new Map<string, Run[]>(checkouts.map((c) => [c.label, []]));
for (let round = 0; round < rounds; round++) {
  for (const c of checkouts) {
    const run = runSuite(c.dir);
    runs.get(c.label)!.push(run);
    console.log(
      `${c.label} round ${round + 1}: ${(run.wallMs / 1000).toFixed(1)} s wall, ` +
        `${run.treeCpuMs === undefined ? "?" : (run.treeCpuMs / 1000).toFixed(1)} s CPU, ` +
        `${run.profile.passing} passing, ${run.profile.failing} failing`,
    );
  }
}
const loadAfter = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");

const s = (ms: number | undefined) => (ms === undefined ? "?" : (ms / 1000).toFixed(1));
const lines = [
  "# Test suite benchmark (`npm test`)",
  "",
  `Recorded ${new Date().toISOString().slice(0, 10)} on ${machine()}; load average ${loadBefore} before, ${loadAfter} after.`,
  `${rounds} round(s), checkouts alternating. Wall time stretches with other work on the machine; the CPU time`,
  "(user + system of mocha and the processes it waited for) much less. Target: under 60 s wall on an idle",
  "2-core machine, no test dropped.",
  "",
  "| checkout | tests passing | failing | pending | median wall s | median CPU s | median mocha-process CPU s |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...checkouts.map(({ label }) => {
    const rs = runs.get(label)!;
    const cpu = rs.every((r) => r.treeCpuMs !== undefined) ? median(rs.map((r) => r.treeCpuMs!)) : undefined;
    const p = rs[rs.length - 1].profile;
    return `| ${label} | ${p.passing} | ${p.failing} | ${p.pending} | ${s(median(rs.map((r) => r.wallMs)))} | ${s(cpu)} | ${s(median(rs.map((r) => r.profile.processCpuMs)))} |`;
  }),
];
for (const { label } of checkouts) {
  const p = runs.get(label)![runs.get(label)!.length - 1].profile;
  const files = [...p.files].sort((a, b) => b.cpuMs - a.cpuMs);
  lines.push(
    "",
    `Spec files by the mocha process's CPU time (${label}, last round; a file that first loads a module or`,
    "evaluates a shared stack pays for it):",
    "",
    "| spec file | CPU s | wall s |",
    "| --- | ---: | ---: |",
    ...files.slice(0, 15).map((f) => `| ${f.file} | ${s(f.cpuMs)} | ${s(f.wallMs)} |`),
    `| (${files.length - 15} other files) | ${s(files.slice(15).reduce((a, f) => a + f.cpuMs, 0))} | ${s(files.slice(15).reduce((a, f) => a + f.wallMs, 0))} |`,
  );
  if (p.failures.length > 0) lines.push("", "Failures:", ...p.failures.map((f) => `- ${f}`));
}
const text = lines.join("\n") + "\n";
fs.mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true });
fs.writeFileSync(path.join(ROOT, "bench", "results", "test-suite.md"), text);
console.log(text);
