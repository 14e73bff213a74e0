/**
 * The platform's single-table design, shared by the Data component (which creates the table) and the
 * functions (which read and write it), so the key names cannot drift apart.
 */
export const TABLE_KEYS = {
  partition: "PK",
  sort: "SK",
  /** By owner: GSI1PK = OWNER#<owner_id>, GSI1SK = PROJECT#<created_at>. */
  gsi1: { name: "GSI1", partition: "GSI1PK", sort: "GSI1SK" },
  /** By status/type: GSI2PK = STATUS#<status> | TEMPLATES, GSI2SK = PROJECT#<id> | TEMPLATE#<id>. */
  gsi2: { name: "GSI2", partition: "GSI2PK", sort: "GSI2SK" },
} as const;

/** Epoch-seconds attribute DynamoDB's TTL deletes items by (idempotency records, finished tasks). */
export const TTL_ATTRIBUTE = "ttl";

/** Key prefixes of the artifacts bucket (the bucket's layout): contracts/artifacts.ts. */
export { ARTIFACT_PREFIXES } from "./artifacts";
