/**
 * Lambda entry of the process function (raw bucket → processed bucket), fed by S3 ObjectCreated events through
 * SQS. The environment is read once, on the first invocation; an invalid one fails every record with an error
 * that names each variable.
 */
import { readProcessEnv } from "../../contracts/pipeline-env";
import { createSqsHandler } from "../shared/sqs-batch";
import type { BatchRuntime } from "../shared/sqs-batch";
import { createTelemetry } from "../shared/telemetry";
import { processRuntime } from "./runtime";

const telemetry = createTelemetry("process");
let runtime: BatchRuntime | undefined;

export const handler = createSqsHandler(
  telemetry,
  () => (runtime ??= processRuntime(readProcessEnv(), telemetry)),
);
