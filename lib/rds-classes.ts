/*
 * RDS for PostgreSQL instance classes the stack may use, with their memory. RDS derives the default
 * max_connections from memory: LEAST({DBInstanceClassMemory/9531392}, 5000). The table is what config allows, so
 * the database's connections alarm always has a threshold it can compute.
 */

const GIB = 1024 ** 3;

/** Memory of each allowed class, GiB (the instance class table of the RDS user guide). */
export const RDS_INSTANCE_CLASS_MEMORY_GIB: Readonly<Record<string, number>> = {
  "db.t4g.micro": 1,
  "db.t4g.small": 2,
  "db.t4g.medium": 4,
  "db.t4g.large": 8,
  "db.t4g.xlarge": 16,
  "db.t4g.2xlarge": 32,
  "db.m7g.large": 8,
  "db.m7g.xlarge": 16,
  "db.m7g.2xlarge": 32,
  "db.m6g.large": 8,
  "db.m6g.xlarge": 16,
  "db.r7g.large": 16,
  "db.r7g.xlarge": 32,
  "db.r7g.2xlarge": 64,
  "db.r6g.large": 16,
  "db.r6g.xlarge": 32,
  "db.r6g.2xlarge": 64,
};

/**
 * PostgreSQL's default max_connections on RDS for `instanceClass`. DBInstanceClassMemory is the class's memory
 * less what RDS reserves for the OS, so the live value is somewhat lower: an alarm at a percentage
 * of this figure fires a little later, relative to the true limit, than the percentage says.
 */
export function postgresMaxConnections(instanceClass: string): number {
  const gib = RDS_INSTANCE_CLASS_MEMORY_GIB[instanceClass];
  if (gib === undefined)
    throw new Error(
      `unknown RDS instance class ${instanceClass}: one of ${Object.keys(RDS_INSTANCE_CLASS_MEMORY_GIB).join(", ")}`,
    );
  return Math.min(Math.floor((gib * GIB) / 9531392), 5000);
}
