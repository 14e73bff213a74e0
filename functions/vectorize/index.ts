/**
 * Lambda entry of the vectorize function (processed bucket → Bedrock embeddings → Upstash Vector), fed by
 * processed-bucket ObjectCreated events through SQS. The environment is read once, on the first invocation; an
 * invalid one fails every record with an error that names each variable.
 *
 * The runtime (S3, Bedrock and Upstash clients and the pipeline) is loaded on the first invocation, not at init:
 * `require` inside the factory makes esbuild wrap those modules so their top-level code (the SDK clients' command
 * and schema definitions) runs only when they are first used. Init is then the telemetry and the batch handler.
 */
import { readVectorizeEnv } from "../../contracts/pipeline-env";
import { createSqsHandler } from "../shared/sqs-batch";
import type { BatchRuntime } from "../shared/sqs-batch";
import { createTelemetry } from "../shared/telemetry";
import type * as Runtime from "./runtime";

const telemetry = createTelemetry("vectorize");
let runtime: BatchRuntime | undefined;

export const handler = createSqsHandler(telemetry, () => {
  if (runtime) return runtime;
  const env = readVectorizeEnv();
  const { vectorizeRuntime } = require("./runtime") as typeof Runtime;
  return (runtime = vectorizeRuntime(env, telemetry));
});
