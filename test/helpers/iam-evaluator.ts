import type { PolicyStatement } from "../../tools/iam-roles";

/*
 * A small evaluator of identity policies, for tests that ask "may this role do this action on this resource?"
 * of the roles a stack really builds. It follows IAM's documented logic for one principal's identity policies:
 * an explicit Deny wins, else any matching Allow allows, else the request is implicitly denied. A statement
 * matches when its Action (or NotAction) matches the action case-insensitively, its Resource (or NotResource)
 * matches the resource case-sensitively (`*` and `?` wildcards), and every condition holds. Conditions: the
 * String, Arn, Bool and Null operators the stacks use, negated forms, `IfExists`, and the ForAnyValue /
 * ForAllValues set qualifiers; keys are case-insensitive. Anything else (numeric, date or IP operators, policy
 * variables) throws, so a test never passes on something this evaluator does not understand. It knows nothing
 * of AWS managed policies, resource policies, boundaries or SCPs: tests say which they rule out.
 */

export type ContextValue = string | string[];

export interface Request {
  readonly action: string;
  readonly resource: string;
  /** The request context: condition keys (any case) and their values; absent keys are absent. */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

export type Decision = "allow" | "explicit-deny" | "implicit-deny";

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM's wildcard match: `*` any run of characters, `?` exactly one. */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern.includes("${")) throw new Error(`policy variables are not supported: ${pattern}`);
  const body = pattern
    .split("")
    .map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, ignoreCase ? "i" : "").test(value);
}

/** ArnEquals / ArnLike: each of the six colon-separated parts matched on its own, with wildcards. */
function arnMatch(pattern: string, value: string): boolean {
  const split = (arn: string) => {
    const parts = arn.split(":");
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(":")];
  };
  const p = split(pattern);
  const v = split(value);
  if (!p || !v) return false;
  return p.every((part, i) => globMatch(part, v[i], false));
}

type ValueTest = (policyValue: string, requestValue: string) => boolean;

const BASE_OPERATORS: Record<string, ValueTest> = {
  StringEquals: (p, v) => p === v,
  StringEqualsIgnoreCase: (p, v) => p.toLowerCase() === v.toLowerCase(),
  StringLike: (p, v) => globMatch(p, v, false),
  ArnEquals: arnMatch,
  ArnLike: arnMatch,
  Bool: (p, v) => p.toLowerCase() === v.toLowerCase(),
};

const NEGATED: Record<string, string> = {
  StringNotEquals: "StringEquals",
  StringNotEqualsIgnoreCase: "StringEqualsIgnoreCase",
  StringNotLike: "StringLike",
  ArnNotEquals: "ArnEquals",
  ArnNotLike: "ArnLike",
};

function lookup(context: Request["context"], key: string): string[] | undefined {
  const found = Object.entries(context ?? {}).find(([k]) => k.toLowerCase() === key.toLowerCase());
  return found ? asList(found[1]) : undefined;
}

/** One operator over one key: does the condition hold for this request? */
function conditionHolds(
  operator: string,
  key: string,
  policyValues: unknown[],
  context: Request["context"],
): boolean {
  const values = policyValues.map(String);
  const present = lookup(context, key);
  let op = operator;
  let set: "any" | "all" | undefined;
  if (op.startsWith("ForAnyValue:")) [set, op] = ["any", op.slice("ForAnyValue:".length)];
  else if (op.startsWith("ForAllValues:")) [set, op] = ["all", op.slice("ForAllValues:".length)];
  if (op === "Null") {
    const wantsAbsent = values.map((v) => v.toLowerCase()).includes("true");
    return wantsAbsent === (present === undefined);
  }
  const ifExists = op.endsWith("IfExists");
  if (ifExists) op = op.slice(0, -"IfExists".length);
  if (present === undefined) {
    if (set === "all") return true; // AWS: ForAllValues over an absent key is true
    if (ifExists) return true;
    return NEGATED[op] !== undefined; // a negated operator holds when the key is absent
  }
  const negated = NEGATED[op];
  const test = BASE_OPERATORS[negated ?? op];
  if (!test) throw new Error(`condition operator ${operator} is not supported`);
  const matchesOne = (v: string) => values.some((p) => test(p, v));
  const result = set === "all" ? present.every(matchesOne) : present.some(matchesOne);
  return negated ? !result : result;
}

function statementMatches(s: PolicyStatement, req: Request): boolean {
  const actionHit = (patterns: string[]) => patterns.some((p) => globMatch(p, req.action, true));
  if (s.Action !== undefined ? !actionHit(asList(s.Action)) : !s.NotAction || actionHit(asList(s.NotAction)))
    return false;
  const resourceHit = (patterns: string[]) => patterns.some((p) => globMatch(p, req.resource, false));
  if (
    s.Resource !== undefined
      ? !resourceHit(asList(s.Resource))
      : !s.NotResource || resourceHit(asList(s.NotResource))
  )
    return false;
  return Object.entries(s.Condition ?? {}).every(([operator, byKey]) =>
    Object.entries(byKey).every(([key, v]) => conditionHolds(operator, key, asList(v), req.context)),
  );
}

/** The decision of these identity-policy statements on one request, and the statements that decided it. */
export function evaluateRequest(
  statements: PolicyStatement[],
  req: Request,
): { decision: Decision; by: PolicyStatement[] } {
  const matched = statements.filter((s) => statementMatches(s, req));
  const denies = matched.filter((s) => s.Effect === "Deny");
  if (denies.length > 0) return { decision: "explicit-deny", by: denies };
  const allows = matched.filter((s) => s.Effect === "Allow");
  return allows.length > 0 ? { decision: "allow", by: allows } : { decision: "implicit-deny", by: [] };
}
