/**
 * The container's way of running the agent worker (Fargate): long-poll the agent's queue for one message at a
 * time, keep the message invisible while its task runs, delete it when the worker is done with it, and leave it
 * for redelivery when the worker throws (after maxReceiveCount receives SQS's redrive moves it to the DLQ, as
 * for the Lambda workers). `stop()` (SIGTERM: Fargate Spot's two-minute warning, or a deployment) stops
 * receiving and cuts the running task short: the worker records `continued` with its last checkpoint and sends
 * the continuation to the queue, so another task picks the work up where this one left it.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { RecordResult } from "../shared/outcome";
import { runRecord } from "../shared/sqs-batch";
import type { SqsRecord } from "../shared/sqs-types";
import type { Telemetry } from "../shared/telemetry";

export interface PollLoopOptions {
  readonly sqs: Pick<SQSClient, "send">;
  readonly queueUrl: string;
  /** What the worker does with one message (AgentWorker.handleRecord). */
  readonly handle: (record: SqsRecord, remainingMs: number, stop: AbortSignal) => Promise<RecordResult>;
  readonly telemetry: Telemetry;
  /** The queue's redrive maxReceiveCount (the last receive is logged as dead-lettered). */
  readonly maxReceiveCount: number;
  /** How long one task may run before it continues in a new attempt: the queue's consumer timeout. */
  readonly taskTimeoutSeconds: number;
  /** The queue's visibility timeout: each extension hides the message this long again. */
  readonly visibilityTimeoutSeconds: number;
  /** Seconds between visibility extensions while a task runs. Default: a third of the visibility timeout. */
  readonly extendEverySeconds?: number;
  /** Long-poll wait (0-20 s). Default 20. */
  readonly waitTimeSeconds?: number;
  /** Visibility a failed message gets, so it returns soon rather than after the whole timeout. Default 10. */
  readonly retryDelaySeconds?: number;
  /** Told when a task starts and ends (ECS task scale-in protection); its failures are logged, never fatal. */
  readonly onBusy?: (busy: boolean) => Promise<void>;
}

export interface PollLoop {
  /** Polls until `stop()`; resolves once the message in hand is finished, continued or left. */
  run(): Promise<void>;
  /** Stop receiving and cut the running task short (it continues elsewhere). */
  stop(): void;
  readonly busy: boolean;
  readonly stopping: boolean;
}

/** Back-off after a failed receive (the queue or the network), so an outage is not a busy loop. */
const RECEIVE_BACKOFF_MS = 2_000;

export function createPollLoop(o: PollLoopOptions): PollLoop {
  const halt = new AbortController();
  let busy = false;
  const log = o.telemetry.log;
  const extendMs = (o.extendEverySeconds ?? Math.max(1, Math.floor(o.visibilityTimeoutSeconds / 3))) * 1000;

  async function setBusy(value: boolean) {
    busy = value;
    if (!o.onBusy) return;
    try {
      await o.onBusy(value);
    } catch (error) {
      log.warn("task protection could not be changed", { busy: value, error });
    }
  }

  async function receive(): Promise<SqsRecord | undefined> {
    const out = await o.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: o.queueUrl,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: o.waitTimeSeconds ?? 20,
        MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
      }),
      { abortSignal: halt.signal },
    );
    const m = out.Messages?.[0];
    if (!m?.ReceiptHandle || m.Body === undefined) return undefined;
    return {
      messageId: m.MessageId ?? "",
      receiptHandle: m.ReceiptHandle,
      body: m.Body,
      attributes: { ...(m.Attributes ?? {}) },
      eventSource: "aws:sqs",
    };
  }

  const setVisibility = (receiptHandle: string, seconds: number) =>
    o.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: o.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );

  async function process(record: SqsRecord) {
    const handle = record.receiptHandle!;
    await setBusy(true);
    const extender = setInterval(() => {
      setVisibility(handle, o.visibilityTimeoutSeconds).catch((error: unknown) =>
        log.warn("visibility extension failed", { messageId: record.messageId, error }),
      );
    }, extendMs);
    const end = o.telemetry.begin();
    let ok = false;
    try {
      await runRecord(
        o.telemetry,
        {
          maxReceiveCount: o.maxReceiveCount,
          parallel: false,
          handleRecord: (r) => o.handle(r, o.taskTimeoutSeconds * 1000, halt.signal),
        },
        record,
      );
      ok = true;
    } catch {
      // runRecord logged and counted it; the message stays on the queue for redelivery (or the DLQ).
    } finally {
      clearInterval(extender);
      end();
    }
    try {
      if (ok) await o.sqs.send(new DeleteMessageCommand({ QueueUrl: o.queueUrl, ReceiptHandle: handle }));
      else await setVisibility(handle, o.retryDelaySeconds ?? 10);
    } catch (error) {
      // Deleting failed: the message returns after its visibility timeout and finds its task finished.
      log.warn(ok ? "delete failed" : "release failed", { messageId: record.messageId, error });
    }
    await setBusy(false);
  }

  return {
    get busy() {
      return busy;
    },
    get stopping() {
      return halt.signal.aborted;
    },
    stop: () => halt.abort(),
    async run() {
      while (!halt.signal.aborted) {
        let record: SqsRecord | undefined;
        try {
          record = await receive();
        } catch (error) {
          if (halt.signal.aborted) break;
          log.error("receive failed", { error });
          await new Promise((resolve) => setTimeout(resolve, RECEIVE_BACKOFF_MS));
          continue;
        }
        if (record) await process(record);
      }
    },
  };
}
