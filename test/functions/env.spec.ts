import { strict as assert } from "node:assert";
import {
  EnvironmentError,
  formatUpstashSecret,
  PROCESS_DEFAULTS,
  PROCESS_ENV,
  processEnvironment,
  readProcessEnv,
  readVectorizeEnv,
  VECTORIZE_DEFAULTS,
  VECTORIZE_ENV,
  vectorizeEnvironment,
} from "../../contracts/pipeline-env";
import { embeddingModel } from "../../contracts/embedding-models";

const processVars = {
  POWERTOOLS_SERVICE_NAME: "agent-platform-process",
  POWERTOOLS_METRICS_NAMESPACE: "AgentPlatform/Pipeline",
  RAW_BUCKET: "agent-platform-dev-raw",
  PROCESSED_BUCKET: "agent-platform-dev-processed",
};

const vectorizeVars = {
  POWERTOOLS_SERVICE_NAME: "agent-platform-vectorize",
  POWERTOOLS_METRICS_NAMESPACE: "AgentPlatform/Pipeline",
  RAW_BUCKET: "agent-platform-dev-raw",
  PROCESSED_BUCKET: "agent-platform-dev-processed",
  UPSTASH_SECRET_ARN:
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent-platform/dev/upstash-AbCdEf",
  UPSTASH_NAMESPACE: "dev",
};

/** A stand-in for Pulumi's Output<string>: an object the builder must pass through untouched. */
class Deferred {
  constructor(readonly name: string) {}
}

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof EnvironmentError, `expected EnvironmentError, got ${String(error)}`);
    return [...error.issues];
  }
  assert.fail("expected an EnvironmentError");
}

describe("contracts/pipeline-env", () => {
  it("reads the process environment, applying defaults", () => {
    // Act
    const env = readProcessEnv(processVars);
    // Assess
    assert.deepEqual(env, {
      serviceName: "agent-platform-process",
      metricsNamespace: "AgentPlatform/Pipeline",
      logLevel: "INFO",
      maxReceiveCount: 3,
      rawBucket: "agent-platform-dev-raw",
      rawPrefix: "",
      processedBucket: "agent-platform-dev-processed",
      processedPrefix: "",
      maxObjectBytes: PROCESS_DEFAULTS.maxObjectBytes,
      chunkMaxChars: 2000,
      chunkOverlapChars: 200,
    });
  });

  it("names every missing or invalid variable, with what is allowed, in one error", () => {
    // Prepare
    const vars = {
      ...processVars,
      RAW_BUCKET: undefined,
      PROCESSED_BUCKET: "Bad_Bucket",
      CHUNK_MAX_CHARS: "lots",
      LOG_LEVEL: "LOUD",
      RAW_PREFIX: "/raw",
    };
    // Act
    const issues = issuesOf(() => readProcessEnv(vars));
    // Assess
    assert.equal(issues.length, 5);
    assert.match(issues.join("\n"), /RAW_BUCKET is not set: must be an S3 bucket name/);
    assert.match(issues.join("\n"), /PROCESSED_BUCKET = "Bad_Bucket": must be an S3 bucket name/);
    assert.match(issues.join("\n"), /CHUNK_MAX_CHARS = "lots": must be a whole number from 64 to 40000/);
    assert.match(
      issues.join("\n"),
      /LOG_LEVEL = "LOUD": must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT/,
    );
    assert.match(issues.join("\n"), /RAW_PREFIX = "\/raw": must be empty or a key prefix ending with "\/"/);
  });

  it("checks rules across variables", () => {
    assert.match(
      issuesOf(() =>
        readProcessEnv({ ...processVars, CHUNK_MAX_CHARS: "500", CHUNK_OVERLAP_CHARS: "500" }),
      )[0],
      /must be less than CHUNK_MAX_CHARS/,
    );
    assert.match(
      issuesOf(() =>
        readProcessEnv({
          ...processVars,
          PROCESSED_BUCKET: processVars.RAW_BUCKET,
          RAW_PREFIX: "docs/",
          PROCESSED_PREFIX: "docs/processed/",
        }),
      )[0],
      /must not overlap RAW_PREFIX/,
    );
    assert.doesNotThrow(() =>
      readProcessEnv({
        ...processVars,
        PROCESSED_BUCKET: processVars.RAW_BUCKET,
        RAW_PREFIX: "raw/",
        PROCESSED_PREFIX: "processed/",
      }),
    );
    assert.match(
      issuesOf(() => readVectorizeEnv({ ...vectorizeVars, EMBEDDING_DIMENSIONS: "768" }))[0],
      /EMBEDDING_DIMENSIONS = 768: amazon.titan-embed-text-v2:0 produces 256, 512, 1024 dimensions/,
    );
  });

  it("reads the vectorize environment, accepting Cohere models and inference profiles", () => {
    // Act
    const env = readVectorizeEnv({
      ...vectorizeVars,
      EMBEDDING_MODEL_ID: "us.cohere.embed-v4:0",
      EMBEDDING_DIMENSIONS: "1536",
      BEDROCK_CONCURRENCY: "4",
    });
    // Assess
    assert.equal(env.embeddingModelId, "us.cohere.embed-v4:0");
    assert.equal(env.embeddingDimensions, 1536);
    assert.equal(env.bedrockConcurrency, 4);
    assert.equal(env.upstashMaxRequestBytes, VECTORIZE_DEFAULTS.upstashMaxRequestBytes);
    assert.equal(embeddingModel("eu.amazon.titan-embed-text-v2:0")?.family, "titan-v2");
    assert.equal(embeddingModel("amazon.titan-embed-text-v1"), undefined);
    assert.match(
      issuesOf(() => readVectorizeEnv({ ...vectorizeVars, EMBEDDING_MODEL_ID: "openai.gpt" }))[0],
      /must be a supported embedding model: amazon.titan-embed-text-v2:0, cohere/,
    );
    assert.match(
      issuesOf(() => readVectorizeEnv({ ...vectorizeVars, UPSTASH_SECRET_ARN: "my-secret" }))[0],
      /UPSTASH_SECRET_ARN = "my-secret": must be a Secrets Manager secret ARN/,
    );
  });

  it("builds the Lambda variables map from the same names, round-tripping through the reader", () => {
    // Prepare
    const values = {
      ...PROCESS_DEFAULTS,
      serviceName: "agent-platform-process",
      metricsNamespace: "AgentPlatform/Pipeline",
      rawBucket: "raw-bucket",
      processedBucket: "processed-bucket",
      rawPrefix: "incoming/",
      chunkMaxChars: 1500,
    };
    // Act
    const variables = processEnvironment(values);
    // Assess
    assert.equal(variables[PROCESS_ENV.rawPrefix], "incoming/");
    assert.equal(variables[PROCESS_ENV.chunkMaxChars], "1500");
    assert.deepEqual(readProcessEnv(variables), { ...values });
  });

  it("passes deferred values (Pulumi outputs) through and still validates the plain ones", () => {
    // Prepare
    const rawBucket = new Deferred("raw");
    const secretArn = new Deferred("arn");
    // Act
    const variables = vectorizeEnvironment<Deferred>({
      serviceName: "agent-platform-vectorize",
      metricsNamespace: "AgentPlatform/Pipeline",
      rawBucket,
      processedBucket: "processed-bucket",
      upstashSecretArn: secretArn,
      upstashNamespace: "staging",
    });
    // Assess
    assert.equal(variables[VECTORIZE_ENV.rawBucket], rawBucket);
    assert.equal(variables[VECTORIZE_ENV.upstashSecretArn], secretArn);
    assert.equal(variables[VECTORIZE_ENV.embeddingModelId], "amazon.titan-embed-text-v2:0");
    assert.match(
      issuesOf(() =>
        vectorizeEnvironment<Deferred>({
          serviceName: "x",
          metricsNamespace: "AWS/Lambda",
          rawBucket,
          processedBucket: "processed-bucket",
          upstashSecretArn: secretArn,
          upstashNamespace: "has space",
        }),
      ).join("\n"),
      /POWERTOOLS_METRICS_NAMESPACE = "AWS\/Lambda"[\s\S]*UPSTASH_NAMESPACE = "has space"/,
    );
  });

  it("formats the Upstash secret the function parses", () => {
    assert.equal(
      formatUpstashSecret({ url: "https://x.upstash.io", token: "t" }),
      '{"url":"https://x.upstash.io","token":"t"}',
    );
  });
});
