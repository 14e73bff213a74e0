/**
 * The environment variable names of the functions, shared by the components that set them, the handlers that
 * read them and the local runner that starts the handlers, so no side can drift. Names only: each function's
 * reader (functions/<name>/...env.ts or index.ts) owns the rules for the values.
 */

/** Variables the SQS-fed functions read. The POWERTOOLS_* and LOG_LEVEL names are the ones Powertools reads. */
export const COMMON_ENV = {
  serviceName: "POWERTOOLS_SERVICE_NAME",
  metricsNamespace: "POWERTOOLS_METRICS_NAMESPACE",
  logLevel: "LOG_LEVEL",
  maxReceiveCount: "MAX_RECEIVE_COUNT",
} as const;

/** The WebSocket push: the connections table and the management API endpoint (both or neither). */
export const PUSH_ENV = {
  connectionsTable: "CONNECTIONS_TABLE",
  /** https://<api-id>.execute-api.<region>.amazonaws.com/<stage> (http://127.0.0.1:<port>/<stage> locally). */
  websocketEndpoint: "WEBSOCKET_ENDPOINT",
} as const;

/** The api-handler. */
export const API_ENV = {
  tableName: "TABLE_NAME",
  artifactsBucket: "ARTIFACTS_BUCKET",
  /** The first agent's queue (contracts/agents.ts FIRST_AGENT): a new modification's first step goes there. */
  firstAgentQueueUrl: "FIRST_AGENT_QUEUE_URL",
  /** Comma-separated origins allowed by CORS; empty or unset for none. */
  corsOrigins: "CORS_ORIGINS",
  /** The WebSocket ticket signing key's secret (ticket authorization); unset: no tickets are issued. */
  ticketKeySecretArn: "TICKET_KEY_SECRET_ARN",
} as const;

/** The ws function ($connect, $disconnect, $default). */
export const WS_ENV = {
  ...PUSH_ENV,
  /** The Data table: the project message log `resume` replays from. */
  tableName: "TABLE_NAME",
} as const;

/** The $connect REQUEST authorizer. */
export const WS_AUTHORIZER_ENV = {
  ticketKeySecretArn: "TICKET_KEY_SECRET_ARN",
} as const;

/** The agent workers (one bundle, the agent chosen by AGENT_NAME). */
export const AGENT_WORKER_ENV = {
  ...COMMON_ENV,
  ...PUSH_ENV,
  agentName: "AGENT_NAME",
  tableName: "TABLE_NAME",
  /** The agent's own queue: continuations of a task go back to it. */
  queueUrl: "QUEUE_URL",
  continuationMarginSeconds: "CONTINUATION_MARGIN_SECONDS",
  /** Secrets Manager ARN of the LLM provider's API key; the value is read on first use and cached. */
  llmApiKeySecretArn: "LLM_API_KEY_SECRET_ARN",
  /** The model the agents converse with: a Bedrock model id or inference profile id. */
  modelId: "AGENT_MODEL_ID",
  /** Time a model call is given before a task continues in a new invocation instead (default 45 s). */
  modelCallReserveSeconds: "MODEL_CALL_RESERVE_SECONDS",
  /** The workflow: the bus completion events go to, and the bucket artifacts go to (both or neither). */
  eventBusName: "EVENT_BUS_NAME",
  artifactsBucket: "ARTIFACTS_BUCKET",
} as const;

/** The workflow function, which ends modifications (targets of the finish rules). */
export const WORKFLOW_ENV = {
  ...PUSH_ENV,
  tableName: "TABLE_NAME",
} as const;
