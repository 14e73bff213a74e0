import { MockTable, hex } from "./context";

export const ELASTICACHE_OUTPUTS: MockTable = {
  "aws:elasticache/replicationGroup:ReplicationGroup": (c) => {
    const { inputs, seed, physical } = c;
    // Cluster mode has only a configuration endpoint; otherwise a primary and a reader endpoint.
    const host = `${physical}.${hex(seed, 6)}.use1.cache.${c.dnsSuffix}`;
    return {
      id: physical,
      arn: c.arn("elasticache", `replicationgroup:${physical}`),
      ...(inputs.clusterMode === "enabled"
        ? { configurationEndpointAddress: `clustercfg.${host}` }
        : { primaryEndpointAddress: `master.${host}`, readerEndpointAddress: `replica.${host}` }),
    };
  },
};
