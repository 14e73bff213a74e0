import { KeyNames, Problems, selfNamed } from "../lib/problems";

/*
 * What the Data component (the serverless data tier: the single DynamoDB table and the artifacts bucket)
 * is given, and the rules of it. Both are usage-priced, so they exist in every stack; deletion protection
 * follows protectStateful.
 */

/** The artifacts bucket's lifecycle (what config reads). No field has a default. */
export interface DataSettings {
  /** Days after which artifacts move to Glacier Instant Retrieval (Pulumi.yaml: 90; 0-36500); 0 keeps them in Standard. */
  readonly artifactsArchiveDays: number;
  /** Days the bucket keeps a replaced or deleted artifact version (1-36500). */
  readonly artifactsNoncurrentExpirationDays: number;
}

export type DataField = keyof DataSettings;

export const DATA_FIELDS: KeyNames<DataField> = selfNamed([
  "artifactsArchiveDays",
  "artifactsNoncurrentExpirationDays",
] as const);

/** Every rule the data tier's settings break, each named by `keys`. */
export function dataProblems(s: DataSettings, keys: KeyNames<DataField> = DATA_FIELDS) {
  const p = new Problems(keys);
  p.number("artifactsArchiveDays", s.artifactsArchiveDays, { min: 0, max: 36500 });
  p.number("artifactsNoncurrentExpirationDays", s.artifactsNoncurrentExpirationDays, { min: 1, max: 36500 });
  return p.list;
}
