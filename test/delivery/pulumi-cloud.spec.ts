import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkAgentPools, readSettings, SettingsError } from "../../deploy/settings";
import { evaluateProgram, RegisteredResource } from "../../tools/offline/evaluate";
import { DEFAULT_ACCOUNT_ID } from "../../tools/offline/mocks";
import { readStack } from "../../tools/offline/stack-files";
import { ofType, REPO_ROOT } from "../helpers/offline";
import { catalogSource } from "../../policy/lib/aws-actions";

const DEPLOY = path.join(REPO_ROOT, "deploy");
const PACK_NAME = "agent-platform-guard";

/** Evaluates deploy/index.ts with its own Pulumi.yaml defaults and the given stack file's config. */
async function evaluateDeploy(overrides: Record<string, string> = {}) {
  const input = readStack(DEPLOY, "settings");
  return evaluateProgram({
    program: path.join(DEPLOY, "index.ts"),
    project: input.project,
    stack: input.stack,
    config: { ...input.config, ...overrides },
    secretKeys: input.secretKeys,
    region: "us-east-1",
    accountId: DEFAULT_ACCOUNT_ID,
  });
}

const byStack = (rs: RegisteredResource[]) =>
  Object.fromEntries(rs.map((r) => [r.inputs.stack as string, r]));

describe("deploy/: Pulumi Cloud settings as code", function () {
  this.timeout(30000);
  let resources: RegisteredResource[];
  before(async () => ({ resources } = await evaluateDeploy()));

  it("is its own project with its own stack file", () => {
    const input = readStack(DEPLOY, "settings");
    assert.strictEqual(input.project, "agent-platform-cloud");
    assert.strictEqual(input.config["agent-platform-cloud:project"], "agent-platform");
    assert.strictEqual(input.config["agent-platform-cloud:reviewStackTemplate"], "dev");
  });

  it("registers exactly settings and a drift schedule per stack, the pack and the policy group", () => {
    const custom = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    const counts: Record<string, number> = {};
    for (const r of custom) counts[r.type] = (counts[r.type] ?? 0) + 1;
    assert.deepStrictEqual(counts, {
      "pulumiservice:index:DeploymentSettings": 3,
      "pulumiservice:index:DriftSchedule": 3,
      "pulumiservice:index:PolicyPack": 1,
      "pulumiservice:index:PolicyGroup": 1,
      "pulumiservice:index:OidcIssuer": 1,
    });
    assert.deepStrictEqual(custom.map((r) => r.name).sort(), [
      "dev-deployment-settings",
      "dev-drift",
      "github-actions",
      "policy-group",
      "policy-pack",
      "prod-deployment-settings",
      "prod-drift",
      "staging-deployment-settings",
      "staging-drift",
    ]);
  });

  it("deploys from the main branch with OIDC to each stack's own role, and never on commit", () => {
    const settings = byStack(ofType(resources, "pulumiservice:index:DeploymentSettings"));
    for (const stack of ["dev", "staging", "prod"]) {
      const s = settings[stack].inputs;
      assert.strictEqual(s.organization, "acme");
      assert.strictEqual(s.project, "agent-platform");
      assert.deepStrictEqual(s.sourceContext, { git: { branch: "refs/heads/main", repoDir: "." } });
      assert.deepStrictEqual(s.vcs, {
        provider: "github",
        repository: "acme/agent-platform",
        deployCommits: false,
        previewPullRequests: false,
        pullRequestTemplate: stack === "dev",
      });
      const op = s.operationContext as Record<string, unknown>;
      assert.deepStrictEqual(op.oidc, {
        aws: {
          roleARN: `arn:aws:iam::991551400024:role/agent-platform-${stack}-deploy`,
          sessionName: `pulumi-deployments-${stack}`,
          duration: "1h0m0s",
        },
      });
      assert.deepStrictEqual(op.preRunCommands, [
        "npm ci --no-audit --no-fund",
        "bash deploy/review-stack-ttl.sh 72 dev staging prod",
      ]);
      assert.deepStrictEqual(op.options, {
        skipInstallDependencies: true,
        skipIntermediateDeployments: true,
        shell: "bash",
      });
      // prod's in-cluster resources sit behind a private endpoint: its runs use its agent pool inside the VPC.
      assert.strictEqual(
        s.agentPoolId,
        stack === "prod" ? "5f0c2e0a-7d1b-4c3e-9a64-2b8f1d7e6c90" : undefined,
        stack,
      );
      // No stored AWS keys anywhere in the settings.
      assert.doesNotMatch(JSON.stringify(s), /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
    }
  });

  it("detects drift on each stack's schedule and auto-remediates only where configured (dev)", () => {
    const drift = ofType(resources, "pulumiservice:index:DriftSchedule");
    assert.deepStrictEqual(
      drift.map((d) => [d.inputs.stack, d.inputs.scheduleCron, d.inputs.autoRemediate]).sort(),
      [
        ["dev", "0 6 * * *", true],
        ["prod", "0 * * * *", false],
        ["staging", "0 */6 * * *", false],
      ],
    );
    const settings = byStack(ofType(resources, "pulumiservice:index:DeploymentSettings"));
    for (const d of drift) assert.deepStrictEqual(d.dependencies, [settings[d.inputs.stack as string].urn]);
  });

  it("publishes the bundled pack at policy/package.json's version and enforces it on the three stacks", () => {
    const version = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, "policy", "package.json"), "utf8"),
    ).version;
    const [pack] = ofType(resources, "pulumiservice:index:PolicyPack");
    assert.deepStrictEqual(pack.inputs, {
      organization: "acme",
      name: PACK_NAME,
      sourcePath: path.join(DEPLOY, ".build", "policy-pack"),
      versionTag: version,
    });
    const [group] = ofType(resources, "pulumiservice:index:PolicyGroup");
    assert.deepStrictEqual(group.inputs, {
      name: "agent-platform-stacks",
      organizationName: "acme",
      entityType: "stacks",
      mode: "preventative",
      stacks: ["dev", "staging", "prod"].map((name) => ({ name, routingProject: "agent-platform" })),
      policyPacks: [
        {
          name: PACK_NAME,
          versionTag: version,
          config: JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "policy", "policy-config.json"), "utf8")),
        },
      ],
    });
    assert.deepStrictEqual(group.dependencies, [pack.urn]);
  });

  it("bundles a pack that needs nothing but its @pulumi dependencies", () => {
    const dir = path.join(DEPLOY, ".build", "policy-pack");
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    assert.strictEqual(pkg.main, "index.js");
    assert.deepStrictEqual(Object.keys(pkg.dependencies).sort(), [
      "@pulumi/aws",
      "@pulumi/policy",
      "@pulumi/pulumi",
    ]);
    const code = fs.readFileSync(path.join(dir, "index.js"), "utf8");
    const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    const outside = required.filter(
      (r) => !r.startsWith("@pulumi/") && !["fs", "path", "crypto", "os", "util"].includes(r),
    );
    assert.deepStrictEqual(outside, []);
    // AWS's action catalog travels inside the bundle: Pulumi Cloud receives no other file.
    assert.ok(code.includes(catalogSource()), "policy/lib/aws-iam-actions.json is not in the bundle");
    assert.match(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
  });

  it("lets only this repository's workflows exchange GitHub's OIDC token for a Pulumi token", () => {
    const [issuer] = ofType(resources, "pulumiservice:index:OidcIssuer");
    assert.deepStrictEqual(issuer.inputs, {
      organization: "acme",
      name: "github-actions",
      url: "https://token.actions.githubusercontent.com",
      maxExpirationSeconds: 3600,
      policies: [
        {
          decision: "allow",
          tokenType: "organization",
          authorizedPermissions: ["standard"],
          rules: { aud: "urn:pulumi:org:acme", sub: "repo:acme/agent-platform:*" },
        },
      ],
    });
  });

  it("turns review stacks off with an empty template", async () => {
    const { resources: rs } = await evaluateDeploy({ "agent-platform-cloud:reviewStackTemplate": "" });
    const settings = ofType(rs, "pulumiservice:index:DeploymentSettings");
    assert.deepStrictEqual(
      settings.map((s) => (s.inputs.vcs as Record<string, unknown>).pullRequestTemplate),
      [false, false, false],
    );
  });
});

describe("deploy/settings.ts", () => {
  const base: Record<string, string> = {
    "agent-platform-cloud:organization": "acme",
    "agent-platform-cloud:repository": "acme/agent-platform",
    "agent-platform-cloud:project": "agent-platform",
    "agent-platform-cloud:branch": "main",
    "agent-platform-cloud:reviewStackTemplate": "dev",
    "agent-platform-cloud:reviewStackTtlHours": "72",
    "agent-platform-cloud:policyGroupMode": "preventative",
    "agent-platform-cloud:stacks": JSON.stringify({
      dev: {
        awsRoleArn: "arn:aws:iam::123456789012:role/d",
        driftSchedule: "0 6 * * *",
        autoRemediateDrift: true,
      },
    }),
  };
  const read = (over: Record<string, string | undefined>) => {
    const map = { ...base, ...over };
    return readSettings({ get: (k) => map[k] });
  };

  it("reads valid settings", () => {
    assert.deepStrictEqual(read({}), {
      organization: "acme",
      repository: "acme/agent-platform",
      project: "agent-platform",
      branch: "main",
      stacks: [
        {
          name: "dev",
          awsRoleArn: "arn:aws:iam::123456789012:role/d",
          driftSchedule: "0 6 * * *",
          autoRemediateDrift: true,
        },
      ],
      reviewStackTemplate: "dev",
      reviewStackTtlHours: 72,
      policyGroupMode: "preventative",
    });
  });

  it("names every bad setting at once", () => {
    assert.throws(
      () =>
        read({
          "agent-platform-cloud:organization": undefined,
          "agent-platform-cloud:repository": "agent-platform",
          "agent-platform-cloud:reviewStackTtlHours": "0",
          "agent-platform-cloud:policyGroupMode": "enforce",
          "agent-platform-cloud:reviewStackTemplate": "pr",
          "agent-platform-cloud:stacks": JSON.stringify({
            dev: { awsRoleArn: "arn:aws:iam::1234:user/x", driftSchedule: "every hour", remediate: true },
          }),
        }),
      (e: unknown) => {
        assert.ok(e instanceof SettingsError);
        assert.strictEqual(
          (e as Error).message,
          [
            "invalid agent-platform-cloud settings (9 problems):",
            "  - agent-platform-cloud:organization = (not set): a Pulumi Cloud organization name",
            '  - agent-platform-cloud:repository = "agent-platform": a GitHub repository as owner/name',
            '  - agent-platform-cloud:reviewStackTtlHours = "0": a whole number of hours from 1 to 720 (30 days)',
            '  - agent-platform-cloud:policyGroupMode = "enforce": audit or preventative',
            '  - agent-platform-cloud:stacks.dev.awsRoleArn = "arn:aws:iam::1234:user/x": an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)',
            '  - agent-platform-cloud:stacks.dev.driftSchedule = "every hour": a five-field cron expression such as "0 6 * * *"',
            "  - agent-platform-cloud:stacks.dev.autoRemediateDrift = (not set): true or false",
            "  - agent-platform-cloud:stacks.dev.remediate = true: is not a known setting (awsRoleArn, driftSchedule, autoRemediateDrift)",
            '  - agent-platform-cloud:reviewStackTemplate = "pr": one of the configured stacks (dev) or "" for none',
          ].join("\n"),
        );
        return true;
      },
    );
  });

  it("requires at least one stack", () => {
    assert.throws(
      () => read({ "agent-platform-cloud:stacks": "{}" }),
      /agent-platform-cloud:stacks = \{\}: a map of stack name to \{ awsRoleArn, driftSchedule, autoRemediateDrift \}/,
    );
  });
});

describe("deploy/review-stack-ttl.sh", () => {
  let bin: string;
  let log: string;
  const script = path.join(DEPLOY, "review-stack-ttl.sh");

  /** A fake `pulumi` on PATH that records its arguments and lists `schedules` for `schedule list`. */
  function run(stack: string | undefined, schedules = "[]", args = ["72", "dev", "staging", "prod"]) {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
    log = path.join(bin, "calls.log");
    fs.writeFileSync(
      path.join(bin, "pulumi"),
      `#!/usr/bin/env bash\necho "$*" >> "${log}"\nif [ "$3" = list ]; then echo '${schedules}'; fi\n`,
      { mode: 0o755 },
    );
    const env: NodeJS.ProcessEnv = { PATH: `${bin}:${process.env.PATH}` };
    if (stack !== undefined) env.PULUMI_CI_STACK = stack;
    const r = spawnSync("bash", [script, ...args], { env, encoding: "utf8" });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    fs.rmSync(bin, { recursive: true, force: true });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
  }

  it("leaves long-lived stacks alone", () => {
    const r = run("prod");
    assert.strictEqual(r.status, 0);
    assert.deepStrictEqual(r.calls, []);
    assert.match(r.stdout, /prod is a long-lived stack; no TTL/);
  });

  it("does nothing outside Pulumi Deployments", () => {
    const r = run(undefined);
    assert.strictEqual(r.status, 0);
    assert.deepStrictEqual(r.calls, []);
  });

  it("gives a new review stack one TTL schedule, the configured hours from now", () => {
    const before = Date.now();
    const r = run("pr-acme-agent-platform-42");
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.calls.length, 2);
    assert.strictEqual(r.calls[0], "stack schedule list --stack pr-acme-agent-platform-42 --output json");
    const m =
      /^stack schedule new --stack pr-acme-agent-platform-42 --kind ttl --once (\S+) --delete-after-destroy --yes$/.exec(
        r.calls[1],
      );
    assert.ok(m, r.calls[1]);
    assert.match(m[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const expires = Date.parse(m[1]);
    assert.ok(Math.abs(expires - (before + 72 * 3600 * 1000)) < 120000, `${m[1]} is not 72 h from now`);
  });

  it("does not add a second TTL on later deployments of the same review stack", () => {
    const r = run("pr-acme-agent-platform-42", '[{"id":"abc","kind":"ttl"}]');
    assert.strictEqual(r.status, 0);
    assert.deepStrictEqual(r.calls, ["stack schedule list --stack pr-acme-agent-platform-42 --output json"]);
    assert.match(r.stdout, /already has a TTL schedule/);
  });

  it("refuses a TTL that is not a positive whole number of hours", () => {
    const r = run("pr-1", "[]", ["0", "dev"]);
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /TTL hours must be a positive whole number, got '0'/);
  });
});

describe("deploy/settings.ts checkAgentPools", () => {
  const inVpc = { stack: "prod", needsInVpc: true };
  it("refuses a stack that must deploy from inside its VPC without an agent pool there", () => {
    assert.throws(
      () => checkAgentPools([{ stack: "dev", needsInVpc: false }, inVpc]),
      (e: SettingsError) =>
        e.name === "SettingsError" &&
        e.problems.length === 1 &&
        e.problems[0] ===
          "stacks.prod: the stack manages in-cluster resources behind a private-only EKS endpoint, which " +
            "Pulumi-hosted deployments cannot reach; set agent-platform:deployAgentPoolId in its stack file to " +
            "an agent pool inside its VPC",
    );
  });
  it("passes it with an agent pool, and stacks that need none", () => {
    checkAgentPools([
      { stack: "dev", needsInVpc: false },
      { ...inVpc, agentPoolId: "pool" },
    ]);
  });
});
