/**
 * EventBridge's event patterns and input transformers, evaluated in-process for the local runner: the
 * subset the routing table (contracts/routing.ts) and its tests use.
 *
 * Patterns: nested objects select fields; an array lists the values a field may have, each a literal (exact
 * match) or a filter - {"prefix"}, {"numeric": [op, value, ...]}, {"anything-but": value | [values]},
 * {"exists": boolean}; an event field that is an array matches when one of its elements does; a field the
 * event lacks matches only {"exists": false}.
 * Transformers: `$.a.b` paths (dot notation), and `<name>` placeholders filled as JSON values, or spliced as
 * raw text inside a JSON string of the template.
 */

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const NUMERIC_OPS: Record<string, (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  "=": (a, b) => a === b,
  ">=": (a, b) => a >= b,
  ">": (a, b) => a > b,
};

function matchesFilter(filter: Json, value: Json, present: boolean): boolean {
  if (!isObject(filter)) return present && value === filter;
  const [[kind, arg]] = Object.entries(filter);
  switch (kind) {
    case "exists":
      return present === arg;
    case "prefix":
      return present && typeof value === "string" && value.startsWith(String(arg));
    case "numeric": {
      if (!present || typeof value !== "number") return false;
      const ops = arg as (string | number)[];
      for (let i = 0; i < ops.length; i += 2) {
        const test = NUMERIC_OPS[String(ops[i])];
        if (!test) throw new Error(`unsupported numeric operator ${String(ops[i])}`);
        if (!test(value, Number(ops[i + 1]))) return false;
      }
      return true;
    }
    case "anything-but": {
      const excluded = Array.isArray(arg) ? arg : [arg];
      return present && !excluded.includes(value);
    }
    default:
      throw new Error(`unsupported pattern filter ${kind}`);
  }
}

function matchesField(allowed: Json[], value: Json, present: boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  return allowed.some((filter) =>
    !present ? matchesFilter(filter, undefined, false) : values.some((v) => matchesFilter(filter, v, true)),
  );
}

/** Whether `event` matches `pattern`. */
export function matchesPattern(pattern: Record<string, Json>, event: Json): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    const present = Object.prototype.hasOwnProperty.call(event, key);
    if (Array.isArray(expected)) return matchesField(expected, event[key], present);
    if (isObject(expected)) return present && matchesPattern(expected, event[key]);
    throw new Error(`pattern field ${key} must be an array or an object`);
  });
}

function atPath(event: Json, path: string): Json {
  if (path === "$") return event;
  if (!path.startsWith("$.")) throw new Error(`unsupported input path ${path}`);
  let value: Json = event;
  for (const segment of path.slice(2).split(".")) {
    if (!isObject(value)) return undefined;
    value = value[segment];
  }
  return value;
}

/** The target input an input transformer makes of `event`. */
export function transformInput(
  transformer: { inputPaths: Readonly<Record<string, string>>; inputTemplate: string },
  event: Json,
): string {
  const values = Object.fromEntries(
    Object.entries(transformer.inputPaths).map(([name, path]) => [name, atPath(event, path)]),
  );
  let out = "";
  let inString = false;
  const t = transformer.inputTemplate;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === "\\" && inString) {
      out += c + (t[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === "<") {
      const end = t.indexOf(">", i);
      const name = end > 0 ? t.slice(i + 1, end) : "";
      if (name in values) {
        const value = values[name];
        if (inString) {
          // Inside a string: the value's text, escaped as JSON string content.
          const text = typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
          out += JSON.stringify(text).slice(1, -1);
        } else {
          out += value === undefined ? "null" : JSON.stringify(value);
        }
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}
