/*
 * The validated settings of the agent-platform-cloud program. Pure (no Pulumi resources), so every rule is
 * tested without mocks; like config.ts, it reports every problem at once with the key, the value and what is
 * allowed. Defaults live in deploy/Pulumi.yaml, which the CLI (and the offline evaluator) applies.
 */

import type { StackDeployer } from "../tools/deployer";

/** Reads one config value as the language host passes it (scalars as text, objects as JSON). */
export interface SettingsSource {
  get(key: string): string | undefined;
}

export interface StackSettings {
  /** Stack name in the agent-platform project (dev, staging, prod). */
  readonly name: string;
  /** IAM role Pulumi Deployments assume through Pulumi Cloud's OIDC issuer. */
  readonly awsRoleArn: string;
  /** Cron (UTC, five fields) of the drift detection run. */
  readonly driftSchedule: string;
  /** Run `pulumi up` when drift is found (dev), or only report it (staging, prod: a person decides). */
  readonly autoRemediateDrift: boolean;
}

export interface CloudSettings {
  readonly organization: string;
  readonly repository: string;
  readonly project: string;
  readonly branch: string;
  readonly stacks: readonly StackSettings[];
  /** The stack review stacks are copied from, or undefined when review stacks are off. */
  readonly reviewStackTemplate?: string;
  readonly reviewStackTtlHours: number;
  readonly policyGroupMode: "audit" | "preventative";
}

/** Every bad setting, in one error. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `invalid agent-platform-cloud settings (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "SettingsError";
  }
}

const NAMESPACE = "agent-platform-cloud";
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/;
const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
/** One cron field: numbers, ranges, steps, lists or `*` (Pulumi Cloud takes standard five-field cron). */
const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

export function isCron(s: string): boolean {
  const fields = s.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f));
}

/** Reads and validates the settings; throws one SettingsError naming every problem. */
export function readSettings(source: SettingsSource): CloudSettings {
  const problems: string[] = [];
  const report = (key: string, value: unknown, allowed: string) =>
    problems.push(
      `${key.includes(":") ? key : `${NAMESPACE}:${key}`} = ${value === undefined ? "(not set)" : JSON.stringify(value)}: ${allowed}`,
    );
  const text = (key: string, rule: RegExp, allowed: string): string => {
    const v = source.get(`${NAMESPACE}:${key}`);
    if (v === undefined || !rule.test(v)) report(key, v, allowed);
    return v ?? "";
  };

  const organization = text("organization", NAME, "a Pulumi Cloud organization name");
  const repository = text("repository", REPOSITORY, "a GitHub repository as owner/name");
  const project = text("project", NAME, "a Pulumi project name");
  const branch = text("branch", /^[^\s~^:?*[\\]+$/, "a git branch name");

  const ttlRaw = source.get(`${NAMESPACE}:reviewStackTtlHours`);
  const ttl = Number(ttlRaw);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 720)
    report("reviewStackTtlHours", ttlRaw, "a whole number of hours from 1 to 720 (30 days)");

  const mode = source.get(`${NAMESPACE}:policyGroupMode`);
  if (mode !== "audit" && mode !== "preventative") report("policyGroupMode", mode, "audit or preventative");

  const stacks: StackSettings[] = [];
  const rawStacks = source.get(`${NAMESPACE}:stacks`);
  let parsed: unknown;
  try {
    parsed = rawStacks === undefined ? undefined : JSON.parse(rawStacks);
  } catch {
    parsed = rawStacks;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    report("stacks", parsed, "a map of stack name to { awsRoleArn, driftSchedule, autoRemediateDrift }");
  } else {
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
      const key = `stacks.${name}`;
      if (!NAME.test(name)) report(key, name, "a stack name (letters, digits, -, _ and .)");
      const s = (value ?? {}) as Record<string, unknown>;
      if (typeof s.awsRoleArn !== "string" || !ROLE_ARN.test(s.awsRoleArn))
        report(
          `${key}.awsRoleArn`,
          s.awsRoleArn,
          "an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)",
        );
      if (typeof s.driftSchedule !== "string" || !isCron(s.driftSchedule))
        report(`${key}.driftSchedule`, s.driftSchedule, 'a five-field cron expression such as "0 6 * * *"');
      if (typeof s.autoRemediateDrift !== "boolean")
        report(`${key}.autoRemediateDrift`, s.autoRemediateDrift, "true or false");
      const unknown = Object.keys(s).filter(
        (k) => !["awsRoleArn", "driftSchedule", "autoRemediateDrift"].includes(k),
      );
      for (const k of unknown)
        report(`${key}.${k}`, s[k], "is not a known setting (awsRoleArn, driftSchedule, autoRemediateDrift)");
      stacks.push({
        name,
        awsRoleArn: String(s.awsRoleArn),
        driftSchedule: String(s.driftSchedule),
        autoRemediateDrift: s.autoRemediateDrift === true,
      });
    }
  }

  const template = source.get(`${NAMESPACE}:reviewStackTemplate`) ?? "";
  if (template !== "" && stacks.length > 0 && !stacks.some((s) => s.name === template))
    report(
      "reviewStackTemplate",
      template,
      `one of the configured stacks (${stacks.map((s) => s.name).join(", ")}) or "" for none`,
    );

  if (problems.length > 0) throw new SettingsError(problems);
  return {
    organization,
    repository,
    project,
    branch,
    stacks,
    ...(template !== "" ? { reviewStackTemplate: template } : {}),
    reviewStackTtlHours: ttl,
    policyGroupMode: mode as "audit" | "preventative",
  };
}

/**
 * Pulumi Deployments run every configured stack's drift detection (a refresh and a preview): a stack that must
 * deploy from inside its VPC needs an agent pool there, or those runs cannot reach its cluster.
 */
export function checkAgentPools(deployers: readonly StackDeployer[]): void {
  const problems = deployers
    .filter((d) => d.needsInVpc && !d.agentPoolId)
    .map(
      (d) =>
        `stacks.${d.stack}: the stack manages in-cluster resources behind a private-only EKS endpoint, ` +
        "which Pulumi-hosted deployments cannot reach; set agent-platform:deployAgentPoolId in its stack file to " +
        "an agent pool inside its VPC",
    );
  if (problems.length > 0) throw new SettingsError(problems);
}
