import type { PricedResource, Prices, PricingContext } from "./types";
import { arr, num, Props, TASK_DEFINITION } from "./values";

/*
 * Fargate services: which capacity provider each task runs on. ECS keeps the weights' ratio as closely as whole
 * tasks allow, so with few tasks the share is not a blend: one task under 1:1 weights runs entirely on Spot or
 * entirely on demand. The estimate gives both ends.
 */

/** Tasks on Fargate Spot, fewest to most, from a capacity provider strategy (base first, then weights). */
export function spotTaskRange(strategies: unknown[], desired: number): { min: number; max: number } {
  if (strategies.length === 0 || desired <= 0) return { min: 0, max: 0 };
  const items = strategies.map((s) => s as Props);
  let remaining = desired;
  let spot = 0;
  for (const s of items) {
    const base = Math.min(num(s.base), remaining);
    if (s.capacityProvider === "FARGATE_SPOT") spot += base;
    remaining -= base;
  }
  const totalWeight = items.reduce((t, s) => t + num(s.weight), 0);
  const spotWeight = items
    .filter((s) => s.capacityProvider === "FARGATE_SPOT")
    .reduce((t, s) => t + num(s.weight), 0);
  if (totalWeight <= 0 || remaining === 0) return { min: spot, max: spot };
  const share = (remaining * spotWeight) / totalWeight;
  return { min: spot + Math.floor(share), max: spot + Math.ceil(share) };
}

/** The monthly price of an ECS service's tasks: the cheapest placement and the dearest. */
export function priceFargateService(r: PricedResource, ctx: PricingContext): void {
  const { prices } = ctx;
  const p = r.inputs;
  const td = ctx.linked(r, "taskDefinition", TASK_DEFINITION);
  if (!td) {
    ctx.skip(r, "task definition not found among the stack's resources");
    return;
  }
  const H = prices.hoursPerMonth;
  const desired = num(p.desiredCount, 1);
  const vcpu = num(td.inputs.cpu) / 1024;
  const gb = num(td.inputs.memory) / 1024;
  const arch = String((td.inputs.runtimePlatform as Props | undefined)?.cpuArchitecture ?? "X86_64");
  const strategies =
    arr(p.capacityProviderStrategies).length > 0
      ? arr(p.capacityProviderStrategies)
      : (ctx.clusterStrategies.get(String(p.cluster)) ?? []);
  const spot = p.launchType === "FARGATE" ? { min: 0, max: 0 } : spotTaskRange(strategies, desired);
  const task = taskHourly(prices, arch, vcpu, gb);
  const publicIp =
    p.networkConfiguration && (p.networkConfiguration as Props).assignPublicIp
      ? desired * prices.hourly.publicIpv4 * H
      : 0;
  const monthly = (spotTasks: number) =>
    H * (spotTasks * task.spot + (desired - spotTasks) * task.onDemand) + publicIp;
  // A service scaled from zero has no standing task: its tasks are usage-priced, and none is said to be on Spot.
  const placement =
    desired === 0
      ? "scaled from zero; tasks are usage-priced"
      : spot.min !== spot.max
        ? `${spot.min}-${spot.max} on Spot (ECS places whole tasks by weight)`
        : spot.min === desired
          ? "all on Spot"
          : spot.min === 0
            ? "none on Spot"
            : `${spot.min} on Spot`;
  ctx.add(r, {
    description:
      desired === 0
        ? `no standing Fargate task of ${vcpu} vCPU / ${gb} GB ${arch} (${placement})`
        : `${desired} Fargate task(s) of ${vcpu} vCPU / ${gb} GB ${arch}, ${placement}`,
    min: monthly(spot.max),
    max: monthly(spot.min),
    dependsOn:
      spot.min === spot.max
        ? undefined
        : "which capacity provider ECS places each task on (Spot or on demand)",
  });
}

function taskHourly(prices: Prices, arch: string, vcpu: number, gb: number) {
  const h = prices.hourly;
  return {
    onDemand:
      (h.fargateVcpu[arch] ?? h.fargateVcpu.X86_64) * vcpu + (h.fargateGb[arch] ?? h.fargateGb.X86_64) * gb,
    spot: h.fargateSpotVcpu * vcpu + h.fargateSpotGb * gb,
  };
}
