import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { connectionsThreshold, Database, DatabaseArgs } from "../../components/database";
import { postgresMaxConnections } from "../../lib/rds-classes";
import type { DatabaseSettings } from "../../components/database-args";
import { grant, grantsOf, Statement } from "../helpers/iam-grants";
import { evaluate, named, ofType, policyDocument } from "../helpers/offline";

const staging: DatabaseSettings = {
  engineVersion: "16",
  autoMinorVersionUpgrade: true,
  instanceClass: "db.t4g.micro",
  allocatedStorageGb: 20,
  maxAllocatedStorageGb: 100,
  multiAz: false,
  backupRetentionDays: 7,
  deletionProtection: false,
  monitoringIntervalSeconds: 60,
  connectionsAlarmPercent: 80,
};
const prod: DatabaseSettings = {
  ...staging,
  instanceClass: "db.t4g.medium",
  multiAz: true,
  backupRetentionDays: 30,
  deletionProtection: true,
  backupReplicaRegion: "us-west-2",
};
const reached: string[][] = [];
const network = {
  vpcId: "vpc-1",
  isolatedSubnetIds: ["subnet-i1", "subnet-i2"],
  privateSubnetIds: ["subnet-p1", "subnet-p2"],
  requirePrivateReach: (_c: string, services: readonly string[]) => void reached.push([...services]),
};
const args = (settings: DatabaseSettings, extra: Partial<DatabaseArgs> = {}): DatabaseArgs => ({
  settings,
  network,
  clients: [{ name: "app", securityGroupId: "sg-app" }],
  logRetentionDays: 30,
  alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:alerts",
  ...extra,
});

describe("Database", function () {
  this.timeout(60_000);

  it("staging: encrypted, SSL-only, IAM auth, managed secret, single-AZ, 7-day backups, no protection", async () => {
    const { resources } = await evaluate(() => new Database("db", args(staging)));
    const db = named(resources, "db-postgres");
    const key = named(resources, "db-key");
    assert.strictEqual(key.inputs.enableKeyRotation, true);
    // The runner's logs use the same key, which CloudWatch Logs may use for that one log group only.
    assert.strictEqual(named(resources, "db-migrate-logs").inputs.kmsKeyId, key.outputs.arn);
    const logsGrant = policyDocument(key).Statement.find((st) => st.Sid === "LogsEncryptRunnerLogs")!;
    assert.deepStrictEqual(logsGrant.Condition, {
      ArnEquals: {
        "kms:EncryptionContext:aws:logs:arn":
          "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/db-migrate-test",
      },
    });
    const i = db.inputs;
    assert.deepStrictEqual(
      [
        i.engine,
        i.engineVersion,
        i.instanceClass,
        i.storageEncrypted,
        i.kmsKeyId,
        i.masterUserSecretKmsKeyId,
      ],
      ["postgres", "16", "db.t4g.micro", true, key.outputs.arn, key.outputs.arn],
    );
    assert.deepStrictEqual(
      [i.manageMasterUserPassword, i.password, i.iamDatabaseAuthenticationEnabled, i.publiclyAccessible],
      [true, undefined, true, false],
    );
    assert.deepStrictEqual(
      [
        i.multiAz,
        i.backupRetentionPeriod,
        i.deletionProtection,
        i.skipFinalSnapshot,
        i.finalSnapshotIdentifier,
      ],
      [false, 7, false, true, undefined],
    );
    assert.deepStrictEqual([i.allocatedStorage, i.maxAllocatedStorage], [20, 100]);
    assert.deepStrictEqual(
      [i.performanceInsightsEnabled, i.performanceInsightsKmsKeyId, i.monitoringInterval],
      [true, key.outputs.arn, 60],
    );
    assert.strictEqual(i.monitoringRoleArn, named(resources, "db-monitoring-role").outputs.arn);
    assert.strictEqual(db.options.protect ?? false, false);
    assert.deepStrictEqual(named(resources, "db-subnets").inputs.subnetIds, ["subnet-i1", "subnet-i2"]);
    const params = named(resources, "db-params").inputs;
    assert.strictEqual(params.family, "postgres16");
    assert.deepStrictEqual(
      (params.parameters as { name: string; value: string }[]).find((p) => p.name === "rds.force_ssl")?.value,
      "1",
    );
    assert.strictEqual(i.parameterGroupName, named(resources, "db-params").outputs.name);
    assert.strictEqual(
      ofType(resources, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication")
        .length,
      0,
    );
    assert.deepStrictEqual(reached.at(-1), ["secretsmanager"]);
  });

  it("takes the engine version and automatic minor upgrades from the settings, both ways", async () => {
    const pinned = { ...staging, engineVersion: "16.6", autoMinorVersionUpgrade: false };
    for (const settings of [staging, pinned]) {
      const { resources } = await evaluate(() => new Database("db", args(settings)));
      const i = named(resources, "db-postgres").inputs;
      assert.deepStrictEqual(
        [i.engineVersion, i.autoMinorVersionUpgrade, named(resources, "db-params").inputs.family],
        [settings.engineVersion, settings.autoMinorVersionUpgrade, "postgres16"],
      );
    }
  });

  it("admits PostgreSQL only from the application security groups and the migration runner", async () => {
    const { resources } = await evaluate(() => new Database("db", args(staging)));
    const db = named(resources, "db-sg");
    const runner = named(resources, "db-migrate-sg");
    // Standalone rules only: no group of the component declares inline rules.
    for (const sg of [db, runner])
      assert.deepStrictEqual([sg.inputs.ingress, sg.inputs.egress], [undefined, undefined]);
    const rules = (type: string) =>
      ofType(resources, type).map((r) => {
        const p = r.inputs;
        return [
          r.name,
          p.securityGroupId,
          p.ipProtocol,
          p.fromPort,
          p.toPort,
          p.referencedSecurityGroupId ?? p.cidrIpv4,
        ];
      });
    assert.deepStrictEqual(rules("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), [
      ["db-from-app", db.id, "tcp", 5432, 5432, "sg-app"],
      ["db-from-migrate", db.id, "tcp", 5432, 5432, runner.id],
    ]);
    // Each client's own group gets a way out to the database, and to nothing else; the runner also HTTPS.
    assert.deepStrictEqual(rules("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"), [
      ["db-migrate-https", runner.id, "tcp", 443, 443, "0.0.0.0/0"],
      ["db-app-to-db", "sg-app", "tcp", 5432, 5432, db.id],
      ["db-migrate-to-db", runner.id, "tcp", 5432, 5432, db.id],
    ]);
    assert.deepStrictEqual(named(resources, "db-postgres").inputs.vpcSecurityGroupIds, [db.id]);
  });

  it("adds no rule out of a client whose egress is open (EKS's cluster security group)", async () => {
    const eks = { name: "eks", securityGroupId: "sg-cluster", egressOpen: true };
    const { resources } = await evaluate(() => new Database("db", args(staging, { clients: [eks] })));
    assert.deepStrictEqual(
      ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => [
        r.name,
        r.inputs.referencedSecurityGroupId,
      ]),
      [
        ["db-from-eks", "sg-cluster"],
        ["db-from-migrate", named(resources, "db-migrate-sg").id],
      ],
    );
    assert.ok(
      !ofType(resources, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").some(
        (r) => r.inputs.securityGroupId === "sg-cluster",
      ),
    );
  });

  it("prod: Multi-AZ, 30-day backups, deletion protection, final snapshot, protect, backups replicated to us-west-2", async () => {
    const { resources } = await evaluate(() => {
      const replica = new aws.Provider("replica", { region: "us-west-2" });
      new Database("db", args(prod, { protect: true, replicaProvider: replica }));
    });
    const i = named(resources, "db-postgres").inputs;
    assert.deepStrictEqual(
      [
        i.instanceClass,
        i.multiAz,
        i.backupRetentionPeriod,
        i.deletionProtection,
        i.skipFinalSnapshot,
        i.finalSnapshotIdentifier,
      ],
      ["db.t4g.medium", true, 30, true, false, "db-final"],
    );
    assert.strictEqual(named(resources, "db-postgres").options.protect, true);
    const replication = named(resources, "db-backup-replica");
    const replicaKey = named(resources, "db-replica-key");
    assert.deepStrictEqual(replication.inputs, {
      ...replication.inputs,
      sourceDbInstanceArn: named(resources, "db-postgres").outputs.arn,
      retentionPeriod: 30,
      kmsKeyId: replicaKey.outputs.arn,
    });
    assert.match(String(replication.provider), /::replica::/);
    assert.match(String(replicaKey.provider), /::replica::/);
  });

  it("refuses backup replication without a provider in the replica region", () => {
    assert.throws(() => new Database("db", args(prod)), {
      message: "Database db: replicaProvider = undefined: is required: backups are replicated to us-west-2",
    });
  });

  it("runs the migrations in the private subnets with read access to the master secret only, on every change", async () => {
    const { resources } = await evaluate(() => new Database("db", args(staging)));
    const runner = named(resources, "db-migrate-fn");
    const fn = runner.inputs;
    assert.deepStrictEqual(fn.vpcConfig, {
      subnetIds: ["subnet-p1", "subnet-p2"],
      securityGroupIds: [named(resources, "db-migrate-sg").id],
    });
    // Built by createPlatformFunction, under the names it had before: `pulumi up` keeps the deployed function.
    assert.deepStrictEqual(runner.options.aliases, [runner.urn.replace(/::db-migrate-fn$/, "::db-migrate")]);
    assert.deepStrictEqual(named(resources, "db-migrate-role-policy").options.aliases, [
      runner.urn.replace(
        /lambda\/function:Function::db-migrate-fn$/,
        "iam/rolePolicy:RolePolicy::db-migrate-policy",
      ),
    ]);
    const env = (fn.environment as { variables: Record<string, string> }).variables;
    assert.deepStrictEqual(Object.keys(env).sort(), [
      "DB_HOST",
      "DB_NAME",
      "DB_PORT",
      "DB_SECRET_ARN",
      "NODE_EXTRA_CA_CERTS",
      "NODE_OPTIONS",
    ]);
    assert.deepStrictEqual([fn.timeout, fn.memorySize, fn.reservedConcurrentExecutions], [300, 256, 1]);
    // The network interfaces' managed policy, in place before the function is created.
    const vpcAccess = named(resources, "db-migrate-vpc-access");
    assert.match(
      String(vpcAccess.inputs.policyArn),
      /:iam::aws:policy\/service-role\/AWSLambdaVPCAccessExecutionRole$/,
    );
    assert.ok(runner.dependencies.includes(vpcAccess.urn));
    // The master secret RDS creates (its ARN comes from the instance), not an empty or unknown value.
    assert.strictEqual(
      env.DB_SECRET_ARN,
      (named(resources, "db-postgres").outputs.masterUserSecrets as Array<{ secretArn: string }>)[0]
        .secretArn,
    );
    assert.match(
      env.DB_SECRET_ARN as string,
      /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:rds!db-[0-9a-f-]{36}-\w{6}$/,
    );
    const logs = String(named(resources, "db-migrate-logs").outputs.arn);
    assert.deepStrictEqual(
      grantsOf(
        policyDocument(named(resources, "db-migrate-role-policy")).Statement as unknown as Statement[],
      ),
      [
        grant("kms:Decrypt", String(named(resources, "db-key").outputs.arn)),
        grant("logs:CreateLogStream", `${logs}:log-stream:*`),
        grant("logs:PutLogEvents", `${logs}:log-stream:*`),
        grant("secretsmanager:GetSecretValue", env.DB_SECRET_ARN),
        // Active tracing sends its segments (X-Ray's write actions take no resource).
        grant("xray:PutTelemetryRecords", "*"),
        grant("xray:PutTraceSegments", "*"),
      ].sort(),
    );
    // The SQL files travel in the code archive, and their digest is part of the code hash.
    const code = fn.code as { assets: Record<string, { path?: string }> };
    assert.ok(code.assets.migrations.path?.endsWith("/migrations"), JSON.stringify(Object.keys(code.assets)));
    const run = named(resources, "db-migrate-run").inputs;
    const triggers = run.triggers as { migrations: string };
    assert.match(triggers.migrations, /^[0-9a-f]{64}$/);
    assert.deepStrictEqual(JSON.parse(String(run.input)), { migrationsSha256: triggers.migrations });
  });

  it("alarms on CPU, free storage and connections to the alerts topic", async () => {
    const { resources } = await evaluate(() => new Database("db", args(staging)));
    const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepStrictEqual(
      alarms.map((a) => [a.name, a.inputs.metricName, a.inputs.threshold, a.inputs.alarmActions]),
      [
        ["db-cpu", "CPUUtilization", 80, ["arn:aws:sns:us-east-1:123456789012:alerts"]],
        ["db-free-storage", "FreeStorageSpace", 10737418240, ["arn:aws:sns:us-east-1:123456789012:alerts"]],
        // db.t4g.micro: LEAST(1 GiB / 9531392, 5000) = 112 connections; 80 % of it.
        ["db-connections", "DatabaseConnections", 89, ["arn:aws:sns:us-east-1:123456789012:alerts"]],
      ],
    );
    const connections = named(resources, "db-connections").inputs;
    assert.deepStrictEqual(
      [
        connections.statistic,
        connections.period,
        connections.evaluationPeriods,
        connections.comparisonOperator,
      ],
      ["Maximum", 300, 2, "GreaterThanThreshold"],
    );
    assert.strictEqual(
      connections.alarmDescription,
      "db: more than 80 % of the 112 connections db.t4g.micro allows for 10 minutes",
    );
  });

  it("derives the connections threshold from the instance class's memory and the configured percentage", () => {
    assert.deepStrictEqual(
      [
        connectionsThreshold(staging),
        connectionsThreshold({ ...staging, instanceClass: "db.t4g.medium" }),
        connectionsThreshold({ ...staging, instanceClass: "db.r7g.xlarge", connectionsAlarmPercent: 90 }),
        // 64 GiB would allow 7209: RDS caps max_connections at 5000.
        connectionsThreshold({ ...staging, instanceClass: "db.r7g.2xlarge", connectionsAlarmPercent: 50 }),
      ],
      [89, 360, 3243, 2500],
    );
    assert.deepStrictEqual(
      [postgresMaxConnections("db.t4g.micro"), postgresMaxConnections("db.m7g.large")],
      [112, 901],
    );
  });

  it("refuses an instance class without a known memory size", () => {
    assert.throws(() => new Database("db", args({ ...staging, instanceClass: "db.x9.huge" })), {
      message:
        'Database db: settings.instanceClass = "db.x9.huge": must be one of db.t4g.micro, db.t4g.small, ' +
        "db.t4g.medium, db.t4g.large, db.t4g.xlarge, db.t4g.2xlarge, db.m7g.large, db.m7g.xlarge, db.m7g.2xlarge, " +
        "db.m6g.large, db.m6g.xlarge, db.r7g.large, db.r7g.xlarge, db.r7g.2xlarge, db.r6g.large, db.r6g.xlarge, " +
        "db.r6g.2xlarge (their memory sets max_connections)",
    });
  });
});
