import * as assert from "assert";
import type { Policy } from "@pulumi/policy";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import type { PackConfig, Violation } from "../../tools/offline/policy-harness";
import { check, fakeResource, withProvider } from "../helpers/offline";
import { UNKNOWN_STRING } from "../../policy/lib/values";

/*
 * Policy tests run through the runtime-faithful harness (the SDK's own analyze functions, props in its
 * unknown-checking proxy). Resources get a provider whose defaultTags carry the environment, as the
 * platform's explicit provider does (serialized as JSON, as the engine sends it).
 */

export { UNKNOWN_STRING };

const PROVIDERS = new Map<string, RegisteredResource>();

/** The explicit AWS provider of a stack of this environment (one per environment, reused). */
export function provider(environment = "dev"): RegisteredResource {
  let p = PROVIDERS.get(environment);
  if (!p) {
    p = fakeResource("pulumi:providers:aws", `aws-${environment}`, {
      defaultTags: JSON.stringify({
        tags: { Environment: environment, Project: "agent-platform", Owner: "platform-team" },
      }),
      region: "us-east-1",
    });
    PROVIDERS.set(environment, p);
  }
  return p;
}

/** A resource of `type` using a provider for `environment` (default dev). */
export function res(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Parameters<typeof fakeResource>[3] & { environment?: string } = {},
): RegisteredResource {
  const { environment, ...rest } = extra;
  return withProvider(fakeResource(type, name, inputs, rest), provider(environment ?? "dev"));
}

/** `from` depends on `to` through property `prop` (as the engine records it). */
export function dependsOn(
  from: RegisteredResource,
  prop: string,
  ...to: RegisteredResource[]
): RegisteredResource {
  return {
    ...from,
    dependencies: [...from.dependencies, ...to.map((t) => t.urn)],
    propertyDependencies: { ...from.propertyDependencies, [prop]: to.map((t) => t.urn) },
  };
}

/** Runs the policy over the resources (providers added) and returns the second lines of the findings. */
export async function findings(
  policy: Policy,
  resources: RegisteredResource[],
  config: PackConfig = {},
): Promise<string[]> {
  return (await run(policy, resources, config)).map((v) => v.message.split("\n").slice(1).join("\n"));
}

/** Runs the policy and returns the harness's violations. */
export async function run(
  policy: Policy,
  resources: RegisteredResource[],
  config: PackConfig = {},
): Promise<Violation[]> {
  const used = [...PROVIDERS.values()].filter((p) =>
    resources.some((r) => r.provider?.startsWith(`${p.urn}::`) && !resources.includes(p)),
  );
  return check(policy, [...used, ...resources], config);
}

/** Asserts the policy reports exactly `expected` (messages without the description line). */
export async function expectFindings(
  policy: Policy,
  resources: RegisteredResource[],
  expected: string[],
  config: PackConfig = {},
): Promise<void> {
  assert.deepStrictEqual(await findings(policy, resources, config), expected);
}
