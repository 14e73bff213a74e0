/**
 * The environment contract of the pipeline functions: the one place where the names, types, defaults and rules of
 * their environment variables are defined. The handlers read it with `readProcessEnv` / `readVectorizeEnv`; the
 * Pulumi Pipeline component builds `environment.variables` with `processEnvironment` / `vectorizeEnvironment`, so
 * both sides are type-checked against the same names and a bad value fails at preview, not in production.
 *
 * This module is imported by the infrastructure program: it must stay free of AWS SDK, Powertools and Pulumi
 * imports (and of anything else that would drag runtime code into the Pulumi program).
 */
import { COMMON_ENV } from "./env";
import { EMBEDDING_MODEL_IDS, embeddingModel } from "./embedding-models";

export { COMMON_ENV };

export const PROCESS_ENV = {
  ...COMMON_ENV,
  rawBucket: "RAW_BUCKET",
  rawPrefix: "RAW_PREFIX",
  processedBucket: "PROCESSED_BUCKET",
  processedPrefix: "PROCESSED_PREFIX",
  maxObjectBytes: "MAX_OBJECT_BYTES",
  chunkMaxChars: "CHUNK_MAX_CHARS",
  chunkOverlapChars: "CHUNK_OVERLAP_CHARS",
} as const;

export const VECTORIZE_ENV = {
  ...COMMON_ENV,
  rawBucket: "RAW_BUCKET",
  processedBucket: "PROCESSED_BUCKET",
  processedPrefix: "PROCESSED_PREFIX",
  maxObjectBytes: "MAX_OBJECT_BYTES",
  embeddingModelId: "EMBEDDING_MODEL_ID",
  embeddingDimensions: "EMBEDDING_DIMENSIONS",
  bedrockRegion: "BEDROCK_REGION",
  bedrockConcurrency: "BEDROCK_CONCURRENCY",
  upstashSecretArn: "UPSTASH_SECRET_ARN",
  upstashNamespace: "UPSTASH_NAMESPACE",
  upstashConcurrency: "UPSTASH_CONCURRENCY",
  upstashMaxRequestBytes: "UPSTASH_MAX_REQUEST_BYTES",
} as const;

/** Powertools log levels (SILENT turns logging off). */
export const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface CommonEnvironment {
  /** Powertools service name: the `service` key of every log line and the `service` metric dimension. */
  readonly serviceName: string;
  /** CloudWatch namespace of the EMF metrics. */
  readonly metricsNamespace: string;
  readonly logLevel: LogLevelName;
  /**
   * The `maxReceiveCount` of the source queue's redrive policy. The function does not enforce it (SQS does); it
   * uses it to log, on the last attempt, that a failing record is going to the dead-letter queue and why.
   */
  readonly maxReceiveCount: number;
}

export interface ProcessEnvironment extends CommonEnvironment {
  readonly rawBucket: string;
  /** Only keys under this prefix are processed ("" for the whole bucket); must end with "/" when set. */
  readonly rawPrefix: string;
  readonly processedBucket: string;
  /** Processed documents are written under this prefix ("" or ending with "/"). */
  readonly processedPrefix: string;
  /** Largest raw object read, in bytes; larger objects are rejected before download. */
  readonly maxObjectBytes: number;
  /** Largest chunk, in UTF-16 code units of the cleaned text. */
  readonly chunkMaxChars: number;
  /** Characters a chunk may repeat from the end of the previous one (never across a heading). */
  readonly chunkOverlapChars: number;
}

export interface VectorizeEnvironment extends CommonEnvironment {
  /** The raw bucket, checked (HeadObject) so a document replaced since it was processed is not indexed. */
  readonly rawBucket: string;
  readonly processedBucket: string;
  readonly processedPrefix: string;
  /** Largest processed object read, in bytes. */
  readonly maxObjectBytes: number;
  /** Bedrock model id or inference profile id, e.g. amazon.titan-embed-text-v2:0. */
  readonly embeddingModelId: string;
  readonly embeddingDimensions: number;
  /** Region of the Bedrock endpoint; empty means the function's own region. */
  readonly bedrockRegion: string;
  /** Bedrock requests in flight per function instance. */
  readonly bedrockConcurrency: number;
  /** Secrets Manager ARN of a JSON secret `{"url": ..., "token": ...}` (see `formatUpstashSecret`). */
  readonly upstashSecretArn: string;
  /** Upstash Vector namespace of this environment (for example the stack's environment name). */
  readonly upstashNamespace: string;
  /** Upstash requests in flight per function instance. */
  readonly upstashConcurrency: number;
  /** Upper bound of one Upstash request body; upserts are packed up to it (and to 1,000 vectors). */
  readonly upstashMaxRequestBytes: number;
}

/** Values used when a variable is not set; the infrastructure may spread these and override what it needs. */
export const COMMON_DEFAULTS = {
  logLevel: "INFO",
  maxReceiveCount: 3,
} as const satisfies Partial<CommonEnvironment>;

export const PROCESS_DEFAULTS = {
  ...COMMON_DEFAULTS,
  rawPrefix: "",
  processedPrefix: "",
  maxObjectBytes: 20 * 1024 * 1024,
  chunkMaxChars: 2000,
  chunkOverlapChars: 200,
} as const satisfies Partial<ProcessEnvironment>;

export const VECTORIZE_DEFAULTS = {
  ...COMMON_DEFAULTS,
  processedPrefix: "",
  maxObjectBytes: 64 * 1024 * 1024,
  embeddingModelId: "amazon.titan-embed-text-v2:0",
  embeddingDimensions: 1024,
  bedrockRegion: "",
  bedrockConcurrency: 8,
  upstashConcurrency: 4,
  // The smallest request-size limit among Upstash Vector plans; raise it on plans that allow more.
  upstashMaxRequestBytes: 1_000_000,
} as const satisfies Partial<VectorizeEnvironment>;

/** The largest raw object the process function accepts, whatever the configuration says (memory bound). */
export const MAX_OBJECT_BYTES_LIMIT = 256 * 1024 * 1024;

/** Thrown with every missing or invalid variable at once, each with what is allowed. */
export class EnvironmentError extends Error {
  constructor(
    readonly fn: string,
    readonly issues: readonly string[],
  ) {
    super(`invalid ${fn} function environment:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "EnvironmentError";
  }
}

/**
 * A value the infrastructure may not know yet (a Pulumi Output<string>): string fields accept `D` as well, so
 * `processEnvironment` can be called with bucket names that are outputs. Numbers come from config and are plain.
 */
export type Deferrable<T, D> = { readonly [K in keyof T]: T[K] extends string ? T[K] | D : T[K] };

type WithDefaults<T, K extends keyof T, D> = Deferrable<Omit<T, K>, D> & Partial<Deferrable<Pick<T, K>, D>>;
export type ProcessEnvironmentValues<D = never> = WithDefaults<
  ProcessEnvironment,
  keyof typeof PROCESS_DEFAULTS,
  D
>;
export type VectorizeEnvironmentValues<D = never> = WithDefaults<
  VectorizeEnvironment,
  keyof typeof VECTORIZE_DEFAULTS,
  D
>;

/** The Secrets Manager secret that holds the Upstash credentials: a JSON object with these two keys. */
export interface UpstashCredentials {
  readonly url: string;
  readonly token: string;
}

/** The secret string the infrastructure stores (the functions parse it with the same keys). */
export function formatUpstashSecret(credentials: UpstashCredentials): string {
  return JSON.stringify({ url: credentials.url, token: credentials.token });
}

// ---- parsing rules -------------------------------------------------------------------------------------------

type Parse<T> = (raw: string) => T | Invalid;
class Invalid {
  constructor(readonly allowed: string) {}
}

const text =
  (allowed: string, test: (v: string) => boolean): Parse<string> =>
  (raw) =>
    test(raw) ? raw : new Invalid(allowed);

const integer =
  (min: number, max: number): Parse<number> =>
  (raw) => {
    const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max
      ? n
      : new Invalid(`must be a whole number from ${min} to ${max}`);
  };

const oneOf =
  <T extends string>(values: readonly T[]): Parse<T> =>
  (raw) =>
    (values as readonly string[]).includes(raw)
      ? (raw as T)
      : new Invalid(`must be one of ${values.join(", ")}`);

// S3 bucket naming rules (general purpose buckets): 3-63 characters, lower case, digits, dots and hyphens.
const bucketName = text(
  "must be an S3 bucket name (3-63 lower-case letters, digits, dots or hyphens, starting and ending with a letter or digit)",
  (v) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) && !v.includes(".."),
);
const keyPrefix = text(
  'must be empty or a key prefix ending with "/" that does not start with "/"',
  (v) => v === "" || (v.endsWith("/") && !v.startsWith("/") && v.length <= 512),
);
const nonEmpty = (what: string) => text(`must be ${what}`, (v) => v.trim() !== "" && v.length <= 255);
const metricsNamespace = text(
  'must be a CloudWatch namespace (1-255 letters, digits and . - _ / # : characters, not starting with "AWS/")',
  (v) => /^[A-Za-z0-9.\-_/#:]{1,255}$/.test(v) && !v.startsWith("AWS/"),
);
const secretArn = text(
  "must be a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>)",
  (v) => /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(v),
);
// A namespace is a path segment of the Upstash REST URL; keep it to characters that need no escaping.
const namespace = text("must be 1-64 letters, digits, '-' or '_'", (v) => /^[A-Za-z0-9_-]{1,64}$/.test(v));
const region = text("must be empty (the function's region) or an AWS region such as us-east-1", (v) =>
  /^$|^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(v),
);
const modelId = text(`must be a supported embedding model: ${EMBEDDING_MODEL_IDS.join(", ")}`, (v) =>
  Boolean(embeddingModel(v)),
);

interface Field<T> {
  readonly parse: Parse<T>;
  /** Absent means the variable is required. */
  readonly fallback?: T;
}

type Schema<T> = { readonly [K in keyof T]-?: Field<T[K]> };

const commonSchema = (fn: "process" | "vectorize"): Schema<CommonEnvironment> => ({
  serviceName: { parse: nonEmpty(`the Powertools service name, e.g. agent-platform-${fn}`) },
  metricsNamespace: { parse: metricsNamespace },
  logLevel: { parse: oneOf(LOG_LEVELS), fallback: COMMON_DEFAULTS.logLevel },
  maxReceiveCount: { parse: integer(1, 1000), fallback: COMMON_DEFAULTS.maxReceiveCount },
});

const processSchema: Schema<ProcessEnvironment> = {
  ...commonSchema("process"),
  rawBucket: { parse: bucketName },
  rawPrefix: { parse: keyPrefix, fallback: PROCESS_DEFAULTS.rawPrefix },
  processedBucket: { parse: bucketName },
  processedPrefix: { parse: keyPrefix, fallback: PROCESS_DEFAULTS.processedPrefix },
  maxObjectBytes: { parse: integer(1, MAX_OBJECT_BYTES_LIMIT), fallback: PROCESS_DEFAULTS.maxObjectBytes },
  chunkMaxChars: { parse: integer(64, 40_000), fallback: PROCESS_DEFAULTS.chunkMaxChars },
  chunkOverlapChars: { parse: integer(0, 20_000), fallback: PROCESS_DEFAULTS.chunkOverlapChars },
};

const vectorizeSchema: Schema<VectorizeEnvironment> = {
  ...commonSchema("vectorize"),
  rawBucket: { parse: bucketName },
  processedBucket: { parse: bucketName },
  processedPrefix: { parse: keyPrefix, fallback: VECTORIZE_DEFAULTS.processedPrefix },
  maxObjectBytes: {
    parse: integer(1, 4 * MAX_OBJECT_BYTES_LIMIT),
    fallback: VECTORIZE_DEFAULTS.maxObjectBytes,
  },
  embeddingModelId: { parse: modelId, fallback: VECTORIZE_DEFAULTS.embeddingModelId },
  embeddingDimensions: { parse: integer(1, 8192), fallback: VECTORIZE_DEFAULTS.embeddingDimensions },
  bedrockRegion: { parse: region, fallback: VECTORIZE_DEFAULTS.bedrockRegion },
  bedrockConcurrency: { parse: integer(1, 64), fallback: VECTORIZE_DEFAULTS.bedrockConcurrency },
  upstashSecretArn: { parse: secretArn },
  upstashNamespace: { parse: namespace },
  upstashConcurrency: { parse: integer(1, 32), fallback: VECTORIZE_DEFAULTS.upstashConcurrency },
  upstashMaxRequestBytes: {
    parse: integer(64 * 1024, 100 * 1024 * 1024),
    fallback: VECTORIZE_DEFAULTS.upstashMaxRequestBytes,
  },
};

/** Rules that involve more than one variable. */
function processCrossChecks(env: ProcessEnvironment): string[] {
  const issues: string[] = [];
  if (env.chunkOverlapChars >= env.chunkMaxChars) {
    issues.push(
      `${PROCESS_ENV.chunkOverlapChars} = ${env.chunkOverlapChars}: must be less than ${PROCESS_ENV.chunkMaxChars} (${env.chunkMaxChars})`,
    );
  }
  // The same bucket for both sides is allowed only with disjoint prefixes: a processed object under the raw
  // prefix would trigger the process function again, forever.
  if (
    env.rawBucket === env.processedBucket &&
    (env.processedPrefix.startsWith(env.rawPrefix) || env.rawPrefix.startsWith(env.processedPrefix))
  ) {
    issues.push(
      `${PROCESS_ENV.processedPrefix} = ${JSON.stringify(env.processedPrefix)}: must not overlap ${PROCESS_ENV.rawPrefix} (${JSON.stringify(env.rawPrefix)}) when both buckets are ${env.rawBucket}`,
    );
  }
  return issues;
}

function vectorizeCrossChecks(env: VectorizeEnvironment): string[] {
  const model = embeddingModel(env.embeddingModelId);
  if (model && !model.dimensions.includes(env.embeddingDimensions)) {
    return [
      `${VECTORIZE_ENV.embeddingDimensions} = ${env.embeddingDimensions}: ${env.embeddingModelId} produces ${model.dimensions.join(", ")} dimensions`,
    ];
  }
  return [];
}

function readWith<T>(
  fn: string,
  schema: Schema<T>,
  names: { readonly [K in keyof T]: string },
  source: Readonly<Record<string, string | undefined>>,
  crossChecks: (env: T) => string[],
): T {
  const issues: string[] = [];
  const result: Partial<Record<keyof T, unknown>> = {};
  for (const key of Object.keys(schema) as (keyof T)[]) {
    const field = schema[key];
    const name = names[key];
    const raw = source[name];
    if (raw === undefined || raw === "") {
      if (field.fallback === undefined) {
        issues.push(`${name} is not set: ${describe(field)}`);
      } else {
        result[key] = field.fallback;
      }
      continue;
    }
    const value = field.parse(raw);
    if (value instanceof Invalid) {
      issues.push(`${name} = ${JSON.stringify(raw)}: ${value.allowed}`);
    } else {
      result[key] = value;
    }
  }
  if (issues.length === 0) issues.push(...crossChecks(result as T));
  if (issues.length > 0) throw new EnvironmentError(fn, issues);
  return result as T;
}

function describe(field: Field<unknown>): string {
  const probe = field.parse("");
  return probe instanceof Invalid ? probe.allowed : "required";
}

/** Builds the variables map from plain values, validating each plain value with the reader's rules. */
function buildWith<T, D>(
  fn: string,
  schema: Schema<T>,
  names: { readonly [K in keyof T]: string },
  values: Partial<Deferrable<T, D>>,
  crossChecks: (env: T) => string[],
): Record<string, string | D> {
  const variables: Record<string, string | D> = {};
  const plain: Record<string, string> = {};
  const deferred: string[] = [];
  for (const key of Object.keys(schema) as (keyof T)[]) {
    const name = names[key];
    const value = values[key] as unknown;
    const fallback = schema[key].fallback as unknown;
    const chosen = value === undefined ? fallback : value;
    if (chosen === undefined) continue; // reported as missing below
    if (typeof chosen === "string" || typeof chosen === "number") {
      plain[name] = String(chosen);
      variables[name] = String(chosen);
    } else {
      variables[name] = chosen as D;
      deferred.push(name);
    }
  }
  // Deferred values are validated by the function when it starts; give the reader a valid stand-in for them so
  // the remaining values are still checked now.
  const probe = { ...plain };
  for (const name of deferred) probe[name] = standIn(name);
  readWith(fn, schema, names, probe, crossChecks);
  return variables;
}

function standIn(name: string): string {
  switch (name) {
    case "UPSTASH_SECRET_ARN":
      return "arn:aws:secretsmanager:us-east-1:000000000000:secret:deferred";
    case "RAW_BUCKET":
      return "deferred-raw-bucket";
    case "PROCESSED_BUCKET":
      return "deferred-processed-bucket";
    default:
      return "deferred";
  }
}

export function readProcessEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ProcessEnvironment {
  return readWith("process", processSchema, PROCESS_ENV, env, processCrossChecks);
}

export function readVectorizeEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): VectorizeEnvironment {
  return readWith("vectorize", vectorizeSchema, VECTORIZE_ENV, env, vectorizeCrossChecks);
}

/**
 * The process function's `environment.variables`. String values may be deferred (`D`, e.g. Output<string>);
 * plain values are validated now with the same rules the function applies at start.
 */
export function processEnvironment<D = never>(
  values: ProcessEnvironmentValues<D>,
): Record<string, string | D> {
  return buildWith<ProcessEnvironment, D>("process", processSchema, PROCESS_ENV, values, processCrossChecks);
}

/** The vectorize function's `environment.variables`; see `processEnvironment`. */
export function vectorizeEnvironment<D = never>(
  values: VectorizeEnvironmentValues<D>,
): Record<string, string | D> {
  return buildWith<VectorizeEnvironment, D>(
    "vectorize",
    vectorizeSchema,
    VECTORIZE_ENV,
    values,
    vectorizeCrossChecks,
  );
}
