import * as assert from "assert";
import { configIssues, K, loadStack } from "../helpers/config";

const load = loadStack;
const issuesWith = configIssues;

describe("backups config", () => {
  it("keeps 7 days in dev, 14 in staging, 30 in prod with a us-west-2 copy, a governance lock and restore tests", () => {
    const base = { schedule: "cron(0 5 ? * * *)", restoreTesting: false };
    assert.deepStrictEqual(load("dev").backups, {
      ...base,
      retentionDays: 7,
      copyRetentionDays: 7,
      customerManagedKey: false,
    });
    assert.deepStrictEqual(load("staging").backups, {
      ...base,
      retentionDays: 14,
      copyRetentionDays: 14,
      customerManagedKey: true,
    });
    assert.deepStrictEqual(load("prod").backups, {
      ...base,
      retentionDays: 30,
      copyRegion: "us-west-2",
      copyRetentionDays: 30,
      vaultLock: { mode: "governance", minRetentionDays: 30, maxRetentionDays: 365 },
      customerManagedKey: true,
      restoreTesting: true,
    });
    assert.deepStrictEqual(
      load("dev", {
        [K("backupVaultLockMode")]: "compliance",
        [K("backupVaultLockChangeableForDays")]: "7",
      }).backups!.vaultLock,
      { mode: "compliance", minRetentionDays: 7, maxRetentionDays: 365, changeableForDays: 7 },
    );
  });

  it("rejects a copy kept shorter than the source, in the stack's own region", () => {
    assert.deepStrictEqual(
      issuesWith("prod", { [K("backupCopyRetentionDays")]: "14", [K("backupCopyRegion")]: "us-east-1" }),
      [
        'agent-platform:backupCopyRegion = "us-east-1": must differ from the stack\'s region (the copy is for a regional outage)',
        "agent-platform:backupCopyRetentionDays = 14: must be at least backupRetentionDays (30): the copy in the other region is the disaster-recovery copy and must outlive the recovery point it copies",
        "agent-platform:backupCopyRetentionDays = 14: must be at least backupVaultLockMinRetentionDays (30): the locked vault refuses recovery points kept for a shorter time",
      ],
    );
  });

  it("rejects a vault lock whose bounds exclude the plan's retention, and a short compliance grace period", () => {
    assert.deepStrictEqual(
      issuesWith("prod", { [K("backupRetentionDays")]: "7", [K("backupCopyRetentionDays")]: "7" }),
      [
        "agent-platform:backupRetentionDays = 7: must be at least backupVaultLockMinRetentionDays (30): the locked vault refuses recovery points kept for a shorter time",
        "agent-platform:backupCopyRetentionDays = 7: must be at least backupVaultLockMinRetentionDays (30): the locked vault refuses recovery points kept for a shorter time",
      ],
    );
    assert.deepStrictEqual(
      issuesWith("dev", {
        [K("backupVaultLockMode")]: "compliance",
        [K("backupVaultLockMinRetentionDays")]: "30",
        [K("backupVaultLockMaxRetentionDays")]: "14",
        [K("backupVaultLockChangeableForDays")]: "1",
      }),
      [
        "agent-platform:backupVaultLockChangeableForDays = 1: must be between 3 and 36500",
        "agent-platform:backupVaultLockMaxRetentionDays = 14: must be at least backupVaultLockMinRetentionDays (30)",
        "agent-platform:backupRetentionDays = 7: must be at least backupVaultLockMinRetentionDays (30): the locked vault refuses recovery points kept for a shorter time",
      ],
    );
    assert.deepStrictEqual(issuesWith("dev", { [K("backupSchedule")]: "rate(1 day)" }), [
      'agent-platform:backupSchedule = "rate(1 day)": must be an AWS cron expression with six fields, such as cron(0 5 ? * * *)',
    ]);
  });
});
