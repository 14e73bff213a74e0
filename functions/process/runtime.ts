/**
 * Builds the process function's dependencies from its environment. Production calls it once per container from
 * index.ts; tests call it with an S3 client pointed at a local server.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { ProcessEnvironment } from "../../contracts/pipeline-env";
import { createS3Client } from "../shared/s3-objects";
import type { BatchRuntime } from "../shared/sqs-batch";
import type { Telemetry } from "../shared/telemetry";
import { processRecord } from "./process-record";

export interface ProcessClients {
  readonly s3?: S3Client;
}

export function processRuntime(
  env: ProcessEnvironment,
  telemetry: Telemetry,
  clients: ProcessClients = {},
): BatchRuntime {
  const s3 = clients.s3 ?? telemetry.traceClient(createS3Client());
  const deps = { env, s3, telemetry };
  return {
    maxReceiveCount: env.maxReceiveCount,
    // Documents are processed one at a time: memory per invocation stays near one object's worth, whatever
    // the batch size.
    parallel: false,
    handleRecord: (record) => processRecord(deps, record),
  };
}
