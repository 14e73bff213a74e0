import type { EksSettings } from "../components/eks/args";
import { ConfigReader } from "./reader";

/*
 * Where the stack's `pulumi up` runs. GitHub-hosted runners and Pulumi-hosted deployments reach only public
 * endpoints; a stack whose program manages resources inside an EKS cluster with a private-only API endpoint
 * needs a deployer inside its VPC. The deploy workflow takes its runner from here (tools/deployer.ts), Pulumi
 * Deployments its agent pool (deploy/index.ts).
 */

export interface DeployerConfig {
  /** Label of a self-hosted GitHub Actions runner inside the stack's VPC; undefined: GitHub-hosted. */
  readonly runnerLabel?: string;
  /** Pulumi Deployments agent pool whose agents run inside the stack's VPC; undefined: Pulumi-hosted. */
  readonly agentPoolId?: string;
}

/** What the deploy workflow's job runs on without a runner label. */
export const GITHUB_HOSTED_RUNNER = "ubuntu-latest";

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const HOSTED = /^(ubuntu|windows|macos)-/;
const AGENT_POOL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function readDeployer(r: ConfigReader): DeployerConfig {
  const runnerLabel = r.optionalString("deployRunnerLabel");
  if (runnerLabel !== undefined && (!LABEL.test(runnerLabel) || HOSTED.test(runnerLabel)))
    r.report(
      "deployRunnerLabel",
      runnerLabel,
      "must be the label of a self-hosted runner (letters, digits, . _ -; not a GitHub-hosted image such as " +
        "ubuntu-latest), or empty for GitHub-hosted runners",
    );
  const agentPoolId = r.optionalString("deployAgentPoolId");
  if (agentPoolId !== undefined && !AGENT_POOL_ID.test(agentPoolId))
    r.report(
      "deployAgentPoolId",
      agentPoolId,
      "must be a Pulumi Deployments agent pool id (a lower-case UUID), or empty for Pulumi-hosted deployments",
    );
  return {
    ...(runnerLabel !== undefined ? { runnerLabel } : {}),
    ...(agentPoolId !== undefined ? { agentPoolId } : {}),
  };
}

/** Whether `pulumi up` must run inside the VPC: in-cluster resources behind a private-only API endpoint. */
export function needsInVpcDeployer(eks: EksSettings | undefined): boolean {
  return eks?.workloads !== undefined && (eks.publicAccessCidrs ?? []).length === 0;
}

/** Why the stack cannot be deployed from where it is configured to be, or undefined. */
export function deployerProblem(eks: EksSettings | undefined, deployer: DeployerConfig): string | undefined {
  if (!needsInVpcDeployer(eks) || deployer.runnerLabel || deployer.agentPoolId) return undefined;
  return (
    "needs a deployer that reaches the cluster's private API endpoint (the Helm releases, IngressClass, " +
    "StorageClass and sample app go through it): set eksPublicAccessCidrs to the deployers' egress networks, " +
    "or run the deployments inside the VPC with deployRunnerLabel (a self-hosted GitHub Actions runner) and " +
    "deployAgentPoolId (a Pulumi Deployments agent pool); GitHub-hosted runners and Pulumi-hosted deployments " +
    "cannot reach it. Or set eksWorkloadsEnabled to false"
  );
}

/** The deploy workflow job's `runs-on`: the self-hosted runner's labels, or a GitHub-hosted image. */
export function runsOn(deployer: DeployerConfig): string | string[] {
  return deployer.runnerLabel ? ["self-hosted", deployer.runnerLabel] : GITHUB_HOSTED_RUNNER;
}
