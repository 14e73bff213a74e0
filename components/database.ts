import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { nested, Problem, throwIfProblems } from "../lib/problems";
import { postgresMaxConnections } from "../lib/rds-classes";
import { BACKUP_TAG } from "./backups";
import { DATABASE_FIELDS, DatabaseSettings, databaseProblems } from "./database-args";
import { awsContext } from "./shared/aws-context";
import { keyWithLogs } from "./shared/kms-statements";
import { createPlatformFunction, functionBundles } from "./lambda/function";
import { admitClients, GroupClient, httpsOut } from "./shared/security-group-rules";
import { PlatformComponent } from "./shared/tagging";
import { serviceTrust } from "./shared/policy-statements";

/** What the database needs of the Network component. */
export interface DatabaseNetwork {
  readonly vpcId: pulumi.Input<string>;
  readonly isolatedSubnetIds: pulumi.Input<string[]>;
  readonly privateSubnetIds: pulumi.Input<string[]>;
  requirePrivateReach(consumer: string, services: readonly string[]): void;
}

export interface DatabaseArgs {
  /** Engine, class, storage, backups and alarms (database-args.ts). No default. */
  readonly settings: DatabaseSettings;
  /** The VPC, its isolated and private subnets (the Network component). No default. */
  readonly network: DatabaseNetwork;
  /** The application tiers admitted on 5432; nothing else is (besides the migration runner). */
  readonly clients: readonly GroupClient[];
  /** Retention of the PostgreSQL and migration runner log groups, in days. No default. */
  readonly logRetentionDays: number;
  /** The alerts topic; every alarm notifies it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** The `protect` option on the instance (protectStateful). */
  readonly protect?: boolean;
  /** Provider in `settings.backupReplicaRegion`; required when it is set. */
  readonly replicaProvider?: aws.Provider;
  /** Directory of the versioned SQL files. Default: migrations/ at the repository root. */
  readonly migrationsDir?: string;
}

export const DATABASE_NAME = "platform";
export const DATABASE_PORT = 5432;

/** Every problem with `args`, as one Error naming the component; checked before anything is registered. */
export function checkDatabaseArgs(name: string, args: DatabaseArgs): void {
  const problems: Problem[] = databaseProblems(args.settings, nested(DATABASE_FIELDS, "settings"));
  if (args.settings.backupReplicaRegion !== undefined && !args.replicaProvider)
    problems.push({
      key: "replicaProvider",
      value: undefined,
      allowed: `is required: backups are replicated to ${args.settings.backupReplicaRegion}`,
    });
  throwIfProblems("Database", name, problems);
}

/** DatabaseConnections above which the connections alarm fires: a percentage of the class's max_connections. */
export function connectionsThreshold(settings: DatabaseSettings): number {
  return Math.floor(
    (postgresMaxConnections(settings.instanceClass) * settings.connectionsAlarmPercent) / 100,
  );
}

/** SHA-256 over the migration files' names and texts: the runner is invoked again when it changes. */
export function migrationsHash(dir: string): string {
  const h = createHash("sha256");
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    h.update(f)
      .update("\0")
      .update(readFileSync(join(dir, f)))
      .update("\0");
  }
  return h.digest("hex");
}

/** The migration runner's function name: fixed, so its log group and the key policy can name it first. */
function migrationFunctionName(name: string): string {
  return `${name}-migrate-${pulumi.getStack()}`;
}

/**
 * `agent-platform:index:Database`: RDS PostgreSQL in the isolated subnets, reachable on 5432 only from the
 * given application security groups and the migration runner; storage, Performance Insights and the
 * RDS-managed master secret encrypted with a stack key; SSL forced by its parameter group; IAM authentication;
 * backups/PITR, Multi-AZ, deletion protection and cross-region backup replication from config; enhanced
 * monitoring; alarms; and the migration runner Lambda, invoked whenever migrations/ changes.
 */
export class Database extends PlatformComponent {
  readonly address: pulumi.Output<string>;
  /** The DB instance identifier (what `aws rds` commands and point-in-time restores name). */
  readonly identifier: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly masterSecretArn: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  readonly instanceResourceId: pulumi.Output<string>;
  readonly migrationFunctionName: pulumi.Output<string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    checkDatabaseArgs(name, args);
    super("agent-platform:index:Database", name, "database", opts);
    const s = args.settings;
    // The runner reads the RDS-managed secret: Secrets Manager must be reachable from the private subnets
    // (staging: the NAT gateway; prod: the interface endpoint). dev would need natStrategy single or the
    // secretsmanager interface endpoint (about $14.60 a month) before turning databaseEnabled on.
    args.network.requirePrivateReach(`${name} migration runner`, ["secretsmanager"]);
    const here = awsContext(this);

    // The migration runner's log group, named before the function exists so the key policy can name it.
    const key = keyWithLogs(this, name, here, {
      description: `${name}: RDS storage, Performance Insights, the master user secret and the runner's logs`,
      logsSid: "LogsEncryptRunnerLogs",
      logGroupName: `/aws/lambda/${migrationFunctionName(name)}`,
    });
    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      { description: `${name}: isolated subnets`, subnetIds: args.network.isolatedSubnetIds },
      { parent: this },
    );
    // Standalone rules only (shared/security-group-rules.ts); the groups declare none inline.
    const runnerSg = new aws.ec2.SecurityGroup(
      `${name}-migrate-sg`,
      {
        vpcId: args.network.vpcId,
        description: `${name} migration runner: Secrets Manager over HTTPS and the database (standalone rules)`,
        tags: { Name: `${name}-migrate-sg` },
      },
      { parent: this },
    );
    httpsOut(this, `${name}-migrate-https`, runnerSg.id);
    // The database opens no connections: no egress rule (the provider removes AWS's default one).
    const dbSg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.network.vpcId,
        description: `${name}: PostgreSQL from the admitted application tiers only (standalone rules)`,
        tags: { Name: `${name}-sg` },
      },
      { parent: this },
    );
    // Each client's own group gets a way out to the database only (the tasks' groups allow HTTPS alone).
    admitClients(this, name, "db", {
      server: dbSg.id,
      clients: [...args.clients, { name: "migrate", securityGroupId: runnerSg.id }],
      port: DATABASE_PORT,
      description: "PostgreSQL from an application security group",
      clientDescription: `To the ${name} database`,
    });
    const major = s.engineVersion.split(".")[0];
    const parameters = new aws.rds.ParameterGroup(
      `${name}-params`,
      {
        family: `postgres${major}`,
        description: `${name}: SSL only, slow statements logged`,
        parameters: [
          { name: "rds.force_ssl", value: "1" },
          { name: "log_min_duration_statement", value: "1000" },
        ],
      },
      { parent: this },
    );
    const monitoringRole = new aws.iam.Role(
      `${name}-monitoring-role`,
      {
        description: `${name}: RDS enhanced monitoring`,
        assumeRolePolicy: serviceTrust("monitoring.rds.amazonaws.com", {
          condition: { StringEquals: { "aws:SourceAccount": here.accountId } },
        }),
      },
      { parent: this },
    );
    // What AmazonRDSEnhancedMonitoringRole grants, written out (it is not on the pack's managed-policy list).
    const osMetrics = pulumi.interpolate`arn:${here.partition}:logs:${here.region}:${here.accountId}:log-group:RDSOSMetrics`;
    const monitoringPolicy = new aws.iam.RolePolicy(
      `${name}-monitoring-policy`,
      {
        role: monitoringRole.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
              Resource: osMetrics,
            },
            {
              Effect: "Allow",
              Action: [
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
                "logs:GetLogEvents",
              ],
              Resource: pulumi.interpolate`${osMetrics}:log-stream:*`,
            },
          ],
        }),
      },
      { parent: this },
    );

    const db = new aws.rds.Instance(
      `${name}-postgres`,
      {
        // AWS Backup's daily plan adds copies beyond RDS's own automated backups.
        tags: { [BACKUP_TAG.key]: BACKUP_TAG.value },
        engine: "postgres",
        engineVersion: s.engineVersion,
        instanceClass: s.instanceClass,
        dbName: DATABASE_NAME,
        port: DATABASE_PORT,
        username: "platform_admin",
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: key.arn,
        iamDatabaseAuthenticationEnabled: true,
        allocatedStorage: s.allocatedStorageGb,
        maxAllocatedStorage: s.maxAllocatedStorageGb,
        storageType: "gp3",
        storageEncrypted: true,
        kmsKeyId: key.arn,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [dbSg.id],
        parameterGroupName: parameters.name,
        publiclyAccessible: false,
        multiAz: s.multiAz,
        backupRetentionPeriod: s.backupRetentionDays,
        backupWindow: "03:00-04:00",
        maintenanceWindow: "sun:04:30-sun:05:30",
        copyTagsToSnapshot: true,
        deletionProtection: s.deletionProtection,
        skipFinalSnapshot: !s.deletionProtection,
        ...(s.deletionProtection ? { finalSnapshotIdentifier: `${name}-final` } : {}),
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: key.arn,
        performanceInsightsRetentionPeriod: 7,
        monitoringInterval: s.monitoringIntervalSeconds,
        monitoringRoleArn: monitoringRole.arn,
        autoMinorVersionUpgrade: s.autoMinorVersionUpgrade,
        caCertIdentifier: "rds-ca-rsa2048-g1",
      },
      { parent: this, protect: args.protect ?? false, dependsOn: [monitoringPolicy] },
    );
    const secretArn = db.masterUserSecrets.apply((secrets) => secrets?.[0]?.secretArn ?? "");

    if (s.backupReplicaRegion !== undefined) {
      // Encrypted backups are re-encrypted in the destination region with a key of that region.
      const replicaKey = new aws.kms.Key(
        `${name}-replica-key`,
        {
          description: `${name}: automated backups replicated to ${s.backupReplicaRegion}`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
        },
        { parent: this, provider: args.replicaProvider },
      );
      new aws.rds.InstanceAutomatedBackupsReplication(
        `${name}-backup-replica`,
        { sourceDbInstanceArn: db.arn, retentionPeriod: s.backupRetentionDays, kmsKeyId: replicaKey.arn },
        { parent: this, provider: args.replicaProvider },
      );
    }

    const runner = this.migrationRunner(name, args, { db, key, runnerSg, secretArn });
    this.alarms = this.createAlarms(name, args, db);
    this.address = db.address;
    this.identifier = db.identifier;
    this.port = db.port;
    this.masterSecretArn = secretArn;
    this.securityGroupId = dbSg.id;
    this.instanceResourceId = db.resourceId;
    this.migrationFunctionName = runner.name;
    this.registerOutputs({
      address: this.address,
      identifier: this.identifier,
      port: this.port,
      masterSecretArn: this.masterSecretArn,
      securityGroupId: this.securityGroupId,
      migrationFunctionName: this.migrationFunctionName,
    });
  }

  private migrationRunner(
    name: string,
    args: DatabaseArgs,
    ctx: {
      db: aws.rds.Instance;
      key: aws.kms.Key;
      runnerSg: aws.ec2.SecurityGroup;
      secretArn: pulumi.Output<string>;
    },
  ): aws.lambda.Function {
    const dir = resolve(args.migrationsDir ?? join(__dirname, "..", "migrations"));
    const hash = migrationsHash(dir);
    const functionName = migrationFunctionName(name);
    const runner = createPlatformFunction(this, `${name}-migrate`, {
      description: "Applies the versioned SQL migrations (migrations/*.sql) to the database",
      functionName,
      // One runner at a time (the advisory lock would serialise them anyway).
      sizing: { memoryMb: 256, timeoutSeconds: 300, reservedConcurrency: 1 },
      environment: {
        DB_HOST: ctx.db.address,
        DB_PORT: String(DATABASE_PORT),
        DB_NAME: DATABASE_NAME,
        DB_SECRET_ARN: ctx.secretArn,
        // The Lambda Node.js 20+ runtimes ship the RDS CA bundle here but do not load it by default.
        NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem",
      },
      statements: [
        { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: ctx.secretArn },
        { Effect: "Allow", Action: "kms:Decrypt", Resource: ctx.key.arn },
      ],
      logKeyArn: ctx.key.arn,
      logRetentionDays: args.logRetentionDays,
      bundle: functionBundles().then((b) => b.migrate),
      // A failed migration fails `pulumi up` itself: no alarm needed to notice it.
      alarms: false,
      vpc: { subnetIds: args.network.privateSubnetIds, securityGroupIds: [ctx.runnerSg.id] },
      // The SQL files travel in the code archive: invoking the function can only apply reviewed files.
      extraCode: { assets: { migrations: new pulumi.asset.FileArchive(dir) }, sha256: hash },
      previousNames: { function: `${name}-migrate`, rolePolicy: `${name}-migrate-policy` },
    });
    const fn = runner.function;
    // Synchronous (RequestResponse): a failed migration fails `pulumi up`. Runs again only when a file changes.
    new aws.lambda.Invocation(
      `${name}-migrate-run`,
      {
        functionName: fn.name,
        input: JSON.stringify({ migrationsSha256: hash }),
        triggers: { migrations: hash },
      },
      { parent: this, dependsOn: [ctx.db] },
    );
    return fn;
  }

  private createAlarms(name: string, args: DatabaseArgs, db: aws.rds.Instance): aws.cloudwatch.MetricAlarm[] {
    const maxConnections = postgresMaxConnections(args.settings.instanceClass);
    const actions = args.alarmTopicArn
      ? { alarmActions: [args.alarmTopicArn], okActions: [args.alarmTopicArn] }
      : {};
    const common = {
      namespace: "AWS/RDS",
      dimensions: { DBInstanceIdentifier: db.identifier },
      period: 300,
      treatMissingData: "missing",
      ...actions,
    };
    return [
      new aws.cloudwatch.MetricAlarm(
        `${name}-cpu`,
        {
          ...common,
          alarmDescription: `${name}: CPU above 80 % for 15 minutes`,
          metricName: "CPUUtilization",
          statistic: "Average",
          evaluationPeriods: 3,
          threshold: 80,
          comparisonOperator: "GreaterThanThreshold",
        },
        { parent: this },
      ),
      new aws.cloudwatch.MetricAlarm(
        `${name}-free-storage`,
        {
          ...common,
          alarmDescription: `${name}: less than 10 % of the ${args.settings.maxAllocatedStorageGb} GiB storage ceiling free`,
          metricName: "FreeStorageSpace",
          statistic: "Minimum",
          evaluationPeriods: 1,
          threshold: Math.round(args.settings.maxAllocatedStorageGb * 0.1 * 1024 ** 3),
          comparisonOperator: "LessThanThreshold",
        },
        { parent: this },
      ),
      new aws.cloudwatch.MetricAlarm(
        `${name}-connections`,
        {
          ...common,
          alarmDescription: `${name}: more than ${args.settings.connectionsAlarmPercent} % of the ${maxConnections} connections ${args.settings.instanceClass} allows for 10 minutes`,
          metricName: "DatabaseConnections",
          statistic: "Maximum",
          evaluationPeriods: 2,
          threshold: connectionsThreshold(args.settings),
          comparisonOperator: "GreaterThanThreshold",
        },
        { parent: this },
      ),
    ];
  }
}
