import { expectedRolloutMinutes, rolloutBoundMinutes, rolloutMinutes } from "../rollout-lambdas";
import type { RegisteredResource } from "./evaluate";

/** What the blue/green deploy step after `pulumi up` will do for a stack, for the offline report. */
export interface RolloutSummary {
  /** Functions rolled out through CodeDeploy (one deployment group each). */
  readonly functions: number;
  /** Their deployment configurations, each once. */
  readonly configs: readonly string[];
  /** Side by side: as long as the slowest. */
  readonly expectedMinutes: number;
  /** Where the deploy step stops and rolls back what is still running. */
  readonly boundMinutes: number;
}

/** The stack's CodeDeploy Lambda deployment groups, summarized; undefined without blue/green. */
export function summarizeRollout(resources: readonly RegisteredResource[]): RolloutSummary | undefined {
  const configs = resources
    .filter((r) => r.type === "aws:codedeploy/deploymentGroup:DeploymentGroup")
    .map((r) => String(r.inputs.deploymentConfigName ?? "(none)"));
  if (configs.length === 0) return undefined;
  return {
    functions: configs.length,
    configs: [...new Set(configs)],
    expectedMinutes: expectedRolloutMinutes(configs),
    boundMinutes: rolloutBoundMinutes(configs),
  };
}

/** The report's line. */
export function rolloutLine(resources: readonly RegisteredResource[]): string {
  const groups = resources.filter((r) => r.type === "aws:codedeploy/deploymentGroup:DeploymentGroup");
  const unknown = groups
    .map((r) => String(r.inputs.deploymentConfigName ?? "(none)"))
    .filter((c) => !knownConfig(c));
  if (unknown.length > 0)
    return `Blue/green rollout after \`pulumi up\`: no known duration for ${[...new Set(unknown)].join(", ")}`;
  const s = summarizeRollout(resources);
  if (!s) return "Blue/green rollout after `pulumi up`: none (lambdaBlueGreen is off)";
  return (
    `Blue/green rollout after \`pulumi up\`: ${s.functions} functions shift traffic through CodeDeploy side by ` +
    `side (${s.configs.join(", ")}): about ${s.expectedMinutes} minutes; the deploy step stops and rolls back ` +
    `what is still running at ${s.boundMinutes} minutes`
  );
}

function knownConfig(config: string): boolean {
  try {
    rolloutMinutes(config);
    return true;
  } catch {
    return false;
  }
}
