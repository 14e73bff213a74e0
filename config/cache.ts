import * as pulumi from "@pulumi/pulumi";
import { ConfigReader } from "./reader";

/** ElastiCache (Valkey) settings, read where cacheEnabled (the switch itself is read with the data tier). */
export interface CacheConfig {
  readonly enabled: boolean;
  /** Valkey 8 engine version, e.g. "8.0"; the parameter group family is valkey8. */
  readonly engineVersion: string;
  /** A cache.* node type, e.g. cache.t4g.micro. */
  readonly nodeType: string;
  /** Cluster mode (data sharded over `shards` node groups, clients use the configuration endpoint). */
  readonly clusterMode: boolean;
  /** Node groups (shards): 1 without cluster mode, 1-500 with it. */
  readonly shards: number;
  /** Read replicas in each shard, 0-5. */
  readonly replicasPerShard: number;
  /** A replica is promoted when the primary fails (required by cluster mode; needs a replica). */
  readonly automaticFailover: boolean;
  /** Replicas placed in other zones than their primary (needs automatic failover and a replica). */
  readonly multiAz: boolean;
  /** Daily snapshots kept this many days, 0-35 (0: no automatic snapshots). */
  readonly snapshotRetentionDays: number;
  /** Daily snapshot window, `hh24:mi-hh24:mi` UTC, at least 60 minutes. */
  readonly snapshotWindow: string;
  /** Weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` UTC, at least 60 minutes, apart from the snapshot window. */
  readonly maintenanceWindow: string;
  /** Alarm thresholds. */
  readonly alarms: CacheAlarmThresholds;
  /** The AUTH token clients present (a config secret); set where enabled. */
  readonly authToken?: pulumi.Output<string>;
}

export interface CacheAlarmThresholds {
  /** DatabaseMemoryUsagePercentage above this (percent of maxmemory) for 15 minutes. */
  readonly memoryPercent: number;
  /** EngineCPUUtilization (the engine's single thread) above this percent for 15 minutes. */
  readonly engineCpuPercent: number;
  /** Evictions in five minutes above this count. */
  readonly evictions: number;
  /** CurrConnections above this count for 15 minutes (a client leaking connections). */
  readonly connections: number;
}

export const CACHE_ENGINE = "valkey";
export const CACHE_PORT = 6379;
/** AWS's limits: 500 node groups, 5 replicas per node group, 500 nodes per cluster-mode replication group. */
export const CACHE_MAX_SHARDS = 500;
export const CACHE_MAX_REPLICAS = 5;
export const CACHE_MAX_NODES = 500;

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const HHMM = "([01]\\d|2[0-3]):([0-5]\\d)";
const DAILY = new RegExp(`^${HHMM}-${HHMM}$`);
const WEEKLY = new RegExp(`^(${DAYS.join("|")}):${HHMM}-(${DAYS.join("|")}):${HHMM}$`);
const WEEK = 7 * 24 * 60;

/** A window as [start, end) minutes; `end` may pass `period` when the window wraps (midnight, Saturday). */
interface Window {
  start: number;
  end: number;
  period: number;
}

/** Parses `hh24:mi-hh24:mi` (daily) into minutes of the day; undefined when malformed. */
export function parseDailyWindow(text: string): Window | undefined {
  const m = DAILY.exec(text);
  if (!m) return undefined;
  const [, h1, m1, h2, m2] = m.map(Number);
  return span(h1 * 60 + m1, h2 * 60 + m2, 24 * 60);
}

/** Parses `ddd:hh24:mi-ddd:hh24:mi` (weekly, lower-case day) into minutes of the week; undefined when malformed. */
export function parseWeeklyWindow(text: string): Window | undefined {
  const m = WEEKLY.exec(text);
  if (!m) return undefined;
  const at = (day: string, h: string, min: string) =>
    DAYS.indexOf(day) * 24 * 60 + Number(h) * 60 + Number(min);
  return span(at(m[1], m[2], m[3]), at(m[4], m[5], m[6]), WEEK);
}

function span(start: number, end: number, period: number): Window {
  return { start, end: end <= start ? end + period : end, period };
}

/** Whether a daily window meets a weekly one on any day. */
export function windowsOverlap(daily: Window, weekly: Window): boolean {
  for (let day = -1; day <= 7; day++) {
    const s = daily.start + day * daily.period;
    const e = daily.end + day * daily.period;
    for (const shift of [-WEEK, 0, WEEK]) {
      if (s < weekly.end + shift && weekly.start + shift < e) return true;
    }
  }
  return false;
}

/**
 * What ElastiCache accepts as an AUTH token: 16-128 printable ASCII characters other than space, `/`, `"`
 * and `@`. Returns why a value is refused, or undefined. The message never repeats the value.
 */
export function authTokenProblem(token: string): string | undefined {
  if (token.length < 16 || token.length > 128) return `is ${token.length} characters; it must be 16-128`;
  if (!/^[\x21-\x7e]+$/.test(token)) return "must be printable ASCII without spaces";
  if (/[/"@]/.test(token)) return 'must not contain /, " or @';
  return undefined;
}

export function readCache(r: ConfigReader, enabled: boolean): CacheConfig {
  const engineVersion = r.string("cacheEngineVersion", "8.0");
  if (!/^8\.\d+$/.test(engineVersion))
    r.report(
      "cacheEngineVersion",
      engineVersion,
      "must be a Valkey 8 version such as 8.0 (the parameter group family is valkey8)",
    );
  const nodeType = r.string("cacheNodeType", "cache.t4g.micro");
  if (!/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(nodeType))
    r.report("cacheNodeType", nodeType, "must be an ElastiCache node type such as cache.t4g.micro");

  const clusterMode = r.boolean("cacheClusterMode", false);
  const shards = r.number("cacheShards", { min: 1, max: CACHE_MAX_SHARDS }, 1);
  const replicasPerShard = r.number("cacheReplicasPerShard", { min: 0, max: CACHE_MAX_REPLICAS }, 0);
  const automaticFailover = r.boolean("cacheAutomaticFailover", false);
  const multiAz = r.boolean("cacheMultiAz", false);
  if (!clusterMode && shards > 1)
    r.report(
      "cacheShards",
      shards,
      "must be 1 unless cacheClusterMode is true (only cluster mode shards data)",
    );
  if (clusterMode && shards * (replicasPerShard + 1) > CACHE_MAX_NODES)
    r.report(
      "cacheShards",
      shards,
      `with ${replicasPerShard} replica(s) per shard makes ${shards * (replicasPerShard + 1)} nodes; ElastiCache allows ${CACHE_MAX_NODES}`,
    );
  // ElastiCache creates a cluster-mode group only with automatic failover ("cannot be created with auto failover
  // turned off"), and refuses to turn it off later.
  if (clusterMode && !automaticFailover)
    r.report(
      "cacheAutomaticFailover",
      automaticFailover,
      "must be true when cacheClusterMode is true (ElastiCache runs cluster mode only with automatic failover)",
    );
  // Failover promotes a replica. Without cluster mode the API refuses it below 2 nodes; in cluster mode (even
  // with one shard) it creates the group but then refuses every later modification ("must have at least one
  // read replica to enable autofailover"), and failover cannot be switched off: a stuck group. Refused for both.
  if (automaticFailover && replicasPerShard === 0)
    r.report(
      "cacheAutomaticFailover",
      automaticFailover,
      "needs cacheReplicasPerShard of at least 1 (failover promotes a replica; ElastiCache refuses it without one)",
    );
  if (multiAz && !automaticFailover)
    r.report(
      "cacheMultiAz",
      multiAz,
      "needs cacheAutomaticFailover true (ElastiCache requires it for Multi-AZ)",
    );
  if (multiAz && replicasPerShard === 0)
    r.report(
      "cacheMultiAz",
      multiAz,
      "needs cacheReplicasPerShard of at least 1 (a replica in another zone)",
    );

  const snapshotRetentionDays = r.number("cacheSnapshotRetentionDays", { min: 0, max: 35 }, 7);
  const snapshotWindow = r.string("cacheSnapshotWindow", "03:00-04:00");
  const maintenanceWindow = r.string("cacheMaintenanceWindow", "sun:05:00-sun:06:00");
  const snapshot = parseDailyWindow(snapshotWindow);
  const maintenance = parseWeeklyWindow(maintenanceWindow);
  if (!snapshot)
    r.report(
      "cacheSnapshotWindow",
      snapshotWindow,
      "must be a daily UTC window hh24:mi-hh24:mi such as 03:00-04:00",
    );
  else if (snapshot.end - snapshot.start < 60)
    r.report("cacheSnapshotWindow", snapshotWindow, "must be at least 60 minutes long");
  if (!maintenance)
    r.report(
      "cacheMaintenanceWindow",
      maintenanceWindow,
      "must be a weekly UTC window ddd:hh24:mi-ddd:hh24:mi such as sun:05:00-sun:06:00 (days sun-sat)",
    );
  else if (maintenance.end - maintenance.start < 60)
    r.report("cacheMaintenanceWindow", maintenanceWindow, "must be at least 60 minutes long");
  else if (snapshot && windowsOverlap(snapshot, maintenance))
    r.report(
      "cacheMaintenanceWindow",
      maintenanceWindow,
      `must not overlap the snapshot window (cacheSnapshotWindow ${snapshotWindow})`,
    );

  const alarms: CacheAlarmThresholds = {
    memoryPercent: r.number("cacheMemoryAlarmPercent", { min: 1, max: 100 }, 80),
    engineCpuPercent: r.number("cacheEngineCpuAlarmPercent", { min: 1, max: 100 }, 90),
    evictions: r.number("cacheEvictionsAlarmThreshold", { min: 0 }, 100),
    connections: r.number("cacheConnectionsAlarmThreshold", { min: 1, max: 65000 }, 5000),
  };
  const authToken = readAuthToken(r, enabled);
  return {
    enabled,
    engineVersion,
    nodeType,
    clusterMode,
    shards,
    replicasPerShard,
    automaticFailover,
    multiAz,
    snapshotRetentionDays,
    snapshotWindow,
    maintenanceWindow,
    alarms,
    ...(authToken ? { authToken } : {}),
  };
}

/** Required where the cache is on; checked where the value is used, as config secrets are only readable as outputs. */
function readAuthToken(r: ConfigReader, required: boolean): pulumi.Output<string> | undefined {
  const secret = r.secret("cacheAuthToken", required);
  return secret?.apply((v) => {
    const problem = authTokenProblem(v);
    if (problem)
      throw new Error(
        `${r.key("cacheAuthToken")} ${problem} (ElastiCache AUTH: 16-128 printable characters without space, / " @; ` +
          "e.g. `openssl rand -hex 32`)",
      );
    return v;
  });
}
