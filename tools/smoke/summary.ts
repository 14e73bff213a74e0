/**
 * The smoke test's section of the deploy job's summary (Markdown): each check and what it saw; on a failure,
 * that promotion stopped and how to roll back (docs/deployment.md#rollback), with the stack's previous update
 * from `pulumi stack history --json` where it is known.
 */
import type { CheckResult } from "./run";

/** One entry of `pulumi stack history --json` (the CLI's updateInfoJSON), as far as the summary reads it. */
export interface HistoryEntry {
  readonly version?: number;
  readonly kind?: string;
  readonly startTime?: string;
  readonly message?: string;
  readonly result?: string;
  readonly environment?: Record<string, string>;
}

/** The update the deploy workflow made before this run's: what a redeploy of the last good commit would use. */
export interface PreviousUpdate {
  /** The commit (Pulumi's git.head), or the ref the update message names. */
  readonly ref: string;
  readonly runId: string;
  readonly startTime?: string;
}

/** pulumi-up.yml's update message: `deploy <ref> (run <id>)`. */
const DEPLOY_MESSAGE = /^deploy (\S+) \(run (\d+)\)$/;

/** The newest successful update by the deploy workflow from another run than `runId`. */
export function previousUpdate(history: unknown, runId: string | undefined): PreviousUpdate | undefined {
  if (!Array.isArray(history)) return undefined;
  const updates = (history as HistoryEntry[])
    .filter((h) => h && h.kind === "update" && h.result === "succeeded")
    .map((h) => ({ h, m: DEPLOY_MESSAGE.exec(h.message ?? "") }))
    .filter(({ m }) => m !== null && m[2] !== runId)
    .sort((a, b) => (b.h.version ?? 0) - (a.h.version ?? 0));
  const newest = updates[0];
  if (!newest) return undefined;
  return {
    ref: newest.h.environment?.["git.head"] || newest.m![1],
    runId: newest.m![2],
    ...(newest.h.startTime ? { startTime: newest.h.startTime } : {}),
  };
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ");

export interface SummaryInput {
  readonly stack: string;
  readonly results: readonly CheckResult[];
  /** Set when the smoke test could not run at all (a missing output, an unreadable stack). */
  readonly error?: string;
  /** Link to the rollback section of docs/deployment.md. */
  readonly rollbackUrl: string;
  readonly previous?: PreviousUpdate;
}

export function smokeSummary(input: SummaryInput): string {
  const failed = input.results.filter((r) => r.status === "failed");
  const ok = failed.length === 0 && input.error === undefined;
  const lines = [`### Smoke test: ${input.stack} ${ok ? "passed" : "FAILED"}`, ""];
  if (input.error !== undefined) lines.push(`The smoke test could not run: ${input.error}`, "");
  if (input.results.length > 0) {
    lines.push("| check | result | what it saw |", "| --- | --- | --- |");
    for (const r of input.results)
      lines.push(`| ${r.name} | ${r.status === "failed" ? "**failed**" : r.status} | ${cell(r.detail)} |`);
    lines.push("");
  }
  if (ok) return `${lines.join("\n")}\n`;
  const redeploy = input.previous
    ? `with \`ref\` = \`${input.previous.ref}\`, the commit of this stack's previous update (run ${input.previous.runId}` +
      `${input.previous.startTime ? `, ${input.previous.startTime}` : ""}; check that its own smoke test passed)`
    : "with `ref` = the last good commit (Pulumi Cloud: the stack's updates, message `deploy <ref> (run <id>)`)";
  lines.push(
    `**Promotion stopped:** the stacks after ${input.stack} are not deployed by this run.`,
    "",
    `#### Roll back ([docs/deployment.md#rollback](${input.rollbackUrl}))`,
    "",
    "1. Revert the bad commit in a pull request and merge it; the pipeline deploys the revert through every stack.",
    `2. Or redeploy now: Actions → deploy → Run workflow ${redeploy}.`,
    "3. A function that misbehaves after its blue/green rollout can go back at once: `aws lambda update-alias " +
      "--function-name <fn> --name live --function-version <previous>` (docs/agents.md, Blue/green deployments).",
    "",
    `To look again after a fix or a rollback: \`npm run -s smoke -- --stack ${input.stack}\` (docs/runbook.md, Smoke test failed).`,
    "",
  );
  return `${lines.join("\n")}\n`;
}
