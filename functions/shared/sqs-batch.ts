/**
 * The SQS side of both functions: partial batch responses through Powertools' BatchProcessor, and the one place
 * where a record's outcome is logged and counted. Per-record work is a plain async function returning a
 * RecordResult or throwing; this module turns that into log lines, metrics and batch item failures.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { METRICS } from "../../contracts/metrics";
import { failureContext, failureReason, RecordResult } from "./outcome";
import type { LambdaContext, SqsBatchResponse, SqsEvent, SqsHandler, SqsRecord } from "./sqs-types";
import type { Telemetry } from "./telemetry";

export interface BatchRuntime {
  /** The queue's redrive maxReceiveCount, to say when a failure is the record's last attempt. */
  readonly maxReceiveCount: number;
  /** Records in parallel (I/O-bound work) or one at a time (memory-bound work). */
  readonly parallel: boolean;
  /** Told, before the records, how long the invocation may still run (from the Lambda context). */
  beginInvocation?(remainingMs: number | undefined): void;
  handleRecord(record: SqsRecord): Promise<RecordResult>;
}

/**
 * A Lambda handler for an SQS event source mapping with ReportBatchItemFailures. `runtime` is called on every
 * invocation and should cache what it builds; if it throws (invalid environment), every record fails with that
 * error, which is logged.
 */
export function createSqsHandler(telemetry: Telemetry, runtime: () => BatchRuntime): SqsHandler {
  return async (event: SqsEvent, context?: LambdaContext): Promise<SqsBatchResponse> => {
    const end = telemetry.begin(context);
    try {
      let rt: BatchRuntime;
      try {
        rt = runtime();
      } catch (error) {
        telemetry.log.error("cannot start: invalid configuration", { error });
        telemetry.count(METRICS.failures, event.Records?.length ?? 0);
        throw error;
      }
      rt.beginInvocation?.(context?.getRemainingTimeInMillis?.());
      const processor = new BatchProcessor(EventType.SQS);
      const response = await processPartialResponse(
        event as unknown as Parameters<typeof processPartialResponse>[0],
        (record: SqsRecord) => runRecord(telemetry, rt, record),
        processor,
        { throwOnFullBatchFailure: false, processInParallel: rt.parallel },
      );
      return response as SqsBatchResponse;
    } finally {
      end();
    }
  };
}

/** Runs one record: the outcome logged and counted here; a failure is rethrown (the caller leaves the message). */
export async function runRecord(telemetry: Telemetry, rt: BatchRuntime, record: SqsRecord): Promise<void> {
  const started = performance.now();
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? "1") || 1;
  const base = { messageId: record.messageId, receiveCount };
  let result: RecordResult;
  try {
    result = await rt.handleRecord(record);
  } catch (error) {
    const { outcome, reason } = failureReason(error);
    const context = failureContext(error);
    const deadLetter = receiveCount >= rt.maxReceiveCount;
    telemetry.count(METRICS.failures);
    if (outcome === "rejected") telemetry.count(METRICS.rejected);
    if (deadLetter) telemetry.count(METRICS.deadLettered);
    telemetry.log.error(failureLine(outcome, reason, deadLetter, context, error), {
      ...base,
      ...context,
      outcome,
      reason,
      deadLetter,
      maxReceiveCount: rt.maxReceiveCount,
      error,
    });
    throw error;
  }
  const durationMs = Math.round(performance.now() - started);
  if (result.status === "skipped") {
    telemetry.count(METRICS.skipped);
    telemetry.log.info("record skipped", {
      ...base,
      outcome: "skipped",
      reason: result.reason,
      detail: result.detail,
      durationMs,
      ...result.attributes,
    });
  } else {
    telemetry.log.info("record done", { ...base, outcome: "done", durationMs, ...result.attributes });
  }
}

/**
 * The failure's log line. Where the failure names its object, the line leads with it, then the reason, the model
 * (if any) and the error's message, so the line alone (in a log search or a dead-letter query) says which
 * document failed and why.
 */
function failureLine(
  outcome: string,
  reason: string,
  deadLetter: boolean,
  context: Record<string, unknown>,
  error: unknown,
): string {
  const next = deadLetter ? "SQS moves it to the dead-letter queue" : "SQS will deliver it again";
  const when = deadLetter ? " on its last receive" : "";
  if (typeof context.object !== "string") return `record ${outcome}${when}: ${next}`;
  const model = typeof context.model === "string" ? `, model ${context.model}` : "";
  const message = error instanceof Error ? error.message : String(error);
  return `${context.object} ${outcome}${when} (${reason}${model}): ${message}; ${next}`;
}
