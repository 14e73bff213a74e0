import * as path from "path";
import type { Policies, Policy } from "@pulumi/policy";
import { evaluateProgram, Evaluation, noOptions, RegisteredResource } from "../../tools/offline/evaluate";
import { DEFAULT_ACCOUNT_ID } from "../../tools/offline/mocks";
import { PackConfig, runPolicies, Violation } from "../../tools/offline/policy-harness";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The stack's operations key (Observability.logsKeyArn), as components are given it in tests. */
export const LOGS_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

/**
 * Evaluates `program` (a function that constructs resources, or a program file) under the offline mocks,
 * with `config` as the stack's config map (fully qualified keys). Returns every registered resource. What a
 * function returns is ignored (tests often return the component they build, whose undefined properties the
 * SDK would report as missing stack outputs); a program file's exports are its outputs.
 */
export function evaluate(
  program: string | (() => unknown),
  options: {
    stack?: string;
    config?: Record<string, string>;
    secretKeys?: string[];
    region?: string;
    preview?: boolean;
    /** The caller's account the mocks answer with. Default: the mocks' (123456789012). */
    accountId?: string;
  } = {},
): Promise<Evaluation> {
  const region = options.region ?? "us-east-1";
  return evaluateProgram({
    program:
      typeof program === "function"
        ? async () => {
            await program();
            return {};
          }
        : program,
    project: "agent-platform",
    stack: options.stack ?? "test",
    // A component evaluated alone runs on the default provider: guarded by account, as the stacks' are.
    config: {
      "aws:region": region,
      "aws:allowedAccountIds": JSON.stringify([DEFAULT_ACCOUNT_ID]),
      ...(options.config ?? {}),
    },
    secretKeys: options.secretKeys ?? [],
    region,
    accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
    preview: options.preview,
  });
}

/**
 * The project's program (index.ts) evaluated for one of its stacks, with that stack's config, as the offline
 * preview does: one frozen evaluation per stack, shared across specs (test/helpers/stacks.ts).
 */
export { stackEvaluation as evaluateStack } from "./stacks";

/** Resources of one type, in registration order. */
export function ofType(resources: RegisteredResource[], type: string): RegisteredResource[] {
  return resources.filter((r) => r.type === type);
}

/** A default provider the engine registers for resources that name none (not one the program creates). */
export function isDefaultProvider(r: RegisteredResource): boolean {
  return r.type.startsWith("pulumi:providers:") && /^default(_|$)/.test(r.name) && r.parent === undefined;
}

/**
 * How many resources of each type the program registered (the stack itself and the engine's default
 * providers left out), types in sorted order.
 */
export function typeCounts(resources: RegisteredResource[]): Record<string, number> {
  const own = resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !isDefaultProvider(r));
  const types = [...new Set(own.map((r) => r.type))].sort();
  return Object.fromEntries(types.map((t) => [t, ofType(own, t).length]));
}

/** The one resource with this logical name; fails loudly when absent or ambiguous. */
export function named(resources: RegisteredResource[], name: string): RegisteredResource {
  const found = resources.filter((r) => r.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one resource named ${name}, found ${found.length}: ${resources.map((r) => r.name).join(", ")}`,
    );
  }
  return found[0];
}

/** Parses a JSON policy document input (IAM, bucket, queue, key policies). */
export function policyDocument(
  r: RegisteredResource,
  prop = "policy",
): { Statement: Array<Record<string, unknown>> } {
  const raw = r.inputs[prop];
  return typeof raw === "string" ? JSON.parse(raw) : (raw as { Statement: Array<Record<string, unknown>> });
}

let counter = 0;

/**
 * A synthetic registered resource for policy tests: `inputs` are what the policy sees as props (and, unless
 * given, as outputs in stack policies). `provider` gives the props of an explicit provider.
 */
export function fakeResource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<Omit<RegisteredResource, "type" | "name" | "inputs">> = {},
): RegisteredResource {
  counter++;
  return {
    urn: `urn:pulumi:test::agent-platform::${type}::${name}`,
    type,
    name,
    custom: true,
    remote: false,
    inputs,
    outputs: extra.outputs ?? inputs,
    dependencies: [],
    propertyDependencies: {},
    options: noOptions(),
    id: `id-${counter}`,
    ...extra,
  };
}

/** A provider resource with the given inputs (e.g. defaultTags as the AWS provider serializes them: JSON). */
export function fakeProvider(inputs: Record<string, unknown>): RegisteredResource {
  return fakeResource("pulumi:providers:aws", "aws", inputs);
}

/** `resource` using `provider` (as the engine links them: `urn::id`). */
export function withProvider(resource: RegisteredResource, provider: RegisteredResource): RegisteredResource {
  return { ...resource, provider: `${provider.urn}::${provider.id}` };
}

/**
 * Runs policies through the runtime-faithful harness the offline preview uses: the SDK's own analyze
 * functions, props wrapped in its unknown-checking proxy, config with schema defaults.
 */
export function check(
  policies: Policy | Policies,
  resources: RegisteredResource[],
  config: PackConfig = {},
): Promise<Violation[]> {
  const list = (Array.isArray(policies) ? policies : [policies]) as Policies;
  return runPolicies(list, resources, {
    name: "test-pack",
    version: "0.0.1",
    enforcementLevel: "mandatory",
    config,
  });
}
