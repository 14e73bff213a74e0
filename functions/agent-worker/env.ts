/**
 * The environment contract of the agent-worker function, shared by the handler (readAgentWorkerEnv) and the
 * AgentWorkers component (the same names), so neither side can drift. Free of SDK and Pulumi imports.
 */
import { COMMON_ENV, EnvironmentError, LOG_LEVELS, LogLevelName } from "../shared/env";

export const AGENT_WORKER_ENV = {
  ...COMMON_ENV,
  agentName: "AGENT_NAME",
  tableName: "TABLE_NAME",
  /** The agent's own queue: continuations of a task go back to it. */
  queueUrl: "QUEUE_URL",
  continuationMarginSeconds: "CONTINUATION_MARGIN_SECONDS",
  /** Secrets Manager ARN of the LLM provider's API key; the value is read at cold start and cached. */
  llmApiKeySecretArn: "LLM_API_KEY_SECRET_ARN",
  /** The Bedrock model the agents converse with: a foundation model id or a cross-region inference profile id. */
  modelId: "AGENT_MODEL_ID",
  /** WebSocket status push (optional, both or neither): the connections table and the management endpoint. */
  connectionsTable: "CONNECTIONS_TABLE",
  websocketEndpoint: "WEBSOCKET_ENDPOINT",
} as const;

/** <provider>.<model>[:<version>], optionally after a profile's geography (us., eu., apac., us-gov.). */
const MODEL_OR_PROFILE_ID = /^([a-z-]+\.)?[a-z0-9-]+\.[a-z0-9][a-z0-9.-]*(:\d+(:[a-z0-9]+)?)?$/;

export const AGENT_NAMES = ["pm", "dev", "qa", "ops"] as const;
export type AgentWorkerName = (typeof AGENT_NAMES)[number];

export interface AgentWorkerEnvironment {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly logLevel: LogLevelName;
  readonly maxReceiveCount: number;
  readonly agentName: AgentWorkerName;
  readonly tableName: string;
  readonly queueUrl: string;
  readonly continuationMarginSeconds: number;
  readonly llmApiKeySecretArn: string;
  readonly modelId: string;
  readonly statusPush?: { readonly connectionsTable: string; readonly websocketEndpoint: string };
}

/** Reads and checks every variable at once; throws an EnvironmentError naming each bad one. */
export function readAgentWorkerEnv(
  env: Record<string, string | undefined> = process.env,
): AgentWorkerEnvironment {
  const issues: string[] = [];
  const E = AGENT_WORKER_ENV;
  const get = (name: string, allowed: string, test: (v: string) => boolean, fallback?: string): string => {
    const v = env[name] ?? fallback;
    if (v === undefined || !test(v)) {
      issues.push(`${name}=${v === undefined ? "(unset)" : JSON.stringify(v)}: ${allowed}`);
      return "";
    }
    return v;
  };
  const whole = (min: number, max: number) => (v: string) => /^\d+$/.test(v) && +v >= min && +v <= max;
  const result = {
    serviceName: get(E.serviceName, "must be the Powertools service name", (v) => v.trim() !== ""),
    metricsNamespace: get(E.metricsNamespace, "must be a CloudWatch namespace", (v) =>
      /^[A-Za-z0-9.\-_/#:]{1,255}$/.test(v),
    ),
    logLevel: get(
      E.logLevel,
      `must be one of ${LOG_LEVELS.join(", ")}`,
      (v) => (LOG_LEVELS as readonly string[]).includes(v),
      "INFO",
    ) as LogLevelName,
    maxReceiveCount: Number(
      get(E.maxReceiveCount, "must be a whole number from 1 to 1000", whole(1, 1000), "3"),
    ),
    agentName: get(E.agentName, `must be one of ${AGENT_NAMES.join(", ")}`, (v) =>
      (AGENT_NAMES as readonly string[]).includes(v),
    ) as AgentWorkerName,
    tableName: get(E.tableName, "must be a DynamoDB table name", (v) => /^[A-Za-z0-9_.-]{3,255}$/.test(v)),
    queueUrl: get(E.queueUrl, "must be an SQS queue URL", (v) =>
      /^https?:\/\/\S+\/\d{12}\/[A-Za-z0-9_-]+$/.test(v),
    ),
    continuationMarginSeconds: Number(
      get(
        E.continuationMarginSeconds,
        "must be a whole number of seconds from 1 to 600",
        whole(1, 600),
        "60",
      ),
    ),
    llmApiKeySecretArn: get(E.llmApiKeySecretArn, "must be a Secrets Manager secret ARN", (v) =>
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(v),
    ),
    modelId: get(
      E.modelId,
      "must be a Bedrock model id such as amazon.nova-lite-v1:0 (or an inference profile id such as us.amazon.nova-lite-v1:0)",
      (v) => MODEL_OR_PROFILE_ID.test(v),
    ),
  };
  const table = env[E.connectionsTable];
  const endpoint = env[E.websocketEndpoint];
  let statusPush: AgentWorkerEnvironment["statusPush"];
  if (table !== undefined || endpoint !== undefined) {
    const t = get(E.connectionsTable, "must be a DynamoDB table name (set with WEBSOCKET_ENDPOINT)", (v) =>
      /^[A-Za-z0-9_.-]{3,255}$/.test(v),
    );
    const w = get(
      E.websocketEndpoint,
      "must be https://<api-id>.execute-api.<region>.amazonaws.com/<stage>",
      (v) => /^https:\/\/[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[A-Za-z0-9_-]+$/.test(v),
    );
    statusPush = { connectionsTable: t, websocketEndpoint: w };
  }
  if (issues.length > 0) throw new EnvironmentError("agent-worker", issues);
  return { ...result, ...(statusPush ? { statusPush } : {}) };
}
