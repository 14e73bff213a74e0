/*
 * Reading the offline evaluation's resource graph for generated documents: names that do not change with the
 * random suffix of auto-named resources or the account, and the component a resource belongs to.
 */
import type { RegisteredResource } from "./offline/evaluate";
import { DEFAULT_ACCOUNT_ID } from "./offline/mocks";

export interface Tidy {
  (s: string): string;
}

/** Replaces auto-named physical names with their logical names and masks the account id. */
export function tidier(resources: RegisteredResource[]): Tidy {
  const names = new Map<string, string>();
  for (const r of resources) {
    const escaped = r.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const auto = new RegExp(`^${escaped}-[0-9a-f]{7}(\\.fifo)?$`, "i");
    for (const v of Object.values(r.inputs)) {
      if (typeof v === "string" && auto.test(v))
        names.set(v, v.endsWith(".fifo") ? `${r.name}.fifo` : r.name);
    }
  }
  const physical = [...names.keys()].sort((a, b) => b.length - a.length);
  // The account the stack was evaluated in (its allowedAccountIds, or the mocks' default): whatever it is, the
  // documents read the same.
  const accounts = new Set([DEFAULT_ACCOUNT_ID]);
  for (const r of resources) {
    const account = typeof r.outputs.arn === "string" ? r.outputs.arn.split(":")[4] : undefined;
    if (account && /^\d{12}$/.test(account)) accounts.add(account);
  }
  return (s: string) => {
    let out = s;
    for (const account of accounts) out = out.split(account).join("<account>");
    for (const p of physical) out = out.split(p).join(names.get(p)!);
    return out;
  };
}

/** The nearest component ancestor of a resource (the stack itself for top-level resources). */
export function componentOf(
  r: RegisteredResource,
  byUrn: Map<string, RegisteredResource>,
): string | undefined {
  let parent = r.parent ? byUrn.get(r.parent) : undefined;
  while (parent && parent.custom) parent = parent.parent ? byUrn.get(parent.parent) : undefined;
  return parent?.urn;
}
