import { ResourceValidationPolicy } from "@pulumi/policy";
import { isTaggable } from "../lib/aws-types";

/** The seeds' tagging strategy: every taggable resource says where it runs, what for, and who owns it. */
export const DEFAULT_REQUIRED_TAGS = ["Environment", "Project", "Function", "Owner"];

/**
 * The provider's default tags. The AWS provider serializes nested config as JSON, so under the engine
 * `defaultTags` arrives as a string; accept the object form too.
 */
export function providerDefaultTags(
  providerProps: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const raw = providerProps?.["defaultTags"];
  let parsed: unknown = raw;
  if (typeof raw === "string") {
    try {
      parsed = JSON.parse(raw);
    } catch {
      return {};
    }
  }
  const tags = (parsed as { tags?: unknown } | undefined)?.tags;
  return tags && typeof tags === "object" ? (tags as Record<string, unknown>) : {};
}

export const requiredTags: ResourceValidationPolicy = {
  name: "required-tags",
  description: "Taggable AWS resources carry the required tags with non-empty values.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Set the stack-wide tags (Environment, Project, Owner) through the provider's defaultTags and the Function " +
    "tag through the component (PlatformComponent does both); or add the missing keys to the resource's tags.",
  configSchema: {
    properties: {
      requiredTags: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_REQUIRED_TAGS,
        description: "Tag keys every taggable resource must carry.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    // The taggable set is derived from @pulumi/aws's declarations (lib/aws-type-facts.json).
    if (!isTaggable(args.type)) return;
    const required = args.getConfig<{ requiredTags?: string[] }>().requiredTags ?? DEFAULT_REQUIRED_TAGS;
    // In @pulumi/aws v7 provider defaultTags reach only `tagsAll`; the inputs a policy sees lack them.
    const tags = {
      ...providerDefaultTags(args.provider?.props),
      ...((args.props.tags as Record<string, unknown>) ?? {}),
    };
    const missing = required.filter((k) => typeof tags[k] !== "string" || (tags[k] as string).trim() === "");
    if (missing.length > 0) {
      reportViolation(`${args.type} '${args.name}' lacks tags: ${missing.join(", ")}.`);
    }
  },
};
