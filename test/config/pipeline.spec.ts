import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { PipelineSettings, pipelineProblems } from "../../components/pipeline/args";
import { configIssues, K, loadStack } from "../helpers/config";

const load = loadStack;
/** The problems loading dev with `changes` reports, as `key = value: allowed`. */
const issuesWith = (changes: Record<string, string | undefined>) => configIssues("dev", changes);

function settings(stack: string): PipelineSettings {
  const { upstashUrl: _u, upstashToken: _t, ...rest } = load(stack).pipeline!;
  return rest;
}

const COMMON = {
  bucketEncryption: "kms",
  uploadPrefix: "uploads/",
  processedPrefix: "documents/",
  accessLogs: true,
  uploaderPrincipalArns: [],
  embeddingModelId: "amazon.titan-embed-text-v2:0",
  embeddingDimensions: 1024,
  maxReceiveCount: 3,
  batchWindowSeconds: 0,
} as const;

describe("pipeline config", () => {
  it("reads each stack's pipeline: dev small and unreserved, staging the defaults, prod more concurrency", () => {
    assert.deepStrictEqual(settings("dev"), {
      ...COMMON,
      rawTransitionDays: 0,
      rawExpirationDays: 30,
      noncurrentExpirationDays: 7,
      corsOrigins: ["http://localhost:3000"],
      process: {
        memoryMb: 1024,
        timeoutSeconds: 300,
        reservedConcurrency: -1,
        batchSize: 5,
        maxConcurrency: 2,
      },
      vectorize: {
        memoryMb: 512,
        timeoutSeconds: 300,
        reservedConcurrency: -1,
        batchSize: 10,
        maxConcurrency: 2,
      },
    });
    assert.deepStrictEqual(settings("staging"), {
      ...COMMON,
      rawTransitionDays: 30,
      rawExpirationDays: 180,
      noncurrentExpirationDays: 30,
      corsOrigins: [],
      process: {
        memoryMb: 1024,
        timeoutSeconds: 300,
        reservedConcurrency: 5,
        batchSize: 5,
        maxConcurrency: 5,
      },
      vectorize: {
        memoryMb: 512,
        timeoutSeconds: 300,
        reservedConcurrency: 5,
        batchSize: 10,
        maxConcurrency: 5,
      },
    });
    assert.deepStrictEqual(settings("prod"), {
      ...COMMON,
      rawTransitionDays: 30,
      rawExpirationDays: 365,
      noncurrentExpirationDays: 30,
      corsOrigins: ["https://agents.example.com"],
      process: {
        memoryMb: 1024,
        timeoutSeconds: 300,
        reservedConcurrency: 20,
        batchSize: 5,
        maxConcurrency: 20,
      },
      vectorize: {
        memoryMb: 512,
        timeoutSeconds: 300,
        reservedConcurrency: 10,
        batchSize: 10,
        maxConcurrency: 10,
      },
    });
  });

  it("keeps the Upstash credentials as secrets", async () => {
    const p = load("dev").pipeline!;
    for (const secret of [p.upstashUrl, p.upstashToken]) {
      assert.strictEqual(await (secret as unknown as { isSecret: Promise<boolean> }).isSecret, true);
    }
    assert.ok(pulumi.Output.isInstance(p.upstashUrl));
  });

  it("rejects lifecycle days out of order or below Standard-IA's minimum", () => {
    assert.deepStrictEqual(
      issuesWith({ [K("pipelineRawTransitionDays")]: "60", [K("pipelineRawExpirationDays")]: "60" }),
      [
        "agent-platform:pipelineRawExpirationDays = 60: must be later than pipelineRawTransitionDays (60): objects " +
          "move to Standard-IA first, then expire",
      ],
    );
    assert.deepStrictEqual(
      issuesWith({
        [K("pipelineRawTransitionDays")]: "10",
        [K("pipelineRawExpirationDays")]: "-1",
        [K("pipelineNoncurrentExpirationDays")]: "0",
      }),
      [
        "agent-platform:pipelineRawTransitionDays = 10: must be 0 (no transition) or a whole number of days from " +
          "30 (Standard-IA's minimum) to 36500",
        "agent-platform:pipelineRawExpirationDays = -1: must be 0 (never) or a whole number of days from 1 to 36500",
        "agent-platform:pipelineNoncurrentExpirationDays = 0: must be a whole number of days from 1 to 36500",
      ],
    );
    // 0 turns either off; expiration alone or transition alone is fine.
    assert.deepStrictEqual(
      issuesWith({ [K("pipelineRawTransitionDays")]: "30", [K("pipelineRawExpirationDays")]: "0" }),
      [],
    );
  });

  it("rejects CORS origins that are not origins", () => {
    const origins = [
      "app.example.com",
      "https://app.example.com/upload",
      "*",
      "http://app.example.com",
      "https://*.example.com",
      "http://localhost:5173",
      "https://app.example.com",
    ];
    const allowed =
      "must be an origin such as https://app.example.com: https, a host (optionally *.domain) and an optional " +
      "port, no path; http only for localhost";
    assert.deepStrictEqual(issuesWith({ [K("pipelineCorsOrigins")]: JSON.stringify(origins) }), [
      `agent-platform:pipelineCorsOrigins[0] = "app.example.com": ${allowed}`,
      `agent-platform:pipelineCorsOrigins[1] = "https://app.example.com/upload": ${allowed}`,
      `agent-platform:pipelineCorsOrigins[2] = "*": ${allowed}`,
      `agent-platform:pipelineCorsOrigins[3] = "http://app.example.com": ${allowed}`,
    ]);
    assert.deepStrictEqual(
      issuesWith({ [K("pipelineCorsOrigins")]: '["https://a.example.com","https://a.example.com"]' }),
      [
        'agent-platform:pipelineCorsOrigins = ["https://a.example.com","https://a.example.com"]: must not repeat an origin',
      ],
    );
  });

  it("rejects memory, timeouts and concurrency outside Lambda's ranges", () => {
    assert.deepStrictEqual(
      issuesWith({
        [K("pipelineProcessMemoryMb")]: "64",
        [K("pipelineVectorizeMemoryMb")]: "10241",
        [K("pipelineProcessTimeoutSeconds")]: "901",
        [K("pipelineVectorizeTimeoutSeconds")]: "0",
        [K("pipelineVectorizeMaxConcurrency")]: "1",
      }),
      [
        "agent-platform:pipelineProcessMemoryMb = 64: must be a whole number of MB from 128 to 10240 (Lambda's range)",
        "agent-platform:pipelineProcessTimeoutSeconds = 901: must be a whole number of seconds from 1 to 900 (Lambda's range)",
        "agent-platform:pipelineVectorizeMemoryMb = 10241: must be a whole number of MB from 128 to 10240 (Lambda's range)",
        "agent-platform:pipelineVectorizeTimeoutSeconds = 0: must be a whole number of seconds from 1 to 900 (Lambda's range)",
        "agent-platform:pipelineVectorizeMaxConcurrency = 1: must be a whole number of invocations from 2 to 1000 (Lambda's range)",
      ],
    );
    assert.deepStrictEqual(issuesWith({ [K("pipelineProcessMemoryMb")]: "1.5" }), [
      "agent-platform:pipelineProcessMemoryMb = 1.5: must be a whole number of MB from 128 to 10240 (Lambda's range)",
    ]);
  });

  it("keeps reserved concurrency at or above the event source's maximum concurrency", () => {
    assert.deepStrictEqual(
      issuesWith({
        [K("pipelineProcessReservedConcurrency")]: "1",
        [K("pipelineVectorizeReservedConcurrency")]: "-2",
      }),
      [
        "agent-platform:pipelineProcessReservedConcurrency = 1: must be -1 (no reservation) or at least " +
          "pipelineProcessMaxConcurrency (2): the event source would otherwise drive the function into throttling " +
          "(0 would stop it altogether)",
        "agent-platform:pipelineVectorizeReservedConcurrency = -2: must be -1 (no reservation) or a whole number up to 1000",
      ],
    );
    assert.deepStrictEqual(issuesWith({ [K("pipelineProcessReservedConcurrency")]: "2" }), []);
  });

  it("needs a batching window for batches over 10", () => {
    assert.deepStrictEqual(issuesWith({ [K("pipelineVectorizeBatchSize")]: "50" }), [
      "agent-platform:pipelineVectorizeBatchSize = 50: must be at most 10 unless pipelineBatchWindowSeconds is at " +
        "least 1 (Lambda requires a batching window for larger SQS batches)",
    ]);
    assert.deepStrictEqual(
      issuesWith({ [K("pipelineVectorizeBatchSize")]: "50", [K("pipelineBatchWindowSeconds")]: "5" }),
      [],
    );
    assert.deepStrictEqual(issuesWith({ [K("pipelineBatchWindowSeconds")]: "301" }), [
      "agent-platform:pipelineBatchWindowSeconds = 301: must be a whole number of seconds from 0 to 300",
    ]);
  });

  it("accepts only prefixes that S3 and IAM read the same way", () => {
    const allowed =
      'must be a key prefix such as uploads/: letters, digits and ! _ . \' ( ) - /, ending with "/", not starting ' +
      'with "/", without * or ? (IAM would read them as wildcards), at most 256 characters';
    assert.deepStrictEqual(
      issuesWith({ [K("pipelineUploadPrefix")]: "uploads", [K("pipelineProcessedPrefix")]: "docs/*/" }),
      [
        `agent-platform:pipelineUploadPrefix = "uploads": ${allowed}`,
        `agent-platform:pipelineProcessedPrefix = "docs/*/": ${allowed}`,
      ],
    );
    assert.deepStrictEqual(issuesWith({ [K("pipelineUploadPrefix")]: "/uploads/" }), [
      `agent-platform:pipelineUploadPrefix = "/uploads/": ${allowed}`,
    ]);
    assert.deepStrictEqual(issuesWith({ [K("pipelineUploadPrefix")]: "" }), [
      `agent-platform:pipelineUploadPrefix = "": ${allowed}`,
    ]);
    assert.deepStrictEqual(issuesWith({ [K("pipelineUploadPrefix")]: "clients/acme-corp/" }), []);
  });

  it("supports foundation models only, with a vector size the model produces", () => {
    const models =
      "amazon.titan-embed-text-v2:0, cohere.embed-english-v3, cohere.embed-multilingual-v3, cohere.embed-v4:0";
    assert.deepStrictEqual(issuesWith({ [K("pipelineEmbeddingModel")]: "us.amazon.titan-embed-text-v2:0" }), [
      'agent-platform:pipelineEmbeddingModel = "us.amazon.titan-embed-text-v2:0": must be a foundation model id, ' +
        "not an inference profile (IAM is scoped to the one foundation model ARN of the stack's region): one of " +
        models,
    ]);
    assert.deepStrictEqual(issuesWith({ [K("pipelineEmbeddingModel")]: "amazon.titan-embed-text-v1" }), [
      `agent-platform:pipelineEmbeddingModel = "amazon.titan-embed-text-v1": must be one of ${models}`,
    ]);
    assert.deepStrictEqual(issuesWith({ [K("pipelineEmbeddingDimensions")]: "768" }), [
      "agent-platform:pipelineEmbeddingDimensions = 768: must be one of 256, 512, 1024 (what " +
        "amazon.titan-embed-text-v2:0 produces)",
    ]);
    assert.deepStrictEqual(
      issuesWith({
        [K("pipelineEmbeddingModel")]: "cohere.embed-v4:0",
        [K("pipelineEmbeddingDimensions")]: "1536",
      }),
      [],
    );
  });

  it("accepts IAM principals as uploaders, and nothing else", () => {
    assert.deepStrictEqual(
      issuesWith({
        [K("pipelineUploaderPrincipals")]: JSON.stringify([
          "arn:aws:iam::123456789012:role/upload-service",
          "arn:aws:iam::210987654321:root",
          "*",
          "arn:aws:s3:::bucket",
        ]),
      }),
      ['"*"', '"arn:aws:s3:::bucket"'].map(
        (v, i) =>
          `agent-platform:pipelineUploaderPrincipals[${i + 2}] = ${v}: must be an IAM role, user or account root ` +
          "ARN such as arn:aws:iam::123456789012:role/upload-service",
      ),
    );
  });

  it("names the encryptions it knows", () => {
    assert.deepStrictEqual(issuesWith({ [K("pipelineBucketEncryption")]: "aes" }), [
      'agent-platform:pipelineBucketEncryption = "aes": must be one of kms, s3',
    ]);
    assert.strictEqual(
      load("dev", { [K("pipelineBucketEncryption")]: "s3" }).pipeline?.bucketEncryption,
      "s3",
    );
  });

  it("judges the settings where the pipeline is on; switched off, its keys are read but not judged", () => {
    const off = {
      [K("pipelineEnabled")]: "false",
      [K("upstashVectorUrl")]: undefined,
      [K("upstashVectorToken")]: undefined,
      [K("pipelineProcessMemoryMb")]: "64",
    };
    assert.deepStrictEqual(issuesWith(off), []);
    assert.strictEqual(load("dev", off).pipeline, undefined);
    assert.deepStrictEqual(issuesWith({ ...off, [K("pipelineProcessMemoryMb")]: "lots" }), [
      'agent-platform:pipelineProcessMemoryMb = "lots": must be a number',
    ]);
    assert.deepStrictEqual(issuesWith({ [K("pipelineProcessMemoryMb")]: "64" }), [
      "agent-platform:pipelineProcessMemoryMb = 64: must be a whole number of MB from 128 to 10240 (Lambda's range)",
    ]);
  });

  it("checks settings as a pure function the component reuses", () => {
    const good = settings("dev");
    assert.deepStrictEqual(pipelineProblems(good), []);
    assert.deepStrictEqual(
      pipelineProblems({
        ...good,
        process: { ...good.process, memoryMb: 20000 },
        corsOrigins: ["ftp://x"],
      }),
      [
        {
          key: "corsOrigins[0]",
          value: "ftp://x",
          allowed:
            "must be an origin such as https://app.example.com: https, a host (optionally *.domain) and an optional " +
            "port, no path; http only for localhost",
        },
        {
          key: "process.memoryMb",
          value: 20000,
          allowed: "must be a whole number of MB from 128 to 10240 (Lambda's range)",
        },
      ],
    );
  });
});
