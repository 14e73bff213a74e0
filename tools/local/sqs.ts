/**
 * In-process SQS queues with the semantics the agents rely on, behind a loopback server speaking SQS's JSON
 * protocol (what @aws-sdk/client-sqs sends), so the functions' own SQS clients talk to it unchanged:
 *  - a received message is invisible for the visibility timeout, then delivered again unless deleted;
 *  - every receive counts (ApproximateReceiveCount); a message already received maxReceiveCount times moves to
 *    the queue's dead-letter queue instead of being delivered again (the redrive policy);
 *  - DelaySeconds, long polling (WaitTimeSeconds), ChangeMessageVisibility, GetQueueAttributes.
 * Not modelled: FIFO queues, message attributes, batches, retention.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { awsJsonServer, closeServer, listenOnLoopback } from "./loopback";

export const LOCAL_ACCOUNT_ID = "000000000000";
export const LOCAL_REGION = "us-east-1";

export interface QueueOptions {
  readonly visibilityTimeoutSeconds: number;
  /** Redrive: receives before a message moves to `deadLetterQueue`. */
  readonly maxReceiveCount?: number;
  readonly deadLetterQueue?: LocalQueue;
}

export interface LocalMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  visibleAt: number;
  receiptHandle?: string;
}

export interface Received {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes: Record<string, string>;
}

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

export class LocalQueue {
  readonly messages: LocalMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private wakeTimer: NodeJS.Timeout | undefined;
  /** Every body ever sent, in order (tests and the benchmark read it). */
  readonly sent: string[] = [];

  constructor(
    readonly name: string,
    readonly url: string,
    readonly arn: string,
    public options: QueueOptions,
  ) {}

  send(body: string, delaySeconds = 0): string {
    const now = Date.now();
    const message: LocalMessage = {
      messageId: randomUUID(),
      body,
      sentAt: now,
      receiveCount: 0,
      visibleAt: now + delaySeconds * 1000,
    };
    this.messages.push(message);
    this.sent.push(body);
    this.wake();
    return message.messageId;
  }

  /** Up to `max` visible messages, each made invisible for the visibility timeout; waits up to `waitMs` for one. */
  async receive(max = 1, waitMs = 0, visibilityTimeoutSeconds?: number): Promise<Received[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const got = this.take(max, visibilityTimeoutSeconds ?? this.options.visibilityTimeoutSeconds);
      if (got.length > 0 || Date.now() >= deadline) return got;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        this.waiters.add(done);
      });
    }
  }

  private take(max: number, visibilitySeconds: number): Received[] {
    const now = Date.now();
    const out: Received[] = [];
    for (const m of [...this.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      const { maxReceiveCount, deadLetterQueue } = this.options;
      if (deadLetterQueue && maxReceiveCount !== undefined && m.receiveCount >= maxReceiveCount) {
        this.remove(m);
        deadLetterQueue.send(m.body);
        continue;
      }
      m.receiveCount++;
      m.firstReceivedAt ??= now;
      m.visibleAt = now + visibilitySeconds * 1000;
      m.receiptHandle = randomUUID();
      out.push({
        messageId: m.messageId,
        receiptHandle: m.receiptHandle,
        body: m.body,
        md5OfBody: md5(m.body),
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentAt),
          ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
        },
      });
    }
    this.scheduleWake();
    return out;
  }

  /** False when the handle is not the message's latest (it was received again since). */
  delete(receiptHandle: string): boolean {
    const m = this.messages.find((x) => x.receiptHandle === receiptHandle);
    if (!m) return false;
    this.remove(m);
    return true;
  }

  changeVisibility(receiptHandle: string, seconds: number): boolean {
    const m = this.messages.find((x) => x.receiptHandle === receiptHandle);
    if (!m) return false;
    m.visibleAt = Date.now() + seconds * 1000;
    this.scheduleWake();
    this.wake();
    return true;
  }

  /** Messages waiting (visible) and in flight (received, not deleted). */
  counts(): { visible: number; inFlight: number } {
    const now = Date.now();
    const visible = this.messages.filter((m) => m.visibleAt <= now).length;
    return { visible, inFlight: this.messages.length - visible };
  }

  private remove(m: LocalMessage) {
    const i = this.messages.indexOf(m);
    if (i >= 0) this.messages.splice(i, 1);
  }

  private wake() {
    for (const w of [...this.waiters]) w();
  }

  /** Wakes long pollers when the next invisible message becomes visible again. */
  private scheduleWake() {
    const next = Math.min(...this.messages.map((m) => m.visibleAt));
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    if (!Number.isFinite(next)) return;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.wake();
        this.scheduleWake();
      },
      Math.max(0, next - Date.now()) + 1,
    );
    this.wakeTimer.unref();
  }

  close() {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wake();
  }
}

type Input = Record<string, unknown>;

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** The queues and the loopback endpoint (AWS_ENDPOINT_URL_SQS) that serves them. */
export class LocalSqs {
  private readonly queues = new Map<string, LocalQueue>();
  private server: Server | undefined;
  endpoint = "";

  async start(): Promise<this> {
    this.server = awsJsonServer("application/x-amz-json-1.0", async (operation, input) => {
      try {
        return [200, await this.handle(operation, input)];
      } catch (error) {
        const e = error instanceof SqsError ? error : new SqsError("InternalError", String(error));
        return [
          e.type === "InternalError" ? 500 : 400,
          { __type: `com.amazonaws.sqs#${e.type}`, message: e.message },
        ];
      }
    });
    this.endpoint = `http://127.0.0.1:${await listenOnLoopback(this.server)}`;
    return this;
  }

  create(name: string, options: QueueOptions): LocalQueue {
    const queue = new LocalQueue(
      name,
      `${this.endpoint}/${LOCAL_ACCOUNT_ID}/${name}`,
      `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${name}`,
      options,
    );
    this.queues.set(queue.url, queue);
    return queue;
  }

  byUrl(url: string): LocalQueue | undefined {
    return this.queues.get(url);
  }

  private queue(input: Input): LocalQueue {
    const q = this.queues.get(String(input.QueueUrl));
    if (!q)
      throw new SqsError(
        "QueueDoesNotExist",
        `The specified queue does not exist: ${String(input.QueueUrl)}`,
      );
    return q;
  }

  private async handle(op: string, input: Input): Promise<object> {
    switch (op) {
      case "SendMessage": {
        const body = String(input.MessageBody ?? "");
        if (body === "")
          throw new SqsError("MissingParameter", "The request must contain the parameter MessageBody.");
        const id = this.queue(input).send(body, Number(input.DelaySeconds ?? 0));
        return { MessageId: id, MD5OfMessageBody: md5(body) };
      }
      case "ReceiveMessage": {
        const got = await this.queue(input).receive(
          Number(input.MaxNumberOfMessages ?? 1),
          Number(input.WaitTimeSeconds ?? 0) * 1000,
          input.VisibilityTimeout === undefined ? undefined : Number(input.VisibilityTimeout),
        );
        return {
          Messages: got.map((m) => ({
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: m.md5OfBody,
            Body: m.body,
            Attributes: m.attributes,
          })),
        };
      }
      case "DeleteMessage":
        if (!this.queue(input).delete(String(input.ReceiptHandle)))
          throw new SqsError("ReceiptHandleIsInvalid", "The receipt handle is not the message's latest");
        return {};
      case "ChangeMessageVisibility":
        if (!this.queue(input).changeVisibility(String(input.ReceiptHandle), Number(input.VisibilityTimeout)))
          throw new SqsError("ReceiptHandleIsInvalid", "The receipt handle is not the message's latest");
        return {};
      case "GetQueueAttributes": {
        const q = this.queue(input);
        const { visible, inFlight } = q.counts();
        return {
          Attributes: {
            QueueArn: q.arn,
            ApproximateNumberOfMessages: String(visible),
            ApproximateNumberOfMessagesNotVisible: String(inFlight),
            VisibilityTimeout: String(q.options.visibilityTimeoutSeconds),
          },
        };
      }
      case "GetQueueUrl": {
        const q = [...this.queues.values()].find((x) => x.name === input.QueueName);
        if (!q)
          throw new SqsError(
            "QueueDoesNotExist",
            `The specified queue does not exist: ${String(input.QueueName)}`,
          );
        return { QueueUrl: q.url };
      }
      default:
        throw new SqsError("InvalidAction", `${op} is not supported by the local SQS`);
    }
  }

  async close(): Promise<void> {
    for (const q of this.queues.values()) q.close();
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
