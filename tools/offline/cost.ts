import { UNKNOWN } from "./engine-values";
import type { RegisteredResource } from "./evaluate";

/*
 * A fixed monthly estimate from resource inputs: what a stack costs while idle, before any usage. Prices
 * live in cost/prices.json (one region, with its source and date); usage-priced resources are listed as not
 * estimated rather than guessed.
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
    | "kmsKey"
    | "secret"
    | "alarm"
    | "dashboard"
    | "wafWebAcl"
    | "wafRule"
    | "route53Zone"
    | "route53HealthCheck",
    number
  >;
  usagePriced: Record<string, string>;
}

export interface CostItem {
  urn: string;
  type: string;
  name: string;
  description: string;
  monthlyUsd: number;
}

export interface NotEstimated {
  urn: string;
  type: string;
  name: string;
  reason: string;
}

export interface CostEstimate {
  monthlyUsd: number;
  currency: string;
  priceRegion: string;
  priceDate: string;
  items: CostItem[];
  notEstimated: NotEstimated[];
}

export function loadPrices(): Prices {
  return require("../../cost/prices.json") as Prices;
}

const round = (n: number) => Math.round(n * 100) / 100;

type Props = Record<string, unknown>;
const num = (v: unknown, fallback = 0): number =>
  typeof v === "number" ? v : typeof v === "string" && v !== "" && !isNaN(Number(v)) ? Number(v) : fallback;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const SUBNET = "aws:ec2/subnet:Subnet";

/** Share of an ECS service's tasks on Fargate Spot, from its capacity provider strategy (base first, then weights). */
export function spotShare(strategies: unknown[], desired: number): number {
  if (strategies.length === 0 || desired <= 0) return 0;
  let remaining = desired;
  let spot = 0;
  const items = strategies.map((s) => s as Props);
  for (const s of items) {
    const base = Math.min(num(s.base), remaining);
    if (s.capacityProvider === "FARGATE_SPOT") spot += base;
    remaining -= base;
  }
  const totalWeight = items.reduce((t, s) => t + num(s.weight), 0);
  if (totalWeight > 0) {
    for (const s of items) {
      if (s.capacityProvider === "FARGATE_SPOT") spot += (remaining * num(s.weight)) / totalWeight;
    }
  }
  return spot / desired;
}

export function estimateCost(resources: RegisteredResource[], prices: Prices = loadPrices()): CostEstimate {
  const items: CostItem[] = [];
  const notEstimated: NotEstimated[] = [];
  const H = prices.hoursPerMonth;
  const add = (r: RegisteredResource, description: string, monthlyUsd: number) =>
    items.push({ urn: r.urn, type: r.type, name: r.name, description, monthlyUsd: round(monthlyUsd) });
  const skip = (r: RegisteredResource, reason: string) =>
    notEstimated.push({ urn: r.urn, type: r.type, name: r.name, reason });
  const byArn = new Map<string, RegisteredResource>();
  const clusterStrategies = new Map<string, unknown[]>();
  // IngressClasses served by the AWS Load Balancer Controller, and the subnets it may put load balancers in.
  const albClasses = new Set(
    resources
      .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:IngressClass")
      .filter((r) => (r.inputs.spec as Props | undefined)?.controller === "ingress.k8s.aws/alb")
      .map((r) => String((r.inputs.metadata as Props | undefined)?.name)),
  );
  const elbSubnets = (role: string) =>
    resources.filter(
      (r) => r.type === "aws:ec2/subnet:Subnet" && (r.inputs.tags as Props | undefined)?.[role] === "1",
    ).length;
  const albGroups = new Set<string>();
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  // On a stack's first preview ids and ARNs are unknown, but the engine still records which resources each
  // property was built from: the estimate follows those links, so it does not depend on the values.
  const builtFrom = (r: RegisteredResource, prop: string, type: string) =>
    (r.propertyDependencies[prop] ?? []).map((u) => byUrn.get(u)).filter((d) => d?.type === type);
  const countOf = (r: RegisteredResource, prop: string, type: string) =>
    r.inputs[prop] === UNKNOWN ? builtFrom(r, prop, type).length : arr(r.inputs[prop]).length;
  for (const r of resources) {
    if (typeof r.outputs.arn === "string" && r.outputs.arn !== UNKNOWN) byArn.set(r.outputs.arn, r);
    if (r.type === "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders") {
      clusterStrategies.set(String(r.inputs.clusterName), arr(r.inputs.defaultCapacityProviderStrategies));
    }
  }

  for (const r of resources) {
    if (!r.custom) continue;
    const p = r.inputs;
    switch (r.type) {
      case "aws:ec2/natGateway:NatGateway":
        add(r, `NAT gateway, ${H} h`, prices.hourly.natGateway * H);
        break;
      case "aws:ec2/eip:Eip":
        add(r, "public IPv4 address", prices.hourly.publicIpv4 * H);
        break;
      case "aws:lb/loadBalancer:LoadBalancer":
      case "aws:alb/loadBalancer:LoadBalancer": {
        const network = p.loadBalancerType === "network";
        const azs = Math.max(countOf(r, "subnets", SUBNET), arr(p.subnetMappings).length, 1);
        const internal = p.internal === true;
        add(
          r,
          `${network ? "network" : "application"} load balancer, ${H} h (LCUs are usage)` +
            (internal ? "" : ` + ${azs} public IPv4`),
          (network ? prices.hourly.networkLoadBalancer : prices.hourly.applicationLoadBalancer) * H +
            (internal ? 0 : azs * prices.hourly.publicIpv4 * H),
        );
        break;
      }
      case "aws:ec2/vpcEndpoint:VpcEndpoint":
        if (p.vpcEndpointType === "Interface") {
          const azs = Math.max(countOf(r, "subnetIds", SUBNET), 1);
          add(
            r,
            `interface endpoint ${String(p.serviceName)} in ${azs} AZ`,
            prices.hourly.interfaceEndpointPerAz * azs * H,
          );
        } else {
          skip(r, "gateway endpoints are free");
        }
        break;
      case "aws:ecs/service:Service": {
        const td =
          p.taskDefinition === UNKNOWN
            ? builtFrom(r, "taskDefinition", "aws:ecs/taskDefinition:TaskDefinition")[0]
            : byArn.get(String(p.taskDefinition));
        if (!td) {
          skip(r, "task definition not found among the stack's resources");
          break;
        }
        const desired = num(p.desiredCount, 1);
        const vcpu = num(td.inputs.cpu) / 1024;
        const gb = num(td.inputs.memory) / 1024;
        const arch = String((td.inputs.runtimePlatform as Props | undefined)?.cpuArchitecture ?? "X86_64");
        const strategies =
          arr(p.capacityProviderStrategies).length > 0
            ? arr(p.capacityProviderStrategies)
            : (clusterStrategies.get(String(p.cluster)) ?? []);
        const spot = p.launchType === "FARGATE" ? 0 : spotShare(strategies, desired);
        const onDemand =
          (prices.hourly.fargateVcpu[arch] ?? prices.hourly.fargateVcpu.X86_64) * vcpu +
          (prices.hourly.fargateGb[arch] ?? prices.hourly.fargateGb.X86_64) * gb;
        const spotPrice = prices.hourly.fargateSpotVcpu * vcpu + prices.hourly.fargateSpotGb * gb;
        add(
          r,
          `${desired} Fargate task(s) of ${vcpu} vCPU / ${gb} GB ${arch}, ${Math.round(spot * 100)}% on Spot`,
          desired * H * (spot * spotPrice + (1 - spot) * onDemand) +
            (p.networkConfiguration && (p.networkConfiguration as Props).assignPublicIp
              ? desired * prices.hourly.publicIpv4 * H
              : 0),
        );
        break;
      }
      case "kubernetes:networking.k8s.io/v1:Ingress": {
        // The controller creates one ALB per Ingress, or per group.name shared by several Ingresses, in every
        // subnet tagged for it (public ones when internet-facing).
        const meta = (p.metadata ?? {}) as Props;
        const annotations = (meta.annotations ?? {}) as Props;
        if (!albClasses.has(String((p.spec as Props | undefined)?.ingressClassName))) break;
        const group = String(
          annotations["alb.ingress.kubernetes.io/group.name"] ?? `${meta.namespace}/${meta.name}`,
        );
        if (albGroups.has(group)) break;
        albGroups.add(group);
        const internal = annotations["alb.ingress.kubernetes.io/scheme"] !== "internet-facing";
        const azs = Math.max(
          elbSubnets(internal ? "kubernetes.io/role/internal-elb" : "kubernetes.io/role/elb"),
          1,
        );
        add(
          r,
          `application load balancer of the Ingress, ${H} h (LCUs are usage)` +
            (internal ? "" : ` + ${azs} public IPv4`),
          prices.hourly.applicationLoadBalancer * H + (internal ? 0 : azs * prices.hourly.publicIpv4 * H),
        );
        break;
      }
      case "aws:eks/cluster:Cluster":
        add(r, "EKS control plane", prices.hourly.eksCluster * H);
        break;
      case "aws:eks/nodeGroup:NodeGroup": {
        const type = String(arr(p.instanceTypes)[0] ?? "t3.medium");
        const price = prices.ec2[type];
        const desired = num((p.scalingConfig as Props | undefined)?.desiredSize, 1);
        if (price === undefined) {
          skip(r, `no price for instance type ${type} in cost/prices.json`);
          break;
        }
        const spot = p.capacityType === "SPOT";
        // Node volumes: the launch template's EBS mappings, or the node group's diskSize (default 20 GB).
        const templateId = (p.launchTemplate as Props | undefined)?.id;
        const template =
          templateId === UNKNOWN
            ? builtFrom(r, "launchTemplate", "aws:ec2/launchTemplate:LaunchTemplate")[0]
            : resources.find(
                (t) =>
                  t.type === "aws:ec2/launchTemplate:LaunchTemplate" &&
                  t.id !== undefined &&
                  t.id === templateId,
              );
        const volumes = template
          ? arr(template.inputs.blockDeviceMappings).map((m) => (m as Props).ebs as Props | undefined)
          : [{ volumeSize: num(p.diskSize, 20), volumeType: "gp3" }];
        const gb = volumes.reduce((t: number, v) => t + num(v?.volumeSize, 0), 0);
        const volumeUsd = volumes.reduce(
          (t: number, v) =>
            t +
            num(v?.volumeSize, 0) *
              (prices.ebsGbMonth[String(v?.volumeType ?? "gp3")] ?? prices.ebsGbMonth.gp3),
          0,
        );
        add(
          r,
          `${desired} x ${type}${spot ? " Spot" : ""}, ${gb} GB EBS each`,
          desired * (price * H * (spot ? 1 - prices.spotDiscountEc2 : 1) + volumeUsd),
        );
        break;
      }
      case "aws:rds/instance:Instance": {
        const cls = String(p.instanceClass);
        const price = prices.rds[cls];
        if (price === undefined) {
          skip(r, `no price for instance class ${cls} in cost/prices.json`);
          break;
        }
        const copies = p.multiAz === true ? 2 : 1;
        const storage =
          num(p.allocatedStorage, 20) *
          (prices.rdsStorageGbMonth[String(p.storageType ?? "gp3")] ?? prices.rdsStorageGbMonth.gp3);
        add(
          r,
          `${cls}${copies === 2 ? " Multi-AZ" : ""}, ${num(p.allocatedStorage, 20)} GB`,
          copies * (price * H + storage),
        );
        break;
      }
      case "aws:elasticache/replicationGroup:ReplicationGroup": {
        const nodeType = String(p.nodeType);
        const valkey = p.engine === "valkey";
        const price = (valkey ? prices.elasticacheValkey : prices.elasticache)[nodeType];
        if (price === undefined) {
          skip(r, `no price for ${valkey ? "Valkey " : ""}node type ${nodeType} in cost/prices.json`);
          break;
        }
        const nodes =
          p.numNodeGroups !== undefined
            ? num(p.numNodeGroups) * (num(p.replicasPerNodeGroup) + 1)
            : num(p.numCacheClusters, 1);
        add(r, `${nodes} x ${nodeType}${valkey ? " Valkey" : ""}`, nodes * price * H);
        break;
      }
      case "aws:kms/key:Key":
        add(r, "KMS customer managed key", prices.monthly.kmsKey);
        break;
      case "aws:secretsmanager/secret:Secret":
        add(r, "Secrets Manager secret", prices.monthly.secret);
        break;
      case "aws:cloudwatch/metricAlarm:MetricAlarm":
        add(
          r,
          "CloudWatch alarm",
          prices.monthly.alarm * Math.max(1, arr(p.metricQueries).filter((q) => (q as Props).metric).length),
        );
        break;
      case "aws:cloudwatch/dashboard:Dashboard":
        add(r, "CloudWatch dashboard", prices.monthly.dashboard);
        break;
      case "aws:wafv2/webAcl:WebAcl":
        add(
          r,
          `WAF web ACL with ${arr(p.rules).length} rule(s) (requests are usage)`,
          prices.monthly.wafWebAcl + prices.monthly.wafRule * arr(p.rules).length,
        );
        break;
      case "aws:route53/zone:Zone":
        add(r, "Route 53 hosted zone", prices.monthly.route53Zone);
        break;
      case "aws:route53/healthCheck:HealthCheck":
        add(r, "Route 53 health check", prices.monthly.route53HealthCheck);
        break;
      case "aws:ebs/volume:Volume": {
        const t = String(p.type ?? "gp3");
        add(r, `${num(p.size)} GB ${t}`, num(p.size) * (prices.ebsGbMonth[t] ?? prices.ebsGbMonth.gp3));
        break;
      }
      default:
        if (prices.usagePriced[r.type]) skip(r, `usage-priced: ${prices.usagePriced[r.type]}`);
    }
  }
  return {
    monthlyUsd: round(items.reduce((t, i) => t + i.monthlyUsd, 0)),
    currency: prices.currency,
    priceRegion: prices.region,
    priceDate: prices.date,
    items,
    notEstimated,
  };
}
