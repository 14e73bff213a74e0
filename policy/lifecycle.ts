import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { eksSupportStatus, EKS_VERSIONS_CHECKED, isIsoDay, utcToday } from "../lib/eks-versions";
import { at } from "./lib/checks";
import { Res, resourcePolicy, who } from "./lib/framework";
import { K, Kind } from "./lib/kinds";
import { isUnknown, parseJsonish } from "./lib/values";

/*
 * Deployability over time: what `pulumi up` accepts today and breaks later. A setting AWS changes behind the
 * program's back (a minor version upgrade), a fact that ages (a Kubernetes version's support window), rules
 * two resources both claim to own (inline and standalone security group rules), and a credential for the
 * wrong account. Each is a finding before anything is created.
 */

/**
 * Whether an RDS engine version pins a minor (or patch) release, by engine: PostgreSQL majors are one number
 * from 10 on ("16", minor "16.4"), MySQL and MariaDB majors two ("8.0", minor "8.0.36"). Undefined for an
 * engine or version this does not know how to read.
 */
export function pinsMinorVersion(engine: unknown, version: unknown): boolean | undefined {
  if (typeof engine !== "string" || typeof version !== "string" || isUnknown(version)) return undefined;
  if (/^(aurora-)?postgres(ql)?$/.test(engine)) {
    const m = /^(\d+)(\.\d+)?(\.\d+)?$/.exec(version);
    if (!m) return undefined;
    return Number(m[1]) >= 10 ? m[2] !== undefined : m[3] !== undefined;
  }
  if (engine === "mysql" || engine === "mariadb") {
    const m = /^\d+\.\d+(\.\d+)?$/.exec(version);
    return m ? m[1] !== undefined : undefined;
  }
  return undefined;
}

export const rdsMinorVersionDrift = resourcePolicy(
  {
    name: "rds-minor-version-drift",
    description:
      "An RDS database pins a minor engine version only with automatic minor upgrades off (else a perpetual diff).",
    domain: "deployability",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      'Give only the major version (PostgreSQL "16", MySQL "8.0") and keep autoMinorVersionUpgrade on, or pin ' +
      "the minor and set autoMinorVersionUpgrade false (then upgrade it yourself before RDS retires it).",
    references: {},
    kinds: [K.dbInstance, K.dbCluster],
  },
  (res, _ctx, add) => {
    const engine = res.raw["engine"];
    if (K.dbCluster.has(res.type) && typeof engine === "string" && engine.startsWith("aurora")) return;
    const version = res.raw["engineVersion"];
    // The provider's default is true: unset means RDS upgrades the minor.
    const auto = res.raw["autoMinorVersionUpgrade"] ?? true;
    if (auto !== true || pinsMinorVersion(engine, version) !== true) return;
    add(
      `${who(res)} pins ${String(engine)} ${String(version)} with autoMinorVersionUpgrade on: once RDS ` +
        "upgrades the minor, every `pulumi up` tries to move the database back (a perpetual diff).",
    );
  },
);

/** The day support windows are judged at: a knob, so tests (and a look ahead) can set it. */
const AS_OF: PolicyConfigJSONSchema = {
  type: "string",
  pattern: "^(\\d{4}-\\d{2}-\\d{2})?$",
  default: "",
  description: "Day (YYYY-MM-DD, UTC) the support window is judged at; empty: the day the pack runs.",
};

function asOfDay(config: { asOf: string }): string {
  if (config.asOf === "") return utcToday();
  if (!isIsoDay(config.asOf)) throw new Error(`asOf ${config.asOf} is not a day as YYYY-MM-DD`);
  return config.asOf;
}

/** The cluster's Kubernetes version, or undefined when it is not known yet. */
function clusterVersion(res: Res): string | undefined {
  const v = res.raw["version"];
  return typeof v === "string" && !isUnknown(v) ? v : undefined;
}

const EKS_CALENDAR = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html";

export const eksVersionStandardSupport = resourcePolicy<{ asOf: string }>(
  {
    name: "eks-version-standard-support",
    description: "EKS clusters run a Kubernetes version in standard support.",
    domain: "deployability",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Move the cluster (eksVersion) to a version in standard support, one minor at a time, with its add-ons " +
      `and the cluster autoscaler's image; dates: lib/eks-versions.ts and ${EKS_CALENDAR}.`,
    references: {},
    kinds: [K.eksCluster],
    config: { asOf: AS_OF },
  },
  (res, { config }, add) => {
    const version = clusterVersion(res);
    if (version === undefined) return;
    const status = eksSupportStatus(version, asOfDay(config));
    if (status.state !== "extended" && status.state !== "ended") return;
    const standard = String(at(res.raw, "upgradePolicy.supportType") ?? "EXTENDED") === "STANDARD";
    const upgraded =
      "AWS upgrades the control plane, and the next `pulumi up` asks for a downgrade AWS refuses";
    const when =
      status.state === "ended"
        ? `ended on ${status.standardEnd} and extended support on ${status.extendedEnd}: ${upgraded}`
        : standard
          ? `ended on ${status.standardEnd}: with upgradePolicy STANDARD ${upgraded}`
          : `ended on ${status.standardEnd}: the cluster is on extended support, billed at six times the ` +
            "standard hourly price";
    add(
      `${who(res)} runs Kubernetes ${version}, whose standard support ${when}. Move eksVersion to a version ` +
        "in standard support.",
    );
  },
);

export const eksVersionSupportEnding = resourcePolicy<{ asOf: string; warnDays: number }>(
  {
    name: "eks-version-support-ending",
    description: "EKS clusters are upgraded before their version's standard support ends.",
    domain: "deployability",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
      "Plan the upgrade to the next Kubernetes version (docs/runbook.md) before the end of standard support; " +
      "for a version the table does not list, add its dates to lib/eks-versions.ts.",
    references: {},
    kinds: [K.eksCluster],
    config: {
      asOf: AS_OF,
      warnDays: {
        type: "integer",
        minimum: 0,
        default: 90,
        description: "Advise this many days (or fewer) before the end of standard support.",
      },
    },
  },
  (res, { config }, add) => {
    const version = clusterVersion(res);
    if (version === undefined) return;
    const status = eksSupportStatus(version, asOfDay(config));
    if (status.state === "unknown")
      add(
        `${who(res)} runs Kubernetes ${version}, which the support table (lib/eks-versions.ts, checked ` +
          `${EKS_VERSIONS_CHECKED}) does not list: add its end of standard support from the EKS release calendar.`,
      );
    else if (status.state === "standard" && status.daysLeft <= config.warnDays)
      add(
        `${who(res)} runs Kubernetes ${version}, whose standard support ends on ${status.standardEnd}, in ` +
          `${status.daysLeft} days: plan the upgrade to the next version before then.`,
      );
  },
);

export const securityGroupStandaloneRules = resourcePolicy(
  {
    name: "security-group-standalone-rules",
    description:
      "Security groups declare no inline rules, so standalone rule resources can never be revoked by them.",
    domain: "deployability",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Remove ingress and egress from the aws.ec2.SecurityGroup (an empty list counts: it claims the whole " +
      "direction) and declare each rule as an aws.vpc.SecurityGroupIngressRule or SecurityGroupEgressRule.",
    references: {},
    kinds: [K.securityGroup],
  },
  (res, _ctx, add) => {
    const inline = (["ingress", "egress"] as const).filter((d) => res.raw[d] !== undefined);
    if (inline.length === 0) return;
    add(
      `${who(res)} declares inline ${inline.join(" and ")} rules: standalone rules on it (a server admitting ` +
        "this group, another component) would be revoked by the next update after a refresh.",
    );
  },
);

/** The AWS provider, explicit or default (the engine registers both as resources of this type). */
const AWS_PROVIDER: Kind = {
  label: "AWS provider",
  types: new Set(["pulumi:providers:aws"]),
  has: (t) => t === "pulumi:providers:aws",
};

export const awsProviderAccountGuard = resourcePolicy(
  {
    name: "aws-provider-account-guard",
    description: "Every AWS provider names the accounts it may deploy to (allowedAccountIds).",
    domain: "deployability",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Give every aws.Provider allowedAccountIds (from config: agent-platform:allowedAccountIds, which the " +
      "stack's ESC environment sets), and set aws:allowedAccountIds for default providers.",
    references: {},
    kinds: [AWS_PROVIDER],
  },
  (res, _ctx, add) => {
    const ids = res.raw["allowedAccountIds"];
    if (isUnknown(ids)) return;
    const list = parseJsonish(ids);
    if (Array.isArray(list) && list.length > 0) return;
    add(
      `AWS provider '${res.name}' sets no allowedAccountIds: a credential for another account would deploy ` +
        "the stack there.",
    );
  },
);

export const lifecyclePolicies = [
  rdsMinorVersionDrift,
  eksVersionStandardSupport,
  eksVersionSupportEnding,
  securityGroupStandaloneRules,
  awsProviderAccountGuard,
];
