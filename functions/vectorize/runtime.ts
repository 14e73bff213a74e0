/**
 * Builds the vectorize function's dependencies from its environment. Production calls it once per container from
 * index.ts; tests pass clients pointed at local servers. Concurrency limits are shared by all records of a batch.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Index } from "@upstash/vector";
import { Limiter } from "../shared/concurrency";
import type { UpstashCredentials, VectorizeEnvironment } from "../../contracts/pipeline-env";
import { MetricName, METRICS } from "../../contracts/metrics";
import type { RetryPolicy } from "../shared/retry";
import { withFailureContext } from "../shared/outcome";
import { createS3Client } from "../shared/s3-objects";
import type { BatchRuntime } from "../shared/sqs-batch";
import type { Telemetry } from "../shared/telemetry";
import { createBedrockClient } from "../shared/bedrock";
import { defaultSecretsManager } from "../shared/secrets-manager";
import { BEDROCK_TIMEOUT_MS, createBedrockEmbedder } from "./bedrock-embedder";
import { credentialsLoader } from "./upstash-credentials";
import { createUpstashRequester, UPSTASH_TIMEOUT_MS, VectorStore } from "./upstash-store";
import { vectorizeRecord } from "./vectorize-record";

export interface VectorizeClients {
  readonly s3?: S3Client;
  readonly bedrock?: BedrockRuntimeClient;
  readonly secretsManager?: SecretsManagerClient;
  /** Skips Secrets Manager: the credentials to use. */
  readonly upstashCredentials?: UpstashCredentials;
  /** Retry policy and timeouts for both services (tests shorten them). */
  readonly retry?: RetryPolicy;
  readonly bedrockTimeoutMs?: number;
  readonly upstashTimeoutMs?: number;
}

/**
 * Per-request counts, published once per document rather than once per request: one EMF value per request would
 * flush a metrics document every 100 requests (Powertools' limit per metric) and cost time on the hot path.
 */
class RequestCounters {
  private readonly counts = new Map<MetricName, number>();

  add(name: MetricName): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  publish(telemetry: Telemetry): void {
    for (const [name, value] of this.counts) telemetry.count(name, value);
    this.counts.clear();
  }
}

/** Time kept back at the end of an invocation: the longest single attempt, and a few seconds to report. */
const DEADLINE_RESERVE_MS = Math.max(BEDROCK_TIMEOUT_MS, UPSTASH_TIMEOUT_MS) + 5000;

export function vectorizeRuntime(
  env: VectorizeEnvironment,
  telemetry: Telemetry,
  clients: VectorizeClients = {},
): BatchRuntime {
  const counters = new RequestCounters();
  // Lambda runs one invocation at a time per container, so the current invocation's deadline can live here.
  let retryDeadline: number | undefined;
  const deadline = () => retryDeadline;
  const s3 = clients.s3 ?? telemetry.traceClient(createS3Client());
  const bedrock =
    clients.bedrock ??
    telemetry.traceClient(createBedrockClient(env.bedrockRegion ? { region: env.bedrockRegion } : {}));
  const embedder = createBedrockEmbedder({
    client: bedrock,
    modelId: env.embeddingModelId,
    dimensions: env.embeddingDimensions,
    limiter: new Limiter(env.bedrockConcurrency),
    deadline,
    ...(clients.retry ? { retry: clients.retry } : {}),
    ...(clients.bedrockTimeoutMs ? { timeoutMs: clients.bedrockTimeoutMs } : {}),
    onRequest: () => counters.add(METRICS.embeddingRequests),
    onRetry: (error, attempt, delayMs) => {
      counters.add(METRICS.embeddingRetries);
      telemetry.log.debug("retrying Bedrock", { attempt, delayMs, error: (error as Error)?.name });
    },
  });

  const credentials = clients.upstashCredentials
    ? () => Promise.resolve(clients.upstashCredentials as UpstashCredentials)
    : credentialsLoader(
        clients.secretsManager
          ? () => Promise.resolve(clients.secretsManager as SecretsManagerClient)
          : defaultSecretsManager((client) => telemetry.traceClient(client)),
        env.upstashSecretArn,
      );
  const upstashLimiter = new Limiter(env.upstashConcurrency);
  let store: Promise<VectorStore> | undefined;
  const loadStore = (): Promise<VectorStore> => {
    store ??= credentials().then(
      ({ url, token }) =>
        new VectorStore({
          index: new Index(
            createUpstashRequester({
              url,
              token,
              ...(clients.upstashTimeoutMs ? { timeoutMs: clients.upstashTimeoutMs } : {}),
              onRequest: () => counters.add(METRICS.upstashRequests),
            }),
          ),
          namespace: env.upstashNamespace,
          limiter: upstashLimiter,
          deadline,
          ...(clients.retry ? { retry: clients.retry } : {}),
          onRetry: (error, attempt, delayMs) => {
            counters.add(METRICS.upstashRetries);
            telemetry.log.debug("retrying Upstash", { attempt, delayMs, error: (error as Error)?.message });
          },
        }),
      (error: unknown) => {
        store = undefined; // not cached: the next record fetches the secret again
        throw error;
      },
    );
    return store;
  };

  const deps = { env, s3, telemetry, embedder, store: loadStore };
  return {
    maxReceiveCount: env.maxReceiveCount,
    // Documents are I/O-bound (Bedrock, Upstash): processed in parallel, within the shared limits above.
    parallel: true,
    beginInvocation(remainingMs) {
      retryDeadline = remainingMs === undefined ? undefined : Date.now() + remainingMs - DEADLINE_RESERVE_MS;
    },
    handleRecord: async (record) => {
      try {
        return await vectorizeRecord(deps, record);
      } catch (error) {
        throw withFailureContext(error, { model: env.embeddingModelId });
      } finally {
        counters.publish(telemetry);
      }
    },
  };
}
