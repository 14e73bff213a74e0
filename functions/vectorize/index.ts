/**
 * Lambda entry of the vectorize function (processed bucket → Bedrock embeddings → Upstash Vector), fed by
 * processed-bucket ObjectCreated events through SQS. The environment is read once, on the first invocation; an
 * invalid one fails every record with an error that names each variable.
 */
import { readVectorizeEnv } from "../shared/env";
import { createSqsHandler } from "../shared/sqs-batch";
import type { BatchRuntime } from "../shared/sqs-batch";
import { createTelemetry } from "../shared/telemetry";
import { vectorizeRuntime } from "./runtime";

const telemetry = createTelemetry("vectorize");
let runtime: BatchRuntime | undefined;

export const handler = createSqsHandler(
  telemetry,
  () => (runtime ??= vectorizeRuntime(readVectorizeEnv(), telemetry)),
);
