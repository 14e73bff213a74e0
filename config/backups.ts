import {
  BackupsField,
  BackupsSettings,
  backupsProblems,
  VAULT_LOCK_MODES,
  VaultLockConfig,
} from "../components/backups-args";
import type { KeyNames } from "../lib/problems";
import { ConfigReader } from "./reader";

/*
 * AWS Backup: its keys, read into the component's own settings (components/backups-args.ts), whose rules name
 * the keys below.
 */

const KEYS: KeyNames<BackupsField> = {
  schedule: "backupSchedule",
  retentionDays: "backupRetentionDays",
  copyRetentionDays: "backupCopyRetentionDays",
  lockMinRetentionDays: "backupVaultLockMinRetentionDays",
  lockMaxRetentionDays: "backupVaultLockMaxRetentionDays",
  lockChangeableForDays: "backupVaultLockChangeableForDays",
};

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/** The backups, or undefined where backupsEnabled is false. */
export function readBackups(r: ConfigReader, stackRegion: string): BackupsSettings | undefined {
  const enabled = r.boolean("backupsEnabled");
  const copyRegion = r.optionalString("backupCopyRegion");
  const mode = r.oneOf("backupVaultLockMode", VAULT_LOCK_MODES);
  const minRetentionDays = r.number("backupVaultLockMinRetentionDays");
  const maxRetentionDays = r.number("backupVaultLockMaxRetentionDays");
  const changeableForDays = r.number("backupVaultLockChangeableForDays");
  const vaultLock: VaultLockConfig | undefined =
    mode === "governance" || mode === "compliance"
      ? { mode, minRetentionDays, maxRetentionDays, ...(mode === "compliance" ? { changeableForDays } : {}) }
      : undefined;
  const settings: BackupsSettings = {
    schedule: r.string("backupSchedule"),
    retentionDays: r.number("backupRetentionDays"),
    ...(copyRegion !== undefined ? { copyRegion } : {}),
    copyRetentionDays: r.number("backupCopyRetentionDays"),
    ...(vaultLock ? { vaultLock } : {}),
    customerManagedKey: r.boolean("backupVaultCustomerManagedKey"),
    restoreTesting: r.boolean("backupRestoreTesting"),
  };
  if (!enabled) return undefined;
  if (copyRegion !== undefined) {
    if (!REGION.test(copyRegion))
      r.report("backupCopyRegion", copyRegion, "must be an AWS region such as us-west-2");
    else if (copyRegion === stackRegion)
      r.report(
        "backupCopyRegion",
        copyRegion,
        "must differ from the stack's region (the copy is for a regional outage)",
      );
  }
  r.reportAll(backupsProblems(settings, KEYS));
  return settings;
}
