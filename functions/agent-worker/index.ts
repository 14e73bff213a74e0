/**
 * Lambda entry of the agent workers: one bundle for the four agents, the agent chosen by AGENT_NAME. Clients
 * are created once per container; the environment is read on the first invocation, and an invalid one fails
 * every record with an error naming each variable. Endpoints come from the SDK's own settings
 * (AWS_ENDPOINT_URL_<SERVICE> in the local runner), so the same file runs in Lambda and locally. The worker
 * itself is assembled in assemble.ts, which the Fargate container's loop (container.ts) shares.
 */
import { createSqsHandler } from "../shared/sqs-batch";
import type { BatchRuntime } from "../shared/sqs-batch";
import { createTelemetry } from "../shared/telemetry";
import { assembleAgentWorker, createAgentClients } from "./assemble";
import { readAgentWorkerEnv } from "./env";

const telemetry = createTelemetry("agent-worker");
const clients = createAgentClients(telemetry);
let runtime: BatchRuntime | undefined;

/** Lambda's own default when the context gives no remaining time (a direct test invocation). */
const FALLBACK_REMAINING_MS = 60_000;

function agentRuntime(): BatchRuntime {
  const env = readAgentWorkerEnv();
  const worker = assembleAgentWorker(env, clients, telemetry);
  let remainingMs = FALLBACK_REMAINING_MS;
  return {
    maxReceiveCount: env.maxReceiveCount,
    parallel: false,
    beginInvocation: (ms) => {
      remainingMs = ms ?? FALLBACK_REMAINING_MS;
    },
    handleRecord: (record) => worker.handleRecord(record, remainingMs),
  };
}

export const handler = createSqsHandler(telemetry, () => (runtime ??= agentRuntime()));
