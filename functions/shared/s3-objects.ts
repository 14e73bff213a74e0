/**
 * Reading and writing S3 objects with the outcomes the pipeline distinguishes: an object that is gone, one that
 * changed since its event, one over the size limit (streamed, never buffered past the limit), and S3 failures.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DependencyError, RejectedError } from "./outcome";

/**
 * An S3 client that cannot hang an invocation: a connection must open within 5 s and a response must not stall
 * for 30 s (the SDK sets no limit by default). The SDK's own retries (3 attempts) stay on.
 */
export function createS3Client(): S3Client {
  return new S3Client({ requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 } });
}

export interface ObjectBytes {
  readonly found: true;
  readonly bytes: Buffer;
  readonly contentType?: string;
  readonly eTag?: string;
  readonly versionId?: string;
}

/** "missing": no such key (deleted since the event); "changed": it exists but no longer has the event's ETag. */
export type ObjectAbsent = { readonly found: false; readonly why: "missing" | "changed" };

export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
  /** When set, the read succeeds only if the current object still has this ETag (If-Match). */
  readonly eTag?: string;
}

export async function readObject(
  s3: S3Client,
  at: ObjectLocation,
  maxBytes: number,
): Promise<ObjectBytes | ObjectAbsent> {
  let response;
  try {
    response = await s3.send(
      new GetObjectCommand({
        Bucket: at.bucket,
        Key: at.key,
        ...(at.eTag ? { IfMatch: `"${at.eTag}"` } : {}),
      }),
    );
  } catch (error) {
    const absent = absence(error);
    if (absent) return absent;
    throw s3Failure("GetObject", at, error);
  }
  const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  const tooLarge = (size: number) => {
    body?.destroy?.();
    return new RejectedError(
      "object-too-large",
      `s3://${at.bucket}/${at.key} is ${size} bytes or more; the limit is ${maxBytes} (MAX_OBJECT_BYTES)`,
    );
  };
  if (response.ContentLength !== undefined && response.ContentLength > maxBytes)
    throw tooLarge(response.ContentLength);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of body ?? []) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(total);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof RejectedError) throw error;
    throw s3Failure("GetObject (reading the body)", at, error);
  }
  return {
    found: true,
    bytes: Buffer.concat(chunks, total),
    ...(response.ContentType ? { contentType: response.ContentType } : {}),
    ...(response.ETag ? { eTag: response.ETag.replace(/"/g, "") } : {}),
    ...(response.VersionId && response.VersionId !== "null" ? { versionId: response.VersionId } : {}),
  };
}

export interface ObjectHead {
  readonly found: true;
  readonly eTag?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export async function headObject(s3: S3Client, at: ObjectLocation): Promise<ObjectHead | ObjectAbsent> {
  try {
    const response = await s3.send(
      new HeadObjectCommand({
        Bucket: at.bucket,
        Key: at.key,
        ...(at.eTag ? { IfMatch: `"${at.eTag}"` } : {}),
      }),
    );
    return {
      found: true,
      ...(response.ETag ? { eTag: response.ETag.replace(/"/g, "") } : {}),
      metadata: response.Metadata ?? {},
    };
  } catch (error) {
    const absent = absence(error);
    if (absent) return absent;
    throw s3Failure("HeadObject", at, error);
  }
}

export async function writeObject(
  s3: S3Client,
  at: { bucket: string; key: string },
  body: string,
  contentType: string,
  metadata: Record<string, string>,
): Promise<void> {
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: at.bucket,
        Key: at.key,
        Body: body,
        ContentType: contentType,
        Metadata: metadata,
      }),
    );
  } catch (error) {
    throw s3Failure("PutObject", at, error);
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function absence(error: unknown): ObjectAbsent | undefined {
  const name = (error as Error)?.name;
  const status = statusOf(error);
  if (name === "NoSuchKey" || name === "NotFound" || status === 404) return { found: false, why: "missing" };
  if (name === "PreconditionFailed" || status === 412) return { found: false, why: "changed" };
  return undefined;
}

function s3Failure(operation: string, at: { bucket: string; key: string }, error: unknown): DependencyError {
  const status = statusOf(error);
  const name = (error as Error)?.name ?? "Error";
  const problem =
    status === 403
      ? "access-denied"
      : status === 503 || name === "SlowDown"
        ? "throttled"
        : status === undefined || status >= 500
          ? "unavailable"
          : "error";
  // Without s3:ListBucket, S3 answers 403 instead of 404 for a missing key: say so, it is the usual cause.
  const hint = status === 403 ? " (a missing key also gives 403 without s3:ListBucket on the bucket)" : "";
  return new DependencyError(
    "s3",
    problem,
    `S3 ${operation} s3://${at.bucket}/${at.key} failed: ${name}: ${(error as Error)?.message ?? String(error)}${hint}`,
    { cause: error },
  );
}
