/**
 * The deploy step of blue/green Lambda deployments (components/lambda/blue-green.ts, docs/agents.md): after
 * `pulumi up` has published a new version, CodeDeploy shifts the `live` alias from the version it serves to
 * the new one. This tool builds that CodeDeploy CreateDeployment request (with its AppSpec) for the AWS CLI:
 *
 *   npx ts-node --transpile-only tools/deploy-lambda.ts --application <app> --group live \
 *     --function <name> --current <alias's version> --target <new version> > deployment.json
 *   aws deploy create-deployment --cli-input-json file://deployment.json
 *
 * `--current` is what `aws lambda get-alias --function-name <name> --name live` says now; `--target` the newest
 * published version (`aws lambda list-versions-by-function`, the highest number). When they are equal there is
 * nothing to deploy: the tool prints nothing and exits 0.
 */

export interface LambdaRollout {
  readonly functionName: string;
  readonly alias: string;
  readonly currentVersion: string;
  readonly targetVersion: string;
}

export interface CreateDeploymentInput {
  readonly applicationName: string;
  readonly deploymentGroupName: string;
  readonly description: string;
  readonly revision: {
    readonly revisionType: "AppSpecContent";
    readonly appSpecContent: { readonly content: string };
  };
}

const VERSION = /^[1-9]\d*$/;

/** The AppSpec of a Lambda deployment: move `alias` from `currentVersion` to `targetVersion`. */
export function lambdaAppSpec(r: LambdaRollout): string {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(r.functionName)) problems.push(`function name ${r.functionName}`);
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(r.alias) || VERSION.test(r.alias)) problems.push(`alias ${r.alias}`);
  // $LATEST cannot be deployed: CodeDeploy shifts traffic between published (numbered) versions only.
  for (const [what, v] of [
    ["current version", r.currentVersion],
    ["target version", r.targetVersion],
  ])
    if (!VERSION.test(v)) problems.push(`${what} ${v} (a published version number)`);
  if (problems.length > 0) throw new Error(`cannot build an AppSpec: invalid ${problems.join(", ")}`);
  const resources = [
    {
      [r.functionName]: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Name: r.functionName,
          Alias: r.alias,
          CurrentVersion: r.currentVersion,
          TargetVersion: r.targetVersion,
        },
      },
    },
  ];
  // Written out: JSON.stringify would print the AppSpec version 0.0 as 0.
  return `{"version":0.0,"Resources":${JSON.stringify(resources)}}`;
}

/** The CreateDeployment request, or undefined when the alias already serves the target version. */
export function createDeploymentInput(
  application: string,
  group: string,
  rollout: LambdaRollout,
): CreateDeploymentInput | undefined {
  const content = lambdaAppSpec(rollout);
  if (rollout.currentVersion === rollout.targetVersion) return undefined;
  return {
    applicationName: application,
    deploymentGroupName: group,
    description: `${rollout.functionName}: ${rollout.alias} from version ${rollout.currentVersion} to ${rollout.targetVersion}`,
    revision: { revisionType: "AppSpecContent", appSpecContent: { content } },
  };
}

/** `--name value` pairs; every one of `names` is required. */
export function parseArgs(argv: readonly string[], names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, "");
    if (!argv[i]?.startsWith("--") || !names.includes(name) || argv[i + 1] === undefined)
      throw new Error(
        `unexpected argument ${argv[i]}; usage: ${names.map((n) => `--${n} <value>`).join(" ")}`,
      );
    out[name] = argv[i + 1];
  }
  const missing = names.filter((n) => out[n] === undefined && n !== "alias");
  if (missing.length > 0) throw new Error(`missing ${missing.map((n) => `--${n}`).join(", ")}`);
  return out;
}

if (require.main === module) {
  try {
    const a = parseArgs(process.argv.slice(2), [
      "application",
      "group",
      "function",
      "alias",
      "current",
      "target",
    ]);
    const input = createDeploymentInput(a.application, a.group, {
      functionName: a.function,
      alias: a.alias ?? "live",
      currentVersion: a.current,
      targetVersion: a.target,
    });
    if (input) process.stdout.write(`${JSON.stringify(input, null, 2)}\n`);
    else
      process.stderr.write(
        `${a.function}: the alias already serves version ${a.target}; nothing to deploy\n`,
      );
  } catch (error) {
    process.stderr.write(`deploy-lambda: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
