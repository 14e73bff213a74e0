import { estimateCost, PricedResource } from "../cost/estimate";
import { list } from "./lib/checks";
import { ofKind, Res, resourcePolicy, stackPolicy, who } from "./lib/framework";
import { K } from "./lib/kinds";
import { effectiveTags, ENVIRONMENT_TAG, tagValue } from "./lib/tags";
import { isUnknown } from "./lib/values";

/*
 * Cost: the stack's fixed monthly estimate against a budget per environment, NAT gateways and instance
 * families per environment. The estimate is computed inside the policy from the stack's resources with the
 * same estimator the offline preview uses (cost/estimate.ts, prices in cost/prices.json), so the policy
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
function asPriced(resources: Res[]): PricedResource[] {
  return resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    // AWS resources and Kubernetes objects (an Ingress makes the controller create a load balancer).
    custom: r.type.startsWith("aws:") || r.type.startsWith("kubernetes:"),
    inputs: r.raw,
    outputs: r.raw,
    propertyDependencies: {},
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

/** Monthly budget in USD per Environment tag value (the seeds' figures), shared by both budget policies. */
export const DEFAULT_BUDGETS: Record<string, number> = { dev: 50, staging: 200, prod: 1500 };

const BUDGETS = PER_ENVIRONMENT_NUMBERS(DEFAULT_BUDGETS, "Monthly budget in USD per Environment tag value.");

/**
 * The stack's estimate and its environment's budget, or a finding when no budget is configured. Undefined when
 * there is nothing to judge.
 */
function budgetAndEstimate(
  resources: Res[],
  budgets: Record<string, number>,
  add: (res: Res, message: string) => void,
) {
  const env = stackEnvironment(resources);
  const budget = forEnvironment(budgets, env);
  const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack") ?? resources[0];
  if (!stack) return undefined;
  if (!budget) {
    add(stack, `no monthly budget is configured for environment '${env}' (monthly-budget.budgets).`);
    return undefined;
  }
  return { stack, budget, estimate: estimateCost(asPriced(resources)) };
}

/*
 * Which end of the estimate a budget judges. The low end is what the stack costs in every month: a stack whose
 * low end is over budget will overrun for certain, so that blocks. The high end is what the configuration can
 * reach (every task on demand, every key past its second rotation, node groups at their maximum); a budget
 * over it is a warning, not a certainty, and reads as one.
 */
export const monthlyBudget = stackPolicy<{ budgets: Record<string, number> }>(
  {
    name: "monthly-budget",
    description:
      "The low end of the stack's fixed monthly cost estimate stays within its environment's budget.",
    domain: "cost",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Reduce the largest items (NAT gateways, on-demand tasks, instance sizes) through the stack's config, or " +
      "raise the budget for the environment in the pack config (budgets) after review.",
    references: { pulumi: ["aws-ts-finops (examples)"] },
    kinds: [],
    config: { budgets: BUDGETS },
  },
  (resources, { config }, add) => {
    const judged = budgetAndEstimate(resources, config.budgets, add);
    if (!judged || judged.estimate.minMonthlyUsd <= judged.budget.value) return;
    const { stack, budget, estimate } = judged;
    const top = [...estimate.items]
      .sort((a, b) => b.minMonthlyUsd - a.minMonthlyUsd)
      .slice(0, 3)
      .map((i) => `${i.name} ${usd(i.minMonthlyUsd)}`);
    add(
      stack,
      `the estimated fixed cost of at least ${usd(estimate.minMonthlyUsd)}/month exceeds the ${budget.env} budget ` +
        `of ${usd(budget.value)} (largest: ${top.join(", ")}).`,
    );
  },
);

export const monthlyBudgetCeiling = stackPolicy<{ budgets: Record<string, number> }>(
  {
    name: "monthly-budget-ceiling",
    description:
      "The high end of the stack's fixed monthly cost estimate stays within its environment's budget.",
    domain: "cost",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
      "Narrow what raises the high end (capacity provider weights, node group maximums, fewer customer managed " +
      "keys) or accept that the stack can exceed its budget; keep budgets equal to monthly-budget's.",
    references: { pulumi: ["aws-ts-finops (examples)"] },
    kinds: [],
    config: { budgets: BUDGETS },
  },
  (resources, { config }, add) => {
    // A missing budget is monthly-budget's finding.
    const judged = budgetAndEstimate(resources, config.budgets, () => undefined);
    if (!judged) return;
    const { stack, budget, estimate } = judged;
    // Over budget at the low end is monthly-budget's finding; this one is about what may happen.
    if (estimate.maxMonthlyUsd <= budget.value || estimate.minMonthlyUsd > budget.value) return;
    const raises = new Map<string, { usd: number; n: number }>();
    for (const i of estimate.items) {
      if (!i.dependsOn) continue;
      const r = raises.get(i.dependsOn) ?? { usd: 0, n: 0 };
      raises.set(i.dependsOn, { usd: r.usd + i.maxMonthlyUsd - i.minMonthlyUsd, n: r.n + 1 });
    }
    const why = [...raises]
      .sort((a, b) => b[1].usd - a[1].usd)
      .map(([what, r]) => `${what} +${usd(r.usd)} (${r.n} item${r.n > 1 ? "s" : ""})`);
    add(
      stack,
      `the estimated fixed cost can reach ${usd(estimate.maxMonthlyUsd)}/month (at least ` +
        `${usd(estimate.minMonthlyUsd)}), over the ${budget.env} budget of ${usd(budget.value)}; ` +
        `what raises it: ${why.join("; ")}.`,
    );
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

export const costPolicies = [monthlyBudget, monthlyBudgetCeiling, natGatewayLimit, instanceFamilies];
