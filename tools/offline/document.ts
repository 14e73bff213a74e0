import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Policies } from "@pulumi/policy";
import type { RegisteredResource } from "./evaluate";
import { ExemptedFinding, StackReport, toJson } from "./preview";

/*
 * The `--json` document, as other tools read it: the contract's fields (toJson in preview.ts) plus what a
 * comparison of two previews and the HTML report need, all additions:
 * - per resource `custom` (a real resource, not a component) and `inputsHash` (a digest of its inputs, asset
 *   and archive contents included, so a change shows however it was made);
 * - top-level `policies`: each policy's domain, severity, description and remediation.
 * Readers take every addition as optional: a document from an older preview lacks them.
 */

export interface DocResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  custom?: boolean;
  inputsHash?: string;
}

export interface DocViolation {
  policy: string;
  enforcementLevel: string;
  urn: string;
  type: string;
  name: string;
  message: string;
}

/** An exempted finding, as the preview reports it. */
export type DocExemption = ExemptedFinding;

/** The estimate as read back: items and not-estimated entries may carry fields beyond these. */
export interface DocCost {
  monthlyUsd: number;
  currency?: string;
  priceRegion?: string;
  priceDate?: string;
  items: Record<string, unknown>[];
  notEstimated?: Record<string, unknown>[];
  [extra: string]: unknown;
}

export interface DocStack {
  stack: string;
  resources: DocResource[];
  violations: DocViolation[];
  costEstimate: DocCost;
  exemptions?: DocExemption[];
}

export interface PolicyInfo {
  name: string;
  description: string;
  domain: string;
  severity: string;
  enforcementLevel: string;
  remediation: string;
}

export interface PreviewDocument {
  stacks: DocStack[];
  policies?: PolicyInfo[];
}

/** The key by which the engine marks its special values (assets, archives, secrets). */
const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";

/** A file's or a directory tree's content digest (paths relative to it, so two checkouts agree). */
function contentHash(file: string, cache: Map<string, string>): string {
  const cached = cache.get(file);
  if (cached) return cached;
  const h = createHash("sha256");
  const walk = (p: string, rel: string) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e), `${rel}/${e}`);
    } else {
      h.update(`${rel}\0`).update(fs.readFileSync(p)).update("\0");
    }
  };
  let digest: string;
  try {
    walk(file, "");
    digest = h.digest("hex");
  } catch {
    digest = `missing:${path.basename(file)}`;
  }
  cache.set(file, digest);
  return digest;
}

/** The inputs with keys in a fixed order and every asset or archive path replaced by its contents' digest. */
function canonical(v: unknown, cache: Map<string, string>): unknown {
  if (Array.isArray(v)) return v.map((x) => canonical(x, cache));
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (SPECIAL_SIG_KEY in o && typeof o.path === "string") {
      const { path: file, ...rest } = o;
      return canonical({ ...rest, contents: contentHash(file, cache) }, cache);
    }
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, canonical(o[k], cache)]),
    );
  }
  return v;
}

/** A digest of a resource's inputs: equal for equal inputs in any checkout, different when one changes. */
export function inputsHash(r: RegisteredResource, cache = new Map<string, string>()): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(r.inputs, cache)))
    .digest("hex")
    .slice(0, 16);
}

/** Each policy's metadata, from the pack's own declarations (domain from policy/lib/framework's META). */
export function policyInfo(policies: Policies, root: string): PolicyInfo[] {
  let meta: Map<string, { domain: string }> = new Map();
  try {
    meta = require(path.join(root, "policy", "lib", "framework")).META;
  } catch {
    // A pack without the framework: the domain falls back to the policy's first tag.
  }
  return policies.map((p) => {
    const policy = p as { tags?: string[]; severity?: string; remediationSteps?: string };
    return {
      name: p.name,
      description: p.description,
      domain: meta.get(p.name)?.domain ?? policy.tags?.[0] ?? "other",
      severity: policy.severity ?? "unspecified",
      enforcementLevel: String(p.enforcementLevel ?? "advisory"),
      remediation: policy.remediationSteps ?? "",
    };
  });
}

/** The `--json` document: toJson's contract, plus the additions above. */
export function previewDocument(reports: StackReport[], policies: Policies, root: string): PreviewDocument {
  const base = toJson(reports);
  const cache = new Map<string, string>();
  return {
    stacks: base.stacks.map((s, i) => ({
      ...s,
      // The estimate's own interfaces, read back as open records (items may grow fields).
      costEstimate: s.costEstimate as unknown as DocCost,
      resources: s.resources.map((r, j) => {
        const registered = reports[i].resources[j];
        return { ...r, custom: registered.custom, inputsHash: inputsHash(registered, cache) };
      }),
    })),
    policies: policyInfo(policies, root),
  };
}

/** Reads a `--json` document back, failing with the file's name and what is wrong with it. */
export function readPreviewDocument(file: string): PreviewDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not a preview JSON document (${(e as Error).message})`);
  }
  const stacks = (parsed as { stacks?: unknown } | null)?.stacks;
  if (!Array.isArray(stacks))
    throw new Error(`${file}: not a preview JSON document (no "stacks" list; write one with --json)`);
  stacks.forEach((s, i) => {
    const st = s as Partial<DocStack> | null;
    const problems = [
      typeof st?.stack === "string" ? "" : '"stack" is not a string',
      Array.isArray(st?.resources) ? "" : '"resources" is not a list',
      Array.isArray(st?.violations) ? "" : '"violations" is not a list',
      typeof st?.costEstimate?.monthlyUsd === "number" ? "" : '"costEstimate.monthlyUsd" is not a number',
    ].filter(Boolean);
    if (problems.length > 0) throw new Error(`${file}: stacks[${i}]: ${problems.join("; ")}`);
  });
  return parsed as PreviewDocument;
}
