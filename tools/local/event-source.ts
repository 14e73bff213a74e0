/**
 * A local SQS event source mapping: pollers that receive from a queue and invoke a function with the batch, as
 * Lambda's do. A record the function reports in `batchItemFailures` (or every record, when the invocation
 * fails, times out or its sandbox dies) is not deleted: it comes back after the visibility timeout, with its
 * receive count up, until the queue's redrive moves it to the dead-letter queue.
 */
import type { FunctionHost } from "./function-host";
import { LOCAL_REGION, LocalQueue } from "./sqs";

export interface EventSourceOptions {
  readonly batchSize: number;
  /** Pollers (concurrent invocations), like the mapping's maximum concurrency. */
  readonly concurrency: number;
  readonly onError?: (error: unknown) => void;
}

/** How long one receive waits before the poller checks whether it should stop. */
const POLL_MS = 250;

export class QueueEventSource {
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(
    readonly queue: LocalQueue,
    readonly fn: FunctionHost,
    private readonly options: EventSourceOptions,
  ) {}

  start(): this {
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.poll());
    return this;
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      const messages = await this.queue.receive(this.options.batchSize, POLL_MS);
      if (messages.length === 0 || this.stopped) continue;
      const event = {
        Records: messages.map((m) => ({
          messageId: m.messageId,
          receiptHandle: m.receiptHandle,
          body: m.body,
          attributes: { ...m.attributes, SenderId: "local" },
          messageAttributes: {},
          md5OfBody: m.md5OfBody,
          eventSource: "aws:sqs",
          eventSourceARN: this.queue.arn,
          awsRegion: LOCAL_REGION,
        })),
      };
      let failed: Set<string>;
      try {
        const out = (await this.fn.invoke(event)) as
          { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
        failed = new Set((out?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (error) {
        this.options.onError?.(error);
        failed = new Set(messages.map((m) => m.messageId));
      }
      for (const m of messages) if (!failed.has(m.messageId)) this.queue.delete(m.receiptHandle);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}
