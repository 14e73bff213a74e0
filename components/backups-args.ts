import { KeyNames, Problems } from "../lib/problems";

/*
 * What the Backups component (AWS Backup: one KMS-encrypted vault, a daily plan over resources tagged for it, a
 * copy to a second region and a vault lock where asked, an optional restore-testing plan) is given, and the
 * rules of it: every combination AWS Backup would refuse, or that would make the lock refuse the plan's own
 * recovery points.
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

/** The vaults and the daily plan (what config reads); the component adds its wiring. */
export interface BackupsSettings {
  /** The daily rule's schedule, an AWS Backup cron expression with six fields (UTC). No default. */
  readonly schedule: string;
  /** Days a recovery point is kept in the stack's region (1-36500). No default. */
  readonly retentionDays: number;
  /** A second region that receives a copy of every recovery point (needs the component's copyProvider). Default: none. */
  readonly copyRegion?: string;
  /** Days the copy is kept in `copyRegion` (1-36500, at least retentionDays). No default. */
  readonly copyRetentionDays: number;
  /** The vault lock of both vaults. Default: none. */
  readonly vaultLock?: VaultLockConfig;
  /** The vaults use a customer managed key of their own ($1 a month each); false: AWS Backup's AWS managed key. No default. */
  readonly customerManagedKey: boolean;
  /** A restore-testing plan that restores the latest recovery points weekly and deletes the result. No default. */
  readonly restoreTesting: boolean;
}

const CRON = /^cron\((\S+ ){5}\S+\)$/;

export type BackupsField =
  | "schedule"
  | "retentionDays"
  | "copyRetentionDays"
  | "lockMinRetentionDays"
  | "lockMaxRetentionDays"
  | "lockChangeableForDays";

export const BACKUPS_FIELDS: KeyNames<BackupsField> = {
  schedule: "schedule",
  retentionDays: "retentionDays",
  copyRetentionDays: "copyRetentionDays",
  lockMinRetentionDays: "vaultLock.minRetentionDays",
  lockMaxRetentionDays: "vaultLock.maxRetentionDays",
  lockChangeableForDays: "vaultLock.changeableForDays",
};

/** Every rule the backups' settings break, each named by `keys`. */
export function backupsProblems(s: BackupsSettings, keys: KeyNames<BackupsField> = BACKUPS_FIELDS) {
  const p = new Problems(keys);
  const days = { min: 1, max: MAX_BACKUP_RETENTION_DAYS };
  if (!CRON.test(s.schedule))
    p.add(
      "schedule",
      s.schedule,
      "must be an AWS cron expression with six fields, such as cron(0 5 ? * * *)",
    );
  const retentionOk = p.number("retentionDays", s.retentionDays, days);
  const copyOk = p.number("copyRetentionDays", s.copyRetentionDays, days);
  if (s.copyRegion !== undefined && retentionOk && copyOk && s.copyRetentionDays < s.retentionDays)
    p.add(
      "copyRetentionDays",
      s.copyRetentionDays,
      `must be at least ${p.key("retentionDays")} (${s.retentionDays}): the copy in the other region is the ` +
        "disaster-recovery copy and must outlive the recovery point it copies",
    );
  const lock = s.vaultLock;
  if (!lock) return p.list;
  const minOk = p.number("lockMinRetentionDays", lock.minRetentionDays, days);
  const maxOk = p.number("lockMaxRetentionDays", lock.maxRetentionDays, days);
  if (lock.changeableForDays !== undefined)
    p.number("lockChangeableForDays", lock.changeableForDays, {
      min: MIN_CHANGEABLE_FOR_DAYS,
      max: MAX_BACKUP_RETENTION_DAYS,
    });
  if (minOk && maxOk && lock.maxRetentionDays < lock.minRetentionDays)
    p.add(
      "lockMaxRetentionDays",
      lock.maxRetentionDays,
      `must be at least ${p.key("lockMinRetentionDays")} (${lock.minRetentionDays})`,
    );
  // The lock refuses every recovery point whose retention lies outside [min, max]: the plan's own jobs would
  // fail every night. The copy vault carries the same lock, so the copy's retention must fit too.
  const kept: ["retentionDays" | "copyRetentionDays", number][] = [["retentionDays", s.retentionDays]];
  if (s.copyRegion !== undefined) kept.push(["copyRetentionDays", s.copyRetentionDays]);
  for (const [field, value] of kept) {
    if (value < lock.minRetentionDays)
      p.add(
        field,
        value,
        `must be at least ${p.key("lockMinRetentionDays")} (${lock.minRetentionDays}): the locked vault refuses ` +
          "recovery points kept for a shorter time",
      );
    else if (value > lock.maxRetentionDays)
      p.add(
        field,
        value,
        `must be at most ${p.key("lockMaxRetentionDays")} (${lock.maxRetentionDays}): the locked vault refuses ` +
          "recovery points kept for a longer time",
      );
  }
  return p.list;
}
