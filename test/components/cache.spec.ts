import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Cache, CacheArgs, checkCacheArgs, memberClusterSuffixes } from "../../components/cache";
import { platformProvider } from "../../components/shared/tagging";
import { CacheConfig, readCache } from "../../config/cache";
import { ConfigReader, mapConfigSource } from "../../config/reader";
import { EXEMPTED_PREFIX } from "../../policy/lib/framework";
import { policies } from "../../policy/policies";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { readStack } from "../../tools/offline/stack-files";
import { check, evaluate, named, ofType, policyDocument, REPO_ROOT } from "../helpers/offline";

/** No finding but one: secret-rotation on the AUTH secret, exempted with a reason (docs/cache.md). */
function assertPassesPack(violations: Awaited<ReturnType<typeof check>>): void {
  const exempted = (v: (typeof violations)[number]) => v.message.split("\n")[1]?.startsWith(EXEMPTED_PREFIX);
  assert.deepStrictEqual(
    violations.filter((v) => !exempted(v)).map((v) => `${v.policy} (${v.enforcementLevel}): ${v.message}`),
    [],
  );
  assert.deepStrictEqual(
    violations.filter(exempted).map((v) => [v.policy, v.name, v.enforcementLevel]),
    [["secret-rotation", "cache-auth", "advisory"]],
  );
}

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const TOKEN = "test-cache-token-0123456789abcdef";
/** How the engine marks a secret value: the token reaches the provider as a secret, never in plain text. */
const SECRET_TOKEN = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: TOKEN };
/** The plain value of a secret-marked input. */
const reveal = (v: unknown) => (v as { value: unknown }).value;

/** The cache settings a stack's files give (Pulumi.yaml defaults, ESC values, the stack file). */
function settingsOf(stack: string, changes: Record<string, string> = {}): CacheConfig {
  const input = readStack(REPO_ROOT, stack);
  const values = { ...input.config, ...changes };
  const r = new ConfigReader(mapConfigSource(values, input.secretKeys), "agent-platform");
  const cache = readCache(r);
  if (!cache) throw new Error(`${stack} runs no cache`);
  return cache;
}

const network = { vpcId: "vpc-1", isolatedSubnetIds: ["subnet-i1", "subnet-i2", "subnet-i3"] };
const args = (settings: CacheConfig, extra: Partial<CacheArgs> = {}): CacheArgs => ({
  settings,
  authToken: pulumi.secret(TOKEN),
  network,
  clients: [{ name: "web", securityGroupId: "sg-web" }],
  logRetentionDays: 30,
  alarmTopicArn: TOPIC,
  ...extra,
});

async function cacheOf(stack: string, a: CacheArgs): Promise<RegisteredResource[]> {
  const { resources } = await evaluate(
    () =>
      new Cache("cache", a, {
        providers: {
          aws: platformProvider(
            "aws",
            "us-east-1",
            {
              Environment: stack,
              Project: "agent-platform",
              Owner: "platform-team",
            },
            ["123456789012"],
          ),
        },
      }),
    { stack },
  );
  return resources;
}

const ALARM_METRICS = [
  "DatabaseMemoryUsagePercentage",
  "Evictions",
  "EngineCPUUtilization",
  "CurrConnections",
];

describe("Cache", function () {
  this.timeout(60_000);

  describe("staging: one cache.t4g.micro node, no failover", () => {
    let resources: RegisteredResource[];
    const settings = settingsOf("staging");
    before(async () => {
      resources = await cacheOf("staging", args(settings));
    });

    it("registers exactly the key, logs, subnet and parameter groups, security group, group, secret and alarms", () => {
      const names = resources.filter((r) => r.custom && r.type !== "pulumi:providers:aws").map((r) => r.name);
      assert.deepStrictEqual(names.sort(), [
        "cache-001-connections",
        "cache-001-engine-cpu",
        "cache-001-evictions",
        "cache-001-memory",
        "cache-auth",
        "cache-auth-value",
        "cache-engine-log",
        "cache-from-web",
        "cache-key",
        "cache-params",
        "cache-sg",
        "cache-slow-log",
        "cache-subnets",
        "cache-valkey",
        "cache-web-to-cache",
      ]);
    });

    it("requires TLS, encrypts at rest with its own rotated key, and requires the AUTH token", () => {
      const group = named(resources, "cache-valkey");
      const key = named(resources, "cache-key");
      const i = group.inputs;
      assert.strictEqual(key.inputs.enableKeyRotation, true);
      assert.deepStrictEqual(
        [i.engine, i.engineVersion, i.port, i.transitEncryptionEnabled, i.transitEncryptionMode],
        ["valkey", "8.0", 6379, true, "required"],
      );
      assert.deepStrictEqual([i.atRestEncryptionEnabled, i.kmsKeyId], [true, key.outputs.arn]);
      assert.deepStrictEqual([i.authToken, i.authTokenUpdateStrategy], [SECRET_TOKEN, "ROTATE"]);
    });

    it("runs one node without failover or Multi-AZ, cluster mode off, 7-day snapshots, windows from config", () => {
      const i = named(resources, "cache-valkey").inputs;
      assert.deepStrictEqual(
        {
          nodeType: i.nodeType,
          clusterMode: i.clusterMode,
          numCacheClusters: i.numCacheClusters,
          numNodeGroups: i.numNodeGroups,
          automaticFailoverEnabled: i.automaticFailoverEnabled,
          multiAzEnabled: i.multiAzEnabled,
          snapshotRetentionLimit: i.snapshotRetentionLimit,
          snapshotWindow: i.snapshotWindow,
          maintenanceWindow: i.maintenanceWindow,
          finalSnapshotIdentifier: i.finalSnapshotIdentifier,
        },
        {
          nodeType: "cache.t4g.micro",
          clusterMode: "disabled",
          numCacheClusters: 1,
          numNodeGroups: undefined,
          automaticFailoverEnabled: false,
          multiAzEnabled: false,
          snapshotRetentionLimit: 7,
          snapshotWindow: "03:00-04:00",
          maintenanceWindow: "sun:05:00-sun:06:00",
          finalSnapshotIdentifier: undefined,
        },
      );
      const params = named(resources, "cache-params");
      assert.strictEqual(params.inputs.family, "valkey8");
      assert.deepStrictEqual(params.inputs.parameters, [{ name: "cluster-enabled", value: "no" }]);
      assert.strictEqual(i.parameterGroupName, params.inputs.name);
    });

    it("lives in the isolated subnets, admitted on 6379 only from the application security groups", () => {
      const group = named(resources, "cache-valkey");
      const subnets = named(resources, "cache-subnets");
      const sg = named(resources, "cache-sg");
      assert.deepStrictEqual(subnets.inputs.subnetIds, network.isolatedSubnetIds);
      assert.strictEqual(group.inputs.subnetGroupName, subnets.inputs.name);
      assert.deepStrictEqual(group.inputs.securityGroupIds, [sg.id]);
      // Standalone rules only; nothing out of the cache, and no CIDR anywhere.
      assert.deepStrictEqual([sg.inputs.ingress, sg.inputs.egress], [undefined, undefined]);
      const rule = (name: string) => {
        const p = named(resources, name).inputs;
        return [
          p.securityGroupId,
          p.ipProtocol,
          p.fromPort,
          p.toPort,
          p.referencedSecurityGroupId,
          p.description,
        ];
      };
      assert.deepStrictEqual(rule("cache-from-web"), [
        sg.id,
        "tcp",
        6379,
        6379,
        "sg-web",
        "Valkey (TLS) from an application security group",
      ]);
      assert.deepStrictEqual(rule("cache-web-to-cache"), [
        "sg-web",
        "tcp",
        6379,
        6379,
        sg.id,
        "To the cache cache (Valkey over TLS)",
      ]);
      const rules = resources.filter((r) => r.type.startsWith("aws:vpc/securityGroup"));
      assert.strictEqual(JSON.stringify(rules.map((r) => r.inputs)).includes("cidr"), false);
    });

    it("stores endpoint and token in a secret encrypted with the key, and exposes its ARN", async () => {
      const key = named(resources, "cache-key");
      const secret = named(resources, "cache-auth");
      assert.strictEqual(secret.inputs.kmsKeyId, key.outputs.arn);
      const value = named(resources, "cache-auth-value");
      assert.strictEqual(value.inputs.secretId, secret.id);
      const group = named(resources, "cache-valkey");
      assert.deepStrictEqual(JSON.parse(reveal(value.inputs.secretString) as string), {
        host: group.outputs.primaryEndpointAddress,
        port: 6379,
        tls: true,
        authToken: TOKEN,
      });
    });

    it("delivers slow and engine logs as JSON to log groups encrypted with the key, which only Logs may use", () => {
      const key = named(resources, "cache-key");
      const groups = ["slow-log", "engine-log"].map((t) => named(resources, `cache-${t}`));
      assert.deepStrictEqual(
        groups.map((g) => [g.inputs.name, g.inputs.retentionInDays, g.inputs.kmsKeyId]),
        [
          ["/aws/elasticache/cache-staging/slow-log", 30, key.outputs.arn],
          ["/aws/elasticache/cache-staging/engine-log", 30, key.outputs.arn],
        ],
      );
      assert.deepStrictEqual(named(resources, "cache-valkey").inputs.logDeliveryConfigurations, [
        {
          destinationType: "cloudwatch-logs",
          destination: "/aws/elasticache/cache-staging/slow-log",
          logFormat: "json",
          logType: "slow-log",
        },
        {
          destinationType: "cloudwatch-logs",
          destination: "/aws/elasticache/cache-staging/engine-log",
          logFormat: "json",
          logType: "engine-log",
        },
      ]);
      const logs = policyDocument(key).Statement.find((s) => s.Sid === "LogsEncryptCacheLogs")!;
      assert.deepStrictEqual(logs.Condition, {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn":
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/elasticache/cache-staging/*",
        },
      });
    });

    it("alarms on the node's memory, evictions, engine CPU and connections at the configured thresholds", () => {
      const group = named(resources, "cache-valkey");
      const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
      assert.deepStrictEqual(
        alarms.map((a) => [
          a.inputs.metricName,
          a.inputs.namespace,
          a.inputs.dimensions,
          a.inputs.statistic,
          a.inputs.evaluationPeriods,
          a.inputs.threshold,
          a.inputs.comparisonOperator,
          a.inputs.alarmActions,
          a.inputs.okActions,
        ]),
        [
          ["DatabaseMemoryUsagePercentage", "Average", 3, 80],
          ["Evictions", "Sum", 1, 100],
          ["EngineCPUUtilization", "Average", 3, 90],
          ["CurrConnections", "Maximum", 3, 5000],
        ].map(([metric, stat, periods, threshold]) => [
          metric,
          "AWS/ElastiCache",
          { CacheClusterId: `${group.inputs.replicationGroupId}-001` },
          stat,
          periods,
          threshold,
          "GreaterThanThreshold",
          [TOPIC],
          [TOPIC],
        ]),
      );
    });

    it("passes the policy pack (the AUTH secret's rotation exempted: it rotates through config)", async () => {
      assertPassesPack(await check(policies, resources));
    });
  });

  describe("prod: cluster mode, two shards with a replica, failover, Multi-AZ, protected", () => {
    let resources: RegisteredResource[];
    const settings = settingsOf("prod");
    before(async () => {
      resources = await cacheOf("prod", args(settings, { protect: true, logRetentionDays: 90 }));
    });

    it("shards over two node groups with a replica each, fails over across zones, keeps 14 days", () => {
      const group = named(resources, "cache-valkey");
      const i = group.inputs;
      assert.deepStrictEqual(
        [i.nodeType, i.clusterMode, i.numNodeGroups, i.replicasPerNodeGroup, i.numCacheClusters],
        ["cache.t4g.medium", "enabled", 2, 1, undefined],
      );
      assert.deepStrictEqual(
        [i.automaticFailoverEnabled, i.multiAzEnabled, i.snapshotRetentionLimit],
        [true, true, 14],
      );
      assert.deepStrictEqual(
        [i.transitEncryptionEnabled, i.transitEncryptionMode, i.atRestEncryptionEnabled, i.authToken],
        [true, "required", true, SECRET_TOKEN],
      );
      assert.deepStrictEqual([group.options.protect, i.finalSnapshotIdentifier], [true, "cache-final"]);
      assert.deepStrictEqual(named(resources, "cache-params").inputs.parameters, [
        { name: "cluster-enabled", value: "yes" },
      ]);
    });

    it("hands clients the configuration endpoint", () => {
      const group = named(resources, "cache-valkey");
      const value = JSON.parse(reveal(named(resources, "cache-auth-value").inputs.secretString) as string);
      assert.match(value.host, /^clustercfg\.cache-valkey-[0-9a-f]{7}\./);
      assert.strictEqual(value.host, group.outputs.configurationEndpointAddress);
    });

    it("alarms on every node of every shard (4 nodes x 4 metrics)", () => {
      const group = named(resources, "cache-valkey");
      const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
      const nodes = ["0001-001", "0001-002", "0002-001", "0002-002"];
      assert.deepStrictEqual(
        alarms.map((a) => [
          a.name,
          a.inputs.metricName,
          (a.inputs.dimensions as Record<string, string>).CacheClusterId,
        ]),
        nodes.flatMap((n) =>
          ["memory", "evictions", "engine-cpu", "connections"].map((s, k) => [
            `cache-${n}-${s}`,
            ALARM_METRICS[k],
            `${group.inputs.replicationGroupId}-${n}`,
          ]),
        ),
      );
    });

    it("passes the policy pack, production rules included", async () => {
      assertPassesPack(await check(policies, resources));
    });
  });

  it("takes alarm thresholds from config", async () => {
    const settings = settingsOf("staging", {
      "agent-platform:cacheMemoryAlarmPercent": "65",
      "agent-platform:cacheEvictionsAlarmThreshold": "0",
      "agent-platform:cacheEngineCpuAlarmPercent": "70",
      "agent-platform:cacheConnectionsAlarmThreshold": "250",
    });
    const resources = await cacheOf("staging", args(settings, { alarmTopicArn: undefined }));
    const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepStrictEqual(
      alarms.map((a) => [a.inputs.metricName, a.inputs.threshold, a.inputs.alarmActions]),
      [
        ["DatabaseMemoryUsagePercentage", 65, undefined],
        ["Evictions", 0, undefined],
        ["EngineCPUUtilization", 70, undefined],
        ["CurrConnections", 250, undefined],
      ],
    );
  });

  it("names member clusters as ElastiCache does", () => {
    const s = settingsOf("staging");
    assert.deepStrictEqual(memberClusterSuffixes({ ...s, replicasPerShard: 2 }), ["001", "002", "003"]);
    assert.deepStrictEqual(
      memberClusterSuffixes({ ...s, clusterMode: true, shards: 3, replicasPerShard: 0 }),
      ["0001-001", "0002-001", "0003-001"],
    );
  });

  it("refuses settings AWS refuses, with exact messages", () => {
    const s = settingsOf("staging");
    assert.throws(() => checkCacheArgs("cache", { ...s, shards: 2 }), {
      message:
        "Cache cache: settings.shards = 2: must be 1 unless settings.clusterMode is true (only cluster mode shards data)",
    });
    assert.throws(() => checkCacheArgs("cache", { ...s, clusterMode: true, replicasPerShard: 1 }), {
      message:
        "Cache cache: settings.automaticFailover = false: must be true when settings.clusterMode is true " +
        "(ElastiCache runs cluster mode only with automatic failover)",
    });
    assert.throws(() => checkCacheArgs("cache", { ...s, clusterMode: true, automaticFailover: true }), {
      message:
        "Cache cache: settings.automaticFailover = true: needs settings.replicasPerShard of at least 1 (failover " +
        "promotes a replica; ElastiCache refuses it without one)",
    });
    assert.throws(() => checkCacheArgs("cache", { ...s, multiAz: true, replicasPerShard: 1 }), {
      message:
        "Cache cache: settings.multiAz = true: needs settings.automaticFailover true (ElastiCache requires it for Multi-AZ)",
    });
  });
});
