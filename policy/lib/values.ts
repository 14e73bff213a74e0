import { UnknownValueError } from "@pulumi/policy";

/*
 * Reading resource properties the way the policy SDK hands them over. Props arrive wrapped in the SDK's
 * unknown-checking proxy: reading a value that `pulumi preview` cannot know yet (an ARN of a resource not yet
 * created) throws UnknownValueError, which the SDK turns into an advisory "can't run policy during preview".
 * That is the right default for a value a check depends on. Where an unknown value has a safe meaning (an
 * unknown ARN in a policy statement is some specific ARN, never "*"), checks read the raw value instead and
 * test it with `isUnknown`.
 */

// The engine's sentinels for values not known during preview (@pulumi/policy proxy.js; also
// @pulumi/pulumi's runtime/rpc.ts). Internal to the SDK, so pinned with it.
const proxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
const SENTINELS: ReadonlySet<unknown> = new Set(
  [
    "unknownBooleanValue",
    "unknownNumberValue",
    "unknownStringValue",
    "unknownArrayValue",
    "unknownAssetValue",
    "unknownArchiveValue",
    "unknownObjectValue",
  ].map((k) => proxy[k]),
);
const PROXY_TARGET = proxy["getSpecialProxyTarget"] as string;

/** The unknown-string sentinel, for tests and for raising UnknownValueError on a value read raw. */
export const UNKNOWN_STRING = proxy["unknownStringValue"] as string;

/** True when `v` is a value the engine cannot know during preview. */
export function isUnknown(v: unknown): boolean {
  return SENTINELS.has(v);
}

/** The object under the SDK's proxy (nested values are plain; unknowns are sentinels). Plain objects pass. */
export function raw<T = Record<string, unknown>>(v: unknown): T {
  if (v !== null && typeof v === "object") {
    const target = (v as Record<string, unknown>)[PROXY_TARGET];
    if (target !== undefined) return target as T;
  }
  return v as T;
}

/** Throws the SDK's UnknownValueError for a value read raw, so the SDK reports "can't run during preview". */
export function unknownAt(path: string, sentinel: unknown = UNKNOWN_STRING): never {
  throw new UnknownValueError(isUnknown(sentinel) ? sentinel : UNKNOWN_STRING, path.split("."));
}

/** A string-to-string map read raw (tags): unknown values stay sentinels; a wholly unknown map is `undefined`. */
export function stringMap(v: unknown): Record<string, unknown> | undefined {
  const r = raw<unknown>(v);
  if (r === null || typeof r !== "object" || Array.isArray(r)) return undefined;
  return r as Record<string, unknown>;
}

/** JSON strings (how the AWS provider serializes policies and nested provider config) or objects. */
export function parseJsonish(v: unknown): unknown {
  const r = raw<unknown>(v);
  if (typeof r === "string" && !isUnknown(r)) {
    try {
      return JSON.parse(r);
    } catch {
      return undefined;
    }
  }
  return r;
}

/** Values as a list: AWS policy grammar allows a single value or an array. */
export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** A number from a number or a numeric string (launch templates and ECS use strings); else undefined. */
export function asNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && !isUnknown(v) && !isNaN(Number(v))) return Number(v);
  return undefined;
}

/** A boolean from a boolean or "true"/"false" (launch templates use strings); else undefined. */
export function asBool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return undefined;
}

/** Shell-style glob (`*`, `?`) to an anchored, case-sensitive regular expression. */
export function globToRegExp(glob: string, flags = ""): RegExp {
  const body = glob
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, flags);
}

/**
 * Whether a property was left to its default. Bridged providers fill schema defaults during Check and list
 * them in `__defaults` (older bridges); a value absent from the inputs was not set either.
 */
export function isDefaulted(props: Record<string, unknown>, key: string): boolean {
  const r = raw(props);
  if (r[key] === undefined || r[key] === null) return true;
  const defaults = r["__defaults"];
  return Array.isArray(defaults) && defaults.includes(key);
}
