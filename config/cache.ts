import * as pulumi from "@pulumi/pulumi";
import { authTokenProblem, CacheField, CacheSettings, cacheProblems } from "../components/cache-args";
import type { KeyNames } from "../lib/problems";
import { ConfigReader } from "./reader";

/** The cache, where cacheEnabled: its settings and the AUTH token clients present (a config secret). */
export interface CacheConfig extends CacheSettings {
  readonly authToken: pulumi.Output<string>;
}

const KEYS: KeyNames<CacheField> = {
  engineVersion: "cacheEngineVersion",
  nodeType: "cacheNodeType",
  clusterMode: "cacheClusterMode",
  shards: "cacheShards",
  replicasPerShard: "cacheReplicasPerShard",
  automaticFailover: "cacheAutomaticFailover",
  multiAz: "cacheMultiAz",
  snapshotRetentionDays: "cacheSnapshotRetentionDays",
  snapshotWindow: "cacheSnapshotWindow",
  maintenanceWindow: "cacheMaintenanceWindow",
  memoryPercent: "cacheMemoryAlarmPercent",
  engineCpuPercent: "cacheEngineCpuAlarmPercent",
  evictions: "cacheEvictionsAlarmThreshold",
  connections: "cacheConnectionsAlarmThreshold",
};

/** The cache (components/cache-args.ts), or undefined where cacheEnabled is false. */
export function readCache(r: ConfigReader): CacheConfig | undefined {
  const enabled = r.boolean("cacheEnabled");
  const settings: CacheSettings = {
    engineVersion: r.string("cacheEngineVersion"),
    nodeType: r.string("cacheNodeType"),
    clusterMode: r.boolean("cacheClusterMode"),
    shards: r.number("cacheShards"),
    replicasPerShard: r.number("cacheReplicasPerShard"),
    automaticFailover: r.boolean("cacheAutomaticFailover"),
    multiAz: r.boolean("cacheMultiAz"),
    snapshotRetentionDays: r.number("cacheSnapshotRetentionDays"),
    snapshotWindow: r.string("cacheSnapshotWindow"),
    maintenanceWindow: r.string("cacheMaintenanceWindow"),
    alarms: {
      memoryPercent: r.number("cacheMemoryAlarmPercent"),
      engineCpuPercent: r.number("cacheEngineCpuAlarmPercent"),
      evictions: r.number("cacheEvictionsAlarmThreshold"),
      connections: r.number("cacheConnectionsAlarmThreshold"),
    },
  };
  const authToken = readAuthToken(r, enabled);
  if (!enabled) return undefined;
  r.reportAll(cacheProblems(settings, KEYS));
  return { ...settings, authToken: authToken ?? pulumi.output("") };
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
