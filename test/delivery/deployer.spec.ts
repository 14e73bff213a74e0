import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseYaml } from "../../lib/yaml";
import { stackDeployer, workflowRunners } from "../../tools/deployer";
import { REPO_ROOT } from "../helpers/offline";

/*
 * Where each stack's `pulumi up` runs, from the stack's config to the two deployers: the deploy workflow's
 * runner (tools/deployer.ts -> deploy.yml's checks output -> pulumi-up.yml's runs-on) and Pulumi Deployments'
 * agent pool (deploy/index.ts; test/delivery/pulumi-cloud.spec.ts). GitHub's expressions are evaluated here
 * the way Actions evaluates them (toJSON / fromJSON are JSON.stringify / JSON.parse).
 */

interface Job {
  needs?: string | string[];
  outputs?: Record<string, string>;
  "runs-on"?: string;
  with?: Record<string, string>;
  steps?: Array<{ id?: string; run?: string }>;
}
const workflow = (f: string) =>
  parseYaml(fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", f), "utf8")) as {
    on: { workflow_call?: { inputs: Record<string, { default?: string }> } };
    jobs: Record<string, Job>;
  };

describe("deployers: where each stack's `pulumi up` runs", function () {
  this.timeout(30_000);
  const deploy = workflow("deploy.yml");
  const up = workflow("pulumi-up.yml");

  it("the deploy workflow's checks job prints each stack's runner with the tool (run here as it runs there)", () => {
    const step = deploy.jobs.checks.steps!.find((s) => s.id === "deployers")!;
    assert.strictEqual(
      step.run,
      'echo "runs-on=$(node -r ./tools/register-ts.js tools/deployer.ts)" >> "$GITHUB_OUTPUT"',
    );
    assert.strictEqual(deploy.jobs.checks.outputs!["runs-on"], "${{ steps.deployers.outputs.runs-on }}");
    const run = spawnSync(process.execPath, ["-r", "./tools/register-ts.js", "tools/deployer.ts"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    assert.strictEqual(run.status, 0, run.stderr);
    assert.deepStrictEqual(JSON.parse(run.stdout), {
      dev: "ubuntu-latest",
      staging: "ubuntu-latest",
      prod: ["self-hosted", "agent-platform-prod"],
    });
  });

  it("each stack's update job runs where its config says: prod on its self-hosted runner inside the VPC", () => {
    const output = JSON.stringify(workflowRunners(REPO_ROOT));
    const runsOn = up.jobs.up["runs-on"];
    assert.strictEqual(runsOn, "${{ fromJSON(inputs.runs-on) }}");
    const resolved: Record<string, unknown> = {};
    for (const stack of ["dev", "staging", "prod"]) {
      const expr = /^\$\{\{ toJSON\(fromJSON\(needs\.checks\.outputs\.runs-on\)\.(\w+)\) \}\}$/.exec(
        deploy.jobs[stack].with!["runs-on"],
      );
      assert.ok(expr, stack);
      const input = JSON.stringify((JSON.parse(output) as Record<string, unknown>)[expr[1]]);
      resolved[stack] = JSON.parse(input);
    }
    assert.deepStrictEqual(resolved, {
      dev: "ubuntu-latest",
      staging: "ubuntu-latest",
      prod: ["self-hosted", "agent-platform-prod"],
    });
    // A caller that passes nothing gets a GitHub-hosted runner.
    assert.strictEqual(JSON.parse(up.on.workflow_call!.inputs["runs-on"].default!), "ubuntu-latest");
  });

  it("the tool stops the workflow when a stack needs an in-VPC runner and names none", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "deployer-"));
    try {
      fs.mkdirSync(path.join(root, "deploy", "esc", "agent-platform"), { recursive: true });
      fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
      for (const f of ["prod.yaml"])
        fs.copyFileSync(
          path.join(REPO_ROOT, "deploy", "esc", "agent-platform", f),
          path.join(root, "deploy", "esc", "agent-platform", f),
        );
      const prod = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8");
      // An agent pool alone satisfies config.ts; the workflow still needs a runner of its own.
      fs.writeFileSync(
        path.join(root, "Pulumi.prod.yaml"),
        prod.replace(/^ {2}agent-platform:deployRunnerLabel:.*\n/m, ""),
      );
      assert.strictEqual(stackDeployer(root, "prod").runnerLabel, undefined);
      assert.throws(() => workflowRunners(root), {
        message:
          "stack prod manages in-cluster resources behind a private-only EKS endpoint, which a GitHub-hosted " +
          "runner cannot reach: set agent-platform:deployRunnerLabel to a self-hosted runner inside its VPC " +
          "(or eksPublicAccessCidrs)",
      });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("pull-request previews stay on GitHub-hosted runners: no pull request's code runs inside prod's VPC", () => {
    const pr = workflow("pull-request.yml");
    for (const [name, job] of Object.entries(pr.jobs))
      assert.strictEqual(job["runs-on"], "ubuntu-latest", name);
  });
});
