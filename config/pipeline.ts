import * as pulumi from "@pulumi/pulumi";
import { EMBEDDING_MODEL_IDS, embeddingModel } from "../contracts/embedding-models";
import { ConfigReader } from "./reader";

/*
 * The ingestion pipeline (seed 001): raw and processed buckets, the process and vectorize functions and their
 * queues. Every value S3, Lambda or SQS would reject halfway through `pulumi up` is checked here, by rules the
 * Pipeline component applies again to its arguments (`pipelineSettingsProblems`).
 */

export const BUCKET_ENCRYPTIONS = ["kms", "s3"] as const;
/** `kms`: SSE-KMS with the pipeline's own key and S3 Bucket Keys; `s3`: SSE-S3 (AES256). */
export type BucketEncryption = (typeof BUCKET_ENCRYPTIONS)[number];

/** Lambda's limits (CreateFunction, PutFunctionConcurrency, CreateEventSourceMapping). */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10240 } as const;
export const LAMBDA_TIMEOUT_SECONDS = { min: 1, max: 900 } as const;
export const SQS_MAXIMUM_CONCURRENCY = { min: 2, max: 1000 } as const;
export const SQS_BATCH_SIZE = { min: 1, max: 10000 } as const;
export const SQS_BATCHING_WINDOW_SECONDS = { min: 0, max: 300 } as const;
/** S3 bills Standard-IA objects for 30 days at least and refuses an earlier transition to it. */
export const STANDARD_IA_MIN_DAYS = 30;

/** How one function runs: Lambda settings and its SQS event source. */
export interface PipelineFunctionConfig {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Reserved concurrency; -1 reserves none (the function shares the account's unreserved pool). */
  readonly reservedConcurrency: number;
  /** Messages per invocation. */
  readonly batchSize: number;
  /** Most concurrent invocations the SQS event source starts (scalingConfig.maximumConcurrency). */
  readonly maxConcurrency: number;
}

/** Everything about the pipeline but whether it is on and its secrets: what the component validates. */
export interface PipelineSettings {
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
  readonly embeddingDimensions: number;
  /** Receives before a message moves to its queue's dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Seconds the event sources wait to fill a batch (0 = invoke as soon as messages arrive). */
  readonly batchWindowSeconds: number;
  readonly process: PipelineFunctionConfig;
  readonly vectorize: PipelineFunctionConfig;
}

export interface PipelineConfig extends PipelineSettings {
  /** Whether the ingestion pipeline (buckets, process and vectorize functions) is deployed. */
  readonly enabled: boolean;
  /** Upstash Vector REST URL and token; secrets, passed to functions only as a Secrets Manager ARN. */
  readonly upstashUrl?: pulumi.Output<string>;
  readonly upstashToken?: pulumi.Output<string>;
}

/** One rule broken: the config key (without namespace), the value, and what is allowed. */
export interface PipelineProblem {
  readonly key: string;
  readonly value: unknown;
  readonly allowed: string;
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

const FUNCTION_KEYS = {
  process: "pipelineProcess",
  vectorize: "pipelineVectorize",
} as const;

/** Every broken rule of `s`, keyed by config key. Pure: the config reader and the component both use it. */
export function pipelineSettingsProblems(s: PipelineSettings): PipelineProblem[] {
  const problems: PipelineProblem[] = [];
  const add = (key: string, value: unknown, allowed: string) => problems.push({ key, value, allowed });
  const whole = (n: number) => Number.isInteger(n);

  for (const [key, prefix] of [
    ["pipelineUploadPrefix", s.uploadPrefix],
    ["pipelineProcessedPrefix", s.processedPrefix],
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
      "pipelineRawTransitionDays",
      transition,
      `must be 0 (no transition) or a whole number of days from ${STANDARD_IA_MIN_DAYS} (Standard-IA's minimum) to 36500`,
    );
  if (!whole(expiration) || expiration < 0 || expiration > 36500)
    add(
      "pipelineRawExpirationDays",
      expiration,
      "must be 0 (never) or a whole number of days from 1 to 36500",
    );
  else if (transition > 0 && expiration > 0 && expiration <= transition)
    add(
      "pipelineRawExpirationDays",
      expiration,
      `must be later than pipelineRawTransitionDays (${transition}): objects move to Standard-IA first, then expire`,
    );
  if (
    !whole(s.noncurrentExpirationDays) ||
    s.noncurrentExpirationDays < 1 ||
    s.noncurrentExpirationDays > 36500
  )
    add(
      "pipelineNoncurrentExpirationDays",
      s.noncurrentExpirationDays,
      "must be a whole number of days from 1 to 36500",
    );

  s.corsOrigins.forEach((origin, i) => {
    if (!ORIGIN.test(origin))
      add(
        `pipelineCorsOrigins[${i}]`,
        origin,
        "must be an origin such as https://app.example.com: https, a host (optionally *.domain) and an optional " +
          "port, no path; http only for localhost",
      );
  });
  if (new Set(s.corsOrigins).size !== s.corsOrigins.length)
    add("pipelineCorsOrigins", s.corsOrigins, "must not repeat an origin");

  s.uploaderPrincipalArns.forEach((arn, i) => {
    if (!PRINCIPAL.test(arn))
      add(
        `pipelineUploaderPrincipals[${i}]`,
        arn,
        "must be an IAM role, user or account root ARN such as arn:aws:iam::123456789012:role/upload-service",
      );
  });

  const model = embeddingModel(s.embeddingModelId);
  if (INFERENCE_PROFILE.test(s.embeddingModelId))
    add(
      "pipelineEmbeddingModel",
      s.embeddingModelId,
      "must be a foundation model id, not an inference profile (IAM is scoped to the one foundation model ARN " +
        `of the stack's region): one of ${EMBEDDING_MODEL_IDS.join(", ")}`,
    );
  else if (!model)
    add("pipelineEmbeddingModel", s.embeddingModelId, `must be one of ${EMBEDDING_MODEL_IDS.join(", ")}`);
  else if (!model.dimensions.includes(s.embeddingDimensions))
    add(
      "pipelineEmbeddingDimensions",
      s.embeddingDimensions,
      `must be one of ${model.dimensions.join(", ")} (what ${s.embeddingModelId} produces)`,
    );

  if (!whole(s.maxReceiveCount) || s.maxReceiveCount < 1 || s.maxReceiveCount > 1000)
    add("pipelineMaxReceiveCount", s.maxReceiveCount, "must be a whole number from 1 to 1000");
  const window = SQS_BATCHING_WINDOW_SECONDS;
  if (!whole(s.batchWindowSeconds) || s.batchWindowSeconds < window.min || s.batchWindowSeconds > window.max)
    add(
      "pipelineBatchWindowSeconds",
      s.batchWindowSeconds,
      `must be a whole number of seconds from ${window.min} to ${window.max}`,
    );

  for (const fn of ["process", "vectorize"] as const) {
    const f = s[fn];
    const k = FUNCTION_KEYS[fn];
    const range = (key: string, value: number, lo: number, hi: number, what: string) => {
      if (!whole(value) || value < lo || value > hi) {
        add(`${k}${key}`, value, `must be a whole number ${what} from ${lo} to ${hi} (Lambda's range)`);
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
          `${k}BatchSize`,
          f.batchSize,
          "must be at most 10 unless pipelineBatchWindowSeconds is at least 1 (Lambda requires a batching window " +
            "for larger SQS batches)",
        );
    }
    const reserved = f.reservedConcurrency;
    if (!whole(reserved) || reserved < -1 || reserved > 1000)
      add(`${k}ReservedConcurrency`, reserved, "must be -1 (no reservation) or a whole number up to 1000");
    else if (reserved !== -1 && concurrencyOk && reserved < f.maxConcurrency)
      add(
        `${k}ReservedConcurrency`,
        reserved,
        `must be -1 (no reservation) or at least ${k}MaxConcurrency (${f.maxConcurrency}): the event source would ` +
          "otherwise drive the function into throttling (0 would stop it altogether)",
      );
  }
  return problems;
}

/** Reads the pipeline section; rule violations are reported through `r` with the keys they concern. */
export function readPipeline(r: ConfigReader): PipelineConfig {
  const enabled = r.boolean("pipelineEnabled", true);
  const fn = (prefix: string, fallback: PipelineFunctionConfig): PipelineFunctionConfig => ({
    memoryMb: r.number(`${prefix}MemoryMb`, {}, fallback.memoryMb),
    timeoutSeconds: r.number(`${prefix}TimeoutSeconds`, {}, fallback.timeoutSeconds),
    reservedConcurrency: r.number(`${prefix}ReservedConcurrency`, {}, fallback.reservedConcurrency),
    batchSize: r.number(`${prefix}BatchSize`, {}, fallback.batchSize),
    maxConcurrency: r.number(`${prefix}MaxConcurrency`, {}, fallback.maxConcurrency),
  });
  const fallbackFn = {
    memoryMb: 1024,
    timeoutSeconds: 300,
    reservedConcurrency: -1,
    batchSize: 5,
    maxConcurrency: 2,
  };
  const settings: PipelineSettings = {
    bucketEncryption: r.oneOf("pipelineBucketEncryption", BUCKET_ENCRYPTIONS, "kms"),
    uploadPrefix: r.string("pipelineUploadPrefix", "uploads/"),
    processedPrefix: r.string("pipelineProcessedPrefix", "documents/"),
    rawTransitionDays: r.number("pipelineRawTransitionDays", {}, 0),
    rawExpirationDays: r.number("pipelineRawExpirationDays", {}, 0),
    noncurrentExpirationDays: r.number("pipelineNoncurrentExpirationDays", {}, 30),
    corsOrigins: r.stringList("pipelineCorsOrigins", []),
    accessLogs: r.boolean("pipelineAccessLogs", true),
    uploaderPrincipalArns: r.stringList("pipelineUploaderPrincipals", []),
    embeddingModelId: r.string("pipelineEmbeddingModel", "amazon.titan-embed-text-v2:0"),
    embeddingDimensions: r.number("pipelineEmbeddingDimensions", {}, 1024),
    maxReceiveCount: r.number("pipelineMaxReceiveCount", {}, 3),
    batchWindowSeconds: r.number("pipelineBatchWindowSeconds", {}, 0),
    process: fn(FUNCTION_KEYS.process, fallbackFn),
    vectorize: fn(FUNCTION_KEYS.vectorize, fallbackFn),
  };
  for (const p of pipelineSettingsProblems(settings)) r.report(p.key, p.value, p.allowed);
  return {
    enabled,
    upstashUrl: r.secret("upstashVectorUrl", enabled),
    upstashToken: r.secret("upstashVectorToken", enabled),
    ...settings,
  };
}
