import { K } from "./kinds";
import type { Res } from "./framework";
import { asList, isUnknown, unknownAt } from "./values";

/*
 * IAM policy documents (identity, resource and trust policies), normalized. A document may be a JSON
 * string (how the AWS provider takes it) or an object; a document that is wholly unknown during preview
 * raises the SDK's UnknownValueError (its content cannot be judged). Inside a document an unknown value
 * stays the engine's sentinel: an unknown Resource is some specific ARN, never "*", so it neither passes
 * for a wildcard nor hides one that is spelled out.
 */

export interface Principal {
  /** `"Principal": "*"` or `{"AWS": "*"}`: anyone, in any account. */
  anyone: boolean;
  aws: unknown[];
  service: unknown[];
  federated: unknown[];
  canonicalUser: unknown[];
}

export interface Statement {
  index: number;
  sid?: string;
  effect: "Allow" | "Deny";
  actions?: unknown[];
  notActions?: unknown[];
  resources?: unknown[];
  notResources?: unknown[];
  principal?: Principal;
  notPrincipal?: Principal;
  /** operator -> condition key -> values, e.g. StringEquals -> aws:SourceAccount -> ["123"]. */
  condition: Record<string, Record<string, unknown[]>>;
}

export type DocumentRole = "identity" | "resource" | "trust";

export interface Document {
  /** Where it came from, for messages: "policy", "inlinePolicies[0].policy", "assumeRolePolicy". */
  path: string;
  role: DocumentRole;
  statements: Statement[];
  /** Set when the text is not a policy document at all. */
  error?: string;
}

function principalOf(v: unknown): Principal | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === "*") return { anyone: true, aws: ["*"], service: [], federated: [], canonicalUser: [] };
  if (typeof v !== "object")
    return { anyone: false, aws: [v], service: [], federated: [], canonicalUser: [] };
  const o = v as Record<string, unknown>;
  const aws = asList(o["AWS"]);
  return {
    anyone: aws.some((a) => a === "*"),
    aws,
    service: asList(o["Service"]),
    federated: asList(o["Federated"]),
    canonicalUser: asList(o["CanonicalUser"]),
  };
}

function conditionOf(v: unknown): Record<string, Record<string, unknown[]>> {
  const out: Record<string, Record<string, unknown[]>> = {};
  if (!v || typeof v !== "object") return out;
  for (const [op, keys] of Object.entries(v as Record<string, unknown>)) {
    out[op] = {};
    if (keys && typeof keys === "object") {
      for (const [k, vals] of Object.entries(keys as Record<string, unknown>)) out[op][k] = asList(vals);
    }
  }
  return out;
}

/** Parses a document value read raw from props. Throws UnknownValueError when the whole document is unknown. */
export function parseDocument(value: unknown, path: string, role: DocumentRole): Document | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (isUnknown(value)) unknownAt(path, value);
  let doc: unknown = value;
  if (typeof value === "string") {
    try {
      doc = JSON.parse(value);
    } catch {
      return { path, role, statements: [], error: "is not valid JSON" };
    }
  }
  if (!doc || typeof doc !== "object") return { path, role, statements: [], error: "is not a JSON object" };
  const statements = asList((doc as Record<string, unknown>)["Statement"]).map((s, index): Statement => {
    const o = (s ?? {}) as Record<string, unknown>;
    return {
      index,
      sid: typeof o["Sid"] === "string" ? o["Sid"] : undefined,
      effect: o["Effect"] === "Deny" ? "Deny" : "Allow",
      actions: "Action" in o ? asList(o["Action"]) : undefined,
      notActions: "NotAction" in o ? asList(o["NotAction"]) : undefined,
      resources: "Resource" in o ? asList(o["Resource"]) : undefined,
      notResources: "NotResource" in o ? asList(o["NotResource"]) : undefined,
      principal: principalOf(o["Principal"]),
      notPrincipal: principalOf(o["NotPrincipal"]),
      condition: conditionOf(o["Condition"]),
    };
  });
  return { path, role, statements };
}

/** "statement 2 (Sid ReadObjects)" */
export function describe(s: Statement): string {
  return `statement ${s.index + 1}${s.sid ? ` (Sid ${s.sid})` : ""}`;
}

/** Compiled IAM wildcard patterns: a stack's policies test the same few dozen action patterns many times. */
const PATTERNS = new Map<string, RegExp>();

/** Empties the compiled-pattern cache, so a test compiles each pattern it uses again (the cache hides nothing). */
export function clearIamPatternCache(): void {
  PATTERNS.clear();
}

/** Case-insensitive IAM wildcard match (`*`, `?`) of `pattern` (from a statement) against a concrete name. */
export function iamMatch(pattern: unknown, name: string): boolean {
  if (typeof pattern !== "string" || isUnknown(pattern)) return false;
  let re = PATTERNS.get(pattern);
  if (!re) {
    const body = pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`, "i");
    PATTERNS.set(pattern, re);
  }
  return re.test(name);
}

/** The statement's actions that match `name` (e.g. "iam:PassRole" is matched by "iam:*", "iam:Pass*", "*"). */
export function grants(s: Statement, name: string): unknown[] {
  return (s.actions ?? []).filter((a) => iamMatch(a, name));
}

/** A resource value that is a wildcard over a whole class: "*" or an ARN containing "*" (known values only). */
export function isWildcardResource(r: unknown): boolean {
  return typeof r === "string" && !isUnknown(r) && r.includes("*");
}

/** A known string value. */
export function known(v: unknown): v is string {
  return typeof v === "string" && !isUnknown(v);
}

/** Condition keys of a statement, lower-cased, with the operator they are used under. */
export function conditionKeys(s: Statement): Array<{ op: string; key: string; values: unknown[] }> {
  return Object.entries(s.condition).flatMap(([op, keys]) =>
    Object.entries(keys).map(([key, values]) => ({ op, key: key.toLowerCase(), values })),
  );
}

/**
 * Condition keys that narrow who can use a statement granted to "*" (the caller's account, organization,
 * source resource or network). A key only counts under a positive operator (StringEquals, ArnLike, ...),
 * never a negated one (StringNotEquals admits everyone else) and never with "*" as its only value.
 */
export const SCOPING_CONDITION_KEYS = [
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceowner",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:sourceip",
  "kms:calleraccount",
  "kms:viaservice",
];

export function isPositiveOperator(op: string): boolean {
  const base = op.replace(/^ForAnyValue:|^ForAllValues:/, "").replace(/IfExists$/, "");
  return !/Not/.test(base) && base !== "Null" && base !== "Bool";
}

/**
 * True when a positive condition on one of `keys` (lower-case names, or a pattern of them) restricts the
 * statement to specific values: not negated, not IfExists (a request without the key passes), not Null, and
 * not "*".
 */
export function hasScopingCondition(
  s: Statement,
  keys: readonly string[] | RegExp = SCOPING_CONDITION_KEYS,
): boolean {
  return conditionKeys(s).some(
    (c) =>
      (keys instanceof RegExp ? keys.test(c.key) : keys.includes(c.key)) &&
      isPositiveOperator(c.op) &&
      !/IfExists$/.test(c.op) &&
      c.values.length > 0 &&
      c.values.every((v) => v !== "*"),
  );
}

/** Identity policy documents a resource carries (roles' inline policies, role/user/group/managed policies). */
export function identityDocuments(res: Res): Document[] {
  const docs: Document[] = [];
  if (K.role.has(res.type)) {
    const inline = res.raw["inlinePolicies"];
    if (isUnknown(inline)) unknownAt("inlinePolicies", inline);
    asList(inline).forEach((p, i) => {
      const d = parseDocument(
        (p as Record<string, unknown>)?.["policy"],
        `inlinePolicies[${i}].policy`,
        "identity",
      );
      if (d) docs.push(d);
    });
  }
  if (
    K.rolePolicy.has(res.type) ||
    K.managedPolicy.has(res.type) ||
    K.userPolicy.has(res.type) ||
    K.groupPolicy.has(res.type)
  ) {
    const d = parseDocument(res.raw["policy"], "policy", "identity");
    if (d) docs.push(d);
  }
  return docs;
}

/** Where each resource-policy kind keeps its document. */
export const RESOURCE_POLICY_PROPS: Array<[keyof typeof K, string]> = [
  ["bucket", "policy"],
  ["bucketPolicy", "policy"],
  ["queue", "policy"],
  ["queuePolicy", "policy"],
  ["topic", "policy"],
  ["topicPolicy", "policy"],
  ["kmsKey", "policy"],
  ["secretPolicy", "policy"],
  ["ecrRepositoryPolicy", "policy"],
  ["logResourcePolicy", "policyDocument"],
  ["eventBusPolicy", "policy"],
  ["restApiPolicy", "policy"],
  ["restApi", "policy"],
];

/** The resource policy document of a resource, if its kind has one. */
export function resourceDocument(res: Res): Document | undefined {
  for (const [kindName, prop] of RESOURCE_POLICY_PROPS) {
    if (K[kindName].has(res.type)) return parseDocument(res.raw[prop], prop, "resource");
  }
  return undefined;
}

/** The trust policy of a role. */
export function trustDocument(res: Res): Document | undefined {
  return K.role.has(res.type)
    ? parseDocument(res.raw["assumeRolePolicy"], "assumeRolePolicy", "trust")
    : undefined;
}
