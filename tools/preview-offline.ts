/*
 * Offline preview: evaluates the program for each stack under realistic mocks, runs the policy pack
 * in-process and estimates the monthly cost, without the Pulumi CLI or a cloud account.
 *
 *   npm run -s preview:offline -- [--stack <name>|all] [--program <file.ts>] [--json <out.json>]
 *                                  [--policy-config <file.json>]
 *
 * Exit 0: no mandatory violation. Exit 1: at least one mandatory violation. Exit 2: the program, its config
 * or the stack files failed; the message names the cause.
 */
import * as fs from "fs";
import * as path from "path";
import { loadPack, previewStack, renderReport, StackReport, toJson } from "./offline/preview";
import { listStacks } from "./offline/stack-files";

interface Args {
  stack: string;
  program?: string;
  json?: string;
  policyConfig?: string;
}

export class UsageError extends Error {}

const USAGE =
  "usage: preview:offline [--stack <name>|all] [--program <file.ts>] [--json <out.json>] [--policy-config <file.json>]";

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
      case "--help":
      case "-h":
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown argument ${flag}\n${USAGE}`);
    }
  }
  return args;
}

/** Runs the preview and returns the exit code; the report goes to `out`, failures to `err`. */
export async function main(
  argv: string[],
  root: string,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err((e as Error).message);
    return 2;
  }
  const stacks = args.stack === "all" ? listStacks(root) : [args.stack];
  if (stacks.length === 0) {
    err(`no Pulumi.<stack>.yaml files in ${root}`);
    return 2;
  }
  let pack;
  try {
    pack = loadPack(root, args.policyConfig && path.resolve(args.policyConfig));
  } catch (e) {
    err(`policy pack failed to load: ${(e as Error).message}`);
    return 2;
  }
  const reports: StackReport[] = [];
  const failures: string[] = [];
  for (const stack of stacks) {
    try {
      const report = await previewStack({
        root,
        stack,
        program: args.program,
        policies: pack.policies,
        pack,
      });
      reports.push(report);
      out(renderReport(report) + "\n");
    } catch (e) {
      // Nothing half-evaluated is reported as a result: a failed stack contributes only its error.
      failures.push(
        `stack ${stack}: ${(e as Error).name === "Error" ? "" : `${(e as Error).name}: `}${(e as Error).message}`,
      );
    }
  }
  if (args.json && failures.length === 0) {
    fs.mkdirSync(path.dirname(path.resolve(args.json)), { recursive: true });
    fs.writeFileSync(args.json, JSON.stringify(toJson(reports), null, 2) + "\n");
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
        `${r.stack}: ${r.violations.filter((v) => v.enforcementLevel === "mandatory").length} mandatory, ${r.violations.filter((v) => v.enforcementLevel === "advisory").length} advisory, $${r.costEstimate.monthlyUsd.toFixed(2)}/month`,
    )
    .join("; ");
  out(`offline preview: ${summary}`);
  return mandatory.length > 0 ? 1 : 0;
}

if (require.main === module) {
  // The SDK captures a stack trace for every promise it tracks and every registration it makes; formatting
  // them took a quarter of the preview's time. The preview reports failures by message, so one frame is enough.
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
