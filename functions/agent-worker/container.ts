/**
 * Entry of the agent container (containers/agent/Dockerfile's CMD; the local runner's container mode): the same
 * worker as the Lambda entry (assemble.ts) in a long-polling loop (poll-loop.ts), with
 *  - GET /health for the container health check (200 while polling, 503 once stopping);
 *  - ECS task scale-in protection while a task runs, so scaling in never stops a task mid-step;
 *  - SIGTERM/SIGINT (Fargate Spot's two-minute warning, a deployment, scale-in): stop receiving, continue the
 *    running task from its last checkpoint through the queue, and exit well within the stop timeout.
 * An invalid environment exits at once with status 2, naming every bad variable.
 */
import { createServer, Server } from "node:http";
import { createTelemetry } from "../shared/telemetry";
import { assembleAgentWorker, createAgentClients } from "./assemble";
import { AgentContainerEnvironment, readAgentContainerEnv } from "./container-env";
import { createPollLoop, PollLoop } from "./poll-loop";
import {
  AGENT_CONTAINER_HEALTH,
  AGENT_CONTAINER_STOP_TIMEOUT_SECONDS,
} from "../../contracts/agent-container";

/** Exit this long after SIGTERM at the latest, well before the SIGKILL at the stop timeout. */
const EXIT_DEADLINE_MS = (AGENT_CONTAINER_STOP_TIMEOUT_SECONDS - 30) * 1000;

/** ExpiresInMinutes of a protection: the task timeout and a margin, within ECS's 1 to 2,880 minutes. */
export function protectionMinutes(consumerTimeoutSeconds: number): number {
  return Math.min(2880, Math.max(1, Math.ceil(consumerTimeoutSeconds / 60) + 5));
}

/** Sets the task's scale-in protection through the ECS agent's endpoint. */
function taskProtection(agentUri: string, minutes: number) {
  return async (busy: boolean) => {
    const response = await fetch(`${agentUri}/task-protection/v1/state`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(
        busy ? { ProtectionEnabled: true, ExpiresInMinutes: minutes } : { ProtectionEnabled: false },
      ),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`task protection: HTTP ${response.status} ${await response.text()}`);
  };
}

function healthServer(loop: () => PollLoop | undefined): Server {
  return createServer((req, res) => {
    const current = loop();
    if (req.method !== "GET" || req.url !== AGENT_CONTAINER_HEALTH.path) {
      res.writeHead(404).end();
      return;
    }
    const ok = current !== undefined && !current.stopping;
    res
      .writeHead(ok ? 200 : 503, { "content-type": "application/json" })
      .end(JSON.stringify({ status: ok ? "ok" : "stopping", busy: current?.busy ?? false }));
  });
}

async function main(): Promise<void> {
  const telemetry = createTelemetry("agent-container");
  let env: AgentContainerEnvironment;
  try {
    env = readAgentContainerEnv();
  } catch (error) {
    telemetry.log.error("cannot start: invalid configuration", { error });
    process.exitCode = 2;
    return;
  }
  const clients = createAgentClients(telemetry);
  const worker = assembleAgentWorker(env.worker, clients, telemetry);
  const loop = createPollLoop({
    sqs: clients.sqs,
    queueUrl: env.worker.queueUrl,
    handle: (record, remainingMs, stop) => worker.handleRecord(record, remainingMs, stop),
    telemetry,
    maxReceiveCount: env.worker.maxReceiveCount,
    taskTimeoutSeconds: env.consumerTimeoutSeconds,
    visibilityTimeoutSeconds: env.visibilityTimeoutSeconds,
    ...(env.ecsAgentUri
      ? { onBusy: taskProtection(env.ecsAgentUri, protectionMinutes(env.consumerTimeoutSeconds)) }
      : {}),
  });
  const server = healthServer(() => loop);
  await new Promise<void>((resolve) => server.listen(env.healthPort, "0.0.0.0", resolve));
  const shutdown = (signal: string) => {
    if (loop.stopping) return;
    telemetry.log.info("stopping", { signal, busy: loop.busy });
    setTimeout(() => process.exit(1), EXIT_DEADLINE_MS).unref();
    loop.stop();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  telemetry.log.info("polling", { queueUrl: env.worker.queueUrl, agent: env.worker.agentName });
  await loop.run();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const client of [clients.sqs, clients.s3, clients.events, clients.bedrock]) client.destroy();
  telemetry.log.info("stopped");
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error("agent container failed:", error);
    process.exit(1);
  });
}
