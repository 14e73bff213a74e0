import { KeyNames, Problems } from "../lib/problems";

/*
 * What the Cache component (ElastiCache for Valkey) is given, and the rules of it: the topologies, windows and
 * limits ElastiCache accepts. config/ reads Pulumi config into these settings and reports each problem under its
 * config key; the constructor checks the same rules.
 */

/** ElastiCache (Valkey) settings (what config reads); the component adds its network and clients. No field has a default. */
export interface CacheSettings {
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

export type CacheField =
  | "engineVersion"
  | "nodeType"
  | "clusterMode"
  | "shards"
  | "replicasPerShard"
  | "automaticFailover"
  | "multiAz"
  | "snapshotRetentionDays"
  | "snapshotWindow"
  | "maintenanceWindow"
  | "memoryPercent"
  | "engineCpuPercent"
  | "evictions"
  | "connections";

export const CACHE_FIELDS: KeyNames<CacheField> = {
  engineVersion: "engineVersion",
  nodeType: "nodeType",
  clusterMode: "clusterMode",
  shards: "shards",
  replicasPerShard: "replicasPerShard",
  automaticFailover: "automaticFailover",
  multiAz: "multiAz",
  snapshotRetentionDays: "snapshotRetentionDays",
  snapshotWindow: "snapshotWindow",
  maintenanceWindow: "maintenanceWindow",
  memoryPercent: "alarms.memoryPercent",
  engineCpuPercent: "alarms.engineCpuPercent",
  evictions: "alarms.evictions",
  connections: "alarms.connections",
};

/** Every rule the cache's settings break, each named by `keys`. */
export function cacheProblems(s: CacheSettings, keys: KeyNames<CacheField> = CACHE_FIELDS) {
  const p = new Problems(keys);
  if (!/^8\.\d+$/.test(s.engineVersion))
    p.add(
      "engineVersion",
      s.engineVersion,
      "must be a Valkey 8 version such as 8.0 (the parameter group family is valkey8)",
    );
  if (!/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(s.nodeType))
    p.add("nodeType", s.nodeType, "must be an ElastiCache node type such as cache.t4g.micro");

  const { clusterMode, shards, replicasPerShard, automaticFailover, multiAz } = s;
  p.number("shards", shards, { min: 1, max: CACHE_MAX_SHARDS });
  p.number("replicasPerShard", replicasPerShard, { min: 0, max: CACHE_MAX_REPLICAS });
  if (!clusterMode && shards > 1)
    p.add(
      "shards",
      shards,
      `must be 1 unless ${p.key("clusterMode")} is true (only cluster mode shards data)`,
    );
  if (clusterMode && shards * (replicasPerShard + 1) > CACHE_MAX_NODES)
    p.add(
      "shards",
      shards,
      `with ${replicasPerShard} replica(s) per shard makes ${shards * (replicasPerShard + 1)} nodes; ElastiCache allows ${CACHE_MAX_NODES}`,
    );
  // ElastiCache creates a cluster-mode group only with automatic failover ("cannot be created with auto failover
  // turned off"), and refuses to turn it off later.
  if (clusterMode && !automaticFailover)
    p.add(
      "automaticFailover",
      automaticFailover,
      `must be true when ${p.key("clusterMode")} is true (ElastiCache runs cluster mode only with automatic failover)`,
    );
  // Failover promotes a replica. Without cluster mode the API refuses it below 2 nodes; in cluster mode (even
  // with one shard) it creates the group but then refuses every later modification ("must have at least one
  // read replica to enable autofailover"), and failover cannot be switched off: a stuck group. Refused for both.
  if (automaticFailover && replicasPerShard === 0)
    p.add(
      "automaticFailover",
      automaticFailover,
      `needs ${p.key("replicasPerShard")} of at least 1 (failover promotes a replica; ElastiCache refuses it without one)`,
    );
  if (multiAz && !automaticFailover)
    p.add(
      "multiAz",
      multiAz,
      `needs ${p.key("automaticFailover")} true (ElastiCache requires it for Multi-AZ)`,
    );
  if (multiAz && replicasPerShard === 0)
    p.add("multiAz", multiAz, `needs ${p.key("replicasPerShard")} of at least 1 (a replica in another zone)`);

  p.number("snapshotRetentionDays", s.snapshotRetentionDays, { min: 0, max: 35 });
  const snapshot = parseDailyWindow(s.snapshotWindow);
  const maintenance = parseWeeklyWindow(s.maintenanceWindow);
  if (!snapshot)
    p.add(
      "snapshotWindow",
      s.snapshotWindow,
      "must be a daily UTC window hh24:mi-hh24:mi such as 03:00-04:00",
    );
  else if (snapshot.end - snapshot.start < 60)
    p.add("snapshotWindow", s.snapshotWindow, "must be at least 60 minutes long");
  if (!maintenance)
    p.add(
      "maintenanceWindow",
      s.maintenanceWindow,
      "must be a weekly UTC window ddd:hh24:mi-ddd:hh24:mi such as sun:05:00-sun:06:00 (days sun-sat)",
    );
  else if (maintenance.end - maintenance.start < 60)
    p.add("maintenanceWindow", s.maintenanceWindow, "must be at least 60 minutes long");
  else if (snapshot && windowsOverlap(snapshot, maintenance))
    p.add(
      "maintenanceWindow",
      s.maintenanceWindow,
      `must not overlap the snapshot window (${p.key("snapshotWindow")} ${s.snapshotWindow})`,
    );

  p.number("memoryPercent", s.alarms.memoryPercent, { min: 1, max: 100 });
  p.number("engineCpuPercent", s.alarms.engineCpuPercent, { min: 1, max: 100 });
  p.number("evictions", s.alarms.evictions, { min: 0 });
  p.number("connections", s.alarms.connections, { min: 1, max: 65000 });
  return p.list;
}
