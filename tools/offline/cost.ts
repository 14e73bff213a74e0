import { UNKNOWN } from "./engine-values";
import type { RegisteredResource } from "./evaluate";
import { priceFargateService } from "./cost-fargate";
import {
  ingressLoadBalancers,
  priceExternalHostedZones,
  priceKubernetesObject,
  priceRdsManagedSecret,
  priceTargetTrackingAlarms,
} from "./cost-implied";
import { priceEcsContainerInsights, priceEksObservability } from "./cost-insights";
import { arr, num, Props, round, SUBNET } from "./cost-values";

export { spotTaskRange } from "./cost-fargate";
export { costRows, usdRange } from "./cost-report";
export type { CostRow } from "./cost-report";

/*
 * A fixed monthly estimate from resource inputs: what a stack costs while idle, before any usage. Prices live
 * in cost/prices.json (one region, with sources and dates). Besides each resource's own price it counts what
 * AWS creates for a resource (the alarms of a target-tracking policy, the secret of an RDS-managed password,
 * Container Insights metrics) and what the stack uses without creating (a hosted zone). Where a figure depends
 * on something the program cannot know (which provider a task lands on, a key's rotation year, node counts),
 * an item has a range. Usage-priced resources are listed as such; a type without a price model is listed as
 * "no price model", so a reader knows the total is partial. Account-wide free tiers are not deducted.
 */

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
  resources: RegisteredResource[];
  byArn: Map<string, RegisteredResource>;
  /** Default capacity provider strategies by cluster (name or ARN as services reference it). */
  clusterStrategies: Map<string, unknown[]>;
  /**
   * The resource of `type` that `r`'s property `prop` names by ARN (or by id, `path` inside the property):
   * while that value is unknown (a stack's first preview), the one the engine records the property was
   * built from, so the estimate does not depend on values a preview lacks.
   */
  linked(r: RegisteredResource, prop: string, type: string, path?: string): RegisteredResource | undefined;
  /** How many resources `r`'s list property `prop` names (while unknown: of `type` it was built from). */
  countOf(r: RegisteredResource, prop: string, type: string): number;
  add(r: RegisteredResource, line: CostLine): void;
  skip(r: RegisteredResource, reason: string): void;
}

export function loadPrices(): Prices {
  return require("../../cost/prices.json") as Prices;
}

export type PriceFn = (r: RegisteredResource, ctx: PricingContext) => void;

export function estimateCost(resources: RegisteredResource[], prices: Prices = loadPrices()): CostEstimate {
  const items: CostItem[] = [];
  const notEstimated: NotEstimated[] = [];
  const byArn = new Map<string, RegisteredResource>();
  const clusterStrategies = new Map<string, unknown[]>();
  for (const r of resources) {
    if (typeof r.outputs.arn === "string" && r.outputs.arn !== UNKNOWN) byArn.set(r.outputs.arn, r);
    if (r.type === "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders") {
      clusterStrategies.set(String(r.inputs.clusterName), arr(r.inputs.defaultCapacityProviderStrategies));
    }
  }
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const builtFrom = (r: RegisteredResource, prop: string, type: string) =>
    (r.propertyDependencies[prop] ?? []).map((u) => byUrn.get(u)).filter((d) => d?.type === type);
  const ctx: PricingContext = {
    prices,
    resources,
    byArn,
    clusterStrategies,
    linked: (r, prop, type, path) => {
      const value = path ? (r.inputs[prop] as Props | undefined)?.[path] : r.inputs[prop];
      if (value === UNKNOWN) return builtFrom(r, prop, type)[0];
      if (!path) return byArn.get(String(value));
      return resources.find((t) => t.type === type && t.id !== undefined && t.id === value);
    },
    countOf: (r, prop, type) =>
      r.inputs[prop] === UNKNOWN ? builtFrom(r, prop, type).length : arr(r.inputs[prop]).length,
    add: (r, line) => {
      const min = round(line.min);
      const max = round(line.max ?? line.min);
      items.push({
        urn: r.urn,
        type: r.type,
        name: r.name,
        description: line.description,
        monthlyUsd: min,
        minMonthlyUsd: min,
        maxMonthlyUsd: max,
        ...(max > min && line.dependsOn ? { dependsOn: line.dependsOn } : {}),
        basis: line.basis ?? "resource",
      });
    },
    skip: (r, reason) => notEstimated.push({ urn: r.urn, type: r.type, name: r.name, reason }),
  };
  const priceFns = pricing(resources);

  for (const r of resources) {
    if (!r.custom || r.type.startsWith("pulumi:providers:")) continue;
    const fn = priceFns[r.type];
    if (fn) fn(r, ctx);
    else if (prices.usagePriced[r.type]) ctx.skip(r, `usage-priced: ${prices.usagePriced[r.type]}`);
    else if (r.type.startsWith("kubernetes:")) priceKubernetesObject(r, ctx);
    else if (prices.noCharge[r.type] === undefined) ctx.skip(r, "no price model");
  }
  priceExternalHostedZones(ctx);

  const total = (pick: (i: CostItem) => number) => round(items.reduce((t, i) => t + pick(i), 0));
  return {
    monthlyUsd: total((i) => i.minMonthlyUsd),
    minMonthlyUsd: total((i) => i.minMonthlyUsd),
    maxMonthlyUsd: total((i) => i.maxMonthlyUsd),
    currency: prices.currency,
    priceRegion: prices.region,
    priceDate: prices.date,
    items,
    notEstimated,
  };
}

/** The pricing function of each type the estimator models. */
function pricing(resources: RegisteredResource[]): Record<string, PriceFn> {
  const loadBalancer: PriceFn = (r, { prices, add, countOf }) => {
    const p = r.inputs;
    const H = prices.hoursPerMonth;
    const network = p.loadBalancerType === "network";
    const azs = Math.max(countOf(r, "subnets", SUBNET), arr(p.subnetMappings).length, 1);
    const internal = p.internal === true;
    add(r, {
      description:
        `${network ? "network" : "application"} load balancer, ${H} h (LCUs are usage)` +
        (internal ? "" : ` + ${azs} public IPv4`),
      min:
        (network ? prices.hourly.networkLoadBalancer : prices.hourly.applicationLoadBalancer) * H +
        (internal ? 0 : azs * prices.hourly.publicIpv4 * H),
    });
  };
  return {
    "aws:ec2/natGateway:NatGateway": (r, { prices, add }) =>
      add(r, {
        description: `NAT gateway, ${prices.hoursPerMonth} h`,
        min: prices.hourly.natGateway * prices.hoursPerMonth,
      }),
    "aws:ec2/eip:Eip": (r, { prices, add }) =>
      add(r, { description: "public IPv4 address", min: prices.hourly.publicIpv4 * prices.hoursPerMonth }),
    "aws:lb/loadBalancer:LoadBalancer": loadBalancer,
    "aws:alb/loadBalancer:LoadBalancer": loadBalancer,
    "aws:ec2/vpcEndpoint:VpcEndpoint": (r, { prices, add, skip, countOf }) => {
      if (r.inputs.vpcEndpointType !== "Interface") {
        skip(r, "gateway endpoints are free");
        return;
      }
      const azs = Math.max(countOf(r, "subnetIds", SUBNET), 1);
      add(r, {
        description: `interface endpoint ${String(r.inputs.serviceName)} in ${azs} AZ`,
        min: prices.hourly.interfaceEndpointPerAz * azs * prices.hoursPerMonth,
      });
    },
    "aws:ecs/service:Service": priceFargateService,
    "aws:ecs/cluster:Cluster": priceEcsContainerInsights,
    "aws:appautoscaling/policy:Policy": priceTargetTrackingAlarms,
    "aws:eks/cluster:Cluster": (r, { prices, add }) =>
      add(r, { description: "EKS control plane", min: prices.hourly.eksCluster * prices.hoursPerMonth }),
    "aws:eks/nodeGroup:NodeGroup": priceNodeGroup,
    "aws:eks/addon:Addon": priceEksObservability,
    "kubernetes:networking.k8s.io/v1:Ingress": ingressLoadBalancers(resources),
    "aws:rds/instance:Instance": (r, ctx) => {
      priceRdsInstance(r, ctx);
      priceRdsManagedSecret(r, ctx);
    },
    "aws:rds/cluster:Cluster": (r, ctx) => {
      ctx.skip(r, "no price model");
      priceRdsManagedSecret(r, ctx);
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": priceReplicationGroup,
    "aws:kms/key:Key": priceKmsKey,
    "aws:secretsmanager/secret:Secret": (r, { prices, add }) =>
      add(r, { description: "Secrets Manager secret", min: prices.monthly.secret }),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (r, { prices, add }) =>
      add(r, {
        description: "CloudWatch alarm",
        min:
          prices.monthly.alarm *
          Math.max(1, arr(r.inputs.metricQueries).filter((q) => (q as Props).metric).length),
      }),
    "aws:cloudwatch/dashboard:Dashboard": (r, { prices, add }) =>
      add(r, { description: "CloudWatch dashboard", min: prices.monthly.dashboard }),
    "aws:wafv2/webAcl:WebAcl": (r, { prices, add }) => {
      const rules = arr(r.inputs.rules).length;
      add(r, {
        description: `WAF web ACL with ${rules} rule(s) (requests are usage)`,
        min: prices.monthly.wafWebAcl + prices.monthly.wafRule * rules,
      });
    },
    "aws:route53/zone:Zone": (r, { prices, add }) =>
      add(r, { description: "Route 53 hosted zone", min: prices.monthly.route53Zone }),
    "aws:route53/healthCheck:HealthCheck": priceHealthCheck,
    "aws:apigateway/stage:Stage": (r, { skip }) => {
      if (r.inputs.cacheClusterEnabled === true) skip(r, "no price model: API Gateway cache");
    },
    "aws:ebs/volume:Volume": (r, { prices, add }) => {
      const t = String(r.inputs.type ?? "gp3");
      add(r, {
        description: `${num(r.inputs.size)} GB ${t}`,
        min: num(r.inputs.size) * (prices.ebsGbMonth[t] ?? prices.ebsGbMonth.gp3),
      });
    },
  };
}

function priceNodeGroup(r: RegisteredResource, { prices, add, skip, linked }: PricingContext) {
  const p = r.inputs;
  const type = String(arr(p.instanceTypes)[0] ?? "t3.medium");
  const price = prices.ec2[type];
  const desired = num((p.scalingConfig as Props | undefined)?.desiredSize, 1);
  if (price === undefined) {
    skip(r, `no price for instance type ${type} in cost/prices.json`);
    return;
  }
  const spot = p.capacityType === "SPOT";
  // Node volumes: the launch template's EBS mappings, or the node group's diskSize (default 20 GB).
  const template = linked(r, "launchTemplate", "aws:ec2/launchTemplate:LaunchTemplate", "id");
  const volumes = template
    ? arr(template.inputs.blockDeviceMappings).map((m) => (m as Props).ebs as Props | undefined)
    : [{ volumeSize: num(p.diskSize, 20), volumeType: "gp3" }];
  const gb = volumes.reduce((t: number, v) => t + num(v?.volumeSize, 0), 0);
  const volumeUsd = volumes.reduce(
    (t: number, v) =>
      t +
      num(v?.volumeSize, 0) * (prices.ebsGbMonth[String(v?.volumeType ?? "gp3")] ?? prices.ebsGbMonth.gp3),
    0,
  );
  add(r, {
    description: `${desired} x ${type}${spot ? " Spot" : ""}, ${gb} GB EBS each`,
    min: desired * (price * prices.hoursPerMonth * (spot ? 1 - prices.spotDiscountEc2 : 1) + volumeUsd),
  });
}

function priceRdsInstance(r: RegisteredResource, { prices, add, skip }: PricingContext) {
  const p = r.inputs;
  const cls = String(p.instanceClass);
  const price = prices.rds[cls];
  if (price === undefined) {
    skip(r, `no price for instance class ${cls} in cost/prices.json`);
    return;
  }
  const copies = p.multiAz === true ? 2 : 1;
  const gb = num(p.allocatedStorage, 20);
  const storage =
    gb * (prices.rdsStorageGbMonth[String(p.storageType ?? "gp3")] ?? prices.rdsStorageGbMonth.gp3);
  add(r, {
    description: `${cls}${copies === 2 ? " Multi-AZ" : ""}, ${gb} GB`,
    min: copies * (price * prices.hoursPerMonth + storage),
  });
}

function priceReplicationGroup(r: RegisteredResource, { prices, add, skip }: PricingContext) {
  const p = r.inputs;
  const nodeType = String(p.nodeType);
  const valkey = p.engine === "valkey";
  const price = (valkey ? prices.elasticacheValkey : prices.elasticache)[nodeType];
  if (price === undefined) {
    skip(r, `no price for ${valkey ? "Valkey " : ""}node type ${nodeType} in cost/prices.json`);
    return;
  }
  const nodes =
    p.numNodeGroups !== undefined
      ? num(p.numNodeGroups) * (num(p.replicasPerNodeGroup) + 1)
      : num(p.numCacheClusters, 1);
  add(r, {
    description: `${nodes} x ${nodeType}${valkey ? " Valkey" : ""}`,
    min: nodes * price * prices.hoursPerMonth,
  });
}

/** A key's price grows with its first rotations, so its figure runs from its first year to its third. */
function priceKmsKey(r: RegisteredResource, { prices, add }: PricingContext) {
  const base = prices.monthly.kmsKey;
  if (r.inputs.enableKeyRotation !== true) {
    add(r, { description: "KMS customer managed key", min: base });
    return;
  }
  const { perRotation, rotationsBilled } = prices.kmsRotation;
  const days = num(r.inputs.rotationPeriodInDays, 365);
  add(r, {
    description:
      `KMS customer managed key, rotated every ${days} days ` +
      `(+$${perRotation.toFixed(2)} for each of its first ${rotationsBilled} rotations)`,
    min: base,
    max: base + perRotation * rotationsBilled,
    dependsOn: "how many times the key has rotated (its age)",
  });
}

const HEALTH_CHECK_ENDPOINT_TYPES = ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"];

/**
 * Endpoint health checks: a basic price plus one per optional feature (HTTPS, string matching, 10-second
 * interval, latency measurement), each at AWS's rate for an AWS endpoint of the account or at the higher rate
 * for any other endpoint. Which applies depends on what the name resolves to, which the program cannot know.
 */
/** The endpoint a health check probes, by name; on a first preview (not created yet) by what it was built from. */
function endpointOf(r: RegisteredResource): string {
  const endpoint = r.inputs.fqdn ?? r.inputs.ipAddress;
  if (endpoint !== UNKNOWN) return String(endpoint);
  const from = [...(r.propertyDependencies.fqdn ?? []), ...(r.propertyDependencies.ipAddress ?? [])];
  return from.length > 0
    ? `the endpoint of ${from.map((u) => u.slice(u.lastIndexOf("::") + 2)).join(", ")}`
    : "its endpoint";
}

function priceHealthCheck(r: RegisteredResource, { prices, add, skip }: PricingContext) {
  const p = r.inputs;
  const type = String(p.type);
  if (!HEALTH_CHECK_ENDPOINT_TYPES.includes(type)) {
    skip(r, "no price model");
    return;
  }
  const features = [
    type.startsWith("HTTPS") ? "HTTPS" : undefined,
    type.endsWith("_STR_MATCH") ? "string matching" : undefined,
    num(p.requestInterval, 30) === 10 ? "fast interval" : undefined,
    p.measureLatency === true ? "latency measurement" : undefined,
  ].filter((f): f is string => f !== undefined);
  const { basic, optionalFeature } = prices.route53HealthCheck;
  add(r, {
    description:
      `Route 53 ${type} health check: basic` +
      (features.length > 0 ? ` + ${features.length} optional feature(s) (${features.join(", ")})` : ""),
    min: basic.awsEndpoint + features.length * optionalFeature.awsEndpoint,
    max: basic.otherEndpoint + features.length * optionalFeature.otherEndpoint,
    dependsOn: `whether Route 53 counts ${endpointOf(r)} as an AWS endpoint of this account`,
  });
}
