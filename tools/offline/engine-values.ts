/*
 * Property values as the Pulumi engine passes them on: to a provider that does not accept resource
 * references (the AWS provider), and to every analyzer. Sources checked on 2026-12-06 in pulumi/pulumi at
 * commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8:
 * - pkg/resource/plugin/rpc.go, MarshalPropertyValue and UnmarshalPropertyValue with KeepResources false: a
 *   resource reference becomes the referenced resource's id, an unknown value when that id is not known yet
 *   (a first preview), or its URN when it has no id (a component);
 * - pkg/resource/plugin/analyzer_plugin.go: Analyze and AnalyzeStack marshal without KeepResources;
 * - pkg/resource/deploy/default_providers.go and target.go (GetPackageConfig): a resource that names no
 *   provider gets the package's default provider, named `default_<major>_<minor>_<patch>` after the version
 *   the SDK asked for, whose inputs are the stack's config of that package (`aws:region` -> `region`, values
 *   as the strings the config holds, secrets kept secret) plus `version`.
 */

import { UNKNOWN } from "../../lib/unknown";

// The SDK's wire signatures (@pulumi/pulumi runtime/rpc.ts): internal, pinned with the SDK.
const rpc = require("@pulumi/pulumi/runtime/rpc") as {
  specialSigKey: string;
  specialSecretSig: string;
  specialResourceSig: string;
};

/** The key under which a serialized value carries its signature (secret, asset, resource reference). */
export const SIG_KEY = rpc.specialSigKey;

export { UNKNOWN };

/** `value` with every resource reference replaced as the engine replaces it for providers and analyzers. */
export function withoutResourceReferences(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutResourceReferences);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (obj[rpc.specialSigKey] === rpc.specialResourceSig) {
    if (!("id" in obj)) return obj.urn;
    return typeof obj.id === "string" && obj.id !== "" && obj.id !== UNKNOWN ? obj.id : UNKNOWN;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = withoutResourceReferences(v);
  return out;
}

/** True when `value` holds a resource reference anywhere (most registrations hold none). */
export function hasResourceReference(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasResourceReference);
  if (value === null || typeof value !== "object") return false;
  const obj = value as Record<string, unknown>;
  return obj[rpc.specialSigKey] === rpc.specialResourceSig || Object.values(obj).some(hasResourceReference);
}

/** The default provider's name for a package version (`7.48.0` -> `default_7_48_0`; none -> `default`). */
export function defaultProviderName(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([^+]*))?(?:\+(.*))?$/.exec(version);
  if (!m) return "default";
  const pre = m[4] ? m[4].split(".").map((p) => `_${p}`) : [];
  const build = m[5] ? m[5].split(".").map((b) => `_${b}`) : [];
  return ["default", m[1], m[2], m[3]].join("_") + pre.join("") + build.join("");
}

/** The default provider's inputs: the stack's config of `pkg`, keys without their namespace, plus `version`. */
export function defaultProviderInputs(
  pkg: string,
  version: string,
  config: Record<string, string>,
  secretKeys: readonly string[],
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const colon = key.indexOf(":");
    if (key.slice(0, colon) !== pkg) continue;
    inputs[key.slice(colon + 1)] = secretKeys.includes(key)
      ? { [rpc.specialSigKey]: rpc.specialSecretSig, value }
      : value;
  }
  if (version) inputs.version = version;
  return inputs;
}
