import { ConfigReader } from "./reader";

/**
 * Switches of the data tier. The Network component creates its isolated (data) subnets only when one of them
 * is on; the database and cache components read them too.
 */
export interface DataConfig {
  /** Whether the PostgreSQL database is deployed. */
  readonly databaseEnabled: boolean;
  /** Whether the Redis cache is deployed. */
  readonly cacheEnabled: boolean;
}

export function readData(r: ConfigReader): DataConfig {
  return {
    databaseEnabled: r.boolean("databaseEnabled", false),
    cacheEnabled: r.boolean("cacheEnabled", false),
  };
}
