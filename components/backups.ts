import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problem, throwIfProblems } from "../lib/problems";
import { BackupsSettings, backupsProblems } from "./backups-args";
import { accountAdministersKey } from "./shared/kms-statements";
import { alarmActions } from "./lambda/function";
import { PlatformComponent } from "./shared/tagging";
import { awsManagedPolicy, serviceTrust } from "./shared/policy-statements";

/*
 * `agent-platform:index:Backups`: AWS Backup for the stack's stateful resources. A resource joins
 * by carrying the tag BACKUP_TAG (and the stack's Environment tag); one daily plan backs up DynamoDB tables,
 * EBS volumes (the EKS gp3 volumes) and RDS databases, on top of DynamoDB's point-in-time recovery and RDS's
 * own automated backups. S3 is left out: the pipeline's buckets are versioned, and their processed output can
 * be rebuilt from the raw uploads, so AWS Backup for S3 would add cost without a recovery it lacks.
 */

/** The tag a resource carries to be backed up daily. */
export const BACKUP_TAG = { key: "Backup", value: "daily" } as const;
/** The resource types the daily selection covers, as ARN patterns (partition filled in). */
export const BACKUP_RESOURCE_PATTERNS = [
  "dynamodb:*:*:table/*",
  "ec2:*:*:volume/*",
  "rds:*:*:db:*",
  "rds:*:*:cluster:*",
] as const;
/** Restore-testing selections: one per protected resource type. */
export const RESTORE_TEST_TYPES = ["DynamoDB", "EBS", "RDS"] as const;
/** AWS Backup's job metrics (namespace AWS/Backup), one alarm each where such jobs run. */
export const BACKUP_JOB_METRICS = {
  backup: "NumberOfBackupJobsFailed",
  copy: "NumberOfCopyJobsFailed",
  restore: "NumberOfRestoreJobsFailed",
} as const;

export interface BackupsArgs extends BackupsSettings {
  /** The stack's Environment tag value: only this stack's tagged resources are selected. No default. */
  readonly environment: string;
  /** An AWS provider in `copyRegion` (required when copyRegion is set). */
  readonly copyProvider?: aws.Provider;
  /** Name prefix of the restore-testing plan (letters, digits, underscores), e.g. agent_platform_prod. */
  readonly restoreTestingPrefix: string;
  /** `protect` on the vaults and keys (config protectStateful). Default: false. */
  readonly protect?: boolean;
  /** The alerts topic; every job-failure alarm notifies it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/** Every problem with `args` as one Error; checked before anything is registered. */
export function checkBackupsArgs(name: string, args: BackupsArgs): void {
  const problems: Problem[] = [...backupsProblems(args)];
  if (args.copyRegion !== undefined && !args.copyProvider)
    problems.push({
      key: "copyProvider",
      value: undefined,
      allowed: `is required with copyRegion ${args.copyRegion} (an AWS provider in that region)`,
    });
  if (args.copyRegion === undefined && args.copyProvider)
    problems.push({ key: "copyProvider", value: "[provider]", allowed: "is only used with copyRegion" });
  if (!/^[A-Za-z0-9_]{1,30}$/.test(args.restoreTestingPrefix))
    problems.push({
      key: "restoreTestingPrefix",
      value: args.restoreTestingPrefix,
      allowed: "must be 1-30 letters, digits or underscores (AWS Backup's rule for restore-testing names)",
    });
  throwIfProblems("Backups", name, problems);
}

export class Backups extends PlatformComponent {
  readonly vaultName: pulumi.Output<string>;
  readonly vaultArn: pulumi.Output<string>;
  readonly copyVaultArn?: pulumi.Output<string>;
  readonly planId: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  /** Failed backup jobs always; failed copy jobs with copyRegion; failed restore jobs with restoreTesting. */
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    checkBackupsArgs(name, args);
    super("agent-platform:index:Backups", name, "backups", opts);
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    const vault = this.vault(name, { parent: this }, accountId, partition, args);
    const copyVault =
      args.copyRegion !== undefined
        ? this.vault(
            `${name}-copy`,
            { parent: this, provider: args.copyProvider },
            accountId,
            partition,
            args,
          )
        : undefined;

    // AWS Backup assumes this role for backups and restores; only on this account's behalf.
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: "AWS Backup creates and restores the stack's recovery points",
        assumeRolePolicy: serviceTrust("backup.amazonaws.com", {
          condition: { StringEquals: { "aws:SourceAccount": accountId } },
        }),
      },
      { parent: this },
    );
    // AWS's own service-role policies: they track every resource type AWS Backup supports (tag-scoped where
    // the services allow it); an inline copy would need updating with every new type.
    for (const policy of ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"]) {
      new aws.iam.RolePolicyAttachment(
        `${name}-${policy.endsWith("Backup") ? "backup" : "restores"}`,
        {
          role: role.name,
          policyArn: awsManagedPolicy(partition, `service-role/${policy}`),
        },
        { parent: this },
      );
    }

    const plan = new aws.backup.Plan(
      `${name}-plan`,
      {
        rules: [
          {
            ruleName: "daily",
            targetVaultName: vault.name,
            schedule: args.schedule,
            startWindow: 60,
            completionWindow: 480,
            lifecycle: { deleteAfter: args.retentionDays },
            ...(copyVault
              ? {
                  copyActions: [
                    {
                      destinationVaultArn: copyVault.arn,
                      lifecycle: { deleteAfter: args.copyRetentionDays },
                    },
                  ],
                }
              : {}),
          },
        ],
      },
      { parent: this },
    );

    const conditions = {
      stringEquals: [
        { key: `aws:ResourceTag/${BACKUP_TAG.key}`, value: BACKUP_TAG.value },
        { key: "aws:ResourceTag/Environment", value: args.environment },
      ],
    };
    new aws.backup.Selection(
      `${name}-daily`,
      {
        planId: plan.id,
        iamRoleArn: role.arn,
        resources: BACKUP_RESOURCE_PATTERNS.map((p) => pulumi.interpolate`arn:${partition}:${p}`),
        conditions: [conditions],
      },
      { parent: this },
    );

    if (args.restoreTesting) {
      const testPlan = new aws.backup.RestoreTestingPlan(
        `${name}-restore-test`,
        {
          name: `${args.restoreTestingPrefix}_restore_test`,
          // Sundays 08:00 UTC, the latest recovery point of the last week in the stack's vault.
          scheduleExpression: "cron(0 8 ? * SUN *)",
          startWindowHours: 24,
          recoveryPointSelection: {
            algorithm: "LATEST_WITHIN_WINDOW",
            includeVaults: [vault.arn],
            recoveryPointTypes: ["SNAPSHOT"],
            selectionWindowDays: 7,
          },
        },
        { parent: this },
      );
      for (const type of RESTORE_TEST_TYPES) {
        new aws.backup.RestoreTestingSelection(
          `${name}-restore-test-${type.toLowerCase()}`,
          {
            name: `${args.restoreTestingPrefix}_${type.toLowerCase()}`,
            restoreTestingPlanName: testPlan.name,
            protectedResourceType: type,
            iamRoleArn: role.arn,
            protectedResourceArns: ["*"],
            protectedResourceConditions: conditions,
            // The restored copy is deleted after this many hours; validate it within them.
            validationWindowHours: 2,
          },
          { parent: this },
        );
      }
    }

    this.alarms = this.jobAlarms(name, vault.name, args);
    this.vaultName = vault.name;
    this.vaultArn = vault.arn;
    this.copyVaultArn = copyVault?.arn;
    this.planId = plan.id;
    this.roleArn = role.arn;
    this.registerOutputs({
      vaultArn: this.vaultArn,
      planId: this.planId,
      ...(copyVault ? { copyVaultArn: copyVault.arn } : {}),
    });
  }

  /**
   * One alarm per kind of job this stack runs, so no stack pays ($0.10 a metric) for an alarm on jobs it never
   * starts: backup jobs into the stack's vault always, copy jobs out of it where a copy region is set (AWS
   * Backup counts a copy job under its source vault), and restore jobs where restore testing starts them every
   * week. Restore-job metrics carry only the ResourceType dimension, so that alarm sums the restore-tested
   * types. A daily job either fails or not: any failure in a day alarms, and a day without jobs is no data.
   */
  private jobAlarms(
    name: string,
    vaultName: pulumi.Output<string>,
    args: BackupsArgs,
  ): aws.cloudwatch.MetricAlarm[] {
    const opts = { parent: this };
    const common = {
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      ...alarmActions(args.alarmTopicArn),
    };
    const byVault = (kind: "backup" | "copy", description: string) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${kind}-jobs-failed`,
        {
          alarmDescription: description,
          namespace: "AWS/Backup",
          metricName: BACKUP_JOB_METRICS[kind],
          dimensions: { BackupVaultName: vaultName },
          statistic: "Sum",
          period: 86400,
          ...common,
        },
        opts,
      );
    const alarms = [
      byVault(
        "backup",
        "An AWS Backup job into the stack's vault failed: a resource missed its daily backup",
      ),
    ];
    if (args.copyRegion !== undefined)
      alarms.push(
        byVault(
          "copy",
          `An AWS Backup copy job to ${args.copyRegion} failed: the disaster-recovery copy is missing`,
        ),
      );
    if (args.restoreTesting)
      alarms.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-restore-jobs-failed`,
          {
            alarmDescription:
              "An AWS Backup restore job failed (the weekly restore test or a manual restore)",
            metricQueries: [
              ...RESTORE_TEST_TYPES.map((type) => ({
                id: type.toLowerCase(),
                metric: {
                  namespace: "AWS/Backup",
                  metricName: BACKUP_JOB_METRICS.restore,
                  dimensions: { ResourceType: type },
                  period: 86400,
                  stat: "Sum",
                },
                returnData: false,
              })),
              {
                id: "failed",
                expression: RESTORE_TEST_TYPES.map((t) => `FILL(${t.toLowerCase()}, 0)`).join(" + "),
                label: "Failed restore jobs",
                returnData: true,
              },
            ],
            ...common,
          },
          opts,
        ),
      );
    return alarms;
  }

  /** A vault encrypted with its own rotating key, locked when config says so. */
  private vault(
    name: string,
    opts: pulumi.CustomResourceOptions,
    accountId: pulumi.Output<string>,
    partition: pulumi.Output<string>,
    args: BackupsArgs,
  ): aws.backup.Vault {
    // Without a customer managed key AWS Backup encrypts with its AWS managed key (aws/backup): still KMS, no
    // monthly fee, but its key policy cannot be narrowed and copies to other accounts are impossible.
    if (!args.customerManagedKey)
      return new aws.backup.Vault(
        `${name}-vault`,
        { forceDestroy: false },
        { ...opts, protect: args.protect },
      );
    const key = new aws.kms.Key(
      `${name}-vault-key`,
      {
        description: `Encrypts the recovery points in the ${name} backup vault`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        // The account administers the key through IAM; AWS Backup uses it through grants its role creates.
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [accountAdministersKey("AccountAdministers", partition, accountId)],
        }),
      },
      { ...opts, protect: args.protect },
    );
    const vault = new aws.backup.Vault(
      `${name}-vault`,
      { kmsKeyArn: key.arn, forceDestroy: false },
      { ...opts, protect: args.protect },
    );
    if (args.vaultLock) {
      new aws.backup.VaultLockConfiguration(
        `${name}-vault-lock`,
        {
          backupVaultName: vault.name,
          minRetentionDays: args.vaultLock.minRetentionDays,
          maxRetentionDays: args.vaultLock.maxRetentionDays,
          // Without changeableForDays the lock is in governance mode; with it, compliance mode.
          ...(args.vaultLock.changeableForDays !== undefined
            ? { changeableForDays: args.vaultLock.changeableForDays }
            : {}),
        },
        opts,
      );
    }
    return vault;
  }
}
