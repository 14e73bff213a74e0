import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import type { EnforcementLevel, Policies } from "@pulumi/policy";

/*
 * The policy pack config (`--policy-pack-config`) as the Pulumi CLI reads, reconciles and validates it
 * before a run: pkg/resource/analyzer/config.go in pulumi/pulumi at commit
 * 1b5949891b3cefcb9974752b24a5ecef0acc86c8 (checked 2026-12-06).
 * - Parsing: each value is an enforcement level, or an object whose `enforcementLevel`, if any, is one.
 * - Reconciling: each policy starts from its own level and its configSchema's defaults; `all` sets every
 *   policy's level; a policy's own entry then sets its level and its properties (merged over the defaults).
 * - Validating: a policy with a configSchema validates its reconciled properties against
 *   `{type: "object", properties, required}` of that schema with a JSON Schema validator (gojsonschema there,
 *   Ajv here), so every keyword inside a property's schema applies (minLength, nested required, items,
 *   additionalProperties...), while properties the schema does not name are passed on.
 * - A name that is no policy of the pack is accepted and ignored by the CLI: here it is a warning, as is a
 *   property no policy schema names (the CLI passes it on, and the policy never reads it).
 */

/** Per-policy settings as in a `--policy-pack-config` file; `all` sets every policy's level. */
export type PackConfig = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

/** The pack config does not fit a policy's configSchema; the CLI would refuse it too. */
export class PackConfigError extends Error {
  constructor(problems: string[]) {
    super(`invalid policy pack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PackConfigError";
  }
}

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];
/** The config file's key for ESC environments (the CLI takes it out before reading policies). */
const ENVIRONMENTS = "environments";

export interface ResolvedPolicy {
  policy: Policies[number];
  level: EnforcementLevel;
  /** The properties the policy receives: schema defaults, then the pack config's. */
  values: Record<string, unknown>;
}

const ajv = new Ajv({ allErrors: true, strict: false });
/** Compiled validators by schema text: most policies share one schema (just `exemptions`), and compiling is
 * most of the cost (about 3 ms a schema). */
const validators = new Map<string, ValidateFunction>();

/** The validator of a policy's config, the schema wrapped as the CLI wraps it (convertSchema). */
function validatorOf(schema: NonNullable<Policies[number]["configSchema"]>): ValidateFunction {
  const wrapped = {
    type: "object",
    ...(Object.keys(schema.properties).length > 0 ? { properties: schema.properties } : {}),
    ...(schema.required?.length ? { required: schema.required } : {}),
  };
  const key = JSON.stringify(wrapped);
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(wrapped);
    validators.set(key, validate);
  }
  return validate;
}

/** `/exemptions/0/reason` -> `exemptions[0].reason` */
function pathOf(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join("");
}

function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const p of pointer.split("/").slice(1))
    v = (v as Record<string, unknown>)?.[p.replace(/~1/g, "/").replace(/~0/g, "~")];
  return v;
}

/** One schema error as `policy.path = value: what is allowed`. */
function describe(policy: string, values: Record<string, unknown>, e: ErrorObject): string {
  if (e.keyword === "required") {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    const at = pathOf(`${e.instancePath}/${missing}`);
    return `${policy}.${at} = (not set): is required by the policy's configSchema`;
  }
  const at = pathOf(e.instancePath);
  const allowed =
    e.keyword === "enum"
      ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")})`
      : "";
  return `${policy}${at ? `.${at}` : ""} = ${JSON.stringify(valueAt(values, e.instancePath))}: ${e.message}${allowed}`;
}

function levelProblem(key: string, level: unknown): string | undefined {
  if (typeof level === "string" && LEVELS.includes(level)) return undefined;
  return `${key}.enforcementLevel = ${JSON.stringify(level)}: must be one of ${LEVELS.join(", ")}`;
}

/**
 * Resolves each policy's level and properties as the CLI does, and checks the config as the CLI does:
 * throws a PackConfigError naming every problem the CLI would refuse; returns what it would accept but
 * ignore as warnings.
 */
export function resolvePackConfig(
  policies: Policies,
  pack: { enforcementLevel: EnforcementLevel; config?: PackConfig },
): { policies: ResolvedPolicy[]; warnings: string[] } {
  const config = pack.config ?? {};
  const problems: string[] = [];
  const warnings: string[] = [];
  const known = new Map(policies.map((p) => [p.name, p]));
  const given = new Map<string, { level?: EnforcementLevel; props: Record<string, unknown> }>();
  for (const [key, value] of Object.entries(config)) {
    if (key === ENVIRONMENTS) {
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
        problems.push(`${ENVIRONMENTS} = ${JSON.stringify(value)}: must be an array of strings`);
      else warnings.push(`${ENVIRONMENTS}: ESC environments are not opened offline`);
      continue;
    }
    if (typeof value === "string") {
      const p = levelProblem(key, value);
      if (p) problems.push(p);
      given.set(key, { level: value, props: {} });
    } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const { enforcementLevel, ...props } = value;
      const p = "enforcementLevel" in value ? levelProblem(key, enforcementLevel) : undefined;
      if (p) problems.push(p);
      given.set(key, { level: enforcementLevel, props });
    } else {
      problems.push(`${key} = ${JSON.stringify(value)}: must be an enforcement level or an object`);
    }
    if (key !== "all" && !known.has(key))
      warnings.push(`${key}: no policy of that name in the pack (the CLI accepts the entry and ignores it)`);
  }
  const all = given.get("all")?.level;
  const resolved = policies.map((policy) => {
    const entry = given.get(policy.name);
    const level = entry?.level ?? all ?? policy.enforcementLevel ?? pack.enforcementLevel;
    const schema = policy.configSchema;
    const values: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(schema?.properties ?? {})) {
      if (typeof s === "object" && s.default !== undefined) values[k] = s.default;
    }
    Object.assign(values, entry?.props ?? {});
    for (const k of Object.keys(entry?.props ?? {})) {
      if (!schema?.properties[k])
        warnings.push(`${policy.name}.${k}: the policy has no such setting (the CLI passes it on unread)`);
    }
    if (schema) {
      const validate = validatorOf(schema);
      if (!validate(values))
        problems.push(...(validate.errors ?? []).map((e) => describe(policy.name, values, e)));
    }
    return { policy, level, values };
  });
  if (problems.length > 0) throw new PackConfigError(problems);
  return { policies: resolved, warnings };
}
