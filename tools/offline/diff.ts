import type { DocExemption, DocResource, DocStack, DocViolation, PreviewDocument } from "./document";

/*
 * What a change does to each stack: two `--json` documents of the offline preview (the base branch's and the
 * head's) compared by URN. Resources added, removed and changed (their inputs' digest differs) by type,
 * findings new and fixed, exemptions new and dropped, and the fixed monthly estimate's delta per component.
 * A base written by a preview without input digests cannot say what changed: the difference says so.
 */

export interface TypeChange {
  type: string;
  added: number;
  removed: number;
  changed: number;
}

export interface ComponentCost {
  component: string;
  baseUsd: number;
  headUsd: number;
  deltaUsd: number;
}

export interface StackDiff {
  stack: string;
  /** `added`: only the head has this stack; `removed`: only the base. */
  presence: "both" | "added" | "removed";
  resources: {
    added: DocResource[];
    removed: DocResource[];
    changed: DocResource[];
    byType: TypeChange[];
    /** False when either side has no input digests: `changed` is then empty, not known to be. */
    changesKnown: boolean;
  };
  findings: { new: DocViolation[]; fixed: DocViolation[] };
  exemptions: { new: DocExemption[]; removed: DocExemption[] };
  cost: { baseUsd: number; headUsd: number; deltaUsd: number; byComponent: ComponentCost[] };
}

const cents = (n: number) => Math.round(n * 100) / 100;

const EMPTY: DocStack = {
  stack: "",
  resources: [],
  violations: [],
  costEstimate: { monthlyUsd: 0, items: [] },
};

/**
 * The resources a reader counts: real ones, not components, providers or the stack. A document without the
 * `custom` flag is read by shape: a resource that is some other's parent is a component.
 */
function counted(s: DocStack): DocResource[] {
  const parents = new Set(s.resources.map((r) => r.parent));
  return s.resources.filter((r) =>
    r.type.startsWith("pulumi:") ? false : r.custom !== undefined ? r.custom : !parents.has(r.urn),
  );
}

/** Each resource's top-level component name (`(stack)` outside every component). */
function componentNames(s: DocStack): Map<string, string> {
  const byUrn = new Map(s.resources.map((r) => [r.urn, r]));
  const out = new Map<string, string>();
  for (const r of s.resources) {
    let current = r;
    for (;;) {
      const parent = current.parent ? byUrn.get(current.parent) : undefined;
      if (!parent || parent.type === "pulumi:pulumi:Stack") {
        out.set(r.urn, current === r && r.custom !== false ? "(stack)" : current.name);
        break;
      }
      current = parent;
    }
  }
  return out;
}

function costByComponent(s: DocStack): Map<string, number> {
  const names = componentNames(s);
  const out = new Map<string, number>();
  for (const item of s.costEstimate.items ?? []) {
    const usd = typeof item.monthlyUsd === "number" ? item.monthlyUsd : 0;
    const name = names.get(String(item.urn)) ?? "(other)";
    out.set(name, (out.get(name) ?? 0) + usd);
  }
  return out;
}

/** Pairs findings by policy and resource; what is left over on one side is new or fixed. */
function unmatched<T extends { policy: string; urn: string; name: string; message: string }>(
  from: T[],
  against: T[],
): T[] {
  const pool = new Map<string, T[]>();
  const key = (f: T) => `${f.policy}\n${f.urn}\n${f.name}`;
  for (const f of against) pool.set(key(f), [...(pool.get(key(f)) ?? []), f]);
  const left: T[] = [];
  // Same message first, so a finding whose wording changed still pairs with its old self.
  const rest: T[] = [];
  for (const f of from) {
    const candidates = pool.get(key(f)) ?? [];
    const i = candidates.findIndex((c) => c.message === f.message);
    if (i >= 0) candidates.splice(i, 1);
    else rest.push(f);
  }
  for (const f of rest) {
    const candidates = pool.get(key(f)) ?? [];
    if (candidates.length > 0) candidates.shift();
    else left.push(f);
  }
  return left;
}

export function diffStack(stack: string, base: DocStack | undefined, head: DocStack | undefined): StackDiff {
  const b = base ?? EMPTY;
  const h = head ?? EMPTY;
  const before = new Map(counted(b).map((r) => [r.urn, r]));
  const after = new Map(counted(h).map((r) => [r.urn, r]));
  const added = [...after.values()].filter((r) => !before.has(r.urn));
  const removed = [...before.values()].filter((r) => !after.has(r.urn));
  const both = [...after.values()].filter((r) => before.has(r.urn));
  const changesKnown = both.every(
    (r) => r.inputsHash !== undefined && before.get(r.urn)!.inputsHash !== undefined,
  );
  const changed = changesKnown ? both.filter((r) => r.inputsHash !== before.get(r.urn)!.inputsHash) : [];
  const types = new Map<string, TypeChange>();
  const bump = (r: DocResource, k: "added" | "removed" | "changed") => {
    const t = types.get(r.type) ?? { type: r.type, added: 0, removed: 0, changed: 0 };
    t[k]++;
    types.set(r.type, t);
  };
  added.forEach((r) => bump(r, "added"));
  removed.forEach((r) => bump(r, "removed"));
  changed.forEach((r) => bump(r, "changed"));

  const baseCost = costByComponent(b);
  const headCost = costByComponent(h);
  const byComponent = [...new Set([...baseCost.keys(), ...headCost.keys()])]
    .map((component) => {
      const baseUsd = cents(baseCost.get(component) ?? 0);
      const headUsd = cents(headCost.get(component) ?? 0);
      return { component, baseUsd, headUsd, deltaUsd: cents(headUsd - baseUsd) };
    })
    .filter((c) => c.deltaUsd !== 0)
    .sort((x, y) => Math.abs(y.deltaUsd) - Math.abs(x.deltaUsd) || x.component.localeCompare(y.component));

  return {
    stack,
    presence: !base ? "added" : !head ? "removed" : "both",
    resources: {
      added,
      removed,
      changed,
      byType: [...types.values()].sort((x, y) => x.type.localeCompare(y.type)),
      changesKnown,
    },
    findings: { new: unmatched(h.violations, b.violations), fixed: unmatched(b.violations, h.violations) },
    exemptions: {
      new: unmatched(h.exemptions ?? [], b.exemptions ?? []),
      removed: unmatched(b.exemptions ?? [], h.exemptions ?? []),
    },
    cost: {
      baseUsd: b.costEstimate.monthlyUsd,
      headUsd: h.costEstimate.monthlyUsd,
      deltaUsd: cents(h.costEstimate.monthlyUsd - b.costEstimate.monthlyUsd),
      byComponent,
    },
  };
}

/** Every stack of either document, in the head's order, then stacks only the base has. */
export function diffPreviews(base: PreviewDocument, head: PreviewDocument): StackDiff[] {
  const b = new Map(base.stacks.map((s) => [s.stack, s]));
  const h = new Map(head.stacks.map((s) => [s.stack, s]));
  const names = [...new Set([...h.keys(), ...b.keys()])];
  return names.map((n) => diffStack(n, b.get(n), h.get(n)));
}

export const usd = (n: number) => `${n < 0 ? "-" : ""}$${Math.abs(n).toFixed(2)}`;
export const signedUsd = (n: number) => (n > 0 ? `+${usd(n)}` : n < 0 ? usd(n) : "±$0.00");

/** Nothing differs: no resource, finding, exemption or cost change. */
export function unchanged(d: StackDiff): boolean {
  const r = d.resources;
  return (
    d.presence === "both" &&
    r.changesKnown &&
    r.added.length + r.removed.length + r.changed.length === 0 &&
    d.findings.new.length + d.findings.fixed.length === 0 &&
    d.exemptions.new.length + d.exemptions.removed.length === 0 &&
    d.cost.deltaUsd === 0
  );
}

/** One line per stack: `+1 added, 0 removed, 3 changed`. */
export function resourceSummary(d: StackDiff): string {
  const r = d.resources;
  return `${r.added.length} added, ${r.removed.length} removed, ${r.changesKnown ? `${r.changed.length} changed` : "changes unknown (the base has no input digests)"}`;
}

const firstLine = (m: string) => m.split("\n").slice(1).join(" ").trim() || m.split("\n")[0];

/** The difference as text, for the terminal report. */
export function renderDiffText(diffs: StackDiff[], baseLabel: string): string {
  const lines = [`Difference against ${baseLabel}:`];
  for (const d of diffs) {
    if (d.presence !== "both") {
      lines.push(`  ${d.stack}: stack ${d.presence === "added" ? "added" : "removed"}`);
      continue;
    }
    if (unchanged(d)) {
      lines.push(`  ${d.stack}: no change`);
      continue;
    }
    lines.push(
      `  ${d.stack}: resources ${resourceSummary(d)}; findings ${d.findings.new.length} new, ${d.findings.fixed.length} fixed; ${usd(d.cost.baseUsd)} -> ${usd(d.cost.headUsd)}/month (${signedUsd(d.cost.deltaUsd)})`,
    );
    for (const t of d.resources.byType)
      lines.push(
        `    ${t.type}: ${[t.added && `+${t.added}`, t.removed && `-${t.removed}`, t.changed && `~${t.changed}`].filter(Boolean).join(" ")}`,
      );
    for (const f of d.findings.new)
      lines.push(`    new finding ${f.policy} on ${f.name}: ${firstLine(f.message)}`);
    for (const f of d.findings.fixed) lines.push(`    fixed ${f.policy} on ${f.name}`);
  }
  return lines.join("\n");
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The difference as Markdown, for the pull-request comment: a table per stack, details folded. */
export function renderDiffMarkdown(diffs: StackDiff[], baseLabel: string): string {
  const lines = [
    `#### What this change does to each stack (against ${baseLabel})`,
    "",
    "| stack | resources | findings | fixed monthly estimate |",
    "| --- | --- | --- | --- |",
  ];
  for (const d of diffs) {
    if (d.presence !== "both") {
      lines.push(`| ${d.stack} | stack ${d.presence} | | ${usd(d.cost.baseUsd)} → ${usd(d.cost.headUsd)} |`);
      continue;
    }
    lines.push(
      `| ${d.stack} | ${unchanged(d) ? "no change" : resourceSummary(d)} | ${d.findings.new.length} new, ${d.findings.fixed.length} fixed | ${usd(d.cost.baseUsd)} → ${usd(d.cost.headUsd)} (${signedUsd(d.cost.deltaUsd)}) |`,
    );
  }
  for (const d of diffs.filter((x) => !unchanged(x) && x.presence === "both")) {
    lines.push("", `<details><summary>${d.stack}: details</summary>`, "");
    if (d.resources.byType.length > 0) {
      lines.push("| type | added | removed | changed |", "| --- | --- | --- | --- |");
      for (const t of d.resources.byType)
        lines.push(`| \`${t.type}\` | ${t.added} | ${t.removed} | ${t.changed} |`);
      lines.push("");
    }
    const finding = (f: DocViolation) =>
      `**${f.policy}** (${f.enforcementLevel}) on \`${f.name}\`: ${cell(firstLine(f.message))}`;
    const exemption = (e: DocExemption) => `**${e.policy}** on \`${e.name}\`: ${cell(e.reason)}`;
    for (const [title, items] of [
      ["New findings", d.findings.new.map(finding)],
      ["Fixed findings", d.findings.fixed.map(finding)],
      ["New exemptions", d.exemptions.new.map(exemption)],
      ["Exemptions no longer needed", d.exemptions.removed.map(exemption)],
    ] as const) {
      if (items.length > 0) lines.push(`${title}:`, "", ...items.map((i) => `- ${i}`), "");
    }
    if (d.cost.byComponent.length > 0) {
      lines.push("| component | base | head | delta |", "| --- | --- | --- | --- |");
      for (const c of d.cost.byComponent)
        lines.push(`| ${c.component} | ${usd(c.baseUsd)} | ${usd(c.headUsd)} | ${signedUsd(c.deltaUsd)} |`);
      lines.push("");
    }
    lines.push("</details>");
  }
  return lines.join("\n");
}
