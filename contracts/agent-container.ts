/**
 * The environment contract of the agent container (containers/agent: the agent worker in a long-polling loop on
 * Fargate), on top of the agent worker's own (AGENT_WORKER_ENV): the FargateWorker component sets these names
 * and functions/agent-worker/container-env.ts reads them.
 */
import { AGENT_WORKER_ENV } from "./env";

export const AGENT_CONTAINER_ENV = {
  ...AGENT_WORKER_ENV,
  /** How long one task may run before it continues in a new attempt: the queue's consumer timeout. */
  consumerTimeoutSeconds: "CONSUMER_TIMEOUT_SECONDS",
  /** The queue's visibility timeout: each extension while a task runs hides the message this long again. */
  visibilityTimeoutSeconds: "VISIBILITY_TIMEOUT_SECONDS",
  /** The port of the health endpoint (GET /health), which the container health check requests. */
  healthPort: "HEALTH_PORT",
} as const;

/** The health endpoint's path and default port (the image's EXPOSE and the task's health check). */
export const AGENT_CONTAINER_HEALTH = { path: "/health", port: 8080 } as const;

/**
 * Seconds between SIGTERM and SIGKILL that the task definition asks for: Fargate's maximum, the length of a
 * Spot interruption notice. The container continues its task well inside it.
 */
export const AGENT_CONTAINER_STOP_TIMEOUT_SECONDS = 120;
