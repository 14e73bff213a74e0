/**
 * The smoke test after a deploy (docs/deployment.md#smoke-test): checks a deployed stack end to end as its
 * clients use it, and prints what each check did and saw.
 *
 *   npm run -s smoke -- --stack ORG/dev                  # reads `pulumi stack output --json --stack ORG/dev`
 *   npm run -s smoke -- --outputs outputs.json           # that JSON in a file, or the local runner's one line
 *   npm run -s smoke -- --api-url <url> [--ws-url <url>] [--api-key <key>]
 *
 * Checks, in order: health (`GET /health` without a key); api-key (the stack's key, fetched by the id it
 * exports); project-create; websocket-ticket (a ticket from `POST /api/projects/{id}/ws-ticket` opens the
 * socket, which answers `resume`); websocket-bad-ticket (a tampered ticket is refused with 403);
 * project-delete; pipeline-upload, pipeline-processed, pipeline-vectorized (one document to the vector index).
 *
 * Options: `--checks health,project,websocket,pipeline` (those groups and what they need), `--pipeline-timeout
 * <s>` (240: from the upload until the vectors must be in the index), `--poll <s>` (5), `--region <r>` (default:
 * the stack's, from its outputs), `--summary <file>` (appends the Markdown section of a job summary), and for
 * the deploy workflow `--history <file>` (`pulumi stack history --json`), `--run-id <id>` and
 * `--rollback-url <url>`, with which a failure's summary names the stack's previous update to redeploy.
 *
 * Exit 0: every check passed. Exit 1: a check failed; the last line (stdout and stderr) names each failing check
 * and what it saw. Exit 2: the flags or the stack's outputs are wrong (the message names each).
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { apiKeyCheck, healthCheck, ProjectState, projectChecks, websocketChecks } from "./smoke/api-checks";
import { pipelineChecks } from "./smoke/pipeline-checks";
import { Check, NotApplicable, runChecks, selectChecks, verdict } from "./smoke/run";
import { previousUpdate, smokeSummary } from "./smoke/summary";
import { resolveTarget, SmokeTarget } from "./smoke/target";

export const DEFAULT_PIPELINE_TIMEOUT_SECONDS = 240;
export const DEFAULT_POLL_SECONDS = 5;

const OPTIONS = {
  stack: { type: "string" },
  outputs: { type: "string" },
  "api-url": { type: "string" },
  "ws-url": { type: "string" },
  "api-key": { type: "string" },
  region: { type: "string" },
  checks: { type: "string" },
  "pipeline-timeout": { type: "string" },
  poll: { type: "string" },
  summary: { type: "string" },
  history: { type: "string" },
  "run-id": { type: "string" },
  "rollback-url": { type: "string" },
} as const;

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0 && n <= 3600))
    throw new UsageError(`--${flag} ${value} is not a number of seconds (0 < s <= 3600)`);
  return n;
}

/** The checks for this target, and those that do not apply to it (and why). */
function plan(
  target: SmokeTarget,
  options: { runId: string; timeoutMs: number; pollMs: number; onSecret: (s: string) => void },
): { checks: Check[]; notApplicable: NotApplicable[] } {
  let key = target.apiKey;
  const session = { apiUrl: target.apiUrl, apiKey: () => key ?? "" };
  const state: ProjectState = {};
  const checks: Check[] = [healthCheck(session)];
  const notApplicable: NotApplicable[] = [];
  if (target.apiKeyId)
    checks.push(
      apiKeyCheck(target.apiKeyId, target.region, (value) => {
        key = value;
        options.onSecret(value);
      }),
    );
  const [create, remove] = projectChecks(session, state, options.runId, target.apiKeyId ? ["api-key"] : []);
  checks.push(create);
  if (target.websocket?.authorization === "ticket")
    checks.push(...websocketChecks(session, target.websocket.url, state));
  else
    notApplicable.push({
      name: "websocket",
      group: "websocket",
      reason: target.websocket
        ? "the WebSocket API uses IAM authorization: it issues no tickets"
        : "the target has no WebSocket API: no websocketUrl output",
    });
  checks.push(remove);
  if (target.pipeline)
    checks.push(
      ...pipelineChecks(target.pipeline, {
        ...(target.region ? { region: target.region } : {}),
        runId: options.runId,
        timeoutMs: options.timeoutMs,
        pollMs: options.pollMs,
        onSecret: options.onSecret,
      }),
    );
  else
    notApplicable.push({
      name: "pipeline",
      group: "pipeline",
      reason: "the target has no ingestion pipeline: no rawBucketName output",
    });
  return { checks, notApplicable };
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let values: Partial<Record<keyof typeof OPTIONS, string>>;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true }).values;
  } catch (error) {
    io.err(`smoke-test: ${(error as Error).message}`);
    return 2;
  }
  const label = values.stack ?? values.outputs ?? values["api-url"] ?? "(no target)";
  const writeSummary = (results: Parameters<typeof smokeSummary>[0]["results"], error?: string) => {
    if (values.summary === undefined) return;
    let previous;
    if (values.history !== undefined) {
      try {
        previous = previousUpdate(JSON.parse(readFileSync(values.history, "utf8")), values["run-id"]);
      } catch {
        previous = undefined; // no history: the summary names the last good commit in general terms
      }
    }
    appendFileSync(
      values.summary,
      smokeSummary({
        stack: label,
        results,
        ...(error !== undefined ? { error } : {}),
        rollbackUrl: values["rollback-url"] ?? "docs/deployment.md#rollback",
        ...(previous ? { previous } : {}),
      }),
    );
  };

  let target: SmokeTarget;
  let checks: Check[];
  let notApplicable: NotApplicable[];
  try {
    const timeoutMs =
      seconds(values["pipeline-timeout"], "pipeline-timeout", DEFAULT_PIPELINE_TIMEOUT_SECONDS) * 1000;
    const pollMs = seconds(values.poll, "poll", DEFAULT_POLL_SECONDS) * 1000;
    target = resolveTarget({
      ...(values.stack !== undefined ? { stack: values.stack } : {}),
      ...(values.outputs !== undefined ? { outputs: values.outputs } : {}),
      ...(values["api-url"] !== undefined ? { apiUrl: values["api-url"] } : {}),
      ...(values["ws-url"] !== undefined ? { wsUrl: values["ws-url"] } : {}),
      ...(values["api-key"] !== undefined ? { apiKey: values["api-key"] } : {}),
      ...(values.region !== undefined ? { region: values.region } : {}),
    });
    const runId = `${new Date().toISOString().replace(/[-:]|\.\d+/g, "")}-${randomBytes(3).toString("hex")}`;
    // In GitHub Actions, a secret the checks read is masked before anything could print it.
    const onSecret = (secret: string) => {
      if (io.env.GITHUB_ACTIONS === "true") io.out(`::add-mask::${secret}`);
    };
    ({ checks, notApplicable } = plan(target, { runId, timeoutMs, pollMs, onSecret }));
    const groups = values.checks?.split(",").map((g) => g.trim());
    const known = [...new Set([...checks, ...notApplicable].map((c) => c.group))];
    const problems = [
      ...(groups ?? [])
        .filter((g) => !known.includes(g))
        .map((g) => `--checks ${g}: not a group of checks (${known.join(", ")})`),
      ...notApplicable
        .filter((n) => groups?.includes(n.group))
        .map((n) => `--checks ${n.group}: ${n.reason}`),
    ];
    if (problems.length > 0) throw new UsageError(problems.join("; "));
    checks = selectChecks(checks, groups);
    notApplicable = notApplicable.filter((n) => groups === undefined || groups.includes(n.group));
    io.out(`smoke test of ${target.label}: ${target.apiUrl} (run ${runId})`);
  } catch (error) {
    io.err(`smoke-test: ${(error as Error).message}`);
    writeSummary([], (error as Error).message);
    return 2;
  }

  const results = await runChecks(checks, io.out, notApplicable);
  const { ok, line } = verdict(results);
  io.out(line);
  if (!ok) io.err(line);
  writeSummary(results);
  return ok ? 0 : 1;
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
