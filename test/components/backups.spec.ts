import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { Backups, BackupsArgs } from "../../components/backups";
import { evaluate, named, ofType, policyDocument } from "../helpers/offline";

const dev: BackupsArgs = {
  schedule: "cron(0 5 ? * * *)",
  retentionDays: 7,
  copyRetentionDays: 7,
  restoreTesting: false,
  customerManagedKey: true,
  environment: "dev",
  restoreTestingPrefix: "agent_platform_dev",
};
const prod = (): BackupsArgs => ({
  ...dev,
  environment: "prod",
  retentionDays: 30,
  copyRegion: "us-west-2",
  copyRetentionDays: 30,
  copyProvider: new aws.Provider("us-west-2", { region: "us-west-2" }),
  vaultLock: { mode: "governance", minRetentionDays: 30, maxRetentionDays: 365 },
  restoreTesting: true,
  restoreTestingPrefix: "agent_platform_prod",
});

describe("Backups", () => {
  it("selects this stack's resources tagged Backup=daily: DynamoDB, EBS and RDS", async () => {
    const { resources } = await evaluate(() => new Backups("bk", dev));
    const selection = named(resources, "bk-daily").inputs;
    assert.strictEqual(selection.planId, named(resources, "bk-plan").id);
    assert.strictEqual(selection.iamRoleArn, named(resources, "bk-role").outputs.arn);
    assert.deepStrictEqual(selection.resources, [
      "arn:aws:dynamodb:*:*:table/*",
      "arn:aws:ec2:*:*:volume/*",
      "arn:aws:rds:*:*:db:*",
      "arn:aws:rds:*:*:cluster:*",
    ]);
    assert.deepStrictEqual(selection.conditions, [
      {
        stringEquals: [
          { key: "aws:ResourceTag/Backup", value: "daily" },
          { key: "aws:ResourceTag/Environment", value: "dev" },
        ],
      },
    ]);
    const trust = policyDocument(named(resources, "bk-role"), "assumeRolePolicy").Statement[0];
    assert.deepStrictEqual(trust.Principal, { Service: "backup.amazonaws.com" });
    assert.deepStrictEqual(trust.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
    assert.deepStrictEqual(
      ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn),
      [
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
      ],
    );
  });

  it("dev: one KMS-encrypted vault, 7 days, no copy, no lock, no restore testing", async () => {
    const { resources } = await evaluate(() => new Backups("bk", dev));
    assert.strictEqual(
      named(resources, "bk-vault").inputs.kmsKeyArn,
      named(resources, "bk-vault-key").outputs.arn,
    );
    assert.strictEqual(named(resources, "bk-vault-key").inputs.enableKeyRotation, true);
    assert.deepStrictEqual(named(resources, "bk-plan").inputs.rules, [
      {
        ruleName: "daily",
        targetVaultName: named(resources, "bk-vault").outputs.name,
        schedule: "cron(0 5 ? * * *)",
        startWindow: 60,
        completionWindow: 480,
        lifecycle: { deleteAfter: 7 },
      },
    ]);
    for (const t of [
      "aws:backup/vault:Vault",
      "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
      "aws:backup/restoreTestingPlan:RestoreTestingPlan",
    ])
      assert.strictEqual(ofType(resources, t).length, t.endsWith("Vault") ? 1 : 0, t);
  });

  it("prod: 30 days, a copy kept 30 days in a us-west-2 vault, both vaults locked, weekly restore tests", async () => {
    const { resources } = await evaluate(() => new Backups("bk", prod()));
    const copyVault = named(resources, "bk-copy-vault");
    assert.match(String(copyVault.provider), /us-west-2/);
    assert.match(String(named(resources, "bk-copy-vault-key").provider), /us-west-2/);
    const [rule] = named(resources, "bk-plan").inputs.rules as Record<string, unknown>[];
    assert.deepStrictEqual(rule.lifecycle, { deleteAfter: 30 });
    assert.deepStrictEqual(rule.copyActions, [
      { destinationVaultArn: copyVault.outputs.arn, lifecycle: { deleteAfter: 30 } },
    ]);
    assert.deepStrictEqual(
      ofType(resources, "aws:backup/vaultLockConfiguration:VaultLockConfiguration").map((l) => [
        l.name,
        l.inputs.minRetentionDays,
        l.inputs.maxRetentionDays,
        l.inputs.changeableForDays,
      ]),
      [
        ["bk-vault-lock", 30, 365, undefined],
        ["bk-copy-vault-lock", 30, 365, undefined],
      ],
    );
    const plan = named(resources, "bk-restore-test").inputs;
    assert.strictEqual(plan.name, "agent_platform_prod_restore_test");
    assert.deepStrictEqual(plan.recoveryPointSelection, {
      algorithm: "LATEST_WITHIN_WINDOW",
      includeVaults: [named(resources, "bk-vault").outputs.arn],
      recoveryPointTypes: ["SNAPSHOT"],
      selectionWindowDays: 7,
    });
    assert.deepStrictEqual(
      ofType(resources, "aws:backup/restoreTestingSelection:RestoreTestingSelection").map((s) => [
        s.inputs.name,
        s.inputs.protectedResourceType,
      ]),
      [
        ["agent_platform_prod_dynamodb", "DynamoDB"],
        ["agent_platform_prod_ebs", "EBS"],
        ["agent_platform_prod_rds", "RDS"],
      ],
    );
  });

  it("uses AWS Backup's managed key when customerManagedKey is false", async () => {
    const { resources } = await evaluate(() => new Backups("bk", { ...dev, customerManagedKey: false }));
    assert.strictEqual(named(resources, "bk-vault").inputs.kmsKeyArn, undefined);
    assert.strictEqual(ofType(resources, "aws:kms/key:Key").length, 0);
  });

  it("compliance mode passes changeableForDays", async () => {
    const args = {
      ...dev,
      vaultLock: {
        mode: "compliance" as const,
        minRetentionDays: 7,
        maxRetentionDays: 35,
        changeableForDays: 3,
      },
    };
    const { resources } = await evaluate(() => new Backups("bk", args));
    assert.strictEqual(named(resources, "bk-vault-lock").inputs.changeableForDays, 3);
  });

  it("refuses a copy region without its provider and a bad restore-testing prefix", () => {
    assert.throws(() => new Backups("bk", { ...dev, copyRegion: "us-west-2", restoreTestingPrefix: "a-b" }), {
      message:
        "Backups bk: copyProvider = undefined: is required with copyRegion us-west-2 (an AWS provider in that " +
        'region); restoreTestingPrefix = "a-b": must be 1-30 letters, digits or underscores (AWS Backup\'s rule ' +
        "for restore-testing names)",
    });
  });

  describe("job-failure alarms", () => {
    const topic = "arn:aws:sns:us-east-1:123456789012:alerts";
    const alarmsOf = (resources: Awaited<ReturnType<typeof evaluate>>["resources"]) =>
      ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").sort((a, b) =>
        a.name.localeCompare(b.name),
      );

    it("dev: failed backup jobs into the stack's vault only, to the alerts topic", async () => {
      let backups: Backups | undefined;
      const { resources } = await evaluate(
        () => (backups = new Backups("bk", { ...dev, alarmTopicArn: topic })),
      );
      const alarms = alarmsOf(resources);
      assert.deepStrictEqual(
        alarms.map((a) => a.name),
        ["bk-backup-jobs-failed"],
      );
      const a = alarms[0].inputs;
      assert.deepStrictEqual(
        [a.namespace, a.metricName, a.dimensions, a.statistic, a.period, a.threshold, a.comparisonOperator],
        [
          "AWS/Backup",
          "NumberOfBackupJobsFailed",
          { BackupVaultName: named(resources, "bk-vault").outputs.name },
          "Sum",
          86400,
          0,
          "GreaterThanThreshold",
        ],
      );
      assert.deepStrictEqual(
        [a.alarmActions, a.okActions, a.treatMissingData],
        [[topic], [topic], "notBreaching"],
      );
      assert.strictEqual(backups!.alarms.length, 1);
    });

    it("prod: copy jobs to the second region and the restore tests too", async () => {
      const { resources } = await evaluate(() => new Backups("bk", { ...prod(), alarmTopicArn: topic }));
      const alarms = alarmsOf(resources);
      assert.deepStrictEqual(
        alarms.map((a) => a.name),
        ["bk-backup-jobs-failed", "bk-copy-jobs-failed", "bk-restore-jobs-failed"],
      );
      const copy = named(resources, "bk-copy-jobs-failed").inputs;
      assert.deepStrictEqual(
        [copy.metricName, copy.dimensions],
        ["NumberOfCopyJobsFailed", { BackupVaultName: named(resources, "bk-vault").outputs.name }],
      );
      const restore = named(resources, "bk-restore-jobs-failed").inputs;
      const queries = restore.metricQueries as Array<Record<string, unknown>>;
      assert.deepStrictEqual(
        queries.map((q) => [
          q.id,
          (q.metric as { dimensions?: unknown } | undefined)?.dimensions ?? q.expression,
        ]),
        [
          ["dynamodb", { ResourceType: "DynamoDB" }],
          ["ebs", { ResourceType: "EBS" }],
          ["rds", { ResourceType: "RDS" }],
          ["failed", "FILL(dynamodb, 0) + FILL(ebs, 0) + FILL(rds, 0)"],
        ],
      );
      assert.ok(
        queries
          .slice(0, 3)
          .every((q) => (q.metric as { metricName: string }).metricName === "NumberOfRestoreJobsFailed"),
      );
      assert.ok(alarms.every((a) => JSON.stringify(a.inputs.alarmActions) === JSON.stringify([topic])));
    });

    it("without a topic the alarms exist but notify nobody", async () => {
      const { resources } = await evaluate(() => new Backups("bk", dev));
      assert.strictEqual(named(resources, "bk-backup-jobs-failed").inputs.alarmActions, undefined);
    });
  });
});
