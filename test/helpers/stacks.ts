import * as path from "path";
import type { Evaluation } from "../../tools/offline/evaluate";
import { evaluateStack, loadPack, reportStack, StackReport } from "../../tools/offline/preview";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/*
 * The project's own stacks, evaluated once per mocha process. Many specs examine what index.ts registers for
 * dev, staging and prod with their config as it is; each evaluation (and run of the pack) is about a second,
 * so they share one per stack and mode instead of repeating it. What they share is frozen: a spec that
 * changed it would change what the others read.
 */

export const STACKS = ["dev", "staging", "prod"] as const;
/** One of the project's stack files (`Pulumi.<name>.yaml`). */
export type StackName = (typeof STACKS)[number] | (string & {});

export interface StackMode {
  /** As the stack's first `pulumi preview` (provider-computed values unknown); default: as an update. */
  firstPreview?: boolean;
}

const evaluations = new Map<string, Promise<Evaluation>>();
const reports = new Map<string, Promise<StackReport>>();
let pack: ReturnType<typeof loadPack> | undefined;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const shared = new Map<string, Promise<unknown>>();

/**
 * `evaluate()` once per process for `key` (a component evaluated for a stack with its config as it is, which
 * several specs examine); the resources it returns are frozen.
 */
export function sharedEvaluation<T extends { resources: readonly unknown[] }>(
  key: string,
  evaluate: () => Promise<T>,
): Promise<T> {
  let result = shared.get(key) as Promise<T> | undefined;
  if (!result) {
    result = evaluate().then((r) => {
      deepFreeze(r.resources);
      return r;
    });
    shared.set(key, result);
  }
  return result;
}

const keyOf = (stack: StackName, mode: StackMode) =>
  `${stack}:${mode.firstPreview ? "first-preview" : "update"}`;

/**
 * index.ts evaluated for `stack` with its config (Pulumi.yaml defaults, ESC example, stack file), as
 * `npm run preview:offline` evaluates it. Resources are frozen; `outputs` are the program's exports.
 */
export function stackEvaluation(stack: StackName, mode: StackMode = {}): Promise<Evaluation> {
  const key = keyOf(stack, mode);
  let evaluation = evaluations.get(key);
  if (!evaluation) {
    evaluation = evaluateStack({ root: REPO_ROOT, stack, firstPreview: mode.firstPreview }).then((e) => ({
      resources: deepFreeze(e.resources),
      outputs: e.outputs,
    }));
    evaluations.set(key, evaluation);
  }
  return evaluation;
}

/** The offline preview's report of `stack`: the pack's findings and the cost, from the shared evaluation. */
export function stackReport(stack: StackName, mode: StackMode = {}): Promise<StackReport> {
  const key = keyOf(stack, mode);
  let report = reports.get(key);
  if (!report) {
    pack ??= loadPack(REPO_ROOT);
    const options = {
      root: REPO_ROOT,
      stack,
      policies: pack.policies,
      pack,
      firstPreview: mode.firstPreview,
    };
    report = stackEvaluation(stack, mode).then(async (e) => deepFreeze(await reportStack(options, e)));
    reports.set(key, report);
  }
  return report;
}
