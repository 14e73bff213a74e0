/**
 * S3 event notifications as they arrive in an SQS message body: `{"Records": [{"eventName": "ObjectCreated:Put",
 * "s3": {"bucket": {"name"}, "object": {"key", "size", "eTag", "versionId", "sequencer"}}}]}`, with the key
 * URL-encoded ("+" for space), or the `s3:TestEvent` S3 sends once when the notification is configured.
 */
import { RecordResult, RejectedError, skipped, withFailureContext } from "./outcome";
import type { SqsRecord } from "./sqs-types";

export interface ObjectEvent {
  readonly eventName: string;
  readonly bucket: string;
  /** Decoded key. */
  readonly key: string;
  readonly size?: number;
  /** Without quotes, as S3 puts it in events. */
  readonly eTag?: string;
  readonly versionId?: string;
}

export type S3Message =
  | { readonly kind: "test"; readonly bucket?: string }
  | {
      readonly kind: "events";
      readonly created: readonly ObjectEvent[];
      readonly ignored: readonly string[];
    };

export function parseS3Message(body: string): S3Message {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    throw malformed(`body is not JSON: ${preview(body)}`);
  }
  if (!isObject(message)) throw malformed(`body is not a JSON object: ${preview(body)}`);
  if (message.Event === "s3:TestEvent") {
    return { kind: "test", ...(typeof message.Bucket === "string" ? { bucket: message.Bucket } : {}) };
  }
  if (!Array.isArray(message.Records) || message.Records.length === 0) {
    throw malformed(`body has no S3 event Records: ${preview(body)}`);
  }
  const created: ObjectEvent[] = [];
  const ignored: string[] = [];
  message.Records.forEach((record: unknown, i: number) => {
    const eventName = isObject(record) && typeof record.eventName === "string" ? record.eventName : "";
    if (!eventName.startsWith("ObjectCreated:")) {
      ignored.push(eventName || `Records[${i}] without eventName`);
      return;
    }
    created.push(objectEvent(record as Record<string, unknown>, i, eventName));
  });
  return { kind: "events", created, ignored };
}

function objectEvent(record: Record<string, unknown>, i: number, eventName: string): ObjectEvent {
  const s3 = isObject(record.s3) ? record.s3 : undefined;
  const bucket = s3 && isObject(s3.bucket) ? s3.bucket.name : undefined;
  const object = s3 && isObject(s3.object) ? s3.object : undefined;
  if (
    typeof bucket !== "string" ||
    bucket === "" ||
    !object ||
    typeof object.key !== "string" ||
    object.key === ""
  ) {
    throw malformed(`Records[${i}] lacks s3.bucket.name or s3.object.key`);
  }
  return {
    eventName,
    bucket,
    key: decodeKey(object.key, i),
    ...(typeof object.size === "number" ? { size: object.size } : {}),
    ...(typeof object.eTag === "string" && object.eTag !== "" ? { eTag: object.eTag.replace(/"/g, "") } : {}),
    // Unversioned buckets send no versionId; versioning-suspended buckets send "null", which names no version.
    ...(typeof object.versionId === "string" && object.versionId !== "" && object.versionId !== "null"
      ? { versionId: object.versionId }
      : {}),
  };
}

/**
 * One SQS record of S3 notifications: the test event and events other than ObjectCreated are skipped, and each
 * created object is handled in turn. S3 sends one object per message; should a message carry several, any
 * failure fails the message (redoing the others is harmless: the handlers are idempotent).
 */
export async function handleS3Record(
  record: SqsRecord,
  handleObject: (event: ObjectEvent) => Promise<RecordResult>,
): Promise<RecordResult> {
  const message = parseS3Message(record.body);
  if (message.kind === "test")
    return skipped("test-event", "S3 test event (sent when notifications are configured)");
  if (message.created.length === 0)
    return skipped("unsupported-event", `no ObjectCreated records (${message.ignored.join(", ")})`);
  const results: RecordResult[] = [];
  for (const event of message.created) {
    try {
      results.push(await handleObject(event));
    } catch (error) {
      throw withFailureContext(error, { object: `s3://${event.bucket}/${event.key}` });
    }
  }
  return results.length === 1 ? results[0] : { status: "done", attributes: { objects: results } };
}

/** S3 event keys are URL-encoded with "+" for space (form encoding). */
export function decodeKey(encoded: string, index = 0): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, " "));
  } catch {
    throw malformed(`Records[${index}].s3.object.key is not URL-encoded: ${preview(encoded)}`);
  }
}

function malformed(detail: string): RejectedError {
  return new RejectedError("malformed-event", `not an S3 event notification: ${detail}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function preview(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}
