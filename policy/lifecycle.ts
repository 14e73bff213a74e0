import { who, resourcePolicy } from "./lib/framework";
import { K } from "./lib/kinds";
import { isUnknown } from "./lib/values";

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
    beyondAnchors:
      "checkov CKV_AWS_226 asks for automatic minor upgrades; nothing notices that a pinned minor with them " +
      "makes every later `pulumi up` try to move the database back after RDS upgraded it. Reads versions per " +
      "engine (PostgreSQL majors are N, MySQL and MariaDB N.N); Aurora clusters, whose instances carry the " +
      "flag, are not judged.",
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

export const lifecyclePolicies = [rdsMinorVersionDrift];
