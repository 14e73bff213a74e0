import { isUnknown, raw } from "./values";

/*
 * Small readers shared by the domain modules. `present` treats a value unknown during preview as set (an ARN
 * of a key not yet created is still a key); `at` walks a raw path without the SDK's proxy.
 */

/** Set to something: unknown during preview counts as set. */
export function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);
}

/** A raw nested value by dotted path (`rule.applyServerSideEncryptionByDefault.sseAlgorithm`). */
export function at(obj: unknown, path: string): unknown {
  let cur: unknown = raw(obj);
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object" || isUnknown(cur))
      return cur === null ? undefined : isUnknown(cur) ? cur : undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** A raw list (a wholly unknown list is returned as []; use `isUnknown` on the value first where it matters). */
export function list(v: unknown): unknown[] {
  const r = raw<unknown>(v);
  return Array.isArray(r) ? r : [];
}

/** Readable list: "a, b and c". */
export function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** Engine version's major number ("15.4" -> 15, "8.0.mysql_aurora.3.05.2" -> 8). */
export function majorVersion(v: unknown): number | undefined {
  if (typeof v !== "string" || isUnknown(v)) return undefined;
  const m = /^(\d+)/.exec(v);
  return m ? Number(m[1]) : undefined;
}
