/**
 * The artifacts bucket as the api-handler and the agents use it (contracts/artifacts.ts is its layout): list
 * a prefix, read and write text objects, check one exists, and sign short-lived download URLs. Writes send no
 * encryption headers, so they take the bucket's default (its SSE-KMS key), which the bucket policy requires.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { contentTypeOf } from "../../contracts/artifacts";

export interface StoredObject {
  /** The key without the listed prefix. */
  readonly path: string;
  readonly key: string;
  readonly size: number;
  readonly lastModified?: string;
}

export interface ArtifactStore {
  /** Objects under `prefix` (at most `max`, in key order); `truncated` when there were more. */
  list(prefix: string, max?: number): Promise<{ objects: StoredObject[]; truncated: boolean }>;
  getText(key: string): Promise<string | undefined>;
  putText(key: string, text: string, contentType?: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  presign(key: string, seconds: number): Promise<string>;
}

const notFound = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NoSuchKey" || e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404;
};

export function createArtifactStore(s3: S3Client, bucket: string): ArtifactStore {
  return {
    async list(prefix, max = 1000) {
      const objects: StoredObject[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ContinuationToken: token,
            MaxKeys: Math.min(1000, max - objects.length + 1),
          }),
        );
        for (const o of page.Contents ?? []) {
          if (!o.Key || o.Key.endsWith("/")) continue;
          objects.push({
            key: o.Key,
            path: o.Key.slice(prefix.length),
            size: o.Size ?? 0,
            ...(o.LastModified ? { lastModified: o.LastModified.toISOString() } : {}),
          });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token && objects.length <= max);
      return { objects: objects.slice(0, max), truncated: objects.length > max || token !== undefined };
    },
    async getText(key) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body!.transformToString("utf-8");
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },
    async putText(key, text, contentType = contentTypeOf(key)) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: contentType }));
    },
    async exists(key) {
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if (notFound(error)) return false;
        throw error;
      }
    },
    presign: (key, seconds) =>
      getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: seconds }),
  };
}
