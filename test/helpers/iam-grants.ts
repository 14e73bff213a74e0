import * as assert from "assert";

/*
 * What an IAM policy document allows, as properties instead of a copy of the document: the permissions it
 * grants (one per action and resource, with the condition they hold under), and whether any is a wildcard.
 * Rewording a Sid, splitting a statement in two or merging two leaves these unchanged; granting one action
 * more, on one resource more, or without its condition does not.
 */

export interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * A condition as text, each value list sorted and a one-value list written as its value: IAM reads
 * ["a", "b"] and ["b", "a"] alike, and "a" and ["a"] alike.
 */
function conditionText(c: Statement["Condition"]): string {
  if (!c) return "";
  const sorted = Object.fromEntries(
    Object.keys(c)
      .sort()
      .map((op) => [
        op,
        Object.fromEntries(
          Object.keys(c[op])
            .sort()
            .map((k) => {
              const v = c[op][k];
              if (!Array.isArray(v)) return [k, v];
              return [k, v.length === 1 ? String(v[0]) : [...v].map(String).sort()];
            }),
        ),
      ]),
  );
  return ` if ${JSON.stringify(sorted)}`;
}

/** "<Effect> <action> <resource>[ if <condition>]" for every action and resource of every statement, sorted. */
export function grantsOf(statements: readonly Statement[]): string[] {
  const grants = new Set<string>();
  for (const s of statements)
    for (const action of list(s.Action))
      for (const resource of list(s.Resource))
        grants.add(`${s.Effect} ${action} ${resource}${conditionText(s.Condition)}`);
  return [...grants].sort();
}

/** One grant as grantsOf writes it. */
export function grant(
  action: string,
  resource: string,
  condition?: Statement["Condition"],
  effect = "Allow",
): string {
  return `${effect} ${action} ${resource}${conditionText(condition)}`;
}

/** Every action on every resource, as grants. */
export function grantsFor(
  actions: readonly string[],
  resources: readonly string[],
  condition?: Statement["Condition"],
): string[] {
  return actions.flatMap((a) => resources.map((r) => grant(a, r, condition)));
}

/**
 * No Allow names every action ("*") or every action of a service ("s3:*"), and none names every resource ("*")
 * unless its actions are ones AWS scopes to no resource (`anyResource`, e.g. X-Ray's PutTraceSegments).
 */
export function assertNoWildcards(
  statements: readonly Statement[],
  anyResource: readonly string[] = [],
): void {
  for (const s of statements.filter((x) => x.Effect === "Allow")) {
    for (const a of list(s.Action))
      assert.doesNotMatch(a, /(^|:)\*$/, `${s.Sid ?? "a statement"} allows ${a}`);
    if (list(s.Resource).includes("*"))
      for (const a of list(s.Action))
        assert.ok(anyResource.includes(a), `${s.Sid ?? "a statement"} allows ${a} on every resource`);
  }
}
