/**
 * A compact validator for the JSON schema subset the API's request schemas use (no validator package is
 * installed): type, required, properties, additionalProperties (false or a schema), enum, string length and pattern,
 * number range, array items and length. Problems name the field by its JSON path.
 */
import type { JsonType, Schema } from "../../../contracts/json-schema";

export type { JsonType, Schema };

export interface Problem {
  readonly field: string;
  readonly message: string;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function matchesType(value: unknown, type: JsonType): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

export function validate(schema: Schema, value: unknown, path = "$"): Problem[] {
  if (!matchesType(value, schema.type)) {
    return [{ field: path, message: `must be of type ${schema.type}, not ${typeOf(value)}` }];
  }
  const problems: Problem[] = [];
  const add = (message: string) => problems.push({ field: path, message });
  if (schema.enum && !schema.enum.includes(value as string | number))
    add(`must be one of ${schema.enum.join(", ")}`);
  if (typeof value === "string") {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      add(`must be at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && length > schema.maxLength)
      add(`must be at most ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value))
      add(`must match ${schema.pattern}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) add(`must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) add(`must be at most ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      add(`must have at most ${schema.maxItems} items`);
    if (schema.items) value.forEach((v, i) => problems.push(...validate(schema.items!, v, `${path}[${i}]`)));
  }
  if (schema.type === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    for (const name of schema.required ?? [])
      if (record[name] === undefined) problems.push({ field: `${path}.${name}`, message: "is required" });
    if (schema.minProperties !== undefined && keys.length < schema.minProperties)
      add(`must have at least ${schema.minProperties} properties`);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties)
      add(`must have at most ${schema.maxProperties} properties`);
    for (const name of keys) {
      const sub = schema.properties?.[name];
      if (sub) problems.push(...validate(sub, record[name], `${path}.${name}`));
      else if (schema.additionalProperties === false)
        problems.push({ field: `${path}.${name}`, message: "is not allowed" });
      else if (schema.additionalProperties)
        problems.push(...validate(schema.additionalProperties, record[name], `${path}.${name}`));
    }
  }
  return problems;
}
