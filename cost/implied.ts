import type { PricedResource, PriceFn, PricingContext } from "./types";
import { arr, Props } from "./values";

/*
 * Costs the stack causes without declaring them as priced resources: what AWS (or a controller in the cluster)
 * creates because of a resource, and what the stack uses but does not create.
 */

/** AWS creates two alarms for each target-tracking policy (scale out, scale in), billed like any alarm. */
export function priceTargetTrackingAlarms(r: PricedResource, { prices, add }: PricingContext) {
  if (r.inputs.policyType !== "TargetTrackingScaling") return;
  const config = (r.inputs.targetTrackingScalingPolicyConfiguration ?? {}) as Props;
  const custom = (config.customizedMetricSpecification ?? {}) as Props;
  const metrics = Math.max(1, arr(custom.metrics).filter((m) => (m as Props).metricStat).length);
  add(r, {
    description: `2 CloudWatch alarms AWS creates for the target-tracking policy (${metrics} metric(s) each)`,
    min: 2 * metrics * prices.monthly.alarm,
    basis: "created-by-aws",
  });
}

/** RDS keeps the master password in a Secrets Manager secret of its own when it manages it. */
export function priceRdsManagedSecret(r: PricedResource, { prices, add }: PricingContext) {
  if (r.inputs.manageMasterUserPassword === true)
    add(r, {
      description: "master user secret RDS keeps in Secrets Manager (manageMasterUserPassword)",
      min: prices.monthly.secret,
      basis: "created-by-aws",
    });
}

/**
 * The AWS Load Balancer Controller creates one ALB per Ingress, or per group.name shared by several Ingresses,
 * in every subnet tagged for it (public ones when internet-facing).
 */
export function ingressLoadBalancers(resources: PricedResource[]): PriceFn {
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
  const groups = new Set<string>();
  return (r, { prices, add }) => {
    const p = r.inputs;
    const meta = (p.metadata ?? {}) as Props;
    const annotations = (meta.annotations ?? {}) as Props;
    if (!albClasses.has(String((p.spec as Props | undefined)?.ingressClassName))) return;
    const group = String(
      annotations["alb.ingress.kubernetes.io/group.name"] ?? `${meta.namespace}/${meta.name}`,
    );
    if (groups.has(group)) return;
    groups.add(group);
    const H = prices.hoursPerMonth;
    const internal = annotations["alb.ingress.kubernetes.io/scheme"] !== "internet-facing";
    const azs = Math.max(
      elbSubnets(internal ? "kubernetes.io/role/internal-elb" : "kubernetes.io/role/elb"),
      1,
    );
    add(r, {
      description:
        `application load balancer of the Ingress, ${H} h (LCUs are usage)` +
        (internal ? "" : ` + ${azs} public IPv4`),
      min: prices.hourly.applicationLoadBalancer * H + (internal ? 0 : azs * prices.hourly.publicIpv4 * H),
      basis: "created-by-aws",
    });
  };
}

/** Objects inside a cluster cost nothing of their own, except those that make AWS create something. */
export function priceKubernetesObject(r: PricedResource, { skip }: PricingContext) {
  const spec = (r.inputs.spec ?? {}) as Props;
  if (r.type === "kubernetes:core/v1:Service" && spec.type === "LoadBalancer")
    skip(r, "no price model: AWS creates a load balancer for a LoadBalancer Service");
  else if (r.type === "kubernetes:core/v1:PersistentVolumeClaim")
    skip(r, "no price model: the storage class provisions an EBS volume");
}

/** Hosted zones the stack's records are in but the stack does not create: $0.50 a month each all the same. */
export function priceExternalHostedZones({ prices, resources, add }: PricingContext) {
  const created = new Set(
    resources
      .filter((r) => r.type === "aws:route53/zone:Zone")
      .flatMap((z) => [z.id, z.outputs.zoneId, z.outputs.id])
      .filter((v) => typeof v === "string"),
  );
  const seen = new Set<string>();
  for (const r of resources) {
    const zone = r.inputs.zoneId;
    if (r.type !== "aws:route53/record:Record" || typeof zone !== "string") continue;
    // A zone created in the same deployment may have no id yet; an existing one is a literal Z... id.
    if (!/^Z[A-Z0-9]+$/.test(zone) || created.has(zone) || seen.has(zone)) continue;
    seen.add(zone);
    add(r, {
      description: `Route 53 hosted zone ${zone}, which the stack's records use but the stack does not create`,
      min: prices.monthly.route53Zone,
      basis: "used-not-created",
    });
  }
}
