/**
 * The IAM permissions each function needs, as policy documents built from the same values as its environment.
 * For the Pipeline component (call inside an `apply` once bucket names and ARNs are known); like env.ts, free of
 * SDK and Pulumi imports.
 *
 * Not included, because they come from managed policies or depend on choices made elsewhere:
 *  - CloudWatch Logs (AWSLambdaBasicExecutionRole): EMF metrics are log lines, no cloudwatch:PutMetricData;
 *  - X-Ray (AWSXRayDaemonWriteAccess) when the function's tracing mode is Active;
 *  - kms:Decrypt / kms:GenerateDataKey when buckets, queues or the secret use a customer managed KMS key.
 */
import { embeddingModel } from "./embedding-models";

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

interface Common {
  /** "aws" unless in GovCloud or China. */
  readonly partition?: string;
  /** The SQS queue the function's event source mapping reads. */
  readonly queueArn: string;
}

export interface ProcessPolicyInput extends Common {
  readonly rawBucket: string;
  readonly rawPrefix: string;
  readonly processedBucket: string;
  readonly processedPrefix: string;
}

export interface VectorizePolicyInput extends Common {
  readonly region: string;
  readonly accountId: string;
  readonly rawBucket: string;
  readonly rawPrefix: string;
  readonly processedBucket: string;
  readonly processedPrefix: string;
  readonly embeddingModelId: string;
  /** BEDROCK_REGION, or empty for the function's region. */
  readonly bedrockRegion?: string;
  readonly upstashSecretArn: string;
}

/** What an SQS event source mapping needs on its queue (it runs with the function's role). */
function consume(queueArn: string): PolicyStatement {
  return {
    Sid: "ConsumeQueue",
    Effect: "Allow",
    Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
    Resource: [queueArn],
  };
}

/**
 * Read access to a prefix. s3:ListBucket (limited to the prefix) is what makes S3 answer 404 rather than 403 for
 * a key that no longer exists, which the functions report as "deleted" instead of failing on.
 */
function read(sid: string, partition: string, bucket: string, prefix: string): PolicyStatement[] {
  return [
    {
      Sid: `${sid}Objects`,
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`arn:${partition}:s3:::${bucket}/${prefix}*`],
    },
    {
      Sid: `${sid}List`,
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [`arn:${partition}:s3:::${bucket}`],
      Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
    },
  ];
}

export function processPolicy(input: ProcessPolicyInput): PolicyDocument {
  const partition = input.partition ?? "aws";
  return {
    Version: "2012-10-17",
    Statement: [
      consume(input.queueArn),
      ...read("ReadRaw", partition, input.rawBucket, input.rawPrefix),
      // GetObject (HeadObject) on its own output: an unchanged document is not written again.
      ...read("ReadProcessed", partition, input.processedBucket, input.processedPrefix),
      {
        Sid: "WriteProcessed",
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: [`arn:${partition}:s3:::${input.processedBucket}/${input.processedPrefix}*`],
      },
    ],
  };
}

/**
 * Bedrock resources for a model id or a cross-region inference profile id. A profile needs the profile itself and
 * the foundation model in every region the profile may route to.
 */
export function bedrockModelArns(
  partition: string,
  region: string,
  accountId: string,
  modelId: string,
): string[] {
  const model = embeddingModel(modelId);
  if (!model) throw new Error(`unsupported embedding model ${modelId}`);
  const profile = /^([a-z]{2,6}(?:-[a-z]+)?)\.((?:amazon|cohere)\..+)$/.exec(modelId);
  if (!profile) return [`arn:${partition}:bedrock:${region}::foundation-model/${modelId}`];
  return [
    `arn:${partition}:bedrock:${region}:${accountId}:inference-profile/${modelId}`,
    `arn:${partition}:bedrock:*::foundation-model/${profile[2]}`,
  ];
}

export function vectorizePolicy(input: VectorizePolicyInput): PolicyDocument {
  const partition = input.partition ?? "aws";
  return {
    Version: "2012-10-17",
    Statement: [
      consume(input.queueArn),
      ...read("ReadProcessed", partition, input.processedBucket, input.processedPrefix),
      // HeadObject on the source: a document replaced or deleted since it was processed is not indexed.
      ...read("ReadRaw", partition, input.rawBucket, input.rawPrefix),
      {
        Sid: "Embed",
        Effect: "Allow",
        Action: ["bedrock:InvokeModel"],
        Resource: bedrockModelArns(
          partition,
          input.bedrockRegion || input.region,
          input.accountId,
          input.embeddingModelId,
        ),
      },
      {
        Sid: "UpstashSecret",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: [input.upstashSecretArn],
      },
    ],
  };
}
