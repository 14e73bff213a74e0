/*
 * agent-platform-cloud: the Pulumi Cloud side of delivery, as code.
 *
 * - Deployment settings per stack: the git source, pre-run commands, and AWS credentials through Pulumi
 *   Cloud's OIDC issuer (no stored keys). GitHub Actions owns push-to-deploy (with environment approvals), so
 *   the settings do not deploy on commit; they serve drift detection, review stacks, click-to-deploy and the
 *   REST API.
 * - A drift-detection schedule per stack (auto-remediation only where the stack's settings say so).
 * - The agent pool of a stack that must deploy from inside its VPC, from that stack's own config
 *   (deployAgentPoolId): Pulumi-hosted runs cannot reach an EKS cluster's private endpoint.
 * - Review stacks: one stack (dev by default) is the template every pull request's review stack copies; its
 *   pre-run command gives each review stack a time to live, so an abandoned pull request cannot keep paying.
 * - The policy pack, bundled and published, and a policy group that enforces it on these stacks for every
 *   update, whether it starts in GitHub Actions, Pulumi Deployments or on a laptop.
 * - GitHub Actions' OIDC issuer, so workflows log in to Pulumi Cloud without a stored token.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as ps from "@pulumi/pulumiservice";
import { PACK_NAME } from "../policy/pack";
import { bundlePolicyPack } from "./policy-bundle";
import { stackDeployer } from "../tools/deployer";
import { checkAgentPools, readSettings } from "./settings";

const config = new pulumi.Config();
const settings = readSettings({ get: (key) => config.get(key.slice(key.indexOf(":") + 1)) });
const { organization, project } = settings;

/** Where each stack deploys from, by its own config (tools/deployer.ts): agent pools for Pulumi Deployments. */
const deployers = settings.stacks.map((s) => stackDeployer(path.join(__dirname, ".."), s.name));
checkAgentPools(deployers);

/** Stacks that are not review stacks: the TTL script leaves these alone. */
const longLived = settings.stacks.map((s) => s.name);

/** The commands every deployment runs before the Pulumi operation (dependencies from the lockfile). */
export function preRunCommands(ttlHours: number, stacks: readonly string[]): string[] {
  return [
    "npm ci --no-audit --no-fund",
    // Only review stacks (any stack not listed here) get a TTL; the script is a no-op for the others.
    `bash deploy/review-stack-ttl.sh ${ttlHours} ${stacks.join(" ")}`,
  ];
}

settings.stacks.forEach((stack, i) => {
  const { agentPoolId } = deployers[i];
  const deploymentSettings = new ps.DeploymentSettings(`${stack.name}-deployment-settings`, {
    organization,
    project,
    stack: stack.name,
    // A stack that must deploy from inside its VPC runs on its agent pool there; the others Pulumi-hosted.
    ...(agentPoolId ? { agentPoolId } : {}),
    sourceContext: { git: { branch: `refs/heads/${settings.branch}`, repoDir: "." } },
    vcs: {
      provider: "github",
      repository: settings.repository,
      // GitHub Actions deploys main through dev -> staging -> prod with approvals; a second trigger here would
      // race it. Pull-request previews also run in GitHub Actions (with the offline report beside them).
      deployCommits: false,
      previewPullRequests: false,
      pullRequestTemplate: stack.name === settings.reviewStackTemplate,
    },
    operationContext: {
      preRunCommands: preRunCommands(settings.reviewStackTtlHours, longLived),
      options: { skipInstallDependencies: true, skipIntermediateDeployments: true, shell: "bash" },
      oidc: {
        aws: {
          roleARN: stack.awsRoleArn,
          sessionName: `pulumi-deployments-${stack.name}`,
          duration: "1h0m0s",
        },
      },
    },
    cacheOptions: { enable: true },
  });

  // Drift runs need the deployment settings (they are deployments), hence dependsOn.
  new ps.DriftSchedule(
    `${stack.name}-drift`,
    {
      organization,
      project,
      stack: stack.name,
      scheduleCron: stack.driftSchedule,
      autoRemediate: stack.autoRemediateDrift,
    },
    { dependsOn: [deploymentSettings] },
  );
});

// GitHub Actions log in to Pulumi Cloud with their own OIDC token (pulumi/auth-actions): no stored Pulumi
// token. Only this repository's workflows may exchange a token, for an organization token of standard rights.
new ps.OidcIssuer("github-actions", {
  organization,
  name: "github-actions",
  url: "https://token.actions.githubusercontent.com",
  maxExpirationSeconds: 3600,
  policies: [
    {
      decision: "allow",
      tokenType: "organization",
      authorizedPermissions: ["standard"],
      rules: { aud: `urn:pulumi:org:${organization}`, sub: `repo:${settings.repository}:*` },
    },
  ],
});

// Pulumi Cloud receives only the pack's folder, so it gets the self-contained bundle (see policy-bundle.ts).
// Versions are immutable: bump policy/package.json's version to publish a change.
const bundle = bundlePolicyPack(path.join(__dirname, ".build", "policy-pack"));
const pack = new ps.PolicyPack("policy-pack", {
  organization,
  name: PACK_NAME,
  sourcePath: bundle.dir,
  versionTag: bundle.version,
});

const packConfig = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "policy", "policy-config.json"), "utf8"),
) as Record<string, unknown>;

const group = new ps.PolicyGroup(
  "policy-group",
  {
    name: `${project}-stacks`,
    organizationName: organization,
    entityType: "stacks",
    mode: settings.policyGroupMode,
    stacks: settings.stacks.map((s) => ({ name: s.name, routingProject: project })),
    policyPacks: [{ name: PACK_NAME, versionTag: bundle.version, config: packConfig }],
  },
  { dependsOn: [pack] },
);

export const stacks = longLived;
export const reviewStackTemplate = settings.reviewStackTemplate ?? null;
export const policyGroup = group.name;
export const policyPackVersion = pack.versionTag;
