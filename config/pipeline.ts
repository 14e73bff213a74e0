import * as pulumi from "@pulumi/pulumi";
import {
  BUCKET_ENCRYPTIONS,
  PipelineField,
  PipelineFunctionSettings,
  PipelineSettings,
  pipelineProblems,
} from "../components/pipeline/args";
import type { KeyNames } from "../lib/problems";
import { ConfigReader } from "./reader";

/*
 * The ingestion pipeline: its keys, read into the component's own settings
 * (components/pipeline/args.ts), whose rules name the keys below, and the Upstash secrets.
 */

/** The pipeline, where pipelineEnabled: its settings and the Upstash Vector credentials. */
export interface PipelineConfig extends PipelineSettings {
  /** Upstash Vector REST URL and token; secrets, passed to functions only as a Secrets Manager ARN. */
  readonly upstashUrl: pulumi.Output<string>;
  readonly upstashToken: pulumi.Output<string>;
}

const FUNCTION_KEYS = { process: "pipelineProcess", vectorize: "pipelineVectorize" } as const;

const functionKeys = (fn: keyof typeof FUNCTION_KEYS) =>
  Object.fromEntries(
    ["MemoryMb", "TimeoutSeconds", "ReservedConcurrency", "BatchSize", "MaxConcurrency"].map((f) => [
      `${fn}${f}`,
      `${FUNCTION_KEYS[fn]}${f}`,
    ]),
  );

const KEYS = {
  bucketEncryption: "pipelineBucketEncryption",
  uploadPrefix: "pipelineUploadPrefix",
  processedPrefix: "pipelineProcessedPrefix",
  rawTransitionDays: "pipelineRawTransitionDays",
  rawExpirationDays: "pipelineRawExpirationDays",
  noncurrentExpirationDays: "pipelineNoncurrentExpirationDays",
  corsOrigins: "pipelineCorsOrigins",
  uploaderPrincipalArns: "pipelineUploaderPrincipals",
  embeddingModelId: "pipelineEmbeddingModel",
  embeddingDimensions: "pipelineEmbeddingDimensions",
  maxReceiveCount: "pipelineMaxReceiveCount",
  batchWindowSeconds: "pipelineBatchWindowSeconds",
  ...functionKeys("process"),
  ...functionKeys("vectorize"),
} as KeyNames<PipelineField>;

/** The pipeline, or undefined where pipelineEnabled is false. */
export function readPipeline(r: ConfigReader): PipelineConfig | undefined {
  const enabled = r.boolean("pipelineEnabled");
  const fn = (prefix: string): PipelineFunctionSettings => ({
    memoryMb: r.number(`${prefix}MemoryMb`),
    timeoutSeconds: r.number(`${prefix}TimeoutSeconds`),
    reservedConcurrency: r.number(`${prefix}ReservedConcurrency`),
    batchSize: r.number(`${prefix}BatchSize`),
    maxConcurrency: r.number(`${prefix}MaxConcurrency`),
  });
  const settings: PipelineSettings = {
    bucketEncryption: r.oneOf("pipelineBucketEncryption", BUCKET_ENCRYPTIONS),
    uploadPrefix: r.string("pipelineUploadPrefix"),
    processedPrefix: r.string("pipelineProcessedPrefix"),
    rawTransitionDays: r.number("pipelineRawTransitionDays"),
    rawExpirationDays: r.number("pipelineRawExpirationDays"),
    noncurrentExpirationDays: r.number("pipelineNoncurrentExpirationDays"),
    corsOrigins: r.stringList("pipelineCorsOrigins"),
    accessLogs: r.boolean("pipelineAccessLogs"),
    uploaderPrincipalArns: r.stringList("pipelineUploaderPrincipals"),
    embeddingModelId: r.string("pipelineEmbeddingModel"),
    embeddingDimensions: r.number("pipelineEmbeddingDimensions"),
    maxReceiveCount: r.number("pipelineMaxReceiveCount"),
    batchWindowSeconds: r.number("pipelineBatchWindowSeconds"),
    process: fn(FUNCTION_KEYS.process),
    vectorize: fn(FUNCTION_KEYS.vectorize),
  };
  const upstashUrl = r.secret("upstashVectorUrl", enabled);
  const upstashToken = r.secret("upstashVectorToken", enabled);
  if (!enabled) return undefined;
  r.reportAll(pipelineProblems(settings, KEYS));
  return {
    ...settings,
    upstashUrl: upstashUrl ?? pulumi.output(""),
    upstashToken: upstashToken ?? pulumi.output(""),
  };
}
