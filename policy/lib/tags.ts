import { isUnknown, parseJsonish, raw, stringMap } from "./values";

/** Tag key that exempts a resource from one policy: `policy-exempt:<policy-name>` = reason. */
export const EXEMPT_TAG_PREFIX = "policy-exempt:";

/** The tag whose value names the stack's environment class (dev, staging, prod). */
export const ENVIRONMENT_TAG = "Environment";

/**
 * The provider's default tags. The AWS provider serializes nested config as JSON, so under the engine
 * `defaultTags` arrives as a string (`{"tags":{...}}`); accept the object form too.
 */
export function providerDefaultTags(
  providerProps: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const parsed = parseJsonish(raw(providerProps ?? {})["defaultTags"]);
  const tags = (parsed as { tags?: unknown } | undefined)?.tags;
  return tags && typeof tags === "object" && !Array.isArray(tags) ? (tags as Record<string, unknown>) : {};
}

/** The resource's own `tags` (inputs for resource policies, outputs for stack policies), read raw. */
export function ownTags(props: Record<string, unknown>): Record<string, unknown> {
  return stringMap(raw(props)["tags"]) ?? {};
}

/** Provider default tags, then `tagsAll` (outputs), then the resource's own tags: what AWS will apply. */
export function effectiveTags(
  props: Record<string, unknown>,
  providerProps: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return {
    ...providerDefaultTags(providerProps),
    ...(stringMap(raw(props)["tagsAll"]) ?? {}),
    ...ownTags(props),
  };
}

/** A known, non-empty string tag value, or undefined. */
export function tagValue(tags: Record<string, unknown>, key: string): string | undefined {
  const v = tags[key];
  return typeof v === "string" && !isUnknown(v) && v.trim() !== "" ? v : undefined;
}

/**
 * Characters AWS accepts in tag keys and values across services (the strictest common set: letters, digits,
 * spaces and `_ . : / = + - @`). EC2 accepts more, but S3, IAM and others reject the rest at `pulumi up`.
 */
export const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
