import * as fs from "fs";
import * as path from "path";
import { parentPort, Worker, workerData } from "worker_threads";
import type { Policies } from "@pulumi/policy";
import { summarizeAlarms } from "./alarms";
import { CostEstimate, costRows, estimateCost, usdRange } from "../../cost/estimate";
import { Evaluation, evaluateProgram, RegisteredResource } from "./evaluate";
import { DEFAULT_ACCOUNT_ID } from "./mocks";
import { PackConfig, resolvePackConfig } from "./pack-config";
import { runPolicies, Violation } from "./policy-harness";
import { rolloutLine } from "./rollout";
import { readStack } from "./stack-files";

/** This repository (where a preview worker thread finds register-ts.js), whatever the project root. */
const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** One stack's result, in the shape of the `--json` contract plus what the text report needs. */
export interface StackReport {
  stack: string;
  resources: RegisteredResource[];
  violations: Violation[];
  /** Findings a policy exemption (tag `policy-exempt:<policy>` or pack config) accepted, with the reason. */
  exemptions: ExemptedFinding[];
  costEstimate: CostEstimate;
}

export interface ExemptedFinding {
  policy: string;
  urn: string;
  type: string;
  name: string;
  /** Where the exemption is declared: `tag policy-exempt:<policy>` or `pack config <policy>.exemptions`. */
  source: string;
  reason: string;
  message: string;
}

/**
 * The pack reports an exempted finding as an advisory whose second line reads
 * `exempted by <source>: <reason> | finding: <message>` (policy/lib/framework.ts); list those apart.
 */
export function splitExemptions(all: Violation[]): {
  violations: Violation[];
  exemptions: ExemptedFinding[];
} {
  const violations: Violation[] = [];
  const exemptions: ExemptedFinding[] = [];
  for (const v of all) {
    const line = v.message.split("\n").slice(1).join(" ");
    const m = /^exempted by (.+?): (.*) \| finding: (.*)$/s.exec(line);
    if (v.enforcementLevel === "advisory" && m) {
      exemptions.push({
        policy: v.policy,
        urn: v.urn,
        type: v.type,
        name: v.name,
        source: m[1],
        reason: m[2],
        message: m[3],
      });
    } else {
      violations.push(v);
    }
  }
  return { violations, exemptions };
}

export interface PreviewOptions {
  root: string;
  stack: string;
  /** Evaluate this program instead of the project's main module. */
  program?: string;
  policies: Policies;
  pack: {
    name: string;
    version: string;
    enforcementLevel: "advisory" | "mandatory";
    config: PackConfig;
    /** The pack's directory: its own @pulumi/policy runs it. */
    dir?: string;
  };
  /** Evaluate as the stack's first `pulumi preview` (see EvaluateOptions.preview). */
  firstPreview?: boolean;
}

/**
 * Loads the policy pack from policy/ without constructing the PolicyPack, and checks its config as the CLI
 * does before a run (throws PackConfigError; `warnings` lists what the CLI would accept and ignore).
 */
export function loadPack(
  root: string,
  configFile?: string,
): PreviewOptions["pack"] & { policies: Policies; warnings: string[] } {
  const dir = fs.realpathSync(path.join(root, "policy"));
  const { policies } = require(path.join(dir, "policies")) as { policies: Policies };
  const { PACK_NAME, PACK_ENFORCEMENT_LEVEL } = require(path.join(dir, "pack"));
  const version = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version as string;
  const file = configFile ?? path.join(dir, "policy-config.json");
  const config = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as PackConfig) : {};
  const { warnings } = resolvePackConfig(policies, { enforcementLevel: PACK_ENFORCEMENT_LEVEL, config });
  return {
    name: PACK_NAME,
    version,
    enforcementLevel: PACK_ENFORCEMENT_LEVEL,
    config,
    dir,
    policies,
    warnings,
  };
}

/**
 * The account the stack deploys to: the first of its `allowedAccountIds` (the providers refuse any other, so a
 * real preview only ever runs with credentials of that account), else the mocks' default account.
 */
export function stackAccount(config: Record<string, string>): string {
  const key = Object.keys(config).find((k) => k.endsWith(":allowedAccountIds"));
  const ids = key ? (JSON.parse(config[key]) as unknown) : undefined;
  return Array.isArray(ids) && typeof ids[0] === "string" ? ids[0] : DEFAULT_ACCOUNT_ID;
}

/** Evaluates the stack's program (or `options.program`) with the config the CLI would build for the stack. */
export function evaluateStack(options: Omit<PreviewOptions, "policies" | "pack">): Promise<Evaluation> {
  const input = readStack(options.root, options.stack);
  const program = options.program ? path.resolve(options.program) : input.main;
  return evaluateProgram({
    program,
    project: input.project,
    stack: input.stack,
    config: input.config,
    secretKeys: input.secretKeys,
    region: input.region,
    accountId: stackAccount(input.config),
    preview: options.firstPreview,
  });
}

/** Runs the pack over an evaluation of the stack and estimates the cost. */
export async function reportStack(options: PreviewOptions, evaluation: Evaluation): Promise<StackReport> {
  const { violations, exemptions } = splitExemptions(
    await runPolicies(options.policies, evaluation.resources, options.pack),
  );
  return {
    stack: options.stack,
    resources: evaluation.resources,
    violations,
    exemptions,
    costEstimate: estimateCost(evaluation.resources),
  };
}

/** Evaluates one stack, runs the pack and estimates the cost. Throws on program or config failure. */
export async function previewStack(options: PreviewOptions): Promise<StackReport> {
  return reportStack(options, await evaluateStack(options));
}

/** What a preview worker is given: the same inputs the CLI gives `loadPack` and `previewStack`. */
interface WorkerInput {
  root: string;
  program?: string;
  policyConfig?: string;
  firstPreview?: boolean;
}

type WorkerReply =
  { id: number; report: StackReport } | { id: number; error: { name: string; message: string } };

const REGISTER_TS = path.join(REPO_ROOT, "tools", "register-ts.js");

/**
 * A worker thread that previews stacks, one at a time, with its own SDK, program modules and policy pack:
 * with PREVIEW_OFFLINE_JOBS=2 the CLI previews two stacks at once (worth it only with cores to spare: see
 * defaultJobs in preview-offline.ts). It loads the SDK and the pack as soon as it starts, while
 * the caller loads its own. A report arrives as the same plain data `previewStack` returns in-process; a
 * failure keeps its error's name and message.
 */
export class PreviewWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(r: StackReport): void; reject(e: Error): void }>();
  private nextId = 0;
  private exited?: Error;

  constructor(input: WorkerInput) {
    this.worker = new Worker(
      `require(${JSON.stringify(REGISTER_TS)}); require(${JSON.stringify(__filename)}).servePreviewWorker();`,
      { eval: true, workerData: input },
    );
    this.worker.on("message", (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!waiter) return;
      if ("report" in reply) waiter.resolve(reply.report);
      else waiter.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    });
    const fail = (err: Error) => {
      this.exited = err;
      for (const waiter of this.pending.values()) waiter.reject(err);
      this.pending.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`the preview worker exited (code ${code})`)));
  }

  preview(stack: string): Promise<StackReport> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, stack });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The worker side of PreviewWorker (runs in the worker thread). */
export function servePreviewWorker(): void {
  const port = parentPort;
  if (!port) throw new Error("servePreviewWorker runs in a worker thread");
  Error.stackTraceLimit = 1;
  const input = workerData as WorkerInput;
  let pack: ReturnType<typeof loadPack> | undefined;
  let packError: unknown;
  try {
    pack = loadPack(input.root, input.policyConfig);
  } catch (e) {
    packError = e;
  }
  // One request at a time, in the order they came: evaluations share the process-wide SDK state.
  let queue = Promise.resolve();
  port.on("message", ({ id, stack }: { id: number; stack: string }) => {
    queue = queue.then(async () => {
      try {
        if (!pack) throw packError;
        const report = await previewStack({
          root: input.root,
          stack,
          program: input.program,
          policies: pack.policies,
          pack,
          firstPreview: input.firstPreview,
        });
        port.postMessage({ id, report } satisfies WorkerReply);
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        port.postMessage({ id, error: { name: error.name, message: error.message } } satisfies WorkerReply);
      }
    });
  });
}

/** The `--json` document: exactly the fields the contract in DESIGN.md names. */
export function toJson(reports: StackReport[]) {
  return {
    stacks: reports.map((r) => ({
      stack: r.stack,
      resources: r.resources.map((x) => ({
        urn: x.urn,
        type: x.type,
        name: x.name,
        parent: x.parent ?? null,
      })),
      violations: r.violations.map((v) => ({
        policy: v.policy,
        enforcementLevel: v.enforcementLevel,
        urn: v.urn,
        type: v.type,
        name: v.name,
        message: v.message,
      })),
      costEstimate: r.costEstimate,
      exemptions: r.exemptions.map((e) => ({ ...e })),
    })),
  };
}

/** The SDK's advisory for a check that read a value `pulumi preview` cannot know (@pulumi/policy server.js). */
const NOT_KNOWN_IN_PREVIEW = /^can't run policy '[^']*' from policy pack \S+ during preview: /;

/** Findings that say a policy could not run on a resource until its values are known (a first preview). */
export function notCheckedInPreview(violations: Violation[]): Violation[] {
  return violations.filter((v) => v.enforcementLevel === "advisory" && NOT_KNOWN_IN_PREVIEW.test(v.message));
}

/** `aws:sqs/queue:Queue` -> `queue`; other packages (`kubernetes:apps/v1:Deployment`) -> `Deployment`. */
function shortType(type: string): string {
  return type.startsWith("aws:")
    ? type.replace(/^aws:[^/]+\//, "").replace(/:.*$/, "")
    : type.slice(type.lastIndexOf(":") + 1);
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The readable report: resources by component, violations by policy, the cost estimate. */
export function renderReport(report: StackReport): string {
  const lines: string[] = [];
  const { resources, violations, costEstimate } = report;
  const children = new Map<string, RegisteredResource[]>();
  for (const r of resources) {
    if (!r.parent) continue;
    children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  }
  const stackRes = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const custom = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).length;
  lines.push(
    `Stack ${report.stack}: ${custom} resources, ${violations.length} policy findings, about ${usdRange(costEstimate.minMonthlyUsd, costEstimate.maxMonthlyUsd)}/month fixed`,
  );
  lines.push("");
  lines.push("Resources by component:");
  const walk = (r: RegisteredResource, depth: number) => {
    const kids = children.get(r.urn) ?? [];
    const pad = "  ".repeat(depth);
    if (!r.custom) {
      const counts = new Map<string, number>();
      for (const k of kids.filter((k) => k.custom)) counts.set(k.type, (counts.get(k.type) ?? 0) + 1);
      const summary = [...counts].map(([t, n]) => `${n} ${shortType(t)}`).join(", ");
      lines.push(
        `${pad}${r.type} ${r.name}${r.remote ? "  [remote component: its children are created by its provider plugin and are not visible offline; only its inputs were checked]" : ""}${summary ? `  (${summary})` : ""}`,
      );
      for (const k of kids.filter((k) => !k.custom)) walk(k, depth + 1);
    }
  };
  if (stackRes) {
    for (const r of children.get(stackRes.urn) ?? []) {
      if (!r.custom) walk(r, 1);
      else if (!r.type.startsWith("pulumi:providers:")) lines.push(`  ${r.type} ${r.name}`);
    }
  }
  lines.push("");
  const deferred = notCheckedInPreview(violations);
  const findings = violations.filter((v) => !deferred.includes(v));
  if (findings.length === 0) {
    lines.push("Policy findings: none");
  } else {
    lines.push("Policy findings:");
    const byPolicy = new Map<string, Violation[]>();
    for (const v of findings) byPolicy.set(v.policy, [...(byPolicy.get(v.policy) ?? []), v]);
    for (const [policy, vs] of byPolicy) {
      lines.push(`  ${policy} (${vs[0].enforcementLevel}): ${vs.length}`);
      for (const v of vs)
        lines.push(`    - ${v.name || "(stack)"}: ${v.message.split("\n").slice(1).join(" ") || v.message}`);
    }
  }
  if (deferred.length > 0) {
    // The SDK's advisory on each resource a check could not finish on a first preview: listed by policy.
    lines.push("");
    lines.push(`Not checked until the values are known (advisories of a first preview): ${deferred.length}`);
    const byPolicy = new Map<string, string[]>();
    for (const v of deferred)
      byPolicy.set(v.policy, [...(byPolicy.get(v.policy) ?? []), v.name || "(stack)"]);
    for (const [policy, names] of byPolicy) lines.push(`  ${policy}: ${names.length} (${names.join(", ")})`);
  }
  if (report.exemptions.length > 0) {
    lines.push("");
    lines.push("Exemptions (accepted findings, not counted above):");
    for (const e of report.exemptions) {
      lines.push(`  - ${e.policy} on ${e.name}: ${e.reason} [${e.source}]`);
      lines.push(`      finding: ${e.message}`);
    }
  }
  const alarms = summarizeAlarms(report.resources);
  lines.push("");
  lines.push(`Alarms: ${alarms.length}${alarms.some((a) => a.actions === 0) ? " (some notify nobody)" : ""}`);
  for (const a of alarms) {
    lines.push(`  - ${a.name}: ${a.watches} ${a.condition}${a.actions === 0 ? "  [no action]" : ""}`);
  }
  lines.push("");
  lines.push(rolloutLine(report.resources));
  lines.push("");
  lines.push(
    `Cost estimate (fixed monthly, ${costEstimate.priceRegion} prices of ${costEstimate.priceDate}): ` +
      `${usd(costEstimate.minMonthlyUsd)}` +
      (costEstimate.maxMonthlyUsd > costEstimate.minMonthlyUsd
        ? `, up to ${usd(costEstimate.maxMonthlyUsd)}`
        : ""),
  );
  for (const row of costRows(costEstimate.items))
    lines.push(
      `  ${usdRange(row.minUsd, row.maxUsd).padStart(16)}  ${row.count > 1 ? `${row.count} x ` : ""}${row.description}` +
        (row.dependsOn ? `  [range: ${row.dependsOn}]` : ""),
    );
  if (costEstimate.notEstimated.length > 0) {
    const reasons = new Map<string, number>();
    for (const n of costEstimate.notEstimated) {
      const key = `${n.type.replace(/^aws:/, "")}: ${n.reason}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    lines.push("  not estimated:");
    for (const [k, n] of reasons) lines.push(`    ${n} x ${k}`);
  }
  return lines.join("\n");
}
