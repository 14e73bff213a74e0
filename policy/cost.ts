import { estimateCost } from "../tools/offline/cost";
import { list } from "./lib/checks";
import { ofKind, Res, resourcePolicy, stackPolicy, who } from "./lib/framework";
import { K } from "./lib/kinds";
import { effectiveTags, ENVIRONMENT_TAG, tagValue } from "./lib/tags";
import { isUnknown } from "./lib/values";

/*
 * Cost: the stack's fixed monthly estimate against a budget per environment, NAT gateways and instance
 * families per environment. The estimate is computed inside the policy from the stack's resources with the
 * same estimator the offline preview uses (tools/offline/cost.ts, prices in cost/prices.json), so the policy
 * gives the same answer under `pulumi preview --policy-pack policy` as offline.
 */

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The stack's environment: the most common Environment tag across its resources (provider defaultTags count). */
export function stackEnvironment(resources: Res[]): string | undefined {
  const counts = new Map<string, number>();
  for (const r of resources) {
    if (!r.type.startsWith("aws:")) continue;
    const env = tagValue(effectiveTags(r.raw, r.providerProps), ENVIRONMENT_TAG);
    if (env) counts.set(env, (counts.get(env) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Stack resources in the estimator's shape: outputs include the inputs. */
function asRegistered(resources: Res[]): Parameters<typeof estimateCost>[0] {
  return resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    custom: r.type.startsWith("aws:"),
    remote: false,
    inputs: r.raw,
    outputs: r.raw,
    dependencies: [],
    propertyDependencies: {},
    options: {
      protect: r.protect,
      ignoreChanges: [],
      aliases: [],
      additionalSecretOutputs: [],
      retainOnDelete: false,
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    },
  }));
}

/** A per-environment map from config; an unknown environment gets the strictest (smallest) value. */
function forEnvironment(
  map: Record<string, number>,
  env: string | undefined,
): { value: number; env: string } | undefined {
  if (env !== undefined) return map[env] === undefined ? undefined : { value: map[env], env };
  const entries = Object.entries(map).sort((a, b) => a[1] - b[1]);
  return entries.length > 0
    ? { value: entries[0][1], env: `${entries[0][0]} (no Environment tag; strictest)` }
    : undefined;
}

const PER_ENVIRONMENT_NUMBERS = (def: Record<string, number>, description: string) => ({
  type: "object" as const,
  additionalProperties: { type: "number" as const, minimum: 0 },
  default: def,
  description,
});

export const monthlyBudget = stackPolicy<{ budgets: Record<string, number> }>(
  {
    name: "monthly-budget",
    description: "The stack's fixed monthly cost estimate stays within its environment's budget.",
    domain: "cost",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Reduce the largest items (NAT gateways, on-demand tasks, instance sizes) through the stack's config, or " +
      "raise the budget for the environment in the pack config (budgets) after review.",
    references: { pulumi: ["aws-ts-finops (examples)"] },
    beyondAnchors:
      "No anchor checks cost against a budget. The estimate is computed inside the policy from the stack's " +
      "resources with the project's price table, so CI and `pulumi preview` agree.",
    kinds: [],
    config: {
      budgets: PER_ENVIRONMENT_NUMBERS(
        { dev: 50, staging: 200, prod: 1500 },
        "Monthly budget in USD per Environment tag value.",
      ),
    },
  },
  (resources, { config }, add) => {
    const env = stackEnvironment(resources);
    const budget = forEnvironment(config.budgets, env);
    const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack") ?? resources[0];
    if (!stack) return;
    if (!budget) {
      add(stack, `no monthly budget is configured for environment '${env}' (monthly-budget.budgets).`);
      return;
    }
    const estimate = estimateCost(asRegistered(resources));
    if (estimate.monthlyUsd > budget.value) {
      const top = [...estimate.items]
        .sort((a, b) => b.monthlyUsd - a.monthlyUsd)
        .slice(0, 3)
        .map((i) => `${i.name} ${usd(i.monthlyUsd)}`);
      add(
        stack,
        `the estimated fixed cost ${usd(estimate.monthlyUsd)}/month exceeds the ${budget.env} budget of ` +
          `${usd(budget.value)} (largest: ${top.join(", ")}).`,
      );
    }
  },
);

export const natGatewayLimit = stackPolicy<{ maxNatGateways: Record<string, number> }>(
  {
    name: "nat-gateway-limit",
    description: "The stack runs no more NAT gateways than its environment allows.",
    domain: "cost",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Use natStrategy none (VPC endpoints) or single outside production; one per AZ only where the " +
      "environment's availability target needs it.",
    references: { pulumi: ["aws-ts-finops requireSingleNatGateway (examples)"] },
    beyondAnchors: "The limit is per environment (the finops example allows one everywhere).",
    kinds: [K.natGateway],
    config: {
      maxNatGateways: PER_ENVIRONMENT_NUMBERS(
        { dev: 1, staging: 1, prod: 3 },
        "NAT gateways allowed per Environment tag value.",
      ),
    },
  },
  (resources, { config }, add) => {
    const nats = ofKind(resources, K.natGateway).filter((n) => n.raw["connectivityType"] !== "private");
    if (nats.length === 0) return;
    const limit = forEnvironment(config.maxNatGateways, stackEnvironment(resources));
    if (limit && nats.length > limit.value)
      add(
        nats[limit.value],
        `the stack runs ${nats.length} NAT gateways; ${limit.env} allows ${limit.value}.`,
      );
  },
);

export const DEFAULT_FAMILIES: Record<string, string[]> = {
  dev: ["t3", "t3a", "t4g"],
  staging: ["t3", "t3a", "t4g", "m6g", "m7g", "m6i", "m7i", "c7g", "r7g"],
  prod: ["t3", "t3a", "t4g", "m6g", "m7g", "m6i", "m7i", "c6g", "c7g", "c7i", "r6g", "r7g"],
};

/** The family of an EC2, RDS or ElastiCache instance type ("db.t4g.micro" -> "t4g"); undefined for serverless. */
export function instanceFamily(type: string): string | undefined {
  const parts = type.replace(/^(db|cache)\./, "").split(".");
  return parts.length >= 2 ? parts[0] : undefined;
}

function instanceTypes(res: Res): unknown[] {
  const r = res.raw;
  if (K.eksNodeGroup.has(res.type)) return list(r["instanceTypes"]);
  if (K.dbInstance.has(res.type) || K.dbClusterInstance.has(res.type)) return [r["instanceClass"]];
  if (K.cacheReplicationGroup.has(res.type) || K.cacheCluster.has(res.type)) return [r["nodeType"]];
  return [r["instanceType"]];
}

export const instanceFamilies = resourcePolicy<{ allowedFamilies: Record<string, string[]> }>(
  {
    name: "instance-families",
    description: "EC2, EKS, RDS and ElastiCache instances use families allowed for their environment.",
    domain: "cost",
    enforcementLevel: "mandatory",
    severity: "low",
    remediationSteps:
      "Pick an allowed family (burstable t4g/t3 outside production) or extend allowedFamilies after review.",
    references: { pulumi: ["aws-ts-finops requireInstanceType, requireRdsInstanceType (examples)"] },
    beyondAnchors:
      "One list per environment across EC2, launch templates, EKS node groups, RDS and ElastiCache.",
    kinds: [
      K.instance,
      K.launchTemplate,
      K.eksNodeGroup,
      K.dbInstance,
      K.dbClusterInstance,
      K.cacheReplicationGroup,
      K.cacheCluster,
    ],
    config: {
      allowedFamilies: {
        type: "object",
        additionalProperties: { type: "array", items: { type: "string" } },
        default: DEFAULT_FAMILIES,
        description: "Allowed instance families per Environment tag value.",
      },
    },
  },
  (res, { config, environment }, add) => {
    const env = environment(res);
    const lists = Object.values(config.allowedFamilies);
    const allowed =
      env !== undefined
        ? config.allowedFamilies[env]
        : lists.reduce((a, b) => a.filter((f) => b.includes(f)), lists[0] ?? []);
    if (!allowed) return;
    for (const t of instanceTypes(res)) {
      if (typeof t !== "string" || isUnknown(t)) continue;
      const family = instanceFamily(t);
      if (family && !allowed.includes(family))
        add(`${who(res)} uses ${t}; ${env ?? "an untagged environment"} allows ${allowed.join(", ")}.`);
    }
  },
);

export const costPolicies = [monthlyBudget, natGatewayLimit, instanceFamilies];
