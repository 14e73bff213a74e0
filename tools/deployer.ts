/**
 * Where each stack's `pulumi up` runs, read from the stack's own config (config/deployer.ts): the deploy
 * workflow takes each stack job's `runs-on` from here, and deploy/index.ts each stack's Pulumi Deployments
 * agent pool.
 *
 *   node -r ./tools/register-ts.js tools/deployer.ts
 *     {"dev":"ubuntu-latest","staging":"ubuntu-latest","prod":["self-hosted","agent-platform-prod"]}
 *
 * Exit 2, naming the stack and the key, when a stack must deploy from inside its VPC (in-cluster resources
 * behind a private-only EKS endpoint) and names no self-hosted runner: the workflow stops before any update.
 */
import * as path from "path";
import { loadStackConfig, mapConfigSource } from "../config";
import { DeployerConfig, needsInVpcDeployer, runsOn } from "../config/deployer";
import { listStacks, readStack } from "./offline/stack-files";

export interface StackDeployer extends DeployerConfig {
  readonly stack: string;
  /** `pulumi up` must run inside the stack's VPC (config/deployer.ts needsInVpcDeployer). */
  readonly needsInVpc: boolean;
}

/** The stack's deployer, from its config as the CLI builds it (Pulumi.yaml, ESC environment, stack file). */
export function stackDeployer(root: string, stack: string): StackDeployer {
  const input = readStack(root, stack);
  const config = loadStackConfig(mapConfigSource(input.config, input.secretKeys), input.project, stack);
  return { stack, ...config.deployer, needsInVpc: needsInVpcDeployer(config.eks) };
}

/** Each stack's `runs-on` for the deploy workflow; throws when a stack needs an in-VPC runner and has none. */
export function workflowRunners(root: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const stack of listStacks(root)) {
    const d = stackDeployer(root, stack);
    if (d.needsInVpc && !d.runnerLabel)
      throw new Error(
        `stack ${stack} manages in-cluster resources behind a private-only EKS endpoint, which a GitHub-hosted ` +
          "runner cannot reach: set agent-platform:deployRunnerLabel to a self-hosted runner inside its VPC " +
          "(or eksPublicAccessCidrs)",
      );
    out[stack] = runsOn(d);
  }
  return out;
}

if (require.main === module) {
  try {
    process.stdout.write(`${JSON.stringify(workflowRunners(path.resolve(__dirname, "..")))}\n`);
  } catch (error) {
    process.stderr.write(`deployer: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
