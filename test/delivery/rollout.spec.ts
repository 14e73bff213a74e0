import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseYaml } from "../../lib/yaml";
import type { CreateDeploymentInput } from "../../tools/deploy-lambda";
import {
  cliAws,
  expectedRolloutMinutes,
  rollout,
  rolloutBoundMinutes,
  RolloutAws,
  rolloutMinutes,
} from "../../tools/rollout-lambdas";
import { estimateCost } from "../../cost/estimate";
import { renderReport } from "../../tools/offline/preview";
import { rolloutLine, summarizeRollout } from "../../tools/offline/rollout";
import { evaluateStack, fakeResource, REPO_ROOT } from "../helpers/offline";

/*
 * The blue/green deploy step after `pulumi up` (tools/rollout-lambdas.ts): every function's CodeDeploy
 * deployment starts at once and the whole rollout is bounded. CodeDeploy cannot run here, so the control logic
 * runs against an in-process model of its deployment states, and the AWS CLI calls against a fake `aws`
 * executable that records its arguments.
 */

const LINEAR = "CodeDeployDefault.LambdaLinear10PercentEvery1Minute";
const deployments = (names: string[]) =>
  Object.fromEntries(
    names.map((n) => [
      n,
      {
        functionName: `agent-platform-prod-${n}`,
        application: `agent-platform-prod-${n}`,
        group: "live",
        deploymentConfig: LINEAR,
      },
    ]),
  );

/** CodeDeploy as far as the step sees it: each deployment reports InProgress for `polls` polls, then `end`. */
class FakeCodeDeploy implements RolloutAws {
  readonly created: string[] = [];
  readonly stopped: string[] = [];
  readonly events: string[] = [];
  private readonly polls = new Map<string, number>();
  constructor(
    private readonly plan: Record<string, { live: string; latest: string; polls: number; end?: string }>,
  ) {}
  async liveVersion(fn: string) {
    return this.plan[fn].live;
  }
  async latestVersion(fn: string) {
    return this.plan[fn].latest;
  }
  async createDeployment(input: CreateDeploymentInput) {
    const fn = JSON.parse(input.revision.appSpecContent.content).Resources[0];
    const name = Object.keys(fn)[0];
    this.created.push(name);
    this.events.push(`create ${name}`);
    this.polls.set(`d-${name}`, 0);
    return `d-${name}`;
  }
  async deploymentStatus(id: string) {
    const name = id.slice(2);
    const n = (this.polls.get(id) ?? 0) + 1;
    this.polls.set(id, n);
    const p = this.plan[name];
    if (this.stopped.includes(id)) return "Stopped";
    if (n <= p.polls) return "InProgress";
    this.events.push(`done ${name}`);
    return p.end ?? "Succeeded";
  }
  async stopDeployment(id: string) {
    this.stopped.push(id);
  }
}

const quiet = { pollMs: 2, log: () => undefined };

describe("tools/rollout-lambdas: blue/green rollouts after `pulumi up`", function () {
  this.timeout(20_000);

  it("starts every function's deployment before waiting for any, and reports each outcome", async () => {
    const names = ["api", "ws", "agent-pm", "agent-dev"];
    const aws = new FakeCodeDeploy(
      Object.fromEntries(
        names.map((n, i) => [`agent-platform-prod-${n}`, { live: "3", latest: "4", polls: 2 + i }]),
      ),
    );
    const results = await rollout(deployments(names), aws, { ...quiet, deadlineMs: 10_000 });
    const firstDone = aws.events.findIndex((e) => e.startsWith("done"));
    assert.deepStrictEqual(
      aws.events.slice(0, firstDone),
      names.map((n) => `create agent-platform-prod-${n}`),
    );
    assert.deepStrictEqual(
      results.map((r) => [r.name, r.outcome]),
      names.map((n) => [n, "Succeeded"]),
    );
  });

  it("skips a function whose alias already serves its newest version", async () => {
    const aws = new FakeCodeDeploy({
      "agent-platform-prod-api": { live: "4", latest: "4", polls: 0 },
      "agent-platform-prod-ws": { live: "2", latest: "3", polls: 1 },
    });
    const results = await rollout(deployments(["api", "ws"]), aws, { ...quiet, deadlineMs: 10_000 });
    assert.deepStrictEqual(aws.created, ["agent-platform-prod-ws"]);
    assert.deepStrictEqual(
      results.map((r) => [r.name, r.outcome]),
      [
        ["api", "unchanged"],
        ["ws", "Succeeded"],
      ],
    );
  });

  it("stops (and so rolls back) what is still running at the bound, and reports it as failed", async () => {
    const aws = new FakeCodeDeploy({
      "agent-platform-prod-api": { live: "1", latest: "2", polls: 1 },
      "agent-platform-prod-ws": { live: "1", latest: "2", polls: 1_000_000 },
      "agent-platform-prod-agent-qa": { live: "5", latest: "6", polls: 0, end: "Failed" },
    });
    const results = await rollout(deployments(["api", "ws", "agent-qa"]), aws, { ...quiet, deadlineMs: 80 });
    assert.deepStrictEqual(aws.stopped, ["d-agent-platform-prod-ws"]);
    assert.deepStrictEqual(
      results.map((r) => [r.name, r.outcome]),
      [
        ["api", "Succeeded"],
        ["ws", "Stopped at the bound"],
        ["agent-qa", "Failed"],
      ],
    );
  });

  it("knows how long CodeDeploy's Lambda configurations take, and bounds the rollout above the longest", () => {
    assert.strictEqual(rolloutMinutes(LINEAR), 10);
    assert.strictEqual(rolloutMinutes("CodeDeployDefault.LambdaCanary10Percent5Minutes"), 5);
    assert.strictEqual(rolloutMinutes("CodeDeployDefault.LambdaAllAtOnce"), 0);
    assert.throws(() => rolloutMinutes("MyConfig"), /no known duration for the deployment config MyConfig/);
    // Concurrent: six linear rollouts take as long as one (they took 60 minutes one after another).
    assert.strictEqual(expectedRolloutMinutes([LINEAR, LINEAR, LINEAR, LINEAR, LINEAR, LINEAR]), 10);
    assert.strictEqual(rolloutBoundMinutes([LINEAR]), 15);
    assert.strictEqual(expectedRolloutMinutes([]), 0);
  });

  it("calls the AWS CLI as documented (a fake `aws` on PATH records the calls)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-cli-"));
    try {
      const log = path.join(dir, "calls.log");
      fs.writeFileSync(
        path.join(dir, "aws"),
        [
          "#!/bin/sh",
          `printf '%s\\n' "$*" >> '${log}'`,
          'case "$1 $2" in',
          '  "lambda get-alias") echo 7 ;;',
          '  "lambda list-versions-by-function") echo \'["$LATEST","3","12","8"]\' ;;',
          '  "deploy create-deployment") echo d-ABC ;;',
          '  "deploy get-deployment") echo Succeeded ;;',
          "esac",
        ].join("\n"),
        { mode: 0o755 },
      );
      const aws = cliAws({ ...process.env, PATH: `${dir}:${process.env.PATH}` });
      assert.strictEqual(await aws.liveVersion("fn"), "7");
      assert.strictEqual(await aws.latestVersion("fn"), "12");
      const input = { applicationName: "a" } as CreateDeploymentInput;
      assert.strictEqual(await aws.createDeployment(input), "d-ABC");
      assert.strictEqual(await aws.deploymentStatus("d-ABC"), "Succeeded");
      await aws.stopDeployment("d-ABC");
      assert.deepStrictEqual(fs.readFileSync(log, "utf8").trim().split("\n"), [
        "lambda get-alias --function-name fn --name live --query FunctionVersion --output text",
        "lambda list-versions-by-function --function-name fn --query Versions[].Version --output json",
        `deploy create-deployment --cli-input-json ${JSON.stringify(input)} --query deploymentId --output text`,
        "deploy get-deployment --deployment-id d-ABC --query deploymentInfo.status --output text",
        "deploy stop-deployment --deployment-id d-ABC --auto-rollback-enabled",
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the deploy workflow runs the tool once for all functions, within a step bounded above the tool's own bound", () => {
    const up = parseYaml(
      fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", "pulumi-up.yml"), "utf8"),
    ) as {
      jobs: {
        up: {
          "timeout-minutes": number;
          steps: Array<{ name?: string; run?: string; "timeout-minutes"?: number }>;
        };
      };
    };
    const step = up.jobs.up.steps.find((s) => s.name?.startsWith("Roll out new function versions"))!;
    assert.match(step.run!, /node -r \.\/tools\/register-ts\.js tools\/rollout-lambdas\.ts/);
    assert.doesNotMatch(step.run!, /for name in|aws deploy wait/);
    assert.ok(step["timeout-minutes"]! > rolloutBoundMinutes([LINEAR]), "the step outlasts the tool's bound");
    assert.ok(step["timeout-minutes"]! < up.jobs.up["timeout-minutes"]);
  });

  it("exits 0 with nothing to roll out, reading the stack output from stdin", () => {
    for (const input of ["null", "{}"]) {
      const run = spawnSync(process.execPath, ["-r", "./tools/register-ts.js", "tools/rollout-lambdas.ts"], {
        cwd: REPO_ROOT,
        input,
        encoding: "utf8",
      });
      assert.strictEqual(run.status, 0, run.stderr);
      assert.match(run.stdout, /no blue\/green functions/);
    }
  });
});

describe("the offline preview's report: expected rollout time", function () {
  this.timeout(60_000);

  // Five: api, ws and the pm, qa and ops agents (prod runs the dev agent on Fargate, rolled out by ECS).
  it("prod: five functions side by side, about 10 minutes, bounded at 15; dev and staging have none", async () => {
    const prod = (await evaluateStack("prod")).resources;
    const report = renderReport({
      stack: "prod",
      resources: prod,
      violations: [],
      exemptions: [],
      costEstimate: estimateCost(prod),
    });
    assert.ok(
      report.includes(
        "Blue/green rollout after `pulumi up`: 5 functions shift traffic through CodeDeploy side by side " +
          `(${LINEAR}): about 10 minutes; the deploy step stops and rolls back what is still running at 15 minutes`,
      ),
      report,
    );
    // The stack output gives the deploy step the same configuration the groups have.
    assert.deepStrictEqual(summarizeRollout(prod)!.configs, [LINEAR]);
    assert.strictEqual(
      rolloutLine((await evaluateStack("dev")).resources),
      "Blue/green rollout after `pulumi up`: none (lambdaBlueGreen is off)",
    );
  });

  it("names a deployment configuration whose duration it does not know", () => {
    const group = fakeResource("aws:codedeploy/deploymentGroup:DeploymentGroup", "g", {
      deploymentConfigName: "MyOwnConfig",
    });
    assert.strictEqual(
      rolloutLine([group]),
      "Blue/green rollout after `pulumi up`: no known duration for MyOwnConfig",
    );
  });
});
