/**
 * The smoke test's pipeline checks: one document through the ingestion pipeline to the vector index, the way a
 * client sends one (docs/uploads.md) and the way the vectorize function indexes it.
 *
 *  1. pipeline-upload: assume the uploader role (narrowed to the smoke test's folder by a session policy), sign
 *     a PUT URL with it, and upload a small Markdown document holding this run's marker.
 *  2. pipeline-processed: the process function's output appears: HeadObject of the processed key, which is a
 *     function of the upload's key and version (functions/shared/processed-document.ts processedKey).
 *  3. pipeline-vectorized: the end state. The document's vectors, read from the index through the same client
 *     the vectorize function uses (its Upstash requester, the credentials from the stack's secret), hold this
 *     run's text: as many as the processed document has chunks. They are then deleted, so the index the agents
 *     search keeps no smoke text.
 *
 * The upload key is fixed per stack (`<uploadPrefix>smoke-test/smoke.md`): each run replaces the last one, and
 * nothing accumulates in the buckets beyond their lifecycle rules.
 */
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Index } from "@upstash/vector";
import { processedKey } from "../../functions/shared/processed-document";
import { credentialsLoader } from "../../functions/vectorize/upstash-credentials";
import { classifyUpstashError, createUpstashRequester } from "../../functions/vectorize/upstash-store";
import { documentId } from "../../functions/vectorize/vector-ids";
import { Check, Log, SmokeFailure } from "./run";
import type { PipelineTarget } from "./target";

/** The smoke test's folder under the upload prefix, and its document's name. */
export const SMOKE_FOLDER = "smoke-test/";
export const SMOKE_DOCUMENT = "smoke.md";

export interface PipelineOptions {
  readonly region?: string;
  /** Marks this run's document; its vectors must hold it. */
  readonly runId: string;
  /** From the end of the upload until the vectors must be there. */
  readonly timeoutMs: number;
  /** Between two looks at the processed bucket or the index. */
  readonly pollMs: number;
  /** Gets each secret the checks read (the Upstash token), to mask it in CI logs. */
  readonly onSecret?: (secret: string) => void;
}

interface Upload {
  readonly key: string;
  readonly eTag: string;
  readonly versionId?: string;
  readonly marker: string;
  readonly deadline: number;
}

export function smokeDocument(runId: string): { marker: string; text: string } {
  const marker = `smoke-marker-${runId}`;
  return {
    marker,
    text: [
      `# Smoke test ${runId}`,
      "",
      "Uploaded by tools/smoke-test.ts after a deploy, to check that a document reaches the vector index.",
      `Marker: ${marker}.`,
      "",
    ].join("\n"),
  };
}

/** The session policy of the upload: PutObject in the smoke test's folder only (docs/uploads.md). */
export function uploadSessionPolicy(target: PipelineTarget): string {
  const partition = target.uploaderRoleArn.split(":")[1] || "aws";
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: `arn:${partition}:s3:::${target.rawBucket}/${target.uploadPrefix}${SMOKE_FOLDER}*`,
      },
      // The role's own policy limits this to the pipeline's key, through S3.
      { Effect: "Allow", Action: "kms:GenerateDataKey", Resource: "*" },
    ],
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `look` until it returns a value or the deadline passes; logs the wait now and then. */
async function waitFor<T>(
  what: string,
  deadline: number,
  pollMs: number,
  log: Log,
  look: () => Promise<T | undefined>,
): Promise<T> {
  const started = Date.now();
  let told = -Infinity;
  for (;;) {
    const found = await look();
    if (found !== undefined) return found;
    const waited = Date.now() - started;
    if (Date.now() + pollMs > deadline)
      throw new SmokeFailure(`${what}: not there after ${Math.round(waited / 1000)} s (the bound)`);
    if (waited - told >= 30_000) {
      log(`${what}: not yet after ${Math.round(waited / 1000)} s, looking again every ${pollMs / 1000} s`);
      told = waited;
    }
    await sleep(pollMs);
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

export function pipelineChecks(target: PipelineTarget, options: PipelineOptions): Check[] {
  const region = options.region ? { region: options.region } : {};
  const key = `${target.uploadPrefix}${SMOKE_FOLDER}${SMOKE_DOCUMENT}`;
  let upload: Upload | undefined;
  let chunkCount = 0;

  const uploadCheck: Check = {
    name: "pipeline-upload",
    group: "pipeline",
    async run(log) {
      const sts = new STSClient(region);
      let credentials;
      try {
        const assumed = await sts
          .send(
            new AssumeRoleCommand({
              RoleArn: target.uploaderRoleArn,
              RoleSessionName: `smoke-test-${options.runId}`.slice(0, 64),
              DurationSeconds: 900,
              Policy: uploadSessionPolicy(target),
            }),
          )
          .catch((error: Error) => {
            throw new SmokeFailure(
              `AssumeRole ${target.uploaderRoleArn} failed: ${error.name}: ${error.message} (the deploy role needs sts:AssumeRole on it, and the role must trust it: docs/deployment.md#smoke-test)`,
            );
          });
        credentials = assumed.Credentials;
      } finally {
        sts.destroy();
      }
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey)
        throw new SmokeFailure(`AssumeRole ${target.uploaderRoleArn} returned no credentials`);
      log(`AssumeRole ${target.uploaderRoleArn} (session policy: PutObject under ${SMOKE_FOLDER}) -> ok`);

      const signer = new S3Client({
        ...region,
        // Without this the SDK signs a checksum of an empty body into the URL (docs/uploads.md).
        requestChecksumCalculation: "WHEN_REQUIRED",
        credentials: {
          accessKeyId: credentials.AccessKeyId,
          secretAccessKey: credentials.SecretAccessKey,
          ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
        },
      });
      let url: string;
      try {
        url = await getSignedUrl(
          signer,
          new PutObjectCommand({ Bucket: target.rawBucket, Key: key, ContentType: "text/markdown" }),
          { expiresIn: 600, signableHeaders: new Set(["content-type"]) },
        );
      } finally {
        signer.destroy();
      }
      const { marker, text } = smokeDocument(options.runId);
      let response: Response;
      try {
        response = await fetch(url, {
          method: "PUT",
          headers: { "content-type": "text/markdown" },
          body: text,
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        throw new SmokeFailure(
          `PUT s3://${target.rawBucket}/${key} got no answer: ${(error as Error).message}`,
        );
      }
      const answer = await response.text();
      const eTag = (response.headers.get("etag") ?? "").replace(/"/g, "");
      const versionId = response.headers.get("x-amz-version-id") ?? undefined;
      log(
        `PUT s3://${target.rawBucket}/${key} (pre-signed, ${Buffer.byteLength(text)} bytes) -> ${response.status}` +
          (response.ok
            ? ` ETag ${eTag}${versionId ? `, version ${versionId}` : ""}`
            : ` ${answer.slice(0, 300)}`),
      );
      if (response.status !== 200)
        throw new SmokeFailure(
          `the pre-signed PUT of s3://${target.rawBucket}/${key} answered ${response.status}`,
        );
      if (!eTag) throw new SmokeFailure(`the pre-signed PUT answered 200 without an ETag`);
      upload = {
        key,
        eTag,
        ...(versionId ? { versionId } : {}),
        marker,
        deadline: Date.now() + options.timeoutMs,
      };
      return `uploaded s3://${target.rawBucket}/${key} with a URL the uploader role signed`;
    },
  };

  const processedCheck: Check = {
    name: "pipeline-processed",
    group: "pipeline",
    needs: ["pipeline-upload"],
    async run(log) {
      const u = upload!;
      const processed = processedKey({
        processedPrefix: target.processedPrefix,
        rawPrefix: target.uploadPrefix,
        sourceKey: u.key,
        eTag: u.eTag,
        ...(u.versionId ? { versionId: u.versionId } : {}),
      });
      const where = `s3://${target.processedBucket}/${processed}`;
      const s3 = new S3Client(region);
      try {
        const metadata = await waitFor(`HeadObject ${where}`, u.deadline, options.pollMs, log, async () => {
          try {
            return (await s3.send(new HeadObjectCommand({ Bucket: target.processedBucket, Key: processed })))
              .Metadata;
          } catch (error) {
            if (statusOf(error) === 404) return undefined;
            throw new SmokeFailure(
              `HeadObject ${where} failed: ${statusOf(error) ?? ""} ${(error as Error).name}` +
                (statusOf(error) === 403
                  ? " (the deploy role needs s3:GetObject on the smoke test's processed documents and s3:ListBucket on the bucket: docs/deployment.md#smoke-test)"
                  : ""),
            );
          }
        });
        chunkCount = Number(metadata?.["chunk-count"]);
        log(
          `HeadObject ${where} -> 200, chunk-count ${metadata?.["chunk-count"]}, source-etag ${metadata?.["source-etag"]}`,
        );
        if (!Number.isSafeInteger(chunkCount) || chunkCount < 1)
          throw new SmokeFailure(`${where} has chunk-count ${metadata?.["chunk-count"]}, expected 1 or more`);
        if (metadata?.["source-etag"] !== u.eTag)
          throw new SmokeFailure(`${where} was made from ETag ${metadata?.["source-etag"]}, not ${u.eTag}`);
      } finally {
        s3.destroy();
      }
      return `the process function wrote ${where} (${chunkCount} chunk${chunkCount === 1 ? "" : "s"})`;
    },
  };

  const vectorizedCheck: Check = {
    name: "pipeline-vectorized",
    group: "pipeline",
    needs: ["pipeline-processed"],
    async run(log) {
      const u = upload!;
      const secrets = new SecretsManagerClient(region);
      let url: string;
      let token: string;
      try {
        ({ url, token } = await credentialsLoader(
          () => Promise.resolve(secrets),
          target.upstashSecretArn,
        )().catch((error: Error) => {
          throw new SmokeFailure(
            `${error.message} (the deploy role needs secretsmanager:GetSecretValue on it: docs/deployment.md#smoke-test)`,
          );
        }));
      } finally {
        secrets.destroy();
      }
      options.onSecret?.(token);
      log(`read the index's URL and token from ${target.upstashSecretArn}`);
      const index = new Index(createUpstashRequester({ url, token })).namespace(target.vectorNamespace);
      const prefix = `${documentId(target.rawBucket, u.key)}-`;
      const what = `vectors with prefix ${prefix} in namespace ${target.vectorNamespace}`;
      const vectors = await waitFor(what, u.deadline, options.pollMs, log, async () => {
        let page;
        try {
          page = await index.range({ cursor: "0", limit: 1000, prefix, includeData: true });
        } catch (error) {
          if (classifyUpstashError(error).retryable) {
            log(`range ${prefix}: ${(error as Error).message}; trying again`);
            return undefined;
          }
          throw new SmokeFailure(`range ${prefix} in the index failed: ${(error as Error).message}`);
        }
        const fresh = page.vectors.some((v) => typeof v.data === "string" && v.data.includes(u.marker));
        return fresh && page.vectors.length === chunkCount ? page.vectors : undefined;
      });
      log(`range ${prefix} (includeData) -> ${vectors.length} of ${chunkCount} vectors, holding ${u.marker}`);
      const ids = vectors.map((v) => String(v.id));
      const cleanup = await index.delete(ids).then(
        (r) => `deleted them again (${r.deleted})`,
        (error: Error) => `could not delete them (${error.message}): delete ids ${ids.join(", ")} by hand`,
      );
      log(`delete ${ids.length} smoke vectors -> ${cleanup}`);
      return `${vectors.length} vector${vectors.length === 1 ? "" : "s"} of this run's document in the index; ${cleanup}`;
    },
  };

  return [uploadCheck, processedCheck, vectorizedCheck];
}
