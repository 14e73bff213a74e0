/*
 * Offline preview: evaluates the program for each stack under realistic mocks, runs the policy pack
 * in-process and estimates the monthly cost, without the Pulumi CLI or a cloud account.
 *
 *   npm run -s preview:offline -- [--stack <name>|all] [--program <file.ts>] [--json <out.json>]
 *                                  [--policy-config <file.json>] [--html <out.html>] [--base <base.json>]
 *                                  [--first-preview]
 *
 * --first-preview evaluates as a stack's first `pulumi preview`: what providers compute (ids, ARNs) is unknown,
 * and the report lists the checks that cannot run until it is known (the SDK's advisories).
 *
 * Exit 0: no mandatory violation. Exit 1: at least one mandatory violation. Exit 2: the program, its config
 * or the stack files failed; the message names the cause.
 */
import * as fs from "fs";
import * as path from "path";
import { diffPreviews, renderDiffText } from "./offline/diff";
import { PreviewDocument, previewDocument, readPreviewDocument } from "./offline/document";
import { renderHtmlReport } from "./offline/html-report";
import {
  loadPack,
  PreviewOptions,
  PreviewWorker,
  previewStack,
  renderReport,
  StackReport,
} from "./offline/preview";
import { listStacks } from "./offline/stack-files";

interface Args {
  stack: string;
  program?: string;
  json?: string;
  policyConfig?: string;
  /** The self-contained HTML report (offline/html-report.ts). */
  html?: string;
  /** A preview's --json document to compare with (offline/diff.ts). */
  base?: string;
  firstPreview?: boolean;
}

export class UsageError extends Error {}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  // Read in stack order; a later stack may fail before an earlier one is read.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const USAGE =
  "usage: preview:offline [--stack <name>|all] [--program <file.ts>] [--json <out.json>] [--policy-config <file.json>] [--html <out.html>] [--base <base.json>] [--first-preview]";

export function parseArgs(argv: string[]): Args {
  const args: Args = { stack: "all" };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const take = () => {
      if (value === undefined || value.startsWith("--"))
        throw new UsageError(`${flag} needs a value\n${USAGE}`);
      i++;
      return value;
    };
    switch (flag) {
      case "--stack":
        args.stack = take();
        break;
      case "--program":
        args.program = take();
        break;
      case "--json":
        args.json = take();
        break;
      case "--policy-config":
        args.policyConfig = take();
        break;
      case "--html":
        args.html = take();
        break;
      case "--base":
        args.base = take();
        break;
      case "--first-preview":
        args.firstPreview = true;
        break;
      case "--help":
      case "-h":
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown argument ${flag}\n${USAGE}`);
    }
  }
  return args;
}

/**
 * Threads that preview stacks at once: PREVIEW_OFFLINE_JOBS when set, else one. Each extra thread loads its
 * own SDK, @pulumi/aws modules and pack, and one thread already keeps a second core busy with V8's garbage
 * collection and compilation: on this project's 2-core machines two threads took as long as one (5.4 s) for
 * a fifth more CPU (bench/results/preview.md). On a machine with cores to spare, PREVIEW_OFFLINE_JOBS=3
 * previews every stack at once.
 */
export function defaultJobs(env: NodeJS.ProcessEnv = process.env): number {
  const set = Number(env.PREVIEW_OFFLINE_JOBS);
  return Number.isInteger(set) && set >= 1 ? set : 1;
}

/**
 * Runs the preview and returns the exit code; the report goes to `out`, failures to `err`. With `jobs` > 1
 * and several stacks, worker threads preview stacks while this thread previews others; the reports are
 * printed in stack order, as the stacks finish, and are the same as from one thread. `preview` previews a
 * stack in this thread (tests give one that shares evaluations across specs).
 */
export async function main(
  argv: string[],
  root: string,
  out: (s: string) => void,
  err: (s: string) => void,
  jobs = defaultJobs(),
  preview: (options: PreviewOptions) => Promise<StackReport> = previewStack,
): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err((e as Error).message);
    return 2;
  }
  let base: PreviewDocument | undefined;
  try {
    base = args.base === undefined ? undefined : readPreviewDocument(args.base);
  } catch (e) {
    err(`--base: ${(e as Error).message}`);
    return 2;
  }
  const stacks = args.stack === "all" ? listStacks(root) : [args.stack];
  if (stacks.length === 0) {
    err(`no Pulumi.<stack>.yaml files in ${root}`);
    return 2;
  }
  const policyConfig = args.policyConfig && path.resolve(args.policyConfig);
  const reports: StackReport[] = [];
  const failures: string[] = [];
  // Workers start first: they load the SDK and the pack while this thread loads its own.
  const workers = Array.from(
    { length: Math.min(jobs, stacks.length) - 1 },
    () => new PreviewWorker({ root, program: args.program, policyConfig, firstPreview: args.firstPreview }),
  );
  let pack: ReturnType<typeof loadPack>;
  try {
    try {
      pack = loadPack(root, policyConfig);
    } catch (e) {
      const config = (e as Error).name === "PackConfigError";
      err(`${config ? "" : "policy pack failed to load: "}${(e as Error).message}`);
      return 2;
    }
    for (const w of pack.warnings) err(`warning: policy pack config: ${w}`);
    // This thread takes stacks from the front of the list, the workers from the back (the last stacks are
    // usually the largest), each the next one when it is done.
    const outcomes = new Map(stacks.map((s) => [s, deferred<StackReport>()]));
    const queue = [...stacks];
    const drain = async (
      take: () => string | undefined,
      preview: (stack: string) => Promise<StackReport>,
    ) => {
      for (let stack = take(); stack !== undefined; stack = take()) {
        const outcome = outcomes.get(stack)!;
        await preview(stack).then(outcome.resolve, outcome.reject);
      }
    };
    const running = Promise.all([
      drain(
        () => queue.shift(),
        (stack) =>
          preview({
            root,
            stack,
            program: args.program,
            policies: pack.policies,
            pack,
            firstPreview: args.firstPreview,
          }),
      ),
      ...workers.map((w) =>
        drain(
          () => queue.pop(),
          (stack) => w.preview(stack),
        ),
      ),
    ]);
    for (const stack of stacks) {
      try {
        const report = await outcomes.get(stack)!.promise;
        reports.push(report);
        out(renderReport(report) + "\n");
      } catch (e) {
        // Nothing half-evaluated is reported as a result: a failed stack contributes only its error.
        failures.push(
          `stack ${stack}: ${(e as Error).name === "Error" ? "" : `${(e as Error).name}: `}${(e as Error).message}`,
        );
      }
    }
    await running;
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
  if (failures.length === 0 && (args.json || args.html || base)) {
    const doc = previewDocument(reports, pack.policies, root);
    const diffs = base && diffPreviews(base, doc);
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      fs.writeFileSync(file, text);
    };
    if (args.json) write(args.json, JSON.stringify(doc, null, 2) + "\n");
    if (args.html) write(args.html, renderHtmlReport({ reports, doc, diffs, baseLabel: args.base }));
    if (diffs) out(renderDiffText(diffs, args.base!) + "\n");
  }
  if (failures.length > 0) {
    for (const f of failures) err(f);
    return 2;
  }
  const mandatory = reports.flatMap((r) =>
    r.violations.filter((v) => v.enforcementLevel === "mandatory").map(() => r.stack),
  );
  const summary = reports
    .map(
      (r) =>
        `${r.stack}: ${r.violations.filter((v) => v.enforcementLevel === "mandatory").length} mandatory, ${r.violations.filter((v) => v.enforcementLevel === "advisory").length} advisory, $${r.costEstimate.monthlyUsd.toFixed(2)}/month${r.costEstimate.maxMonthlyUsd > r.costEstimate.monthlyUsd ? ` (up to $${r.costEstimate.maxMonthlyUsd.toFixed(2)})` : ""}`,
    )
    .join("; ");
  out(`offline preview: ${summary}`);
  return mandatory.length > 0 ? 1 : 0;
}

if (require.main === module) {
  // The preview reports failures by message, so one frame is enough (evaluations run with none: see
  // skipDebuggingAids in offline/evaluate.ts).
  Error.stackTraceLimit = 1;
  main(
    process.argv.slice(2),
    path.resolve(__dirname, ".."),
    (s) => console.log(s),
    (s) => console.error(s),
  ).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`offline preview failed: ${(e as Error).stack ?? e}`);
      process.exit(2);
    },
  );
}
