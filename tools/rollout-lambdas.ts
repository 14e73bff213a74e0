/**
 * The blue/green deploy step after `pulumi up` (components/lambda/blue-green.ts, docs/agents.md): for every
 * function of the stack's `blueGreenDeployments` output whose `live` alias does not serve its newest version,
 * a CodeDeploy deployment shifts the alias. All of them start at once and run side by side (CodeDeploy keeps
 * one application per function), so six linear rollouts take as long as one, not six times as long; the whole
 * step is bounded: what is still running at the bound is stopped, which rolls it back.
 *
 *   pulumi stack output blueGreenDeployments --json --stack <stack> \
 *     | node -r ./tools/register-ts.js tools/rollout-lambdas.ts
 *
 * Exit 0: every deployment succeeded (or there was nothing to deploy). Exit 1: one failed or was stopped at the
 * bound (its traffic is back on the previous version); the output says which and how to retry.
 */
import { execFile } from "child_process";
import { createDeploymentInput, CreateDeploymentInput } from "./deploy-lambda";

/** One function's entry of the stack output (index.ts `blueGreenDeployments`). */
export interface BlueGreenTarget {
  readonly functionName: string;
  readonly application: string;
  readonly group: string;
  /** The deployment group's CodeDeploy configuration (how fast traffic shifts). */
  readonly deploymentConfig: string;
}

/** Minutes CodeDeploy's predefined Lambda configurations take to shift all traffic (AWS's published steps). */
const CONFIG_MINUTES: Readonly<Record<string, number>> = {
  "CodeDeployDefault.LambdaAllAtOnce": 0,
  "CodeDeployDefault.LambdaCanary10Percent5Minutes": 5,
  "CodeDeployDefault.LambdaCanary10Percent10Minutes": 10,
  "CodeDeployDefault.LambdaCanary10Percent15Minutes": 15,
  "CodeDeployDefault.LambdaCanary10Percent30Minutes": 30,
  "CodeDeployDefault.LambdaLinear10PercentEvery1Minute": 10,
  "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes": 20,
  "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes": 30,
  "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes": 100,
};

/** Headroom over the slowest configuration: CodeDeploy's own start, validation and alarm checks. */
export const ROLLOUT_MARGIN_MINUTES = 5;

export function rolloutMinutes(config: string): number {
  const minutes = CONFIG_MINUTES[config];
  if (minutes === undefined)
    throw new Error(
      `no known duration for the deployment config ${config} (known: ${Object.keys(CONFIG_MINUTES).join(", ")})`,
    );
  return minutes;
}

/** The rollout of these deployment configurations side by side: as long as the slowest. */
export function expectedRolloutMinutes(configs: readonly string[]): number {
  return Math.max(0, ...configs.map(rolloutMinutes));
}

/** Where the deploy step stops and rolls back what is still running. */
export function rolloutBoundMinutes(configs: readonly string[]): number {
  return expectedRolloutMinutes(configs) + ROLLOUT_MARGIN_MINUTES;
}

/** What the rollout needs of AWS (the AWS CLI in the workflow; a model of CodeDeploy in tests). */
export interface RolloutAws {
  /** The version the `live` alias serves. */
  liveVersion(functionName: string): Promise<string>;
  /** The newest published version. */
  latestVersion(functionName: string): Promise<string>;
  /** Starts a deployment; its id. */
  createDeployment(input: CreateDeploymentInput): Promise<string>;
  /** Created, Queued, InProgress, Baking, Ready, Succeeded, Failed or Stopped. */
  deploymentStatus(id: string): Promise<string>;
  /** Stops a deployment and rolls it back. */
  stopDeployment(id: string): Promise<void>;
}

/** RolloutAws through the AWS CLI (credentials and region from the environment, as the workflow sets them). */
export function cliAws(env: NodeJS.ProcessEnv = process.env): RolloutAws {
  const aws = (...args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile("aws", args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
        error
          ? reject(new Error(`aws ${args.slice(0, 2).join(" ")}: ${stderr.trim() || error.message}`))
          : resolve(stdout.trim()),
      ),
    );
  return {
    liveVersion: (fn) =>
      aws(
        "lambda",
        "get-alias",
        "--function-name",
        fn,
        "--name",
        "live",
        "--query",
        "FunctionVersion",
        "--output",
        "text",
      ),
    latestVersion: async (fn) => {
      const versions = JSON.parse(
        await aws(
          "lambda",
          "list-versions-by-function",
          "--function-name",
          fn,
          "--query",
          "Versions[].Version",
          "--output",
          "json",
        ),
      ) as string[];
      const published = versions.filter((v) => /^\d+$/.test(v)).map(Number);
      if (published.length === 0) throw new Error(`${fn} has no published version`);
      return String(Math.max(...published));
    },
    createDeployment: (input) =>
      aws(
        "deploy",
        "create-deployment",
        "--cli-input-json",
        JSON.stringify(input),
        "--query",
        "deploymentId",
        "--output",
        "text",
      ),
    deploymentStatus: (id) =>
      aws(
        "deploy",
        "get-deployment",
        "--deployment-id",
        id,
        "--query",
        "deploymentInfo.status",
        "--output",
        "text",
      ),
    stopDeployment: async (id) => {
      await aws("deploy", "stop-deployment", "--deployment-id", id, "--auto-rollback-enabled");
    },
  };
}

export interface RolloutResult {
  readonly name: string;
  readonly functionName: string;
  /** unchanged, Succeeded, Failed, Stopped, or "Stopped at the bound". */
  readonly outcome: string;
  readonly deploymentId?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface RolloutOptions {
  /** The bound, from the start of the step. */
  readonly deadlineMs: number;
  /** Between two status reads of one deployment. Default 15 s (what `aws deploy wait` uses). */
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

const DONE = new Set(["Succeeded", "Failed", "Stopped"]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts every needed deployment, then waits for all of them side by side, up to the bound. */
export async function rollout(
  targets: Readonly<Record<string, BlueGreenTarget>>,
  aws: RolloutAws,
  options: RolloutOptions,
): Promise<RolloutResult[]> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const pollMs = options.pollMs ?? 15_000;
  const deadline = Date.now() + options.deadlineMs;
  // Every deployment is created before any is waited for.
  const started = await Promise.all(
    Object.entries(targets).map(async ([name, t]) => {
      const [from, to] = await Promise.all([
        aws.liveVersion(t.functionName),
        aws.latestVersion(t.functionName),
      ]);
      const input = createDeploymentInput(t.application, t.group, {
        functionName: t.functionName,
        alias: "live",
        currentVersion: from,
        targetVersion: to,
      });
      if (!input) {
        log(`${name}: ${t.functionName} already serves version ${to}; nothing to deploy`);
        return { name, functionName: t.functionName, from, to };
      }
      const deploymentId = await aws.createDeployment(input);
      log(`${name}: deployment ${deploymentId} moves ${t.functionName} from version ${from} to ${to}`);
      return { name, functionName: t.functionName, from, to, deploymentId };
    }),
  );
  return Promise.all(
    started.map(async (s): Promise<RolloutResult> => {
      if (!s.deploymentId) return { ...s, outcome: "unchanged" };
      for (;;) {
        const status = await aws.deploymentStatus(s.deploymentId);
        if (DONE.has(status)) {
          log(`${s.name}: ${status}`);
          return { ...s, outcome: status };
        }
        if (Date.now() >= deadline) {
          await aws.stopDeployment(s.deploymentId);
          log(
            `${s.name}: still ${status} at the bound; stopped, so CodeDeploy moves the alias back to ${s.from}`,
          );
          return { ...s, outcome: "Stopped at the bound" };
        }
        await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
      }
    }),
  );
}

/** The stack output as `pulumi stack output --json` prints it: null or {} when nothing is blue/green. */
export function parseTargets(text: string): Record<string, BlueGreenTarget> {
  const parsed = JSON.parse(text.trim() === "" ? "null" : text) as Record<string, BlueGreenTarget> | null;
  return parsed ?? {};
}

async function main(): Promise<number> {
  const stdin = await new Promise<string>((resolve, reject) => {
    let data = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk) => (data += chunk));
    process.stdin.on("end", () => resolve(data));
    process.stdin.on("error", reject);
  });
  const targets = parseTargets(stdin);
  const configs = Object.values(targets).map((t) => t.deploymentConfig);
  if (configs.length === 0) {
    process.stdout.write("no blue/green functions in this stack; nothing to roll out\n");
    return 0;
  }
  const bound = rolloutBoundMinutes(configs);
  process.stdout.write(
    `rolling out ${configs.length} functions side by side: about ${expectedRolloutMinutes(configs)} minutes, ` +
      `bounded at ${bound}\n`,
  );
  const results = await rollout(targets, cliAws(), { deadlineMs: bound * 60_000 });
  const failed = results.filter((r) => r.outcome !== "unchanged" && r.outcome !== "Succeeded");
  if (failed.length === 0) return 0;
  process.stdout.write(
    `${failed.map((r) => `${r.name} (${r.outcome})`).join(", ")} did not finish: their live alias serves the ` +
      "version it served before (CodeDeploy rolled them back) while the others moved on. Find the cause in the " +
      "deployments' events and the functions' alarms (docs/runbook.md), then re-run this job: it deploys only " +
      "the functions whose alias is behind.\n",
  );
  return 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`rollout-lambdas: ${(error as Error).message}\n`);
      process.exit(2);
    },
  );
}
