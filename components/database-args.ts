import { KeyNames, Problems, selfNamed } from "../lib/problems";
import { RDS_INSTANCE_CLASS_MEMORY_GIB } from "../lib/rds-classes";

/*
 * What the Database component (RDS PostgreSQL) is given, and the rules of it: what RDS would refuse, and the
 * engine version settings that would make every `pulumi up` fight RDS's own minor upgrades.
 */

/** PostgreSQL settings (what config reads); the component adds its network and clients. No field has a default. */
export interface DatabaseSettings {
  /**
   * RDS PostgreSQL engine version, 16 or newer: a major ("16", RDS picks and upgrades the minor) or a pinned
   * minor ("16.6", only with autoMinorVersionUpgrade off).
   */
  readonly engineVersion: string;
  /** RDS applies new minor versions in the maintenance window (only with a major engineVersion). */
  readonly autoMinorVersionUpgrade: boolean;
  /** One of lib/rds-classes.ts (their memory sets max_connections, which the connections alarm derives from). */
  readonly instanceClass: string;
  /** Storage at creation, GB (20-65536). */
  readonly allocatedStorageGb: number;
  /** Storage autoscaling ceiling (RDS grows the volume up to it), GB: at least allocatedStorageGb. */
  readonly maxAllocatedStorageGb: number;
  /** A standby in a second zone with automatic failover. */
  readonly multiAz: boolean;
  /** Automated backups and point-in-time recovery window, 1-35 days. */
  readonly backupRetentionDays: number;
  /** Deletion protection on, and a final snapshot taken on delete. */
  readonly deletionProtection: boolean;
  /** Region the automated backups are replicated to (needs the component's replicaProvider). Default: none. */
  readonly backupReplicaRegion?: string;
  /** Enhanced monitoring interval in seconds (1, 5, 10, 15, 30 or 60). */
  readonly monitoringIntervalSeconds: number;
  /** The connections alarm fires above this percentage (1-100) of the class's max_connections. */
  readonly connectionsAlarmPercent: number;
}

export type DatabaseField =
  | "engineVersion"
  | "autoMinorVersionUpgrade"
  | "instanceClass"
  | "allocatedStorageGb"
  | "maxAllocatedStorageGb"
  | "backupRetentionDays"
  | "monitoringIntervalSeconds"
  | "connectionsAlarmPercent";

export const DATABASE_FIELDS: KeyNames<DatabaseField> = selfNamed([
  "engineVersion",
  "autoMinorVersionUpgrade",
  "instanceClass",
  "allocatedStorageGb",
  "maxAllocatedStorageGb",
  "backupRetentionDays",
  "monitoringIntervalSeconds",
  "connectionsAlarmPercent",
] as const);

/** Every rule the database's settings break, each named by `keys`. */
export function databaseProblems(s: DatabaseSettings, keys: KeyNames<DatabaseField> = DATABASE_FIELDS) {
  const p = new Problems(keys);
  engineVersionProblems(s, p);
  if (RDS_INSTANCE_CLASS_MEMORY_GIB[s.instanceClass] === undefined)
    p.add(
      "instanceClass",
      s.instanceClass,
      `must be one of ${Object.keys(RDS_INSTANCE_CLASS_MEMORY_GIB).join(", ")} (their memory sets max_connections)`,
    );
  const allocatedOk = p.number("allocatedStorageGb", s.allocatedStorageGb, { min: 20, max: 65536 });
  const maxOk = p.number("maxAllocatedStorageGb", s.maxAllocatedStorageGb, { min: 20, max: 65536 });
  if (allocatedOk && maxOk && s.maxAllocatedStorageGb < s.allocatedStorageGb)
    p.add(
      "maxAllocatedStorageGb",
      s.maxAllocatedStorageGb,
      `must be at least ${p.key("allocatedStorageGb")} (${s.allocatedStorageGb})`,
    );
  if (
    !Number.isNaN(s.monitoringIntervalSeconds) &&
    ![1, 5, 10, 15, 30, 60].includes(s.monitoringIntervalSeconds)
  )
    p.add("monitoringIntervalSeconds", s.monitoringIntervalSeconds, "must be one of 1, 5, 10, 15, 30, 60");
  p.number("backupRetentionDays", s.backupRetentionDays, { min: 1, max: 35 });
  p.number("connectionsAlarmPercent", s.connectionsAlarmPercent, { min: 1, max: 100 });
  return p.list;
}

/**
 * A major version with automatic minor upgrades, or a pinned minor without them. RDS retires minors on a
 * schedule and upgrades instances off them; a pinned minor with automatic upgrades then differs from the
 * instance, and every `pulumi up` would try to move it back.
 */
function engineVersionProblems(s: DatabaseSettings, p: Problems<DatabaseField>): void {
  const version = s.engineVersion;
  const m = /^(\d+)(\.\d+)?$/.exec(version);
  if (!m || Number(m[1]) < 16) {
    p.add(
      "engineVersion",
      version,
      "must be a PostgreSQL version 16 or newer: a major version such as 16, or a minor such as 16.6",
    );
    return;
  }
  const [, major, minor] = m;
  const autoMinor = p.key("autoMinorVersionUpgrade");
  if (minor !== undefined && s.autoMinorVersionUpgrade)
    p.add(
      "engineVersion",
      version,
      `pins the minor version ${version} while ${autoMinor} is true: once RDS upgrades the ` +
        `minor, every \`pulumi up\` tries to move the instance back to ${version}; give the major version ` +
        `(${major}) or set ${autoMinor} to false`,
    );
  if (minor === undefined && !s.autoMinorVersionUpgrade)
    p.add(
      "autoMinorVersionUpgrade",
      s.autoMinorVersionUpgrade,
      `is false with the major version ${major} alone: RDS would keep whatever minor it picks at creation ` +
        `until that minor retires; pin a minor in ${p.key("engineVersion")} (major.minor, such as 16.6) or set ` +
        `${autoMinor} to true`,
    );
}
