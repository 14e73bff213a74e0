import * as assert from "assert";
import { ConfigReader, mapConfigSource } from "../../config/reader";
import { readDatabase } from "../../config/database";

const K = (name: string) => `agent-platform:${name}`;
const DEFAULTS: Record<string, string> = {
  databaseEnabled: "true",
  databaseEngineVersion: "16",
  databaseAutoMinorVersionUpgrade: "true",
  databaseInstanceClass: "db.t4g.micro",
  databaseAllocatedStorageGb: "20",
  databaseMaxAllocatedStorageGb: "100",
  databaseMultiAz: "false",
  databaseBackupRetentionDays: "7",
  databaseDeletionProtection: "false",
  databaseBackupReplicaRegion: "",
  databaseMonitoringIntervalSeconds: "60",
  databaseConnectionsAlarmPercent: "80",
};

function problems(changes: Record<string, string>, secrets: string[] = []): string[] {
  const values = Object.fromEntries(Object.entries({ ...DEFAULTS, ...changes }).map(([k, v]) => [K(k), v]));
  const r = new ConfigReader(mapConfigSource(values, secrets.map(K)), "agent-platform");
  readDatabase(r, "us-east-1");
  try {
    r.finish();
    return [];
  } catch (e) {
    return (e as { issues: { key: string; allowed: string }[] }).issues.map((i) => `${i.key}: ${i.allowed}`);
  }
}

describe("data config", () => {
  it("accepts the defaults", () => assert.deepStrictEqual(problems({}), []));

  it("keeps backup retention within RDS's 1-35 days", () => {
    assert.deepStrictEqual(problems({ databaseBackupRetentionDays: "0" }), [
      "agent-platform:databaseBackupRetentionDays: must be between 1 and 35",
    ]);
    assert.deepStrictEqual(problems({ databaseBackupRetentionDays: "36" }), [
      "agent-platform:databaseBackupRetentionDays: must be between 1 and 35",
    ]);
  });

  it("refuses PostgreSQL before 16, a replica region equal to the stack's, and a ceiling below the storage", () => {
    assert.deepStrictEqual(
      problems({
        databaseEngineVersion: "15.7",
        databaseBackupReplicaRegion: "us-east-1",
        databaseMaxAllocatedStorageGb: "20",
        databaseAllocatedStorageGb: "50",
      }),
      [
        "agent-platform:databaseEngineVersion: must be a PostgreSQL version 16 or newer: a major version such as 16, or a minor such as 16.6",
        "agent-platform:databaseMaxAllocatedStorageGb: must be at least databaseAllocatedStorageGb (50)",
        "agent-platform:databaseBackupReplicaRegion: must be an AWS region other than the stack's, such as us-west-2 (or empty for no replication)",
      ],
    );
  });

  it("takes a major version with automatic minor upgrades, or a pinned minor without them", () => {
    assert.deepStrictEqual(problems({ databaseEngineVersion: "17" }), []);
    assert.deepStrictEqual(
      problems({ databaseEngineVersion: "16.6", databaseAutoMinorVersionUpgrade: "false" }),
      [],
    );
  });

  it("refuses a pinned minor with automatic minor upgrades (a perpetual diff), and a major without them", () => {
    assert.deepStrictEqual(problems({ databaseEngineVersion: "16.4" }), [
      "agent-platform:databaseEngineVersion: pins the minor version 16.4 while databaseAutoMinorVersionUpgrade is true: " +
        "once RDS upgrades the minor, every `pulumi up` tries to move the instance back to 16.4; give the major " +
        "version (16) or set databaseAutoMinorVersionUpgrade to false",
    ]);
    assert.deepStrictEqual(
      problems({ databaseEngineVersion: "16", databaseAutoMinorVersionUpgrade: "false" }),
      [
        "agent-platform:databaseAutoMinorVersionUpgrade: is false with the major version 16 alone: RDS would keep " +
          "whatever minor it picks at creation until that minor retires; pin a minor in databaseEngineVersion " +
          "(major.minor, such as 16.6) or set databaseAutoMinorVersionUpgrade to true",
      ],
    );
  });
});
