import * as assert from "assert";
import { runsOn } from "../../config/deployer";
import { configIssues, K, loadStack } from "../helpers/config";

const UNREACHABLE =
  "agent-platform:eksWorkloadsEnabled = true: needs a deployer that reaches the cluster's private API endpoint " +
  "(the Helm releases, IngressClass, StorageClass and sample app go through it): set eksPublicAccessCidrs to " +
  "the deployers' egress networks, or run the deployments inside the VPC with deployRunnerLabel (a " +
  "self-hosted GitHub Actions runner) and deployAgentPoolId (a Pulumi Deployments agent pool); GitHub-hosted " +
  "runners and Pulumi-hosted deployments cannot reach it. Or set eksWorkloadsEnabled to false";

const noDeployer = { [K("deployRunnerLabel")]: "", [K("deployAgentPoolId")]: "" };

describe("deployer config (where `pulumi up` runs)", () => {
  it("prod deploys from inside its VPC: a self-hosted runner and a Pulumi Deployments agent pool", () => {
    const prod = loadStack("prod");
    assert.deepStrictEqual(prod.deployer, {
      runnerLabel: "agent-platform-prod",
      agentPoolId: "5f0c2e0a-7d1b-4c3e-9a64-2b8f1d7e6c90",
    });
    assert.deepStrictEqual(runsOn(prod.deployer), ["self-hosted", "agent-platform-prod"]);
    for (const stack of ["dev", "staging"]) {
      assert.deepStrictEqual(loadStack(stack).deployer, {}, stack);
      assert.strictEqual(runsOn(loadStack(stack).deployer), "ubuntu-latest", stack);
    }
  });

  it("refuses a private-only endpoint with in-cluster resources and no deployer in the VPC (the old prod)", () => {
    assert.deepStrictEqual(configIssues("prod", noDeployer), [UNREACHABLE]);
  });

  it("accepts any one way in: restricted public access, a runner, an agent pool, or no in-cluster resources", () => {
    const ways = [
      { [K("eksPublicAccessCidrs")]: '["203.0.113.0/24"]' },
      { [K("deployRunnerLabel")]: "agent-platform-prod" },
      { [K("deployAgentPoolId")]: "5f0c2e0a-7d1b-4c3e-9a64-2b8f1d7e6c90" },
      { [K("eksWorkloadsEnabled")]: "false" },
    ];
    for (const way of ways)
      assert.deepStrictEqual(configIssues("prod", { ...noDeployer, ...way }), [], Object.keys(way)[0]);
  });

  it("asks nothing of stacks without EKS", () => {
    assert.deepStrictEqual(configIssues("staging", noDeployer), []);
  });

  it("refuses a GitHub-hosted image as the runner label, and an agent pool id that is not one", () => {
    assert.deepStrictEqual(
      configIssues("prod", { [K("deployRunnerLabel")]: "ubuntu-latest", [K("deployAgentPoolId")]: "pool-1" }),
      [
        'agent-platform:deployRunnerLabel = "ubuntu-latest": must be the label of a self-hosted runner (letters, ' +
          "digits, . _ -; not a GitHub-hosted image such as ubuntu-latest), or empty for GitHub-hosted runners",
        'agent-platform:deployAgentPoolId = "pool-1": must be a Pulumi Deployments agent pool id (a lower-case ' +
          "UUID), or empty for Pulumi-hosted deployments",
      ],
    );
  });
});
