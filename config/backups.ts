import { ConfigReader } from "./reader";

/*
 * AWS Backup: one KMS-encrypted vault, a daily plan over resources tagged for it, a copy to a second region
 * and a vault lock where config says so, and an optional restore-testing plan. Every combination AWS Backup
 * would refuse (or that would make the lock refuse the plan's own recovery points) is reported here.
 */

export const VAULT_LOCK_MODES = ["none", "governance", "compliance"] as const;
export type VaultLockMode = (typeof VAULT_LOCK_MODES)[number];

/** AWS Backup's longest retention (100 years) and the shortest grace period of a compliance-mode lock. */
export const MAX_BACKUP_RETENTION_DAYS = 36500;
export const MIN_CHANGEABLE_FOR_DAYS = 3;

export interface VaultLockConfig {
  /**
   * governance: the lock can be removed by a principal allowed backup:DeleteBackupVaultLockConfiguration.
   * compliance: after `changeableForDays` nobody, not even the root user or AWS, can remove it or shorten it.
   */
  readonly mode: "governance" | "compliance";
  readonly minRetentionDays: number;
  readonly maxRetentionDays: number;
  /** Grace period of a compliance lock, in days (3 or more); absent in governance mode. */
  readonly changeableForDays?: number;
}

export interface BackupsConfig {
  readonly enabled: boolean;
  /** The daily rule's schedule, an AWS Backup cron expression (UTC). */
  readonly schedule: string;
  /** Days a recovery point is kept in the stack's region. */
  readonly retentionDays: number;
  /** A second region that receives a copy of every recovery point; undefined for none. */
  readonly copyRegion?: string;
  /** Days the copy is kept in `copyRegion`. */
  readonly copyRetentionDays: number;
  /** The vault lock of both vaults; undefined for none. */
  readonly vaultLock?: VaultLockConfig;
  /** The vaults use a customer managed key of their own ($1 a month each); false: AWS Backup's AWS managed key. */
  readonly customerManagedKey: boolean;
  /** A restore-testing plan that restores the latest recovery points weekly and deletes the result. */
  readonly restoreTesting: boolean;
}

const CRON = /^cron\((\S+ ){5}\S+\)$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

export function readBackups(r: ConfigReader, stackRegion: string): BackupsConfig {
  const days = { min: 1, max: MAX_BACKUP_RETENTION_DAYS };
  const enabled = r.boolean("backupsEnabled", true);
  const schedule = r.string("backupSchedule", "cron(0 5 ? * * *)");
  if (!CRON.test(schedule))
    r.report(
      "backupSchedule",
      schedule,
      "must be an AWS cron expression with six fields, such as cron(0 5 ? * * *)",
    );
  const retentionDays = r.number("backupRetentionDays", days, 7);
  const copyRegion = r.optionalString("backupCopyRegion");
  const copyRetentionDays = r.number("backupCopyRetentionDays", days, 7);
  if (copyRegion !== undefined) {
    if (!REGION.test(copyRegion))
      r.report("backupCopyRegion", copyRegion, "must be an AWS region such as us-west-2");
    else if (copyRegion === stackRegion)
      r.report(
        "backupCopyRegion",
        copyRegion,
        "must differ from the stack's region (the copy is for a regional outage)",
      );
    if (copyRetentionDays < retentionDays)
      r.report(
        "backupCopyRetentionDays",
        copyRetentionDays,
        `must be at least backupRetentionDays (${retentionDays}): the copy in the other region is the ` +
          "disaster-recovery copy and must outlive the recovery point it copies",
      );
  }

  const mode = r.oneOf("backupVaultLockMode", VAULT_LOCK_MODES, "none");
  const minRetentionDays = r.number("backupVaultLockMinRetentionDays", days, 7);
  const maxRetentionDays = r.number("backupVaultLockMaxRetentionDays", days, 365);
  const changeableForDays = r.number(
    "backupVaultLockChangeableForDays",
    { min: MIN_CHANGEABLE_FOR_DAYS, max: MAX_BACKUP_RETENTION_DAYS },
    3,
  );
  let vaultLock: VaultLockConfig | undefined;
  if (mode !== "none") {
    if (maxRetentionDays < minRetentionDays)
      r.report(
        "backupVaultLockMaxRetentionDays",
        maxRetentionDays,
        `must be at least backupVaultLockMinRetentionDays (${minRetentionDays})`,
      );
    // The lock refuses every recovery point whose retention lies outside [min, max]: the plan's own jobs would
    // fail every night. The copy vault carries the same lock, so the copy's retention must fit too.
    const kept: [string, number][] = [["backupRetentionDays", retentionDays]];
    if (copyRegion !== undefined) kept.push(["backupCopyRetentionDays", copyRetentionDays]);
    for (const [key, value] of kept) {
      if (value < minRetentionDays)
        r.report(
          key,
          value,
          `must be at least backupVaultLockMinRetentionDays (${minRetentionDays}): the locked vault refuses ` +
            "recovery points kept for a shorter time",
        );
      else if (value > maxRetentionDays)
        r.report(
          key,
          value,
          `must be at most backupVaultLockMaxRetentionDays (${maxRetentionDays}): the locked vault refuses ` +
            "recovery points kept for a longer time",
        );
    }
    vaultLock = {
      mode,
      minRetentionDays,
      maxRetentionDays,
      ...(mode === "compliance" ? { changeableForDays } : {}),
    };
  }
  return {
    enabled,
    schedule,
    retentionDays,
    ...(copyRegion !== undefined ? { copyRegion } : {}),
    copyRetentionDays,
    ...(vaultLock ? { vaultLock } : {}),
    customerManagedKey: r.boolean("backupVaultCustomerManagedKey", true),
    restoreTesting: r.boolean("backupRestoreTesting", false),
  };
}
