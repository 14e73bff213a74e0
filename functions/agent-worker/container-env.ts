/**
 * The container's own settings on top of the agent worker's environment (env.ts), read and checked at once.
 */
import { AGENT_CONTAINER_ENV, AGENT_CONTAINER_HEALTH } from "../../contracts/agent-container";
import { EnvironmentError } from "../../contracts/pipeline-env";
import { AgentWorkerEnvironment, readAgentWorkerEnv } from "./env";

export interface AgentContainerEnvironment {
  readonly worker: AgentWorkerEnvironment;
  readonly consumerTimeoutSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly healthPort: number;
  /** The ECS agent's endpoint (Fargate sets ECS_AGENT_URI): task scale-in protection; absent elsewhere. */
  readonly ecsAgentUri?: string;
}

/** SQS's longest visibility timeout (12 hours). */
const SQS_MAX_VISIBILITY_SECONDS = 43_200;

export function readAgentContainerEnv(
  env: Record<string, string | undefined> = process.env,
): AgentContainerEnvironment {
  const issues: string[] = [];
  let worker: AgentWorkerEnvironment | undefined;
  try {
    worker = readAgentWorkerEnv(env);
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    issues.push(...error.issues);
  }
  const E = AGENT_CONTAINER_ENV;
  const whole = (name: string, min: number, max: number, fallback?: number): number => {
    const v = env[name] ?? (fallback === undefined ? undefined : String(fallback));
    if (v === undefined || !/^\d+$/.test(v) || +v < min || +v > max) {
      issues.push(
        `${name}=${v === undefined ? "(unset)" : JSON.stringify(v)}: must be a whole number from ${min} to ${max}`,
      );
      return 0;
    }
    return +v;
  };
  const consumerTimeoutSeconds = whole(E.consumerTimeoutSeconds, 1, SQS_MAX_VISIBILITY_SECONDS);
  const visibilityTimeoutSeconds = whole(E.visibilityTimeoutSeconds, 1, SQS_MAX_VISIBILITY_SECONDS);
  const healthPort = whole(E.healthPort, 1024, 65535, AGENT_CONTAINER_HEALTH.port);
  if (
    consumerTimeoutSeconds > 0 &&
    visibilityTimeoutSeconds > 0 &&
    visibilityTimeoutSeconds < consumerTimeoutSeconds
  )
    issues.push(
      `${E.visibilityTimeoutSeconds}=${visibilityTimeoutSeconds}: must be at least ${E.consumerTimeoutSeconds} ` +
        `(${consumerTimeoutSeconds}): a message must stay hidden while its task may still run`,
    );
  if (worker && consumerTimeoutSeconds > 0 && worker.continuationMarginSeconds >= consumerTimeoutSeconds)
    issues.push(
      `${E.continuationMarginSeconds}=${worker.continuationMarginSeconds}: must be shorter than ` +
        `${E.consumerTimeoutSeconds} (${consumerTimeoutSeconds})`,
    );
  if (issues.length > 0 || !worker) throw new EnvironmentError("agent-container", issues);
  const ecsAgentUri = env.ECS_AGENT_URI;
  return {
    worker,
    consumerTimeoutSeconds,
    visibilityTimeoutSeconds,
    healthPort,
    ...(ecsAgentUri ? { ecsAgentUri } : {}),
  };
}
