import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
  authTokenProblem,
  parseDailyWindow,
  parseWeeklyWindow,
  windowsOverlap,
} from "../../components/cache-args";
import { CacheConfig, readCache } from "../../config/cache";
import { ConfigReader, mapConfigSource } from "../../config/reader";
import { readStack } from "../../tools/offline/stack-files";
import { REPO_ROOT } from "../helpers/offline";

const K = (name: string) => `agent-platform:${name}`;
const TOKEN = "0123456789abcdef0123456789abcdef";
const DEFAULTS: Record<string, string> = {
  cacheEngineVersion: "8.0",
  cacheNodeType: "cache.t4g.micro",
  cacheClusterMode: "false",
  cacheShards: "1",
  cacheReplicasPerShard: "0",
  cacheAutomaticFailover: "false",
  cacheMultiAz: "false",
  cacheSnapshotRetentionDays: "7",
  cacheSnapshotWindow: "03:00-04:00",
  cacheMaintenanceWindow: "sun:05:00-sun:06:00",
  cacheMemoryAlarmPercent: "80",
  cacheEngineCpuAlarmPercent: "90",
  cacheEvictionsAlarmThreshold: "100",
  cacheConnectionsAlarmThreshold: "5000",
  cacheAuthToken: TOKEN,
  cacheEnabled: "true",
};
const CLUSTER = {
  cacheClusterMode: "true",
  cacheShards: "2",
  cacheReplicasPerShard: "1",
  cacheAutomaticFailover: "true",
  cacheMultiAz: "true",
};

function read(changes: Record<string, string | undefined>, enabled = true) {
  const merged: Record<string, string | undefined> = {
    ...DEFAULTS,
    cacheEnabled: String(enabled),
    ...changes,
  };
  const values = Object.fromEntries(
    Object.entries(merged)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [K(k), v as string]),
  );
  const r = new ConfigReader(mapConfigSource(values, [K("cacheAuthToken")]), "agent-platform");
  const config = readCache(r);
  try {
    r.finish();
    return { config, problems: [] as string[] };
  } catch (e) {
    const issues = (e as { issues: { key: string; value: unknown; allowed: string }[] }).issues;
    return { config, problems: issues.map((i) => `${i.key} = ${JSON.stringify(i.value)}: ${i.allowed}`) };
  }
}
const problems = (changes: Record<string, string | undefined>, enabled = true) =>
  read(changes, enabled).problems;

function valueOf(o: pulumi.Output<string>): Promise<string> {
  return new Promise((resolve, reject) => {
    try {
      o.apply((v) => resolve(v));
    } catch (e) {
      reject(e);
    }
  });
}

describe("cache config", () => {
  it("accepts the defaults: one node, no replica, no failover, 7-day snapshots, thresholds 80/90/100/5000", () => {
    const { config, problems: found } = read({});
    assert.deepStrictEqual(found, []);
    const { authToken, ...plain } = config!;
    assert.ok(pulumi.Output.isInstance(authToken));
    assert.deepStrictEqual(plain, {
      engineVersion: "8.0",
      nodeType: "cache.t4g.micro",
      clusterMode: false,
      shards: 1,
      replicasPerShard: 0,
      automaticFailover: false,
      multiAz: false,
      snapshotRetentionDays: 7,
      snapshotWindow: "03:00-04:00",
      maintenanceWindow: "sun:05:00-sun:06:00",
      alarms: { memoryPercent: 80, engineCpuPercent: 90, evictions: 100, connections: 5000 },
    } satisfies Omit<CacheConfig, "authToken">);
  });

  it("accepts cluster mode with two shards, a replica each, failover and Multi-AZ", () => {
    assert.deepStrictEqual(problems(CLUSTER), []);
  });

  it("keeps the AUTH token a secret, required only where the cache is on", async () => {
    assert.deepStrictEqual(problems({ cacheAuthToken: undefined }), [
      "agent-platform:cacheAuthToken = undefined: is required: set it with `pulumi config set --secret`",
    ]);
    assert.deepStrictEqual(problems({ cacheAuthToken: undefined }, false), []);
    const values = Object.fromEntries(Object.entries(DEFAULTS).map(([k, v]) => [K(k), v]));
    const r = new ConfigReader(mapConfigSource(values), "agent-platform");
    readCache(r);
    assert.throws(() => r.finish(), /cacheAuthToken = "\[plain text\]": must be a secret/);
    assert.strictEqual(await valueOf(read({}).config!.authToken), TOKEN);
  });

  it("refuses AUTH tokens ElastiCache refuses, without repeating them", () => {
    assert.strictEqual(authTokenProblem(TOKEN), undefined);
    assert.strictEqual(authTokenProblem("!#$%&'()*+,-.:;<=>?[]^_`{|}~0123"), undefined);
    assert.strictEqual(authTokenProblem("short-token-123"), "is 15 characters; it must be 16-128");
    assert.strictEqual(authTokenProblem("x".repeat(129)), "is 129 characters; it must be 16-128");
    assert.strictEqual(authTokenProblem("has a space 0123456"), "must be printable ASCII without spaces");
    assert.strictEqual(authTokenProblem("tab\tseparated0123456"), "must be printable ASCII without spaces");
    for (const c of ["/", '"', "@"])
      assert.strictEqual(authTokenProblem(`abcdefgh${c}12345678`), 'must not contain /, " or @');
  });

  it("keeps shards and replicas in AWS's ranges, and shards to cluster mode", () => {
    assert.deepStrictEqual(problems({ ...CLUSTER, cacheShards: "0" }), [
      "agent-platform:cacheShards = 0: must be between 1 and 500",
    ]);
    assert.deepStrictEqual(problems({ ...CLUSTER, cacheShards: "501" }), [
      "agent-platform:cacheShards = 501: must be between 1 and 500",
      "agent-platform:cacheShards = 501: with 1 replica(s) per shard makes 1002 nodes; ElastiCache allows 500",
    ]);
    assert.deepStrictEqual(problems({ ...CLUSTER, cacheReplicasPerShard: "6" }), [
      "agent-platform:cacheReplicasPerShard = 6: must be between 0 and 5",
    ]);
    assert.deepStrictEqual(problems({ cacheShards: "2" }), [
      "agent-platform:cacheShards = 2: must be 1 unless cacheClusterMode is true (only cluster mode shards data)",
    ]);
  });

  it("refuses failover or Multi-AZ without a replica, and cluster mode without failover", () => {
    const noReplica =
      "agent-platform:cacheAutomaticFailover = true: needs cacheReplicasPerShard of at least 1 (failover promotes a " +
      "replica; ElastiCache refuses it without one)";
    assert.deepStrictEqual(problems({ cacheAutomaticFailover: "true" }), [noReplica]);
    assert.deepStrictEqual(problems({ cacheMultiAz: "true", cacheReplicasPerShard: "1" }), [
      "agent-platform:cacheMultiAz = true: needs cacheAutomaticFailover true (ElastiCache requires it for Multi-AZ)",
    ]);
    assert.deepStrictEqual(problems({ cacheMultiAz: "true", cacheAutomaticFailover: "true" }), [
      noReplica,
      "agent-platform:cacheMultiAz = true: needs cacheReplicasPerShard of at least 1 (a replica in another zone)",
    ]);
    assert.deepStrictEqual(problems({ ...CLUSTER, cacheAutomaticFailover: "false", cacheMultiAz: "false" }), [
      "agent-platform:cacheAutomaticFailover = false: must be true when cacheClusterMode is true (ElastiCache runs " +
        "cluster mode only with automatic failover)",
    ]);
  });

  it("refuses cluster mode with one shard and failover but no replica; accepts it with one", () => {
    const oneShard = { ...CLUSTER, cacheShards: "1", cacheMultiAz: "false" };
    assert.deepStrictEqual(problems({ ...oneShard, cacheReplicasPerShard: "0" }), [
      "agent-platform:cacheAutomaticFailover = true: needs cacheReplicasPerShard of at least 1 (failover promotes a " +
        "replica; ElastiCache refuses it without one)",
    ]);
    assert.deepStrictEqual(problems(oneShard), []);
  });

  it("validates the node type, engine version and snapshot retention", () => {
    assert.deepStrictEqual(problems({ cacheNodeType: "db.t4g.micro", cacheEngineVersion: "7.2" }), [
      'agent-platform:cacheEngineVersion = "7.2": must be a Valkey 8 version such as 8.0 (the parameter group family is valkey8)',
      'agent-platform:cacheNodeType = "db.t4g.micro": must be an ElastiCache node type such as cache.t4g.micro',
    ]);
    assert.deepStrictEqual(problems({ cacheSnapshotRetentionDays: "36" }), [
      "agent-platform:cacheSnapshotRetentionDays = 36: must be between 0 and 35",
    ]);
    assert.deepStrictEqual(problems({ cacheSnapshotRetentionDays: "-1" }), [
      "agent-platform:cacheSnapshotRetentionDays = -1: must be between 0 and 35",
    ]);
    assert.deepStrictEqual(problems({ cacheSnapshotRetentionDays: "0" }), []);
  });

  it("takes alarm thresholds from config within their ranges", () => {
    const { config } = read({
      cacheMemoryAlarmPercent: "70",
      cacheEngineCpuAlarmPercent: "75",
      cacheEvictionsAlarmThreshold: "0",
      cacheConnectionsAlarmThreshold: "300",
    });
    assert.deepStrictEqual(config!.alarms, {
      memoryPercent: 70,
      engineCpuPercent: 75,
      evictions: 0,
      connections: 300,
    });
    assert.deepStrictEqual(
      problems({ cacheMemoryAlarmPercent: "101", cacheConnectionsAlarmThreshold: "0" }),
      [
        "agent-platform:cacheMemoryAlarmPercent = 101: must be between 1 and 100",
        "agent-platform:cacheConnectionsAlarmThreshold = 0: must be between 1 and 65000",
      ],
    );
  });

  it("validates the windows: format, 60 minutes, no overlap", () => {
    assert.deepStrictEqual(problems({ cacheSnapshotWindow: "3:00-4:00" }), [
      'agent-platform:cacheSnapshotWindow = "3:00-4:00": must be a daily UTC window hh24:mi-hh24:mi such as 03:00-04:00',
    ]);
    assert.deepStrictEqual(problems({ cacheSnapshotWindow: "03:00-03:30" }), [
      'agent-platform:cacheSnapshotWindow = "03:00-03:30": must be at least 60 minutes long',
    ]);
    assert.deepStrictEqual(problems({ cacheMaintenanceWindow: "Sun:05:00-Sun:06:00" }), [
      'agent-platform:cacheMaintenanceWindow = "Sun:05:00-Sun:06:00": must be a weekly UTC window ' +
        "ddd:hh24:mi-ddd:hh24:mi such as sun:05:00-sun:06:00 (days sun-sat)",
    ]);
    assert.deepStrictEqual(problems({ cacheMaintenanceWindow: "sun:05:00-sun:05:59" }), [
      'agent-platform:cacheMaintenanceWindow = "sun:05:00-sun:05:59": must be at least 60 minutes long',
    ]);
    assert.deepStrictEqual(problems({ cacheMaintenanceWindow: "wed:03:30-wed:04:30" }), [
      'agent-platform:cacheMaintenanceWindow = "wed:03:30-wed:04:30": must not overlap the snapshot window ' +
        "(cacheSnapshotWindow 03:00-04:00)",
    ]);
    // Across midnight and the end of the week.
    assert.deepStrictEqual(
      problems({ cacheSnapshotWindow: "23:30-00:30", cacheMaintenanceWindow: "sat:23:00-sun:01:00" }),
      [
        'agent-platform:cacheMaintenanceWindow = "sat:23:00-sun:01:00": must not overlap the snapshot window ' +
          "(cacheSnapshotWindow 23:30-00:30)",
      ],
    );
    assert.deepStrictEqual(
      problems({ cacheSnapshotWindow: "23:00-00:30", cacheMaintenanceWindow: "sat:00:30-sat:01:30" }),
      [],
    );
  });

  it("parses windows into minutes, wrapping midnight and the week", () => {
    assert.deepStrictEqual(parseDailyWindow("23:30-00:30"), { start: 1410, end: 1470, period: 1440 });
    assert.deepStrictEqual(parseWeeklyWindow("sat:23:00-sun:01:00"), {
      start: 10020,
      end: 10140,
      period: 10080,
    });
    assert.strictEqual(
      windowsOverlap(parseDailyWindow("00:00-01:00")!, parseWeeklyWindow("sat:23:00-sun:00:30")!),
      true,
    );
    assert.strictEqual(
      windowsOverlap(parseDailyWindow("02:00-03:00")!, parseWeeklyWindow("mon:03:00-mon:04:00")!),
      false,
    );
  });

  it("reads each stack's files: dev off, staging one small node, prod cluster mode with failover", () => {
    const of = (stack: string) => {
      const input = readStack(REPO_ROOT, stack);
      const r = new ConfigReader(mapConfigSource(input.config, input.secretKeys), "agent-platform");
      const c = readCache(r);
      try {
        r.finish();
      } catch (e) {
        // Only the cache's keys are read here: every other key of the stack file is "not a known key".
        const own = (e as { issues: { key: string }[] }).issues.filter((i) => i.key.startsWith(K("cache")));
        assert.deepStrictEqual(own, [], stack);
      }
      return (
        c && [
          c.nodeType,
          c.clusterMode,
          c.shards,
          c.replicasPerShard,
          c.automaticFailover,
          c.multiAz,
          c.snapshotRetentionDays,
          pulumi.Output.isInstance(c.authToken),
        ]
      );
    };
    assert.deepStrictEqual(of("dev"), undefined);
    assert.deepStrictEqual(of("staging"), ["cache.t4g.micro", false, 1, 0, false, false, 7, true]);
    assert.deepStrictEqual(of("prod"), ["cache.t4g.medium", true, 2, 1, true, true, 14, true]);
  });
});
