import { EMBEDDING_MODEL_IDS, embeddingModel } from "../../contracts/embedding-models";
import { KeyNames, numberProblem, Problems } from "../../lib/problems";
import {
  LAMBDA_MEMORY_MB,
  LAMBDA_TIMEOUT_SECONDS,
  SQS_BATCH_SIZE,
  SQS_BATCHING_WINDOW_SECONDS,
  SQS_MAXIMUM_CONCURRENCY,
} from "../lambda/args";
import { MAX_RECEIVE_COUNT } from "../queues-args";

/*
 * What the Pipeline component is given (raw and processed buckets, the process and vectorize functions
 * and their queues), and the rules of it: every value S3, Lambda or SQS would reject halfway through `pulumi up`.
 * config/ reads Pulumi config into these settings and reports each problem under its config key; the
 * constructor checks the same rules.
 */

export const BUCKET_ENCRYPTIONS = ["kms", "s3"] as const;
/** `kms`: SSE-KMS with the pipeline's own key and S3 Bucket Keys; `s3`: SSE-S3 (AES256). */
export type BucketEncryption = (typeof BUCKET_ENCRYPTIONS)[number];

/** S3 bills Standard-IA objects for 30 days at least and refuses an earlier transition to it. */
export const STANDARD_IA_MIN_DAYS = 30;

/** How one function runs: Lambda settings and its SQS event source. */
export interface PipelineFunctionSettings {
  /** Memory in MB (128-10240). */
  readonly memoryMb: number;
  /** Timeout in seconds (1-900). */
  readonly timeoutSeconds: number;
  /** Reserved concurrency; -1 reserves none (the function shares the account's unreserved pool). */
  readonly reservedConcurrency: number;
  /** Messages per invocation. */
  readonly batchSize: number;
  /** Most concurrent invocations the SQS event source starts (scalingConfig.maximumConcurrency). */
  readonly maxConcurrency: number;
}

/** The pipeline's settings (what config reads); the component adds its secrets and wiring. No field has a default. */
export interface PipelineSettings {
  /** How both buckets are encrypted (see BucketEncryption). */
  readonly bucketEncryption: BucketEncryption;
  /** Clients upload under this prefix of the raw bucket; the process function reads only there. */
  readonly uploadPrefix: string;
  /** The process function writes processed documents under this prefix of the processed bucket. */
  readonly processedPrefix: string;
  /** Days after upload a raw object moves to Standard-IA; 0 = never. */
  readonly rawTransitionDays: number;
  /** Days after upload a raw object is deleted; 0 = never. */
  readonly rawExpirationDays: number;
  /** Days a replaced or deleted version is kept, in both buckets. */
  readonly noncurrentExpirationDays: number;
  /** Browser origins allowed to PUT to the raw bucket (CORS); empty = no browser uploads. */
  readonly corsOrigins: readonly string[];
  /** Server access logs of both buckets, in a log bucket of the pipeline. */
  readonly accessLogs: boolean;
  /** Principals that may assume the uploader role; empty = IAM principals of the stack's own account. */
  readonly uploaderPrincipalArns: readonly string[];
  /** Bedrock foundation model the vectorize function calls, and the vector size it asks for. */
  readonly embeddingModelId: string;
  /** Vector size the model is asked for: one its model supports. */
  readonly embeddingDimensions: number;
  /** Receives before a message moves to its queue's dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Seconds the event sources wait to fill a batch (0 = invoke as soon as messages arrive). */
  readonly batchWindowSeconds: number;
  /** The process function (S3 raw object -> processed document). */
  readonly process: PipelineFunctionSettings;
  /** The vectorize function (processed document -> vectors in Upstash). */
  readonly vectorize: PipelineFunctionSettings;
}

/** A key prefix S3 and IAM agree on: no leading "/", ends with "/", and no IAM wildcard (* or ?). */
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9!_.'()/-]{0,254}\/$/;

/**
 * A CORS origin as S3 matches it: https, a host (one leading `*.` wildcard allowed) and an optional port; http only
 * for localhost, for local development.
 */
const ORIGIN =
  /^(https:\/\/(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/;

/** IAM principals the uploader role may trust: an account root, a role or a user. */
const PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]{1,512}|user\/[\w+=,.@/-]{1,512})$/;

/** Cross-region inference profiles prefix a model id with a geography (us., eu., apac., global. ...). */
const INFERENCE_PROFILE = /^[a-z]{2,6}(-[a-z]+)?\.(amazon|cohere)\./;

const FUNCTIONS = ["process", "vectorize"] as const;
const FUNCTION_FIELDS = [
  "MemoryMb",
  "TimeoutSeconds",
  "ReservedConcurrency",
  "BatchSize",
  "MaxConcurrency",
] as const;

export type PipelineField =
  | "bucketEncryption"
  | "uploadPrefix"
  | "processedPrefix"
  | "rawTransitionDays"
  | "rawExpirationDays"
  | "noncurrentExpirationDays"
  | "corsOrigins"
  | "uploaderPrincipalArns"
  | "embeddingModelId"
  | "embeddingDimensions"
  | "maxReceiveCount"
  | "batchWindowSeconds"
  | `${(typeof FUNCTIONS)[number]}${(typeof FUNCTION_FIELDS)[number]}`;

/** The fields of the pipeline's settings by their own names (a function's as `process.memoryMb`). */
export const PIPELINE_FIELDS: KeyNames<PipelineField> = {
  bucketEncryption: "bucketEncryption",
  uploadPrefix: "uploadPrefix",
  processedPrefix: "processedPrefix",
  rawTransitionDays: "rawTransitionDays",
  rawExpirationDays: "rawExpirationDays",
  noncurrentExpirationDays: "noncurrentExpirationDays",
  corsOrigins: "corsOrigins",
  uploaderPrincipalArns: "uploaderPrincipalArns",
  embeddingModelId: "embeddingModelId",
  embeddingDimensions: "embeddingDimensions",
  maxReceiveCount: "maxReceiveCount",
  batchWindowSeconds: "batchWindowSeconds",
  ...(Object.fromEntries(
    FUNCTIONS.flatMap((fn) =>
      FUNCTION_FIELDS.map((f) => [`${fn}${f}`, `${fn}.${f[0].toLowerCase()}${f.slice(1)}`]),
    ),
  ) as Record<`${(typeof FUNCTIONS)[number]}${(typeof FUNCTION_FIELDS)[number]}`, string>),
};

/** Every rule the pipeline's settings break, each named by `keys`. */
export function pipelineProblems(s: PipelineSettings, keys: KeyNames<PipelineField> = PIPELINE_FIELDS) {
  const p = new Problems(keys);
  const add = (key: PipelineField, value: unknown, allowed: string, index?: number) =>
    p.add(key, value, allowed, index);
  const whole = (n: number) => Number.isInteger(n);

  for (const [key, prefix] of [
    ["uploadPrefix", s.uploadPrefix],
    ["processedPrefix", s.processedPrefix],
  ] as const) {
    if (!PREFIX.test(prefix))
      add(
        key,
        prefix,
        'must be a key prefix such as uploads/: letters, digits and ! _ . \' ( ) - /, ending with "/", not starting ' +
          'with "/", without * or ? (IAM would read them as wildcards), at most 256 characters',
      );
  }

  const { rawTransitionDays: transition, rawExpirationDays: expiration } = s;
  if (!whole(transition) || (transition !== 0 && transition < STANDARD_IA_MIN_DAYS) || transition > 36500)
    add(
      "rawTransitionDays",
      transition,
      `must be 0 (no transition) or a whole number of days from ${STANDARD_IA_MIN_DAYS} (Standard-IA's minimum) to 36500`,
    );
  if (!whole(expiration) || expiration < 0 || expiration > 36500)
    add("rawExpirationDays", expiration, "must be 0 (never) or a whole number of days from 1 to 36500");
  else if (transition > 0 && expiration > 0 && expiration <= transition)
    add(
      "rawExpirationDays",
      expiration,
      `must be later than ${p.key("rawTransitionDays")} (${transition}): objects move to Standard-IA first, then expire`,
    );
  if (
    !whole(s.noncurrentExpirationDays) ||
    s.noncurrentExpirationDays < 1 ||
    s.noncurrentExpirationDays > 36500
  )
    add(
      "noncurrentExpirationDays",
      s.noncurrentExpirationDays,
      "must be a whole number of days from 1 to 36500",
    );

  s.corsOrigins.forEach((origin, i) => {
    if (!ORIGIN.test(origin))
      add(
        "corsOrigins",
        origin,
        "must be an origin such as https://app.example.com: https, a host (optionally *.domain) and an optional " +
          "port, no path; http only for localhost",
        i,
      );
  });
  if (new Set(s.corsOrigins).size !== s.corsOrigins.length)
    add("corsOrigins", s.corsOrigins, "must not repeat an origin");

  s.uploaderPrincipalArns.forEach((arn, i) => {
    if (!PRINCIPAL.test(arn))
      add(
        "uploaderPrincipalArns",
        arn,
        "must be an IAM role, user or account root ARN such as arn:aws:iam::123456789012:role/upload-service",
        i,
      );
  });

  const model = embeddingModel(s.embeddingModelId);
  if (INFERENCE_PROFILE.test(s.embeddingModelId))
    add(
      "embeddingModelId",
      s.embeddingModelId,
      "must be a foundation model id, not an inference profile (IAM is scoped to the one foundation model ARN " +
        `of the stack's region): one of ${EMBEDDING_MODEL_IDS.join(", ")}`,
    );
  else if (!model)
    add("embeddingModelId", s.embeddingModelId, `must be one of ${EMBEDDING_MODEL_IDS.join(", ")}`);
  else if (!model.dimensions.includes(s.embeddingDimensions))
    add(
      "embeddingDimensions",
      s.embeddingDimensions,
      `must be one of ${model.dimensions.join(", ")} (what ${s.embeddingModelId} produces)`,
    );

  if (numberProblem(s.maxReceiveCount, MAX_RECEIVE_COUNT))
    add(
      "maxReceiveCount",
      s.maxReceiveCount,
      `must be a whole number from ${MAX_RECEIVE_COUNT.min} to ${MAX_RECEIVE_COUNT.max}`,
    );
  const window = SQS_BATCHING_WINDOW_SECONDS;
  if (!whole(s.batchWindowSeconds) || s.batchWindowSeconds < window.min || s.batchWindowSeconds > window.max)
    add(
      "batchWindowSeconds",
      s.batchWindowSeconds,
      `must be a whole number of seconds from ${window.min} to ${window.max}`,
    );

  for (const fn of FUNCTIONS) {
    const f = s[fn];
    const range = (
      key: (typeof FUNCTION_FIELDS)[number],
      value: number,
      lo: number,
      hi: number,
      what: string,
    ) => {
      if (!whole(value) || value < lo || value > hi) {
        add(`${fn}${key}`, value, `must be a whole number ${what} from ${lo} to ${hi} (Lambda's range)`);
        return false;
      }
      return true;
    };
    range("MemoryMb", f.memoryMb, LAMBDA_MEMORY_MB.min, LAMBDA_MEMORY_MB.max, "of MB");
    range(
      "TimeoutSeconds",
      f.timeoutSeconds,
      LAMBDA_TIMEOUT_SECONDS.min,
      LAMBDA_TIMEOUT_SECONDS.max,
      "of seconds",
    );
    const concurrencyOk = range(
      "MaxConcurrency",
      f.maxConcurrency,
      SQS_MAXIMUM_CONCURRENCY.min,
      SQS_MAXIMUM_CONCURRENCY.max,
      "of invocations",
    );
    if (
      range("BatchSize", f.batchSize, SQS_BATCH_SIZE.min, SQS_BATCH_SIZE.max, "of messages") &&
      f.batchSize > 10
    ) {
      if (s.batchWindowSeconds < 1)
        add(
          `${fn}BatchSize`,
          f.batchSize,
          `must be at most 10 unless ${p.key("batchWindowSeconds")} is at least 1 (Lambda requires a batching window ` +
            "for larger SQS batches)",
        );
    }
    const reserved = f.reservedConcurrency;
    if (!whole(reserved) || reserved < -1 || reserved > 1000)
      add(`${fn}ReservedConcurrency`, reserved, "must be -1 (no reservation) or a whole number up to 1000");
    else if (reserved !== -1 && concurrencyOk && reserved < f.maxConcurrency)
      add(
        `${fn}ReservedConcurrency`,
        reserved,
        `must be -1 (no reservation) or at least ${p.key(`${fn}MaxConcurrency`)} (${f.maxConcurrency}): the event source would ` +
          "otherwise drive the function into throttling (0 would stop it altogether)",
      );
  }
  return p.list;
}
