import { isTaggable, taggableAliases, taggableTypes } from "../lib/aws-types";
import { Kind } from "./lib/kinds";
import { resourcePolicy } from "./lib/framework";
import { effectiveTags, providerDefaultTags } from "./lib/tags";
import { isUnknown } from "./lib/values";

export { providerDefaultTags };

/** The seeds' tagging strategy: every taggable resource says where it runs, what for, and who owns it. */
export const DEFAULT_REQUIRED_TAGS = ["Environment", "Project", "Function", "Owner"];

/**
 * Every resource type whose Args take a `tags` map, generated from @pulumi/aws (lib/aws-type-facts.json),
 * plus the legacy tokens @pulumi/aws aliases to them (aws:elasticloadbalancingv2/..., aws:s3/bucketV2, ...),
 * which a program on an older SDK still registers; both lists are generated, so loading the pack reads no
 * package sources.
 */
export const TAGGABLE: Kind = {
  label: "taggable resource",
  get types() {
    return new Set([...taggableTypes(), ...taggableAliases()]);
  },
  has: (type) => isTaggable(type) || taggableAliases().has(type),
};

export const requiredTags = resourcePolicy<{ requiredTags: string[] }>(
  {
    name: "required-tags",
    description: "Taggable AWS resources carry the required tags with non-empty values.",
    domain: "tagging",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Set the stack-wide tags (Environment, Project, Owner) through the provider's defaultTags and the Function " +
      "tag through the component (PlatformComponent does both); or add the missing keys to the resource's tags.",
    references: { pulumi: ["check-required-tags (blog)"] },
    kinds: [TAGGABLE],
    config: {
      requiredTags: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_REQUIRED_TAGS,
        description: "Tag keys every taggable resource must carry.",
      },
    },
  },
  (res, { config }, add) => {
    // In @pulumi/aws v7 provider defaultTags reach only `tagsAll`; the inputs a policy sees lack them.
    const tags = effectiveTags(res.raw, res.providerProps);
    // A value unknown during preview (an output of another resource) is present; it is known at update.
    const missing = config.requiredTags.filter(
      (k) => !isUnknown(tags[k]) && (typeof tags[k] !== "string" || (tags[k] as string).trim() === ""),
    );
    if (missing.length > 0) add(`${res.type} '${res.name}' lacks tags: ${missing.join(", ")}.`);
  },
);
