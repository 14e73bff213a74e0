/**
 * The JSON schema subset the API's request schemas use (draft 4, which API Gateway's models accept): type,
 * required, properties, additionalProperties (false or a schema for every other property), enum, string length
 * and pattern, number range, array items and length, object size. The route table (api-routes.ts) and the
 * api-handler's validator both read it.
 */
export type JsonType = "object" | "string" | "integer" | "number" | "boolean" | "array";

export interface Schema {
  readonly type: JsonType;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  /** false: no other property; a schema: every other property's value must match it. */
  readonly additionalProperties?: false | Schema;
  readonly enum?: readonly (string | number)[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: Schema;
  readonly maxItems?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
}
