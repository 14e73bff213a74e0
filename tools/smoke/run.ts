/**
 * How the smoke test's checks run and report: in order, each printing what it did and what it saw; a check whose
 * prerequisite did not pass is skipped and says which. A check needs only what it uses, so a cleanup (deleting
 * the project) runs even after a check between it and the creation failed. The result names every failing check.
 */

export type CheckStatus = "passed" | "failed" | "skipped";

/** Prints one line of what a check did and saw. */
export type Log = (line: string) => void;

export interface Check {
  /** Kebab-case; the name the report and the exit message use. */
  readonly name: string;
  /** Which group selects it (--checks): health, project, websocket, pipeline. */
  readonly group: string;
  /** Checks that must have passed first; otherwise this one is skipped. */
  readonly needs?: readonly string[];
  /** Runs it; resolves with a one-line account of what it saw, throws (a SmokeFailure) when it failed. */
  run(log: Log): Promise<string>;
}

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  /** What it saw (passed), what was wrong (failed), or why it did not run (skipped). */
  readonly detail: string;
  readonly ms: number;
}

/** A check that does not apply to this target, with the reason (e.g. the stack has no pipeline). */
export interface NotApplicable {
  readonly name: string;
  readonly group: string;
  readonly reason: string;
}

export class SmokeFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SmokeFailure";
  }
}

export async function runChecks(
  checks: readonly Check[],
  out: Log,
  notApplicable: readonly NotApplicable[] = [],
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const passed = new Set<string>();
  for (const check of checks) {
    const missing = (check.needs ?? []).filter((n) => !passed.has(n));
    if (missing.length > 0) {
      const detail = `not run: needs ${missing.join(", ")}`;
      out(`[${check.name}] skipped (${detail})`);
      results.push({ name: check.name, status: "skipped", detail, ms: 0 });
      continue;
    }
    const started = Date.now();
    try {
      const saw = await check.run((line) => out(`[${check.name}] ${line}`));
      const ms = Date.now() - started;
      passed.add(check.name);
      out(`[${check.name}] passed in ${ms} ms: ${saw}`);
      results.push({ name: check.name, status: "passed", detail: saw, ms });
    } catch (error) {
      const ms = Date.now() - started;
      const detail =
        error instanceof SmokeFailure
          ? error.message
          : `${(error as Error).name}: ${(error as Error).message}`;
      out(`[${check.name}] FAILED after ${ms} ms: ${detail}`);
      results.push({ name: check.name, status: "failed", detail, ms });
    }
  }
  for (const n of notApplicable) {
    out(`[${n.name}] skipped (${n.reason})`);
    results.push({ name: n.name, status: "skipped", detail: n.reason, ms: 0 });
  }
  return results;
}

/** The checks of the selected groups, and every check they need (in their original order). */
export function selectChecks(checks: readonly Check[], groups: readonly string[] | undefined): Check[] {
  if (groups === undefined) return [...checks];
  const chosen = new Set(checks.filter((c) => groups.includes(c.group)).map((c) => c.name));
  // Needs are added until nothing changes: a needed check may need another.
  for (let size = -1; size !== chosen.size;) {
    size = chosen.size;
    for (const c of checks) if (chosen.has(c.name)) for (const n of c.needs ?? []) chosen.add(n);
  }
  return checks.filter((c) => chosen.has(c.name));
}

/** The one line the smoke test ends with, naming the failing checks. */
export function verdict(results: readonly CheckResult[]): { ok: boolean; line: string } {
  const failed = results.filter((r) => r.status === "failed");
  const ran = results.filter((r) => r.status !== "skipped").length;
  if (failed.length === 0) return { ok: true, line: `smoke test passed: ${ran} checks` };
  return {
    ok: false,
    line: `smoke test failed: ${failed.map((r) => `${r.name} (${r.detail})`).join("; ")}`,
  };
}
