/**
 * An S3-compatible server on loopback (s3rver, files in a temporary directory), with one addition real S3 has and
 * s3rver 3.7 lacks: If-Match on GET and HEAD (412 PreconditionFailed when the ETag differs). The local runner's
 * S3, and the tests'. s3rver checks signatures with its own credentials (S3RVER / S3RVER), so clients and
 * pre-signed URLs use those.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { closeServer, listenOnLoopback } from "./loopback";

export interface LocalS3 {
  readonly client: S3Client;
  readonly endpoint: string;
  close(): Promise<void>;
}

interface S3rverStore {
  getMetadata(bucket: string, key: string): Promise<{ etag: string }>;
}

export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/** An object written (PUT, POST or copy), as s3rver announces it: what S3 would send to a bucket notification. */
export interface ObjectCreatedEvent {
  readonly bucket: string;
  readonly key: string;
  readonly size?: number;
  readonly eTag?: string;
}

export async function startLocalS3(
  buckets: readonly string[],
  port = 0,
  options: { onObjectCreated?: (event: ObjectCreatedEvent) => void } = {},
): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), "s3rver-"));
  const s3rver = new S3rver({ directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
  await s3rver.configureBuckets();
  const onObjectCreated = options.onObjectCreated;
  if (onObjectCreated)
    s3rver.on("event", (event) => {
      for (const r of event.Records)
        if (r.eventName.startsWith("ObjectCreated:"))
          onObjectCreated({
            bucket: r.s3.bucket.name,
            key: r.s3.object.key,
            ...(r.s3.object.size !== undefined ? { size: r.s3.object.size } : {}),
            ...(r.s3.object.eTag !== undefined ? { eTag: r.s3.object.eTag } : {}),
          });
    });
  const handle = s3rver.callback();
  const store = (s3rver as unknown as { store: S3rverStore }).store;

  const server: Server = createServer((req, res) => {
    const ifMatch = req.headers["if-match"];
    if (!ifMatch || (req.method !== "GET" && req.method !== "HEAD")) return void handle(req, res);
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const slash = path.indexOf("/", 1);
    const bucket = decodeURIComponent(path.slice(1, slash));
    const key = decodeURIComponent(path.slice(slash + 1));
    store.getMetadata(bucket, key).then(
      (metadata) => {
        if (metadata.etag.replace(/"/g, "") === String(ifMatch).replace(/"/g, ""))
          return void handle(req, res);
        res.writeHead(412, { "content-type": "application/xml" });
        res.end(
          req.method === "HEAD"
            ? undefined
            : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>',
        );
      },
      () => void handle(req, res), // no such key: s3rver answers 404 NoSuchKey
    );
  });
  const endpoint = `http://127.0.0.1:${await listenOnLoopback(server, port)}`;
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  });
  return {
    client,
    endpoint,
    async close() {
      client.destroy();
      await closeServer(server);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
