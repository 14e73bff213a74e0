/* The shapes the cost estimate reads and writes: the resources it prices, the price table, the items. */

/**
 * A registered resource as the estimate reads it: the offline preview's records and the policy pack's stack
 * resources both have this shape (outputs include the inputs where the outputs are not known).
 */
export interface PricedResource {
  urn: string;
  type: string;
  name: string;
  /** The provider's id, where known. */
  id?: string;
  /** A real resource, not a component. */
  custom: boolean;
  /** Inputs as the provider's Check returns them, serialized. */
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  /** For each input property, the resources it was built from (the engine's property dependencies). */
  propertyDependencies: Record<string, string[]>;
}

export interface Prices {
  region: string;
  currency: string;
  date: string;
  source: string;
  hoursPerMonth: number;
  hourly: {
    natGateway: number;
    publicIpv4: number;
    applicationLoadBalancer: number;
    networkLoadBalancer: number;
    interfaceEndpointPerAz: number;
    eksCluster: number;
    fargateVcpu: Record<string, number>;
    fargateGb: Record<string, number>;
    fargateSpotVcpu: number;
    fargateSpotGb: number;
  };
  spotDiscountEc2: number;
  ec2: Record<string, number>;
  rds: Record<string, number>;
  rdsStorageGbMonth: Record<string, number>;
  /** ElastiCache node-hours for Redis OSS; `elasticacheValkey` for Valkey (20 % lower). */
  elasticache: Record<string, number>;
  elasticacheValkey: Record<string, number>;
  ebsGbMonth: Record<string, number>;
  monthly: Record<
    "kmsKey" | "secret" | "alarm" | "dashboard" | "wafWebAcl" | "wafRule" | "route53Zone" | "customMetric",
    number
  >;
  /** Each of a key's first `rotationsBilled` automatic rotations adds `perRotation` a month; later ones add nothing. */
  kmsRotation: { perRotation: number; rotationsBilled: number };
  /** Endpoint health checks: AWS's rate for an AWS endpoint of the account, another for any other endpoint. */
  route53HealthCheck: Record<"basic" | "optionalFeature", { awsEndpoint: number; otherEndpoint: number }>;
  containerInsights: {
    ecsMetrics: Record<"perCluster" | "perClusterWithInstances" | "perService" | "perTaskFamily", number>;
    eksObservations: Record<
      | "usdPerMillion"
      | "perSeriesMonth"
      | "seriesPerCluster"
      | "seriesPerNode"
      | "seriesPerPod"
      | "seriesPerContainer",
      number
    >;
    eksAddonDaemonSets: Record<string, { pods: number; containers: number }>;
  };
  /** Pods a node of this type can run (VPC CNI without prefix delegation). */
  ec2MaxPods: Record<string, number>;
  usagePriced: Record<string, string>;
  /** Types AWS bills nothing for themselves (their cost, if any, shows on another resource). */
  noCharge: Record<string, string>;
  checks: Array<{ prices: string[]; source: string; checked: string }>;
}

/**
 * Whose cost an item is: the resource's own price, something created for it outside the program (by AWS, or
 * by a controller in the cluster), or something the stack uses but does not create.
 */
export type CostBasis = "resource" | "created-by-aws" | "used-not-created";

export interface CostItem {
  /** The stack resource the cost belongs to (for created-by-aws and used-not-created items, the one that causes it). */
  urn: string;
  type: string;
  name: string;
  description: string;
  /** The low end: what the item costs at least (equal to minMonthlyUsd). */
  monthlyUsd: number;
  minMonthlyUsd: number;
  maxMonthlyUsd: number;
  /** What moves the figure between its ends; only on items whose ends differ. */
  dependsOn?: string;
  basis: CostBasis;
}

export interface NotEstimated {
  urn: string;
  type: string;
  name: string;
  reason: string;
}

export interface CostEstimate {
  /** The low end of the fixed monthly cost, which the `monthly-budget` policy judges. */
  monthlyUsd: number;
  minMonthlyUsd: number;
  /** The high end: every item at its dearest. */
  maxMonthlyUsd: number;
  currency: string;
  priceRegion: string;
  priceDate: string;
  items: CostItem[];
  notEstimated: NotEstimated[];
}

/** One priced line: its description, its ends (max defaults to min) and, for a range, what it depends on. */
export interface CostLine {
  description: string;
  min: number;
  max?: number;
  dependsOn?: string;
  basis?: CostBasis;
}

/** What a pricing function gets: the prices, the stack's resources, and where to put items and gaps. */
export interface PricingContext {
  prices: Prices;
  resources: PricedResource[];
  byArn: Map<string, PricedResource>;
  /** Default capacity provider strategies by cluster (name or ARN as services reference it). */
  clusterStrategies: Map<string, unknown[]>;
  /**
   * The resource of `type` that `r`'s property `prop` names by ARN (or by id, `path` inside the property):
   * while that value is unknown (a stack's first preview), the one the engine records the property was
   * built from, so the estimate does not depend on values a preview lacks.
   */
  linked(r: PricedResource, prop: string, type: string, path?: string): PricedResource | undefined;
  /** How many resources `r`'s list property `prop` names (while unknown: of `type` it was built from). */
  countOf(r: PricedResource, prop: string, type: string): number;
  add(r: PricedResource, line: CostLine): void;
  skip(r: PricedResource, reason: string): void;
}

export type PriceFn = (r: PricedResource, ctx: PricingContext) => void;
