import { ConfigReader } from "./reader";
import { checkFargatePair } from "./rules";

export interface ServiceConfig {
  /** Whether the Fargate web service (ALB, CloudFront, WAF) is deployed. */
  readonly enabled: boolean;
  /** Task CPU units (256 = 0.25 vCPU). */
  readonly cpu: number;
  /** Task memory in MiB; must be a size Fargate pairs with `cpu`. */
  readonly memory: number;
  readonly minTasks: number;
  readonly desiredTasks: number;
  readonly maxTasks: number;
  /** Share of tasks on Fargate Spot, 0-100; the rest run on regular Fargate. */
  readonly spotPercent: number;
}

export function readService(r: ConfigReader): ServiceConfig {
  const cpu = r.number("serviceCpu", { min: 256, max: 16384 }, 512);
  const memory = r.number("serviceMemory", { min: 512, max: 122880 }, 1024);
  const pairProblem = checkFargatePair(cpu, memory);
  if (pairProblem) r.report("serviceMemory", memory, pairProblem);

  const minTasks = r.number("serviceMinTasks", { min: 0, max: 100 }, 1);
  const desiredTasks = r.number("serviceDesiredTasks", { min: 0, max: 100 }, 1);
  const maxTasks = r.number("serviceMaxTasks", { min: 1, max: 100 }, 4);
  if (minTasks > desiredTasks) {
    r.report("serviceMinTasks", minTasks, `must not exceed serviceDesiredTasks (${desiredTasks})`);
  }
  if (desiredTasks > maxTasks) {
    r.report("serviceDesiredTasks", desiredTasks, `must not exceed serviceMaxTasks (${maxTasks})`);
  }
  return {
    enabled: r.boolean("serviceEnabled", true),
    cpu,
    memory,
    minTasks,
    desiredTasks,
    maxTasks,
    spotPercent: r.number("serviceSpotPercent", { min: 0, max: 100 }, 100),
  };
}
