import type { PricedResource, PricingContext } from "./types";
import { arr, num, Props, TASK_DEFINITION } from "./values";

/*
 * Container Insights, which CloudWatch bills to the account for a cluster the stack creates. On ECS it is a
 * cluster setting billed as custom metrics: a fixed set per cluster, per service and per task family, with no
 * task dimension, so the task count does not change it. On EKS the CloudWatch observability add-on turns on
 * enhanced observability, billed per observation: every node, pod and container adds metric series, so the
 * figure runs from the smallest cluster the node groups allow to the largest.
 */

const ECS_SERVICE = "aws:ecs/service:Service";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ADDON = "aws:eks/addon:Addon";
const OBSERVABILITY_ADDON = "amazon-cloudwatch-observability";

/** The ECS cluster's Container Insights metrics, by its containerInsights setting. */
export function priceEcsContainerInsights(cluster: PricedResource, ctx: PricingContext): void {
  const setting = arr(cluster.inputs.settings)
    .map((s) => s as Props)
    .find((s) => s.name === "containerInsights")?.value;
  if (setting === "disabled") return;
  if (setting === "enhanced") {
    ctx.skip(
      cluster,
      "no price model: Container Insights with enhanced observability adds metrics per task and container",
    );
    return;
  }
  const m = ctx.prices.containerInsights.ecsMetrics;
  const services = servicesOf(cluster, ctx.resources);
  const families = new Set(
    services.map((s) => String(ctx.linked(s, "taskDefinition", TASK_DEFINITION)?.inputs.family ?? s.urn)),
  );
  const instances = ctx.resources.some(
    (c) =>
      c.type === "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders" &&
      c.inputs.clusterName === cluster.inputs.name &&
      arr(c.inputs.capacityProviders).some((p) => !String(p).startsWith("FARGATE")),
  );
  const metrics =
    m.perCluster +
    (instances ? m.perClusterWithInstances : 0) +
    m.perService * services.length +
    m.perTaskFamily * families.size;
  const usd = metrics * ctx.prices.monthly.customMetric;
  ctx.add(cluster, {
    description:
      `Container Insights: ${metrics} custom metrics (cluster, ${services.length} service(s), ` +
      `${families.size} task family(ies); performance log ingestion is usage)`,
    // A cluster that sets nothing follows the account's default, which the program cannot see.
    min: setting === undefined ? 0 : usd,
    max: usd,
    dependsOn:
      setting === undefined ? "the account's containerInsights default (the cluster sets none)" : undefined,
    basis: "created-by-aws",
  });
}

/** Services of this cluster; with one cluster in the stack, services whose cluster is not yet known too. */
function servicesOf(cluster: PricedResource, resources: PricedResource[]): PricedResource[] {
  const ids = new Set(
    [cluster.outputs.arn, cluster.outputs.id, cluster.inputs.name, cluster.outputs.name].filter(
      (v) => typeof v === "string",
    ),
  );
  const clusters = resources.filter((r) => r.type === cluster.type).length;
  return resources.filter(
    (s) => s.type === ECS_SERVICE && (ids.has(String(s.inputs.cluster)) || clusters === 1),
  );
}

/** The EKS CloudWatch observability add-on: enhanced observability, per observation, by node count. */
export function priceEksObservability(addon: PricedResource, ctx: PricingContext): void {
  if (addon.inputs.addonName !== OBSERVABILITY_ADDON) return;
  if (!enhancedObservability(addon)) {
    ctx.skip(addon, "no price model: Container Insights without enhanced observability (per-metric)");
    return;
  }
  const o = ctx.prices.containerInsights.eksObservations;
  const cluster = addon.inputs.clusterName;
  const groups = ctx.resources.filter((g) => g.type === NODE_GROUP && g.inputs.clusterName === cluster);
  // Every node runs one pod of each add-on's DaemonSets.
  const daemons = ctx.resources
    .filter((a) => a.type === ADDON && a.inputs.clusterName === cluster)
    .map((a) => ctx.prices.containerInsights.eksAddonDaemonSets[String(a.inputs.addonName)])
    .filter((d) => d !== undefined)
    .reduce((t, d) => ({ pods: t.pods + d.pods, containers: t.containers + d.containers }), {
      pods: 0,
      containers: 0,
    });
  const perDaemonNode =
    o.seriesPerNode + daemons.pods * o.seriesPerPod + daemons.containers * o.seriesPerContainer;
  let minNodes = 0;
  let maxNodes = 0;
  let maxSeries = o.seriesPerCluster;
  const podLimits = new Set<number>();
  for (const g of groups) {
    const type = String(arr(g.inputs.instanceTypes)[0] ?? "t3.medium");
    const maxPods = ctx.prices.ec2MaxPods[type];
    if (maxPods === undefined) {
      ctx.skip(addon, `no pod limit for instance type ${type} in cost/prices.json (ec2MaxPods)`);
      return;
    }
    const sizes = (g.inputs.scalingConfig ?? {}) as Props;
    minNodes += num(sizes.minSize);
    maxNodes += num(sizes.maxSize);
    podLimits.add(maxPods);
    // A full node: the DaemonSet pods, then single-container pods up to the node's pod limit.
    const appPods = Math.max(0, maxPods - daemons.pods);
    maxSeries += num(sizes.maxSize) * (perDaemonNode + appPods * (o.seriesPerPod + o.seriesPerContainer));
  }
  const minSeries = o.seriesPerCluster + minNodes * perDaemonNode;
  const usd = (series: number) => (series * o.perSeriesMonth * o.usdPerMillion) / 1e6;
  const limits = [...podLimits].sort((a, b) => a - b).join("/");
  ctx.add(addon, {
    description:
      `Container Insights (enhanced observability): ${minSeries}-${maxSeries} metric series, one observation ` +
      `a minute each (${minNodes}-${maxNodes} nodes, ${daemons.pods} DaemonSet pods to ${limits || 0} pods a node)`,
    min: usd(minSeries),
    max: usd(maxSeries),
    dependsOn: "node count and pods per node",
    basis: "created-by-aws",
  });
}

/** The add-on turns enhanced observability on unless its configuration switches it off. */
function enhancedObservability(addon: PricedResource): boolean {
  const raw = addon.inputs.configurationValues;
  if (typeof raw !== "string" || raw === "") return true;
  try {
    const values = JSON.parse(raw) as Props;
    const kubernetes = (
      ((((values.agent as Props | undefined)?.config as Props | undefined)?.logs as Props | undefined)
        ?.metrics_collected as Props | undefined) ?? {}
    ).kubernetes as Props | undefined;
    return kubernetes?.enhanced_container_insights !== false;
  } catch {
    return true;
  }
}
