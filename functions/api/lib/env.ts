/**
 * The api-handler's environment variables, apart from the entry (which reads them at load): the Api component
 * imports these names without loading the handler.
 */

/** The variables the Api component sets. */
export const API_ENV = {
  tableName: "TABLE_NAME",
  artifactsBucket: "ARTIFACTS_BUCKET",
  devQueueUrl: "DEV_QUEUE_URL",
  /** Comma-separated origins allowed by CORS; empty or unset for none. */
  corsOrigins: "CORS_ORIGINS",
} as const;
