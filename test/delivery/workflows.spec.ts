import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseYaml } from "../../lib/yaml";
import { listStacks } from "../../tools/offline/stack-files";
import { DEFAULT_PIPELINE_TIMEOUT_SECONDS } from "../../tools/smoke-test";
import { REPO_ROOT } from "../helpers/offline";

/*
 * The workflows cannot run here (no GitHub, no cloud), so their contract is checked as data: schema-valid for
 * the real validator, least privilege per job, every stack file covered in the order dev -> staging -> prod,
 * the policy pack and its config passed to every real Pulumi run, and every npm script they call existing.
 */

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
const validator = require("@action-validator/core") as {
  validateWorkflow(src: string): { errors: unknown[] };
};

interface Step {
  uses?: string;
  run?: string;
  "working-directory"?: string;
  with?: Record<string, unknown>;
  if?: string;
}
interface Job {
  permissions?: Record<string, string>;
  needs?: string | string[];
  uses?: string;
  with?: Record<string, unknown>;
  steps?: Step[];
  environment?: string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  strategy?: { matrix: { include: Record<string, string>[] } };
  if?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const text = (f: string) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8");
const load = (f: string) => parseYaml(text(f)) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps ?? []);
const stacks = listStacks(REPO_ROOT);

describe("GitHub Actions workflows", () => {
  it("are exactly the pull-request, deploy, reusable pulumi-up and mutation-testing workflows", () => {
    assert.deepStrictEqual(files.sort(), ["deploy.yml", "mutation.yml", "pull-request.yml", "pulumi-up.yml"]);
  });

  it("pass @action-validator's schema check (and the validator rejects a broken workflow)", () => {
    for (const f of files) assert.deepStrictEqual(validator.validateWorkflow(text(f)).errors, [], f);
    const broken =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: nope\n    steps:\n      - runs: x\n";
    assert.ok(validator.validateWorkflow(broken).errors.length > 0);
  });

  it("close every ${{ expression }}", () => {
    for (const f of files) {
      const opened = text(f).split("${{").length - 1;
      const closed = [...text(f).matchAll(/\$\{\{[^}]*\}\}/g)].length;
      assert.strictEqual(closed, opened, `${f}: an unclosed \${{ expression`);
    }
  });

  it("grant nothing by default and each job only what it uses", () => {
    const granted: Record<string, Record<string, string> | undefined> = {};
    for (const f of files) {
      const w = load(f);
      assert.deepStrictEqual(w.permissions, {}, `${f}: top-level permissions must be {}`);
      for (const [name, job] of Object.entries(w.jobs)) granted[`${f}:${name}`] = job.permissions;
    }
    const read = { contents: "read" };
    const oidc = { contents: "read", "id-token": "write" };
    assert.deepStrictEqual(granted, {
      "deploy.yml:checks": read,
      "deploy.yml:dev": oidc,
      "deploy.yml:staging": oidc,
      "deploy.yml:prod": oidc,
      "mutation.yml:mutation": read,
      "pull-request.yml:checks": read,
      "pull-request.yml:offline-preview": { contents: "read", "pull-requests": "write" },
      "pull-request.yml:preview": { ...oidc, "pull-requests": "write" },
      "pulumi-up.yml:up": oidc,
    });
  });

  it("reference every action by owner/name@version", () => {
    for (const f of files) {
      for (const s of steps(load(f)).filter((s) => s.uses))
        assert.match(s.uses!, /^[\w.-]+\/[\w.-]+@[\w.-]+$/, f);
    }
  });

  it("call only npm scripts that exist", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts;
    for (const f of files) {
      for (const m of text(f).matchAll(/npm run(?: -s)? ([\w:-]+)/g))
        assert.ok(scripts[m[1]], `${f}: npm run ${m[1]}`);
    }
  });

  it("run on a pull request the same checks as .ci/run, and the offline preview of every stack", () => {
    const ci = fs.readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8");
    const pr = load("pull-request.yml");
    const runs = (job: string) => (pr.jobs[job].steps ?? []).map((s) => s.run?.trim()).filter(Boolean);
    for (const cmd of [
      "npm run -s typecheck",
      "npm run -s lint",
      "npm run -s validate:workflows",
      "npm test",
      "npm run -s check:policy-host",
    ]) {
      assert.ok(ci.includes(cmd), `.ci/run runs ${cmd}`);
      assert.ok(runs("checks").includes(cmd), `pull-request checks run ${cmd}`);
    }
    const preview = runs("offline-preview").join("\n");
    assert.match(
      preview,
      /npm run -s preview:offline -- --stack all --json out\/preview\.json --html out\/preview\.html "\$\{base\[@\]\}" > out\/preview\.txt/,
    );
    // Every stack both ways: as an update and as its first preview (provider-computed values unknown).
    for (const text of [ci, preview])
      assert.match(text, /npm run -s preview:offline -- --stack all --first-preview/);
    const offline = pr.jobs["offline-preview"].steps!;
    assert.match(offline.find((s) => s.run?.includes("GITHUB_STEP_SUMMARY"))!.run!, /cat out\/preview\.txt/);
    assert.strictEqual(
      offline.find((s) => s.uses?.startsWith("actions/github-script@"))!.if!.includes("always()"),
      true,
    );
  });

  it("preview the base branch too, and put the difference per stack at the top of the comment", () => {
    const steps = load("pull-request.yml").jobs["offline-preview"].steps!;
    const at = (pred: (s: Step) => boolean, what: string) => {
      const i = steps.findIndex(pred);
      assert.ok(i >= 0, what);
      return i;
    };
    const checkoutBase = at(
      (s) =>
        s.uses?.startsWith("actions/checkout@") === true &&
        s.with?.ref === "${{ github.event.pull_request.base.sha }}",
      "a checkout of the base commit",
    );
    const basePreview = at(
      (s) => /preview:offline -- --stack all --json \.\.\/out\/base\.json/.test(s.run ?? ""),
      "the base's own preview writing out/base.json",
    );
    assert.strictEqual(steps[basePreview]["working-directory"], steps[checkoutBase].with!.path);
    const head = at(
      (s) => (s.run ?? "").includes("--html out/preview.html"),
      "the head's preview with --html",
    );
    assert.match(steps[head].run!, /base=\(--base out\/base\.json\)/);
    assert.match(
      steps[head].run!,
      /npm run -s preview:diff -- out\/base\.json out\/preview\.json .*> out\/diff\.md/,
    );
    assert.ok(checkoutBase < basePreview && basePreview < head, "base first, then the head");
    const upload = at((s) => s.uses?.startsWith("actions/upload-artifact@") === true, "an artifact upload");
    assert.match(String(steps[upload].with!.path), /out\/preview\.html/);
    const script = String(steps.find((s) => s.uses?.startsWith("actions/github-script@"))!.with!.script);
    assert.ok(
      script.indexOf("out/diff.md") >= 0 && script.indexOf("out/diff.md") < script.indexOf("out/preview.txt"),
    );
    assert.match(script, /const top = `\$\{marker\}\\n### Offline preview: .*\$\{diff\}/);
    assert.match(script, /const body = `\$\{top\}/);
  });

  it("run the browser tests on Debian with its Chromium and keep their screenshots", () => {
    const job = load("pull-request.yml").jobs.checks as Job & { container?: string };
    assert.match(String(job.container), /bookworm/);
    const steps = job.steps!;
    const install = steps.findIndex((s) => /apt-get install .*chromium/.test(s.run ?? ""));
    const tests = steps.findIndex((s) => s.run?.trim() === "npm test");
    assert.ok(install >= 0 && install < tests, "chromium installed before the tests");
    const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    assert.strictEqual(upload.with!.path, "out/screenshots/");
    assert.strictEqual(upload.if, "always()");
  });

  it("preview every stack on a pull request with the pack, its config and OIDC credentials", () => {
    const job = load("pull-request.yml").jobs.preview;
    assert.deepStrictEqual(
      job.strategy!.matrix.include.map((i) => i.stack),
      stacks,
      "a matrix entry per Pulumi.<stack>.yaml",
    );
    assert.deepStrictEqual(job.needs, ["checks", "offline-preview"]);
    assert.match(job.if!, /head\.repo\.full_name == github\.repository/);
    assert.deepStrictEqual(job.concurrency, {
      group: "pulumi-preview-${{ matrix.stack }}-${{ github.event.pull_request.number }}",
      "cancel-in-progress": true,
    });
    const pulumi = job.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    assert.strictEqual(pulumi.with!.command, "preview");
    assert.strictEqual(pulumi.with!.policyPacks, "policy");
    assert.strictEqual(pulumi.with!.policyPackConfigs, "policy/policy-config.json");
    const aws = job.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
    assert.strictEqual(aws.with!["role-to-assume"], "${{ vars[matrix.role-variable] }}");
    assert.ok(!text("pull-request.yml").includes("aws-access-key-id"), "no stored AWS keys");
  });

  it("deploy main through dev, staging and prod, each gated on the one before", () => {
    const w = load("deploy.yml");
    assert.deepStrictEqual(Object.keys(w.on).sort(), ["push", "workflow_dispatch"]);
    assert.deepStrictEqual(w.concurrency, { group: "deploy", "cancel-in-progress": false });
    let previous = "checks";
    for (const stack of stacks) {
      const job = w.jobs[stack];
      assert.ok(job, `a deploy job for ${stack}`);
      // Each also needs checks, for the runner it computes (test/delivery/deployer.spec.ts).
      assert.deepStrictEqual(job.needs, previous === "checks" ? "checks" : ["checks", previous]);
      assert.strictEqual(job.uses, "./.github/workflows/pulumi-up.yml");
      assert.deepStrictEqual(job.with, {
        stack,
        ref: "${{ inputs.ref || github.sha }}",
        "runs-on": `\${{ toJSON(fromJSON(needs.checks.outputs.runs-on).${stack}) }}`,
      });
      previous = stack;
    }
  });

  it("run each stack's update in its GitHub environment, one at a time, with the pack", () => {
    const job = load("pulumi-up.yml").jobs.up;
    assert.strictEqual(job.environment, "${{ inputs.stack }}");
    assert.deepStrictEqual(job.concurrency, {
      group: "pulumi-${{ inputs.stack }}",
      "cancel-in-progress": false,
    });
    const pulumi = job.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    assert.strictEqual(pulumi.with!.command, "up");
    assert.strictEqual(pulumi.with!.policyPacks, "policy");
    assert.strictEqual(pulumi.with!.policyPackConfigs, "policy/policy-config.json");
    const aws = job.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
    assert.strictEqual(aws.with!["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
    assert.ok(fs.existsSync(path.join(REPO_ROOT, "policy", "policy-config.json")));
  });

  it("time each update: the job summary always, and a CloudWatch metric for a successful one", () => {
    const all = load("pulumi-up.yml").jobs.up.steps!;
    const up = all.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
    const clock = all.findIndex((s) => /DEPLOY_STARTED=\$\(date \+%s\)" >> "\$GITHUB_ENV"/.test(s.run ?? ""));
    const record = all.findIndex((s) => (s.run ?? "").includes("tools/deploy-time.ts"));
    assert.ok(clock >= 0 && clock === up - 1, "the clock starts right before pulumi up");
    assert.strictEqual((all[up] as Step & { id?: string }).id, "up");
    assert.ok(record === up + 1, "the time is recorded right after pulumi up, before any rollout");
    const step = all[record] as Step & { env?: Record<string, string> };
    // Also after a failed or cancelled update, so the summary says how long it ran.
    assert.match(String(step.if), /^always\(\)/);
    assert.strictEqual(step.env!.OUTCOME, "${{ steps.up.outcome }}");
    const run = step.run!;
    assert.match(run, /pulumi stack output deployTimeMetric --json/);
    assert.match(run, /--outcome "\$OUTCOME"/);
    assert.match(run, />> "\$GITHUB_STEP_SUMMARY"/);
    assert.match(run, /aws cloudwatch put-metric-data --cli-input-json file:\/\/deploy-time\.json/);
    assert.ok(fs.existsSync(path.join(REPO_ROOT, "tools", "deploy-time.ts")));
  });

  it("smoke-test each stack after its update and rollout; a failure fails the job, which stops the chain", () => {
    const all = load("pulumi-up.yml").jobs.up.steps! as (Step & {
      env?: Record<string, string>;
      "timeout-minutes"?: number;
      "continue-on-error"?: unknown;
    })[];
    const rollout = all.findIndex((s) => (s.run ?? "").includes("tools/rollout-lambdas.ts"));
    const smoke = all.findIndex((s) => /npm run -s smoke -- --stack "\$STACK"/.test(s.run ?? ""));
    assert.ok(
      rollout >= 0 && smoke === all.length - 1 && smoke > rollout,
      "the last step, after the rollout",
    );
    const step = all[smoke];
    // Only after every step before it succeeded, and its failure is the job's.
    assert.strictEqual(step.if, undefined);
    assert.strictEqual(step["continue-on-error"], undefined);
    assert.strictEqual(step.env!.STACK, "${{ vars.PULUMI_ORG }}/${{ inputs.stack }}");
    for (const flag of [
      '--summary "$GITHUB_STEP_SUMMARY"',
      "--history stack-history.json",
      '--run-id "$RUN_ID"',
      '--rollback-url "$ROLLBACK_URL"',
    ])
      assert.ok(step.run!.includes(flag), flag);
    assert.match(step.run!, /pulumi stack history --json .*--stack "\$STACK" > stack-history\.json/);
    assert.strictEqual(step.env!.RUN_ID, "${{ github.run_id }}");
    assert.match(step.env!.ROLLBACK_URL, /\/blob\/\$\{\{ inputs\.ref \}\}\/docs\/deployment\.md#rollback$/);
    assert.match(fs.readFileSync(path.join(REPO_ROOT, "docs", "deployment.md"), "utf8"), /^## Rollback$/m);
    // The step's own timeout leaves room for the pipeline's bound (tools/smoke-test.ts) and the other checks.
    assert.ok(step["timeout-minutes"]! * 60 >= DEFAULT_PIPELINE_TIMEOUT_SECONDS + 120);
    // A stack's job starts only when the one before it succeeded: no condition lets it run after a failure.
    const deploy = load("deploy.yml");
    for (const stack of stacks) assert.strictEqual(deploy.jobs[stack].if, undefined, stack);
  });
});
