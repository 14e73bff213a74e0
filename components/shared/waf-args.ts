import { KeyNames, Problems, selfNamed } from "../../lib/problems";

/*
 * The WAF rules the stack's web ACLs share: the web service's and the frontend's CloudFront ACL and the REST
 * API's regional ACL all apply one rate limit per client IP and the same AWS managed rule groups.
 */

/**
 * AWS managed WAF rule groups without a subscription fee (Bot Control, account takeover and account creation
 * fraud prevention cost extra per request and are left out on purpose). Each group is one rule: $1 a month.
 */
export const WAF_MANAGED_RULE_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesAnonymousIpList",
  "AWSManagedRulesSQLiRuleSet",
  "AWSManagedRulesLinuxRuleSet",
  "AWSManagedRulesUnixRuleSet",
  "AWSManagedRulesAdminProtectionRuleSet",
] as const;
export type WafManagedRuleGroup = (typeof WAF_MANAGED_RULE_GROUPS)[number];

/** The rules of a web ACL. No field has a default. */
export interface WafSettings {
  /** Requests per client IP per 5 minutes before WAF blocks it (WAF accepts 10 to 2 billion). */
  readonly rateLimit: number;
  /** AWS managed rule groups, each once; none is an empty list. */
  readonly managedRules: readonly WafManagedRuleGroup[];
}

export type WafField = "rateLimit" | "managedRules";

export const WAF_FIELDS: KeyNames<WafField> = selfNamed(["rateLimit", "managedRules"] as const);

/** Every rule the WAF settings break, each named by `keys`. */
export function wafProblems(s: WafSettings, keys: KeyNames<WafField> = WAF_FIELDS) {
  const p = new Problems(keys);
  s.managedRules.forEach((g, i) => {
    if (!(WAF_MANAGED_RULE_GROUPS as readonly string[]).includes(g))
      p.add("managedRules", g, `must be one of ${WAF_MANAGED_RULE_GROUPS.join(", ")}`, i);
  });
  const repeated = s.managedRules.filter((g, i) => s.managedRules.indexOf(g) !== i);
  if (repeated.length > 0) p.add("managedRules", s.managedRules, `repeats ${repeated.join(", ")}`);
  p.number("rateLimit", s.rateLimit, { min: 10, max: 2_000_000_000 });
  return p.list;
}
