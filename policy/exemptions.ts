import { resourcePolicy } from "./lib/framework";
import { EXEMPT_TAG_PREFIX, ownTags, TAG_VALUE_PATTERN } from "./lib/tags";
import { isUnknown } from "./lib/values";
import { TAGGABLE } from "./tagging";

/*
 * Exemptions are per resource and always carry a reason: a tag `policy-exempt:<policy-name>` whose value is
 * the reason, or an entry `{ resource, reason }` in the policy's `exemptions` pack config (for resources that
 * take no tags). Exempted findings are still reported, as advisories that start "exempted by ...", so they
 * show in `pulumi preview` and in the offline report's Exemptions section. This policy makes the tag form
 * honest: a tag without a reason, with a reason AWS would reject, or naming no policy of the pack is a
 * violation. (A config entry without a reason is reported by the policy it names, and the CLI rejects it
 * against the `exemptions` schema.)
 */

/**
 * The policy, given the names of the pack's policies (read when the pack runs: policies.ts builds the policy
 * list that includes this one).
 */
export const exemptionHasReasonFor = (policyNames: () => Iterable<string>) =>
  resourcePolicy(
    {
      name: "exemption-has-reason",
      description: "Every policy exemption names a policy of this pack and says why the finding is accepted.",
      domain: "exemptions",
      enforcementLevel: "mandatory",
      severity: "medium",
      remediationSteps:
        "Give the tag `policy-exempt:<policy-name>` a value that explains why the finding is accepted (who " +
        "decided, what compensates), using only letters, digits, spaces and _ . : / = + - @ (max 256), or " +
        "remove the tag and fix the finding.",
      references: { cdkNag: ["NagSuppressions reason (acknowledge)"] },
      kinds: [TAGGABLE],
    },
    (res, _ctx, add) => {
      const names = new Set(policyNames());
      for (const [key, value] of Object.entries(ownTags(res.raw)).sort(([a], [b]) => a.localeCompare(b))) {
        if (!key.startsWith(EXEMPT_TAG_PREFIX) || isUnknown(value)) continue;
        const policy = key.slice(EXEMPT_TAG_PREFIX.length);
        if (!names.has(policy)) {
          add(`tag ${key} names no policy of this pack; the exemption has no effect.`);
        } else if (typeof value !== "string" || value.trim() === "") {
          add(`tag ${key} has no reason: its value must say why the ${policy} finding is accepted.`);
        } else if (value.length > 256 || !TAG_VALUE_PATTERN.test(value)) {
          add(
            `tag ${key} has a reason AWS would reject as a tag value (max 256 characters of letters, digits, ` +
              `spaces and _ . : / = + - @).`,
          );
        }
      }
    },
  );
