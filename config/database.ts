import { DatabaseField, DatabaseSettings, databaseProblems } from "../components/database-args";
import type { KeyNames } from "../lib/problems";
import { ConfigReader } from "./reader";

const KEYS: KeyNames<DatabaseField> = {
  engineVersion: "databaseEngineVersion",
  autoMinorVersionUpgrade: "databaseAutoMinorVersionUpgrade",
  instanceClass: "databaseInstanceClass",
  allocatedStorageGb: "databaseAllocatedStorageGb",
  maxAllocatedStorageGb: "databaseMaxAllocatedStorageGb",
  backupRetentionDays: "databaseBackupRetentionDays",
  monitoringIntervalSeconds: "databaseMonitoringIntervalSeconds",
  connectionsAlarmPercent: "databaseConnectionsAlarmPercent",
};

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** PostgreSQL (components/database-args.ts), or undefined where databaseEnabled is false. */
export function readDatabase(r: ConfigReader, stackRegion: string): DatabaseSettings | undefined {
  const enabled = r.boolean("databaseEnabled");
  const backupReplicaRegion = r.optionalString("databaseBackupReplicaRegion");
  const settings: DatabaseSettings = {
    engineVersion: r.string("databaseEngineVersion"),
    autoMinorVersionUpgrade: r.boolean("databaseAutoMinorVersionUpgrade"),
    instanceClass: r.string("databaseInstanceClass"),
    allocatedStorageGb: r.number("databaseAllocatedStorageGb"),
    maxAllocatedStorageGb: r.number("databaseMaxAllocatedStorageGb"),
    multiAz: r.boolean("databaseMultiAz"),
    backupRetentionDays: r.number("databaseBackupRetentionDays"),
    deletionProtection: r.boolean("databaseDeletionProtection"),
    ...(backupReplicaRegion !== undefined ? { backupReplicaRegion } : {}),
    monitoringIntervalSeconds: r.number("databaseMonitoringIntervalSeconds"),
    connectionsAlarmPercent: r.number("databaseConnectionsAlarmPercent"),
  };
  if (!enabled) return undefined;
  r.reportAll(databaseProblems(settings, KEYS));
  if (
    backupReplicaRegion !== undefined &&
    (!REGION.test(backupReplicaRegion) || backupReplicaRegion === stackRegion)
  )
    r.report(
      "databaseBackupReplicaRegion",
      backupReplicaRegion,
      "must be an AWS region other than the stack's, such as us-west-2 (or empty for no replication)",
    );
  return settings;
}
