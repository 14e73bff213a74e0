import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { nested, throwIfProblems } from "../lib/problems";
import { CACHE_ENGINE, CACHE_FIELDS, CACHE_PORT, CacheSettings, cacheProblems } from "./cache-args";
import { awsContext } from "./shared/aws-context";
import { keyWithLogs } from "./shared/kms-statements";
import { admitClients, GroupClient } from "./shared/security-group-rules";
import { PlatformComponent } from "./shared/tagging";

/** What the cache needs of the Network component. */
export interface CacheNetwork {
  readonly vpcId: pulumi.Input<string>;
  readonly isolatedSubnetIds: pulumi.Input<string[]>;
}

export interface CacheArgs {
  /** Engine, topology, windows and alarm thresholds (cache-args.ts). No default. */
  readonly settings: CacheSettings;
  /** The AUTH token (a config secret); also stored in a Secrets Manager secret for the applications. */
  readonly authToken: pulumi.Input<string>;
  /** The VPC and its isolated subnets (the Network component). No default. */
  readonly network: CacheNetwork;
  /** The application tiers admitted on 6379; nothing else is. */
  readonly clients: readonly GroupClient[];
  /** Retention of the slow-log and engine-log groups (CloudWatch's allowed values). */
  readonly logRetentionDays: number;
  /** The alerts topic; every alarm notifies it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** The `protect` option on the replication group (protectStateful); also takes a final snapshot on delete. */
  readonly protect?: boolean;
}

/** Every problem with the settings, as one Error naming the component; checked before anything is registered. */
export function checkCacheArgs(name: string, s: CacheSettings): void {
  throwIfProblems("Cache", name, cacheProblems(s, nested(CACHE_FIELDS, "settings")));
}

/**
 * The ids ElastiCache gives the member clusters (nodes), which its host metrics use as CacheClusterId:
 * `<group>-<node>` without cluster mode, `<group>-<shard>-<node>` with it (shard 4 digits, node 3 digits).
 */
export function memberClusterSuffixes(s: CacheSettings): string[] {
  const nodes = Array.from({ length: s.replicasPerShard + 1 }, (_, i) => String(i + 1).padStart(3, "0"));
  if (!s.clusterMode) return nodes;
  return Array.from({ length: s.shards }, (_, i) => String(i + 1).padStart(4, "0")).flatMap((shard) =>
    nodes.map((n) => `${shard}-${n}`),
  );
}

/** The alarms, one per metric and node: metric, statistic, periods, comparison, threshold from config. */
function alarmSpecs(s: CacheSettings) {
  const t = s.alarms;
  return [
    {
      suffix: "memory",
      metricName: "DatabaseMemoryUsagePercentage",
      statistic: "Average",
      evaluationPeriods: 3,
      threshold: t.memoryPercent,
      what: `memory above ${t.memoryPercent} % of maxmemory for 15 minutes`,
    },
    {
      suffix: "evictions",
      metricName: "Evictions",
      statistic: "Sum",
      evaluationPeriods: 1,
      threshold: t.evictions,
      what: `more than ${t.evictions} keys evicted in 5 minutes`,
    },
    {
      suffix: "engine-cpu",
      metricName: "EngineCPUUtilization",
      statistic: "Average",
      evaluationPeriods: 3,
      threshold: t.engineCpuPercent,
      what: `engine thread above ${t.engineCpuPercent} % CPU for 15 minutes`,
    },
    {
      suffix: "connections",
      metricName: "CurrConnections",
      statistic: "Maximum",
      evaluationPeriods: 3,
      threshold: t.connections,
      what: `more than ${t.connections} client connections for 15 minutes`,
    },
  ];
}

/**
 * `agent-platform:index:Cache`: an ElastiCache for Valkey replication group in the isolated subnets, reachable
 * on 6379 only from the given application security groups; TLS required in transit, encrypted at rest with a
 * stack key, AUTH token required (and kept in a Secrets Manager secret for the applications); cluster mode,
 * failover, Multi-AZ, snapshots and windows from config; slow and engine logs to encrypted log groups; alarms
 * per node on memory, evictions, engine CPU and connections.
 */
export class Cache extends PlatformComponent {
  /** Where clients connect: the configuration endpoint in cluster mode, the primary endpoint otherwise. */
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  /** Secrets Manager secret (JSON: host, port, tls, authToken) the applications read by ARN. */
  readonly authSecretArn: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  readonly replicationGroupId: pulumi.Output<string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
    checkCacheArgs(name, args.settings);
    super("agent-platform:index:Cache", name, "cache", opts);
    const s = args.settings;
    // Log group names are fixed so the key policy can name them before they exist.
    const logPrefix = `/aws/elasticache/${name}-${pulumi.getStack()}`;
    const key = keyWithLogs(this, name, awsContext(this), {
      description: `${name}: cache data at rest, its AUTH token secret and its logs`,
      logsSid: "LogsEncryptCacheLogs",
      logGroupName: `${logPrefix}/*`,
      pattern: true,
    });
    const logGroups = (["slow-log", "engine-log"] as const).map(
      (logType) =>
        new aws.cloudwatch.LogGroup(
          `${name}-${logType}`,
          { name: `${logPrefix}/${logType}`, retentionInDays: args.logRetentionDays, kmsKeyId: key.arn },
          { parent: this },
        ),
    );

    const subnetGroup = new aws.elasticache.SubnetGroup(
      `${name}-subnets`,
      { description: `${name}: isolated subnets`, subnetIds: args.network.isolatedSubnetIds },
      { parent: this },
    );
    const parameters = new aws.elasticache.ParameterGroup(
      `${name}-params`,
      {
        family: `${CACHE_ENGINE}${s.engineVersion.split(".")[0]}`,
        description: `${name}: cluster mode ${s.clusterMode ? "on" : "off"}`,
        parameters: [{ name: "cluster-enabled", value: s.clusterMode ? "yes" : "no" }],
      },
      { parent: this },
    );
    // Standalone rules only (shared/security-group-rules.ts). The cache opens no connections: no egress rule.
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.network.vpcId,
        description: `${name}: Valkey from the admitted application tiers only (standalone rules)`,
        tags: { Name: `${name}-sg` },
      },
      { parent: this },
    );
    // The clients' own groups get a way out to the cache only (the task groups allow HTTPS alone).
    admitClients(this, name, "cache", {
      server: sg.id,
      clients: args.clients,
      port: CACHE_PORT,
      description: "Valkey (TLS) from an application security group",
      clientDescription: `To the ${name} cache (Valkey over TLS)`,
    });

    const topology = s.clusterMode
      ? { numNodeGroups: s.shards, replicasPerNodeGroup: s.replicasPerShard }
      : { numCacheClusters: s.replicasPerShard + 1 };
    const group = new aws.elasticache.ReplicationGroup(
      `${name}-valkey`,
      {
        description: `${name}: Valkey ${s.engineVersion}, cluster mode ${s.clusterMode ? "on" : "off"}`,
        engine: CACHE_ENGINE,
        engineVersion: s.engineVersion,
        nodeType: s.nodeType,
        port: CACHE_PORT,
        clusterMode: s.clusterMode ? "enabled" : "disabled",
        ...topology,
        automaticFailoverEnabled: s.automaticFailover,
        multiAzEnabled: s.multiAz,
        parameterGroupName: parameters.name,
        subnetGroupName: subnetGroup.name,
        securityGroupIds: [sg.id],
        atRestEncryptionEnabled: true,
        kmsKeyId: key.arn,
        transitEncryptionEnabled: true,
        transitEncryptionMode: "required",
        authToken: pulumi.secret(args.authToken),
        // A changed token is added beside the old one, so clients move over without an outage; a later SET
        // (or the next change) retires the old one. See docs/cache.md.
        authTokenUpdateStrategy: "ROTATE",
        snapshotRetentionLimit: s.snapshotRetentionDays,
        snapshotWindow: s.snapshotWindow,
        maintenanceWindow: s.maintenanceWindow,
        autoMinorVersionUpgrade: true,
        ...(args.protect ? { finalSnapshotIdentifier: `${name}-final` } : {}),
        logDeliveryConfigurations: logGroups.map((lg, i) => ({
          destinationType: "cloudwatch-logs",
          destination: lg.name,
          logFormat: "json",
          logType: i === 0 ? "slow-log" : "engine-log",
        })),
      },
      { parent: this, protect: args.protect ?? false },
    );
    this.endpoint = s.clusterMode ? group.configurationEndpointAddress : group.primaryEndpointAddress;
    this.port = pulumi.output(CACHE_PORT);

    const secret = new aws.secretsmanager.Secret(
      `${name}-auth`,
      {
        description: `${name}: Valkey endpoint and AUTH token (JSON: host, port, tls, authToken)`,
        kmsKeyId: key.arn,
        // The token is stack config the replication group also takes: a Secrets Manager rotation would be undone
        // by the next `pulumi up`, so it rotates through config (docs/cache.md).
        tags: {
          "policy-exempt:secret-rotation":
            "the AUTH token is stack config: change cacheAuthToken in ESC and pulumi up rotates it with both tokens " +
            "valid - a Secrets Manager rotation would be undone by the next up. See docs/cache.md",
        },
      },
      { parent: this },
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-auth-value`,
      {
        secretId: secret.id,
        secretString: pulumi.secret(
          pulumi.jsonStringify({
            host: this.endpoint,
            port: CACHE_PORT,
            tls: true,
            authToken: args.authToken,
          }),
        ),
      },
      { parent: this },
    );

    this.alarms = this.createAlarms(name, args, group.replicationGroupId);
    this.authSecretArn = secret.arn;
    this.securityGroupId = sg.id;
    this.replicationGroupId = group.replicationGroupId;
    this.registerOutputs({
      endpoint: this.endpoint,
      port: this.port,
      authSecretArn: this.authSecretArn,
      securityGroupId: this.securityGroupId,
      replicationGroupId: this.replicationGroupId,
    });
  }

  /** ElastiCache publishes host metrics per node (CacheClusterId): one alarm per metric and node. */
  private createAlarms(
    name: string,
    args: CacheArgs,
    groupId: pulumi.Output<string>,
  ): aws.cloudwatch.MetricAlarm[] {
    const actions = args.alarmTopicArn
      ? { alarmActions: [args.alarmTopicArn], okActions: [args.alarmTopicArn] }
      : {};
    return memberClusterSuffixes(args.settings).flatMap((node) =>
      alarmSpecs(args.settings).map(
        (a) =>
          new aws.cloudwatch.MetricAlarm(
            `${name}-${node}-${a.suffix}`,
            {
              alarmDescription: `${name} node ${node}: ${a.what}`,
              namespace: "AWS/ElastiCache",
              metricName: a.metricName,
              dimensions: { CacheClusterId: pulumi.interpolate`${groupId}-${node}` },
              statistic: a.statistic,
              period: 300,
              evaluationPeriods: a.evaluationPeriods,
              threshold: a.threshold,
              comparisonOperator: "GreaterThanThreshold",
              treatMissingData: "missing",
              ...actions,
            },
            { parent: this },
          ),
      ),
    );
  }
}
