import { RDS_INSTANCE_CLASS_MEMORY_GIB } from "../lib/rds-classes";
import { ConfigReader } from "./reader";

/** PostgreSQL settings (used where databaseEnabled). */
export interface DatabaseConfig {
  /**
   * RDS PostgreSQL engine version, 16 or newer: a major ("16", RDS picks and upgrades the minor) or a pinned
   * minor ("16.6", only with autoMinorVersionUpgrade off).
   */
  readonly engineVersion: string;
  /** RDS applies new minor versions in the maintenance window (only with a major engineVersion). */
  readonly autoMinorVersionUpgrade: boolean;
  readonly instanceClass: string;
  readonly allocatedStorageGb: number;
  /** Storage autoscaling ceiling (RDS grows the volume up to it). */
  readonly maxAllocatedStorageGb: number;
  readonly multiAz: boolean;
  /** Automated backups and point-in-time recovery window, 1-35 days. */
  readonly backupRetentionDays: number;
  /** Deletion protection on, and a final snapshot taken on delete. */
  readonly deletionProtection: boolean;
  /** Region the automated backups are replicated to; undefined for none. */
  readonly backupReplicaRegion?: string;
  /** Enhanced monitoring interval in seconds (1, 5, 10, 15, 30 or 60). */
  readonly monitoringIntervalSeconds: number;
  /** The connections alarm fires above this percentage of the class's max_connections. */
  readonly connectionsAlarmPercent: number;
}

/**
 * Switches and settings of the data tier. The Network component creates its isolated (data) subnets only when
 * the database or the cache is on.
 */
export interface DataConfig {
  /** Whether the PostgreSQL database is deployed. */
  readonly databaseEnabled: boolean;
  /** Whether the ElastiCache (Valkey) cache is deployed; its settings are read by config/cache.ts. */
  readonly cacheEnabled: boolean;
  readonly database: DatabaseConfig;
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export function readData(r: ConfigReader, stackRegion: string): DataConfig {
  const databaseEnabled = r.boolean("databaseEnabled", false);
  const cacheEnabled = r.boolean("cacheEnabled", false);

  const engineVersion = r.string("databaseEngineVersion", "16");
  const autoMinorVersionUpgrade = r.boolean("databaseAutoMinorVersionUpgrade", true);
  checkEngineVersion(r, engineVersion, autoMinorVersionUpgrade);
  const instanceClass = r.string("databaseInstanceClass", "db.t4g.micro");
  if (RDS_INSTANCE_CLASS_MEMORY_GIB[instanceClass] === undefined)
    r.report(
      "databaseInstanceClass",
      instanceClass,
      `must be one of ${Object.keys(RDS_INSTANCE_CLASS_MEMORY_GIB).join(", ")} (their memory sets max_connections)`,
    );
  const allocatedStorageGb = r.number("databaseAllocatedStorageGb", { min: 20, max: 65536 }, 20);
  const maxAllocatedStorageGb = r.number("databaseMaxAllocatedStorageGb", { min: 20, max: 65536 }, 100);
  if (maxAllocatedStorageGb < allocatedStorageGb)
    r.report(
      "databaseMaxAllocatedStorageGb",
      maxAllocatedStorageGb,
      `must be at least databaseAllocatedStorageGb (${allocatedStorageGb})`,
    );
  const backupReplicaRegion = r.optionalString("databaseBackupReplicaRegion");
  if (
    backupReplicaRegion !== undefined &&
    (!REGION.test(backupReplicaRegion) || backupReplicaRegion === stackRegion)
  )
    r.report(
      "databaseBackupReplicaRegion",
      backupReplicaRegion,
      "must be an AWS region other than the stack's, such as us-west-2 (or empty for no replication)",
    );
  const monitoringIntervalSeconds = r.number("databaseMonitoringIntervalSeconds", {}, 60);
  if (![1, 5, 10, 15, 30, 60].includes(monitoringIntervalSeconds))
    r.report(
      "databaseMonitoringIntervalSeconds",
      monitoringIntervalSeconds,
      "must be one of 1, 5, 10, 15, 30, 60",
    );
  const database: DatabaseConfig = {
    engineVersion,
    autoMinorVersionUpgrade,
    instanceClass,
    allocatedStorageGb,
    maxAllocatedStorageGb,
    multiAz: r.boolean("databaseMultiAz", false),
    backupRetentionDays: r.number("databaseBackupRetentionDays", { min: 1, max: 35 }, 7),
    deletionProtection: r.boolean("databaseDeletionProtection", false),
    ...(backupReplicaRegion !== undefined ? { backupReplicaRegion } : {}),
    monitoringIntervalSeconds,
    connectionsAlarmPercent: r.number("databaseConnectionsAlarmPercent", { min: 1, max: 100 }, 80),
  };

  return { databaseEnabled, cacheEnabled, database };
}

/**
 * A major version with automatic minor upgrades, or a pinned minor without them. RDS retires minors on a
 * schedule and upgrades instances off them; a pinned minor with automatic upgrades then differs from the
 * instance, and every `pulumi up` would try to move it back.
 */
function checkEngineVersion(r: ConfigReader, version: string, autoMinor: boolean): void {
  const m = /^(\d+)(\.\d+)?$/.exec(version);
  if (!m || Number(m[1]) < 16) {
    r.report(
      "databaseEngineVersion",
      version,
      "must be a PostgreSQL version 16 or newer: a major version such as 16, or a minor such as 16.6",
    );
    return;
  }
  const [, major, minor] = m;
  if (minor !== undefined && autoMinor)
    r.report(
      "databaseEngineVersion",
      version,
      `pins the minor version ${version} while databaseAutoMinorVersionUpgrade is true: once RDS upgrades the ` +
        `minor, every \`pulumi up\` tries to move the instance back to ${version}; give the major version ` +
        `(${major}) or set databaseAutoMinorVersionUpgrade to false`,
    );
  if (minor === undefined && !autoMinor)
    r.report(
      "databaseAutoMinorVersionUpgrade",
      autoMinor,
      `is false with the major version ${major} alone: RDS would keep whatever minor it picks at creation ` +
        `until that minor retires; pin a minor in databaseEngineVersion (major.minor, such as 16.6) or set ` +
        "databaseAutoMinorVersionUpgrade to true",
    );
}
