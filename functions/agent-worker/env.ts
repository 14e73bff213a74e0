/**
 * The environment contract of the agent-worker function, shared by the handler (readAgentWorkerEnv) and the
 * AgentWorkers component (the same names), so neither side can drift. Free of SDK and Pulumi imports.
 */
import { AGENT_NAMES, AgentName } from "../../contracts/agents";
import { AGENT_WORKER_ENV } from "../../contracts/env";
import { EnvironmentError, LOG_LEVELS, LogLevelName } from "../../contracts/pipeline-env";

export { AGENT_NAMES, AGENT_WORKER_ENV };

/** <provider>.<model>[:<version>], optionally after a profile's geography (us., eu., apac., us-gov.). */
const MODEL_OR_PROFILE_ID = /^([a-z-]+\.)?[a-z0-9-]+\.[a-z0-9][a-z0-9.-]*(:\d+(:[a-z0-9]+)?)?$/;

export type AgentWorkerName = AgentName;

/**
 * The management API's endpoint: API Gateway's (https://<api-id>.execute-api.<region>.amazonaws.com[.cn]/<stage>),
 * or the local runner's on loopback (http://127.0.0.1:<port>/<stage>).
 */
export const WEBSOCKET_ENDPOINT =
  /^(https:\/\/[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?|http:\/\/127\.0\.0\.1:\d{1,5})\/[A-Za-z0-9_-]+$/;

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
  readonly modelCallReserveSeconds: number;
  readonly statusPush?: { readonly connectionsTable: string; readonly websocketEndpoint: string };
  /** The workflow (contracts/routing.ts): where completion events and artifacts go. */
  readonly workflow?: { readonly eventBusName: string; readonly artifactsBucket: string };
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
    modelCallReserveSeconds: Number(
      get(E.modelCallReserveSeconds, "must be a whole number of seconds from 0 to 600", whole(0, 600), "45"),
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
      "must be https://<api-id>.execute-api.<region>.amazonaws.com/<stage> (or http://127.0.0.1:<port>/<stage> locally)",
      (v) => WEBSOCKET_ENDPOINT.test(v),
    );
    statusPush = { connectionsTable: t, websocketEndpoint: w };
  }
  let workflow: AgentWorkerEnvironment["workflow"];
  if (env[E.eventBusName] !== undefined || env[E.artifactsBucket] !== undefined) {
    const bus = get(E.eventBusName, "must be an EventBridge bus name (set with ARTIFACTS_BUCKET)", (v) =>
      /^[A-Za-z0-9._-]{1,256}$/.test(v),
    );
    const bucket = get(E.artifactsBucket, "must be an S3 bucket name (set with EVENT_BUS_NAME)", (v) =>
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v),
    );
    workflow = { eventBusName: bus, artifactsBucket: bucket };
  }
  if (issues.length > 0) throw new EnvironmentError("agent-worker", issues);
  return { ...result, ...(statusPush ? { statusPush } : {}), ...(workflow ? { workflow } : {}) };
}
