import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { UnknownValueError } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { K, Kind } from "./kinds";
import { effectiveTags, ENVIRONMENT_TAG, EXEMPT_TAG_PREFIX, ownTags, tagValue } from "./tags";
import { globToRegExp, isUnknown, raw } from "./values";

/*
 * How every policy of the pack is built. A policy is declared with its metadata (domain, severity, level,
 * remediation, the anchors' ids it matches and what it checks beyond them), the kinds it examines, its
 * knobs, and a check. The builders add what every policy shares:
 * - config: schema defaults merged in code (the SDK alone does not apply them), plus an `exemptions` knob;
 * - exemptions: a finding on a resource tagged `policy-exempt:<policy>` (or listed in the policy's
 *   `exemptions` config) with a reason is reported as an advisory "exempted (...)" diagnostic, so it stays
 *   visible in `pulumi preview` and in the offline report; without a reason the exemption does not apply;
 * - unknowns: a check that reads a value `pulumi preview` cannot know yet stops for that resource only; the
 *   findings already made are reported, then the SDK's UnknownValueError is rethrown once so the SDK adds its
 *   advisory "can't run policy ... during preview". Under `pulumi up` the values are known and the check runs.
 */

export type Domain =
  | "tagging"
  | "exemptions"
  | "encryption"
  | "least-privilege"
  | "network"
  | "logging"
  | "resilience"
  | "lambda"
  | "cost"
  | "deployability";

/** Ids of the matching checks in the public anchor packs (see policy/README.md). */
export interface References {
  checkov?: string[];
  cdkNag?: string[];
  cis?: string[];
  /** AWS Foundational Security Best Practices (Security Hub) control ids, e.g. "EC2.8". */
  fsbp?: string[];
  awsguard?: string[];
  /** Pulumi Compliance-Ready Policies and other Pulumi packs. */
  pulumi?: string[];
}

export interface PolicyMeta {
  name: string;
  description: string;
  domain: Domain;
  enforcementLevel: "mandatory" | "advisory";
  severity: Severity;
  remediationSteps: string;
  references: References;
  /** The resource kinds the policy examines (every type alias of each). */
  kinds: Kind[];
  /** The policy's knobs (JSON schema with defaults); `exemptions` is added to every policy. */
  config?: Record<string, PolicyConfigJSONSchema>;
}

/** One resource as a check sees it, for resource policies (inputs) and stack policies (outputs) alike. */
export interface Res {
  type: string;
  name: string;
  urn: string;
  /** The SDK's proxied props: reading an unknown value throws UnknownValueError. */
  props: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The same props unproxied (unknown values appear as the engine's sentinels). */
  raw: Record<string, unknown>;
  providerProps?: Record<string, unknown>;
  protect: boolean;
  parent?: Res;
  dependencies: Res[];
  propertyDependencies: Record<string, Res[]>;
}

export interface Exemption {
  policy: string;
  urn: string;
  /** `tag policy-exempt:<policy>` or `pack config`. */
  source: string;
  reason: string;
}

export interface ExemptionEntry {
  resource?: string;
  reason?: string;
}

export interface BaseConfig {
  exemptions: ExemptionEntry[];
}

export interface Context<C> {
  config: C & BaseConfig;
  /** The resource's Environment tag (own tags, then tagsAll, then provider default tags). */
  environment(res: Res): string | undefined;
  /** True when the resource's environment is listed (or unknown: unknown applies the stricter rule). */
  inEnvironments(res: Res, environments: readonly string[]): boolean;
  /** Runs `fn`, keeping an UnknownValueError for later so one unknown value does not stop the rest. */
  guard(fn: () => void): void;
}

const LABELS = new Map<string, string>();
for (const k of Object.values(K)) for (const t of k.types) LABELS.set(t, k.label);

/** "S3 bucket 'raw'" */
export function who(res: { type: string; name: string }): string {
  return `${LABELS.get(res.type) ?? res.type} '${res.name}'`;
}

const EXEMPTIONS_SCHEMA: PolicyConfigJSONSchema = {
  type: "array",
  description:
    "Per-resource exemptions: `resource` is a logical-name glob or a URN, `reason` says why the finding is accepted.",
  items: {
    type: "object",
    properties: { resource: { type: "string" }, reason: { type: "string", minLength: 1 } },
    required: ["resource", "reason"],
  },
  default: [],
};

/** Metadata of every policy built here, by name (README table, alias coverage test). */
export const META = new Map<string, PolicyMeta>();

function schemaOf(meta: PolicyMeta) {
  return { properties: { ...(meta.config ?? {}), exemptions: EXEMPTIONS_SCHEMA } };
}

function configOf<C>(meta: PolicyMeta, given: object): C & BaseConfig {
  const values: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schemaOf(meta).properties)) {
    if (s.default !== undefined) values[k] = structuredClone(s.default);
  }
  return { ...values, ...(given as Record<string, unknown>) } as C & BaseConfig;
}

function tagsOfPolicy(meta: PolicyMeta): string[] {
  const r = meta.references;
  return [
    meta.domain,
    ...(r.checkov ?? []).map((id) => `checkov:${id}`),
    ...(r.cdkNag ?? []).map((id) => `cdk-nag:${id}`),
    ...(r.cis ?? []).map((id) => `cis:${id}`),
    ...(r.fsbp ?? []).map((id) => `fsbp:${id}`),
    ...(r.awsguard ?? []).map((id) => `awsguard:${id}`),
    ...(r.pulumi ?? []).map((id) => `pulumi:${id}`),
  ];
}

function environmentOf(res: Res): string | undefined {
  return tagValue(effectiveTags(res.raw, res.providerProps), ENVIRONMENT_TAG);
}

/** The exemption that applies to this resource for this policy, or why a declared one does not. */
export function exemptionFor(
  policy: string,
  res: Res,
  entries: readonly ExemptionEntry[],
): { exempt: Exemption } | { unreasoned: string } | undefined {
  const key = `${EXEMPT_TAG_PREFIX}${policy}`;
  const tags = ownTags(res.raw);
  if (key in tags) {
    const reason = tags[key];
    if (isUnknown(reason))
      return { exempt: { policy, urn: res.urn, source: `tag ${key}`, reason: "(known at update)" } };
    if (typeof reason === "string" && reason.trim() !== "")
      return { exempt: { policy, urn: res.urn, source: `tag ${key}`, reason: reason.trim() } };
    return { unreasoned: `tag ${key}` };
  }
  for (const e of entries) {
    if (typeof e.resource !== "string") continue;
    const matches = e.resource === res.urn || globToRegExp(e.resource).test(res.name);
    if (!matches) continue;
    if (typeof e.reason === "string" && e.reason.trim() !== "")
      return {
        exempt: { policy, urn: res.urn, source: `pack config ${policy}.exemptions`, reason: e.reason.trim() },
      };
    return { unreasoned: `pack config ${policy}.exemptions ("${e.resource}")` };
  }
  return undefined;
}

/** Marker of an exempted finding's message (second line); the offline report lists these apart. */
export const EXEMPTED_PREFIX = "exempted by ";

function emit(
  meta: PolicyMeta,
  res: Res,
  message: string,
  report: ReportViolation,
  entries: readonly ExemptionEntry[],
  withUrn: boolean,
) {
  const ex = exemptionFor(meta.name, res, entries);
  if (ex && "exempt" in ex) {
    // The SDK's object form (server.js makeReportViolationFun) lets an exempted finding be advisory.
    (report as unknown as (v: object) => void)({
      message: `${meta.description}\n${EXEMPTED_PREFIX}${ex.exempt.source}: ${ex.exempt.reason} | finding: ${message}`,
      urn: withUrn ? res.urn : undefined,
      enforcementLevel: "advisory",
      severity: meta.severity,
    });
    return;
  }
  const suffix = ex ? ` (the exemption in ${ex.unreasoned} has no reason, so it does not apply)` : "";
  report(message + suffix, withUrn ? res.urn : undefined);
}

function context<C>(config: C & BaseConfig, pending: { error?: unknown }): Context<C> {
  return {
    config,
    environment: environmentOf,
    inEnvironments: (res, envs) => {
      const env = environmentOf(res);
      return env === undefined || envs.includes(env);
    },
    guard: (fn) => {
      try {
        fn();
      } catch (e) {
        if (!(e instanceof UnknownValueError)) throw e;
        pending.error ??= e;
      }
    },
  };
}

function register(meta: PolicyMeta) {
  if (META.has(meta.name)) throw new Error(`two policies are named ${meta.name}`);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(meta.name))
    throw new Error(`policy name ${meta.name} is not kebab-case`);
  META.set(meta.name, meta);
}

function basePolicy(meta: PolicyMeta) {
  return {
    name: meta.name,
    description: meta.description,
    enforcementLevel: meta.enforcementLevel,
    severity: meta.severity,
    remediationSteps: meta.remediationSteps,
    tags: tagsOfPolicy(meta),
    configSchema: schemaOf(meta),
  };
}

/** A resource as checks see it, from a resource policy's args or a stack policy's resource (links unset). */
function resOf(r: ResourceValidationArgs | PolicyResource): Res {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.props,
    raw: raw(r.props),
    providerProps: r.provider ? raw(r.provider.props) : undefined,
    protect: r.opts?.protect === true,
    dependencies: [],
    propertyDependencies: {},
  };
}

/** A policy over single resources (their inputs), applied to every type of `meta.kinds`. */
export function resourcePolicy<C = object>(
  meta: PolicyMeta,
  check: (res: Res, ctx: Context<C>, add: (message: string) => void) => void,
): ResourceValidationPolicy {
  register(meta);
  const appliesTo = (type: string) => meta.kinds.some((k) => k.has(type));
  const validateResource = (args: ResourceValidationArgs, report: ReportViolation) => {
    if (!appliesTo(args.type)) return;
    const res = resOf(args);
    const config = configOf<C>(meta, args.getConfig<object>());
    const pending: { error?: unknown } = {};
    const ctx = context(config, pending);
    ctx.guard(() => check(res, ctx, (m) => emit(meta, res, m, report, config.exemptions, false)));
    if (pending.error) throw pending.error;
  };
  return { ...basePolicy(meta), validateResource: markAppliesTo(validateResource, appliesTo) };
}

/**
 * Marks a resource policy's validateResource with the test it applies first: it returns at once for a type
 * the test refuses. The SDK's policy server deserializes a resource's props for every policy before calling it
 * (its own type fast path takes a single type), so the offline preview asks this mark and calls a policy only
 * for the types it examines: the same findings, without 60-odd copies of every resource's props. A
 * validateResource without the mark is always called.
 */
export const APPLIES_TO = "appliesTo";

function markAppliesTo<F extends object>(fn: F, appliesTo: (type: string) => boolean): F {
  return Object.defineProperty(fn, APPLIES_TO, { value: appliesTo });
}

/** Resources of the stack as checks see them, with parents and dependencies linked. */
function stackResources(resources: PolicyResource[]): Res[] {
  const map = new Map<PolicyResource, Res>();
  for (const r of resources) map.set(r, resOf(r));
  for (const [r, res] of map) {
    if (r.parent) res.parent = map.get(r.parent);
    res.dependencies = r.dependencies.map((d) => map.get(d)).filter((d): d is Res => d !== undefined);
    for (const [k, deps] of Object.entries(r.propertyDependencies ?? {})) {
      res.propertyDependencies[k] = deps.map((d) => map.get(d)).filter((d): d is Res => d !== undefined);
    }
  }
  return [...map.values()];
}

/** A policy over the whole stack (outputs, which include inputs), for checks that relate resources. */
export function stackPolicy<C = object>(
  meta: PolicyMeta,
  check: (resources: Res[], ctx: Context<C>, add: (res: Res, message: string) => void) => void,
): StackValidationPolicy {
  register(meta);
  return {
    ...basePolicy(meta),
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const resources = stackResources(args.resources);
      const config = configOf<C>(meta, args.getConfig<object>());
      const pending: { error?: unknown } = {};
      const ctx = context(config, pending);
      ctx.guard(() => check(resources, ctx, (res, m) => emit(meta, res, m, report, config.exemptions, true)));
      if (pending.error) throw pending.error;
    },
  };
}

/** Resources of the given kinds. */
export function ofKind(resources: Res[], ...kinds: Kind[]): Res[] {
  return resources.filter((r) => kinds.some((k) => k.has(r.type)));
}

/**
 * Whether `from[prop]` refers to `to`: through the engine's property dependencies (known even when the
 * value is not, during preview) or by a known identifier (name, ARN, URL, or the id at the end of an ARN).
 */
export function refersTo(from: Res, prop: string, to: Res): boolean {
  if ((from.propertyDependencies[prop] ?? []).some((d) => d.urn === to.urn)) return true;
  const value = from.raw[prop];
  const values = Array.isArray(value) ? value : [value];
  const ids = identifiers(to);
  return values.some((v) => typeof v === "string" && !isUnknown(v) && ids.has(v));
}

/** Known identifiers of a resource in outputs: id, arn, name-like properties, URL, and the ARN's tail. */
export function identifiers(res: Res): Set<string> {
  const out = new Set<string>();
  for (const k of ["id", "arn", "name", "bucket", "url", "functionName", "keyId", "arnSuffix"]) {
    const v = res.raw[k];
    if (typeof v === "string" && v !== "" && !isUnknown(v)) out.add(v);
  }
  const arn = res.raw["arn"];
  if (typeof arn === "string" && !isUnknown(arn)) {
    const tail = arn.split(/[:/]/).pop();
    if (tail) out.add(tail);
  }
  return out;
}
