import { ConfigReader } from "./reader";

/**
 * The serverless data tier of seed 003: the single DynamoDB table and the artifacts bucket. Both are
 * usage-priced (on-demand table, S3 storage), so they exist in every stack; their customer managed key (about
 * $1 a month) is the only fixed cost. Deletion protection follows protectStateful.
 */
export interface DataTierConfig {
  /** Days after which artifacts move to Glacier Instant Retrieval (seed 003: 90); 0 keeps them in Standard. */
  readonly artifactsArchiveDays: number;
  /** Days the bucket keeps a replaced or deleted artifact version. */
  readonly artifactsNoncurrentExpirationDays: number;
}

export function readDataTier(r: ConfigReader): DataTierConfig {
  return {
    artifactsArchiveDays: r.number("artifactsArchiveDays", { min: 0, max: 36500 }, 90),
    artifactsNoncurrentExpirationDays: r.number(
      "artifactsNoncurrentExpirationDays",
      { min: 1, max: 36500 },
      30,
    ),
  };
}
