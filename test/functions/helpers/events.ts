/** SQS events built from the JSON fixtures in test/fixtures/functions. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SqsEvent, SqsRecord } from "../../../functions/shared/sqs-types";

const FIXTURES = join(__dirname, "..", "..", "fixtures", "functions");

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as T;
}

/** S3's form encoding of keys in event notifications. */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
}

export interface ObjectCreated {
  bucket: string;
  key: string;
  size?: number;
  eTag?: string;
  versionId?: string;
}

/** The body S3 puts in the queue for an ObjectCreated:Put, from the s3-object-created.json fixture. */
export function objectCreatedBody(object: ObjectCreated): string {
  const message = fixture<{
    Records: { s3: { bucket: Record<string, unknown>; object: Record<string, unknown> } }[];
  }>("s3-object-created.json");
  const record = message.Records[0];
  record.s3.bucket.name = object.bucket;
  record.s3.bucket.arn = `arn:aws:s3:::${object.bucket}`;
  record.s3.object = {
    key: encodeEventKey(object.key),
    ...(object.size !== undefined ? { size: object.size } : {}),
    ...(object.eTag !== undefined ? { eTag: object.eTag } : {}),
    ...(object.versionId !== undefined ? { versionId: object.versionId } : {}),
    sequencer: "0055AED6DCD90281E5",
  };
  return JSON.stringify(message);
}

/** An SQS event (sqs-event.json) carrying the given bodies, with message ids m0, m1, ... */
export function sqsEvent(bodies: readonly string[], receiveCount = 1): SqsEvent {
  const template = fixture<{ Records: SqsRecord[] }>("sqs-event.json").Records[0];
  return {
    Records: bodies.map((body, i) => ({
      ...template,
      messageId: `m${i}`,
      body,
      attributes: { ...template.attributes, ApproximateReceiveCount: String(receiveCount) },
    })),
  };
}
