// The test suite's time: `npm test` as each checkout's package.json runs it (wall and CPU), and the same spec
// files in one process with bench/suite-profile.js as reporter, so each spec file's wall and CPU time is known
// (in parallel mode a file's events reach the reporter only when it ends). Target: under 60 s on this
// project's 2-core machines, without dropping a test. Records bench/results/test-suite.md.
//
//   npm run bench -- test-suite
//   SUITE_CHECKOUTS="before=/path/to/other/checkout,after=." SUITE_ROUNDS=2 npm run bench -- test-suite
//   SUITE_JOBS=2,4 npm run bench -- test-suite     # also the first checkout with 2 and 4 worker processes
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
  /** `npm test` as the checkout runs it. */
  npmTest: { wallMs: number; treeCpuMs?: number; machineCpuMs?: number; passing?: number };
  wallMs: number;
  /** User + system time of mocha and the processes it waited for (GNU time); undefined without it. */
  treeCpuMs?: number;
  /** Busy CPU time of the whole machine during the one-process run. */
  machineCpuMs?: number;
  profile: Profile;
}

/** How many workers the checkout's `npm test` runs (its --jobs; mocha's default is one fewer than the cores). */
function npmTestJobs(dir: string): number {
  const test = (
    JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { scripts: { test: string } }
  ).scripts.test;
  const jobs = /--jobs[= ](\d+)/.exec(test)?.[1];
  return jobs ? Number(jobs) : Math.max(os.cpus().length - 1, 1);
}

/** The spec files in `jobs` worker processes (npm test's command with another --jobs). */
interface JobsRun {
  jobs: number;
  wallMs: number;
  machineCpuMs?: number;
  passing?: number;
}

const ROOT = path.resolve(__dirname, "..");
const REPORTER = path.join(__dirname, "suite-profile.js");
const TIME = "/usr/bin/time";

const checkouts = (process.env.SUITE_CHECKOUTS ?? `this=${ROOT}`).split(",").map((entry) => {
  const [label, dir] = entry.includes("=") ? entry.split("=") : [path.basename(entry), entry];
  return { label, dir: path.resolve(dir) };
});
const rounds = Number(process.env.SUITE_ROUNDS ?? 1);
const jobCounts = (process.env.SUITE_JOBS ?? "")
  .split(",")
  .filter(Boolean)
  .map((j) => {
    const n = Number(j);
    if (!Number.isInteger(n) || n < 1) throw new Error(`SUITE_JOBS: "${j}" is not a whole number of workers`);
    return n;
  });

/** Wall and tree CPU of `cmd` under GNU time (CPU undefined without it). */
function timed(cmd: string, args: string[], dir: string, env: NodeJS.ProcessEnv) {
  const withTime = fs.existsSync(TIME);
  const began = Date.now();
  const r = spawnSync(withTime ? TIME : cmd, withTime ? ["-f", "%U %S", cmd, ...args] : args, {
    cwd: dir,
    env,
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  const wallMs = Date.now() - began;
  const times = withTime ? /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(r.stderr) : null;
  return { r, wallMs, treeCpuMs: times ? (Number(times[1]) + Number(times[2])) * 1000 : undefined };
}

/**
 * Busy CPU time of the whole machine so far (user, nice, system, irq, softirq, steal from /proc/stat), in ms;
 * undefined off Linux. GNU time misses processes their parent never waited for (Chromium's renderers, the
 * esbuild service), a good share of the suite; on an otherwise idle machine this counts them.
 */
function machineBusyMs(): number | undefined {
  try {
    const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const ticks = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + (cpu[7] ?? 0);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * `cmd` in `dir` started as CI's fresh clone starts (no function bundles from an earlier run to reuse): its
 * result, wall and tree CPU (timed), and the machine's busy CPU time meanwhile.
 */
function coldRun(cmd: string, args: string[], dir: string, env: NodeJS.ProcessEnv) {
  fs.rmSync(path.join(dir, ".build", "functions"), { recursive: true, force: true });
  const before = machineBusyMs();
  const run = timed(cmd, args, dir, env);
  const after = machineBusyMs();
  return { ...run, machineCpuMs: before === undefined || after === undefined ? undefined : after - before };
}

/** The "N passing" count of a mocha run's output, when it got that far. */
function passingOf(stdout: string): { passing?: number } {
  const passing = /(\d+) passing/.exec(stdout)?.[1];
  return passing ? { passing: Number(passing) } : {};
}

/** The checkout's own mocha. */
function mochaOf(dir: string): string {
  return path.join(dir, "node_modules", "mocha", "bin", "mocha.js");
}

/** The checkout's `npm test`. */
function runNpmTest(dir: string): Run["npmTest"] {
  const { r, wallMs, treeCpuMs, machineCpuMs } = coldRun(
    "npm",
    ["test", "--", "--reporter", "dot"],
    dir,
    process.env,
  );
  return { wallMs, treeCpuMs, machineCpuMs, ...passingOf(r.stdout) };
}

/** The spec files in one process (--no-parallel), so the reporter sees each file as it runs. */
function runSuite(dir: string): Omit<Run, "npmTest"> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "suite-profile-")), "profile.json");
  const { r, wallMs, treeCpuMs, machineCpuMs } = coldRun(
    process.execPath,
    [mochaOf(dir), "test/**/*.spec.ts", "--no-parallel", "--reporter", REPORTER],
    dir,
    { ...process.env, SUITE_PROFILE_OUT: out },
  );
  if (!fs.existsSync(out))
    throw new Error(`the suite in ${dir} produced no profile (exit ${r.status}):\n${r.stderr}`);
  const profile = JSON.parse(fs.readFileSync(out, "utf8")) as Profile;
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return { wallMs, treeCpuMs, machineCpuMs, profile };
}

/** npm test's spec files in `jobs` worker processes. */
function runJobs(dir: string, jobs: number): JobsRun {
  const { r, wallMs, machineCpuMs } = coldRun(
    process.execPath,
    [mochaOf(dir), "--parallel", "--jobs", String(jobs), "test/**/*.spec.ts", "--reporter", "dot"],
    dir,
    process.env,
  );
  return { jobs, wallMs, machineCpuMs, ...passingOf(r.stdout) };
}

const loadBefore = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");
const runs = new Map<string, Run[]>(checkouts.map((c) => [c.label, []]));
const jobsRuns: JobsRun[] = [];
for (let round = 0; round < rounds; round++) {
  for (const jobs of jobCounts) {
    const run = runJobs(checkouts[0].dir, jobs);
    jobsRuns.push(run);
    console.log(
      `${checkouts[0].label} --jobs ${jobs} round ${round + 1}: ${(run.wallMs / 1000).toFixed(1)} s wall, ${run.passing ?? "?"} passing`,
    );
  }
  for (const c of checkouts) {
    const npmTest = runNpmTest(c.dir);
    const run = { ...runSuite(c.dir), npmTest };
    runs.get(c.label)!.push(run);
    console.log(
      `${c.label} round ${round + 1}: ${(run.wallMs / 1000).toFixed(1)} s wall, ` +
        `${run.treeCpuMs === undefined ? "?" : (run.treeCpuMs / 1000).toFixed(1)} s CPU, ` +
        `${run.profile.passing} passing, ${run.profile.failing} failing; npm test ` +
        `${(run.npmTest.wallMs / 1000).toFixed(1)} s wall, ${run.npmTest.passing ?? "?"} passing`,
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
  `${rounds} round(s), checkouts alternating, medians. Wall time stretches with other work on the machine; the CPU`,
  "time (user + system of mocha and the processes it waited for) much less, but it misses processes nobody",
  "waited for (Chromium's renderers, esbuild's service): the machine's busy CPU time during `npm test` counts",
  "them, and everything else that ran meanwhile. Target: `npm test` under 60 s wall on an idle 2-core",
  "machine, no test dropped. Every run starts without function bundles, as CI's clone does.",
  "",
  "| checkout | npm test wall s | npm test CPU s | machine busy CPU s | tests passing | failing | pending | one process: wall s | CPU s | machine busy CPU s | mocha-process CPU s |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...checkouts.map(({ label }) => {
    const rs = runs.get(label)!;
    const cpu = rs.every((r) => r.treeCpuMs !== undefined) ? median(rs.map((r) => r.treeCpuMs!)) : undefined;
    const p = rs[rs.length - 1].profile;
    const npmCpu = rs.every((r) => r.npmTest.treeCpuMs !== undefined)
      ? median(rs.map((r) => r.npmTest.treeCpuMs!))
      : undefined;
    const machineCpu = rs.every((r) => r.npmTest.machineCpuMs !== undefined)
      ? median(rs.map((r) => r.npmTest.machineCpuMs!))
      : undefined;
    const oneMachineCpu = rs.every((r) => r.machineCpuMs !== undefined)
      ? median(rs.map((r) => r.machineCpuMs!))
      : undefined;
    return `| ${label} | ${s(median(rs.map((r) => r.npmTest.wallMs)))} | ${s(npmCpu)} | ${s(machineCpu)} | ${p.passing} | ${p.failing} | ${p.pending} | ${s(median(rs.map((r) => r.wallMs)))} | ${s(cpu)} | ${s(oneMachineCpu)} | ${s(median(rs.map((r) => r.profile.processCpuMs)))} |`;
  }),
];
if (jobCounts.length > 0) {
  // npm test's own runs beside the others, so the table reads as one comparison.
  const ownJobs = npmTestJobs(checkouts[0].dir);
  const own = runs.get(checkouts[0].label)!.map((r) => ({ jobs: ownJobs, ...r.npmTest }));
  const cores = os.cpus().length;
  lines.push(
    "",
    `Worker processes (${checkouts[0].label}; npm test runs ${ownJobs}): each worker loads the modules and evaluates`,
    "the shared stacks its files need, so more workers cost more CPU; fewer leave a core idle while a file waits",
    `on a timer or a server (SQS visibility timeouts, bounded waits). Idle core-seconds: ${cores} x wall - machine`,
    "busy CPU.",
    "",
    "| workers | runs | wall s | machine busy CPU s | idle core-seconds | tests passing |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ...[...new Set([...jobCounts, ownJobs])]
      .sort((a, b) => a - b)
      .map((jobs) => {
        const rs = [...(jobs === ownJobs ? own : []), ...jobsRuns.filter((r) => r.jobs === jobs)];
        const wall = median(rs.map((r) => r.wallMs));
        const busy = rs.every((r) => r.machineCpuMs !== undefined)
          ? median(rs.map((r) => r.machineCpuMs!))
          : undefined;
        const idle = busy === undefined ? undefined : cores * wall - busy;
        return `| ${jobs} | ${rs.length} | ${s(wall)} | ${s(busy)} | ${s(idle)} | ${rs.map((r) => r.passing ?? "?").join(", ")} |`;
      }),
  );
}
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
