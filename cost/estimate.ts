import { UNKNOWN } from "../lib/unknown";
import { priceFargateService } from "./fargate";
import {
  ingressLoadBalancers,
  priceExternalHostedZones,
  priceKubernetesObject,
  priceRdsManagedSecret,
  priceTargetTrackingAlarms,
} from "./implied";
import { priceEcsContainerInsights, priceEksObservability } from "./insights";
import type {
  CostEstimate,
  CostItem,
  NotEstimated,
  PricedResource,
  PriceFn,
  Prices,
  PricingContext,
} from "./types";
import { arr, num, Props, round, SUBNET } from "./values";

export { spotTaskRange } from "./fargate";
export { costRows, usdRange } from "./report";
export type { CostRow } from "./report";
export type * from "./types";

/*
 * A fixed monthly estimate from resource inputs: what a stack costs while idle, before any usage. Prices live
 * in cost/prices.json (one region, with sources and dates). Besides each resource's own price it counts what
 * AWS creates for a resource (the alarms of a target-tracking policy, the secret of an RDS-managed password,
 * Container Insights metrics) and what the stack uses without creating (a hosted zone). Where a figure depends
 * on something the program cannot know (which provider a task lands on, a key's rotation year, node counts),
 * an item has a range. Usage-priced resources are listed as such; a type without a price model is listed as
 * "no price model", so a reader knows the total is partial. Account-wide free tiers are not deducted.
 */

export function loadPrices(): Prices {
  return require("./prices.json") as Prices;
}

export function estimateCost(resources: PricedResource[], prices: Prices = loadPrices()): CostEstimate {
  const items: CostItem[] = [];
  const notEstimated: NotEstimated[] = [];
  const byArn = new Map<string, PricedResource>();
  const clusterStrategies = new Map<string, unknown[]>();
  for (const r of resources) {
    if (typeof r.outputs.arn === "string" && r.outputs.arn !== UNKNOWN) byArn.set(r.outputs.arn, r);
    if (r.type === "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders") {
      clusterStrategies.set(String(r.inputs.clusterName), arr(r.inputs.defaultCapacityProviderStrategies));
    }
  }
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const builtFrom = (r: PricedResource, prop: string, type: string) =>
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
function pricing(resources: PricedResource[]): Record<string, PriceFn> {
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

function priceNodeGroup(r: PricedResource, { prices, add, skip, linked }: PricingContext) {
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

function priceRdsInstance(r: PricedResource, { prices, add, skip }: PricingContext) {
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

function priceReplicationGroup(r: PricedResource, { prices, add, skip }: PricingContext) {
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
function priceKmsKey(r: PricedResource, { prices, add }: PricingContext) {
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
function endpointOf(r: PricedResource): string {
  const endpoint = r.inputs.fqdn ?? r.inputs.ipAddress;
  if (endpoint !== UNKNOWN) return String(endpoint);
  const from = [...(r.propertyDependencies.fqdn ?? []), ...(r.propertyDependencies.ipAddress ?? [])];
  return from.length > 0
    ? `the endpoint of ${from.map((u) => u.slice(u.lastIndexOf("::") + 2)).join(", ")}`
    : "its endpoint";
}

function priceHealthCheck(r: PricedResource, { prices, add, skip }: PricingContext) {
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
