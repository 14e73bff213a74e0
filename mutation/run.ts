import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/*
 * `npm run test:mutation [-- <group> ...]`: runs StrykerJS once per module group (mutation/groups/<group>.conf.mjs,
 * every group when none is named), one group at a time (`--force`: every mutant again, not only those whose code
 * or covering tests changed; needed after adding tests, as a module-level mutant has no covering tests to
 * compare), then records each module's score in
 * mutation/results.json and mutation/results.md, and prints the mutants that survived. Exits 1 when a module
 * scores under the target, so the scheduled workflow turns red.
 */

const ROOT = path.join(__dirname, "..");
const GROUPS_DIR = path.join(ROOT, "mutation", "groups");
const RESULTS_JSON = path.join(ROOT, "mutation", "results.json");
const RESULTS_MD = path.join(ROOT, "mutation", "results.md");
/** Killed and timed-out mutants over all valid ones, per module. */
export const TARGET_SCORE = 85;

export interface Counts {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Mutants that do not compile or crash the runner: not valid, not in the score. */
  invalid: number;
  /** Prose mutants excluded by mutation/ignore-prose.mjs. */
  ignored: number;
}

export interface ModuleResult extends Counts {
  group: string;
  score: number;
  date: string;
  commit: string;
}

interface Mutant {
  status: string;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number } };
}

export function countStatuses(mutants: readonly Mutant[]): Counts {
  const c: Counts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, invalid: 0, ignored: 0 };
  for (const m of mutants) {
    if (m.status === "Killed") c.killed++;
    else if (m.status === "Timeout") c.timeout++;
    else if (m.status === "Survived") c.survived++;
    else if (m.status === "NoCoverage") c.noCoverage++;
    else if (m.status === "Ignored") c.ignored++;
    else if (m.status === "CompileError" || m.status === "RuntimeError") c.invalid++;
    else throw new Error(`mutant status ${JSON.stringify(m.status)} is not one StrykerJS 9 reports`);
  }
  return c;
}

/** The mutation score in percent, one decimal: detected (killed, timed out) over valid mutants. */
export function score(c: Counts): number {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  return valid === 0 ? 100 : Math.round((1000 * (c.killed + c.timeout)) / valid) / 10;
}

/** `movedFrom`: the module's path when "before" was measured, if the code moved since (renamed or split). */
type Results = Record<string, { before: ModuleResult; after: ModuleResult; movedFrom?: string }>;

/** The results file as markdown: one row per module, its first recorded run ("before") and its latest. */
export function renderResults(results: Results): string {
  const rows = Object.entries(results)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, { before, after, movedFrom }]) => {
      const valid = after.killed + after.timeout + after.survived + after.noCoverage;
      return (
        `| \`${file}\`${movedFrom ? ` (before: \`${movedFrom}\`)` : ""} | ${after.group} | ${before.score} % | ${after.score} % | ${valid} | ${after.killed} | ` +
        `${after.timeout} | ${after.survived} | ${after.noCoverage} | ${after.ignored} | ${after.date} ${after.commit} |`
      );
    });
  return [
    "# Mutation testing results",
    "",
    "Written by `npm run test:mutation [-- <group>]` (StrykerJS 9.6.1, mutation/groups/*.conf.mjs). Score: killed",
    "and timed-out mutants over valid ones (killed + timeout + survived + no coverage), measured against the",
    `group's specs only. Target: ${TARGET_SCORE} % per module. "before" is the module's first recorded run; the`,
    'other columns are its latest. "ignored": prose mutants excluded by mutation/ignore-prose.mjs.',
    "",
    "| module | group | before | after | valid | killed | timeout | survived | no coverage | ignored | run |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ...rows,
    "",
  ].join("\n");
}

function git(args: string[]): string {
  return spawnSync("git", args, { cwd: ROOT, encoding: "utf8" }).stdout.trim();
}

function main(argv: string[]): number {
  const all = fs
    .readdirSync(GROUPS_DIR)
    .filter((f) => f.endsWith(".conf.mjs"))
    .map((f) => f.replace(/\.conf\.mjs$/, ""))
    .sort();
  const named = argv.filter((a) => !a.startsWith("-"));
  const flags = argv.filter((a) => a.startsWith("-"));
  const unknownFlags = flags.filter((f) => f !== "--force");
  if (unknownFlags.length > 0) {
    console.error(`unknown option ${unknownFlags.join(", ")}: the only option is --force`);
    return 2;
  }
  const unknown = named.filter((g) => !all.includes(g));
  if (unknown.length > 0) {
    console.error(`unknown mutation group ${unknown.join(", ")}: the groups are ${all.join(", ")}`);
    return 2;
  }
  const results: Results = fs.existsSync(RESULTS_JSON)
    ? JSON.parse(fs.readFileSync(RESULTS_JSON, "utf8"))
    : {};
  const commit = git(["rev-parse", "--short", "HEAD"]) + (git(["status", "--porcelain"]) ? "+" : "");
  const date = new Date().toISOString().slice(0, 10);
  const below: string[] = [];
  for (const group of named.length > 0 ? named : all) {
    console.log(`\n==> mutation group ${group} (load average ${os.loadavg()[0].toFixed(2)})`);
    const run = spawnSync(
      path.join(ROOT, "node_modules", ".bin", "stryker"),
      ["run", path.join("mutation", "groups", `${group}.conf.mjs`), ...flags],
      { cwd: ROOT, stdio: "inherit" },
    );
    if (run.status !== 0) {
      console.error(`stryker failed on group ${group} (exit ${run.status})`);
      return 1;
    }
    const report = JSON.parse(
      fs.readFileSync(path.join(ROOT, "reports", "mutation", `${group}.json`), "utf8"),
    ) as { files: Record<string, { mutants: Mutant[] }> };
    for (const [file, { mutants }] of Object.entries(report.files)) {
      const counts = countStatuses(mutants);
      const result: ModuleResult = { group, ...counts, score: score(counts), date, commit };
      results[file] = { ...results[file], before: results[file]?.before ?? result, after: result };
      if (result.score < TARGET_SCORE) below.push(`${file} ${result.score} %`);
      for (const m of mutants.filter((x) => x.status === "Survived" || x.status === "NoCoverage"))
        console.log(
          `  ${m.status === "Survived" ? "survived" : "no coverage"} ${file}:${m.location.start.line}:` +
            `${m.location.start.column} ${m.mutatorName} -> ${JSON.stringify(m.replacement ?? "")}`,
        );
    }
  }
  fs.writeFileSync(RESULTS_JSON, JSON.stringify(results, null, 2) + "\n");
  fs.writeFileSync(RESULTS_MD, renderResults(results));
  if (below.length > 0) {
    console.error(`\nunder the ${TARGET_SCORE} % target: ${below.join("; ")}`);
    return 1;
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
