import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext, viaService } from "../shared/aws-context";

/*
 * What each identity of the pipeline may do, statement by statement, every one scoped to exact ARNs (only the
 * X-Ray actions, which take no resource, use "*"). Read the handlers in functions/ for the calls behind each
 * statement: S3 GetObject/HeadObject (s3:GetObject), PutObject, Bedrock InvokeModel, Secrets Manager
 * GetSecretValue, and the SQS receive/delete calls the event source makes with the function's role.
 */

type Statement = Record<string, unknown>;

/** What the statements refer to. */
export interface PipelineRefs {
  readonly ctx: AwsContext;
  readonly rawBucketArn: pulumi.Input<string>;
  readonly processedBucketArn: pulumi.Input<string>;
  readonly uploadPrefix: string;
  readonly processedPrefix: string;
  /** The pipeline's KMS key: queues, secret and logs always; the buckets with SSE-KMS. */
  readonly keyArn: pulumi.Input<string>;
  /** Whether the buckets use SSE-KMS with the key (reads decrypt and writes encrypt through S3). */
  readonly kmsBuckets: boolean;
}

/** `<bucket ARN>/<prefix>*`: the objects under a prefix. */
export function objectsUnder(bucketArn: pulumi.Input<string>, prefix: string): pulumi.Output<string> {
  return pulumi.interpolate`${bucketArn}/${prefix}*`;
}

function listBuckets(r: PipelineRefs): Statement {
  // S3 answers 404 for a missing key only to callers that may list the bucket, 403 otherwise. The functions
  // skip an object deleted since its event on 404; on 403 they would retry it until it reached the DLQ.
  return {
    Sid: "ListThePipelineBuckets",
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: [r.rawBucketArn, r.processedBucketArn],
  };
}

function consumeQueue(queueArn: pulumi.Input<string>): Statement {
  // What the SQS event source does with the function's role (GetQueueAttributes when it is created).
  return {
    Sid: "ConsumeItsQueue",
    Effect: "Allow",
    Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
    Resource: queueArn,
  };
}

function decrypt(r: PipelineRefs, services: string[]): Statement {
  return {
    Sid: "DecryptWithThePipelineKey",
    Effect: "Allow",
    Action: "kms:Decrypt",
    Resource: r.keyArn,
    Condition: { StringEquals: { "kms:ViaService": services.map((s) => viaService(r.ctx, s)) } },
  };
}

function encryptThroughS3(r: PipelineRefs): Statement {
  return {
    Sid: "EncryptWithThePipelineKey",
    Effect: "Allow",
    Action: "kms:GenerateDataKey",
    Resource: r.keyArn,
    Condition: { StringEquals: { "kms:ViaService": viaService(r.ctx, "s3") } },
  };
}

/** The process function: raw uploads in, processed documents out. */
export function processStatements(r: PipelineRefs, own: { queueArn: pulumi.Input<string> }): Statement[] {
  return [
    listBuckets(r),
    {
      Sid: "ReadUploads",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: objectsUnder(r.rawBucketArn, r.uploadPrefix),
    },
    {
      // GetObject also covers HeadObject, which the function calls first to skip writing an unchanged document.
      Sid: "ReadAndWriteDocuments",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: objectsUnder(r.processedBucketArn, r.processedPrefix),
    },
    consumeQueue(own.queueArn),
    decrypt(r, r.kmsBuckets ? ["s3", "sqs"] : ["sqs"]),
    ...(r.kmsBuckets ? [encryptThroughS3(r)] : []),
  ];
}

/** The vectorize function: processed documents in, embeddings from Bedrock, vectors out to Upstash. */
export function vectorizeStatements(
  r: PipelineRefs,
  own: {
    queueArn: pulumi.Input<string>;
    modelArn: pulumi.Input<string>;
    secretArn: pulumi.Input<string>;
  },
): Statement[] {
  return [
    listBuckets(r),
    {
      Sid: "ReadDocuments",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: objectsUnder(r.processedBucketArn, r.processedPrefix),
    },
    {
      // HeadObject of the source upload: a document replaced since it was processed is not indexed.
      Sid: "CheckUploads",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: objectsUnder(r.rawBucketArn, r.uploadPrefix),
    },
    {
      Sid: "InvokeTheEmbeddingModel",
      Effect: "Allow",
      Action: "bedrock:InvokeModel",
      Resource: own.modelArn,
    },
    {
      Sid: "ReadTheUpstashSecret",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: own.secretArn,
    },
    consumeQueue(own.queueArn),
    decrypt(r, r.kmsBuckets ? ["s3", "sqs", "secretsmanager"] : ["sqs", "secretsmanager"]),
  ];
}

/** The uploader: PutObject under the upload prefix, nothing else (no read, list or delete). */
export function uploaderStatements(r: PipelineRefs): Statement[] {
  return [
    {
      Sid: "UploadUnderThePrefix",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: objectsUnder(r.rawBucketArn, r.uploadPrefix),
    },
    ...(r.kmsBuckets ? [{ ...encryptThroughS3(r), Sid: "EncryptUploads" }] : []),
  ];
}

/**
 * The uploader role, assumed by the backend that signs upload URLs (docs/uploads.md). It trusts the configured
 * principals, or else the stack's account: then any IAM principal of the account whose own policy allows
 * sts:AssumeRole on this role (the account delegates to IAM, as AWS's console does by default).
 */
export function createUploader(
  parent: pulumi.Resource,
  name: string,
  r: PipelineRefs,
  principalArns: readonly string[],
): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
  const principals =
    principalArns.length > 0
      ? [...principalArns]
      : [pulumi.interpolate`arn:${r.ctx.partition}:iam::${r.ctx.accountId}:root`];
  const role = new aws.iam.Role(
    `${name}-uploader`,
    {
      description: "Signs pre-signed PUT URLs for client uploads under the pipeline's upload prefix",
      assumeRolePolicy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: principals }, Action: "sts:AssumeRole" }],
      }),
      // A pre-signed URL dies with the session that signed it: one hour covers the 15-minute URLs of the guide.
      maxSessionDuration: 3600,
    },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-uploader-policy`,
    {
      role: role.id,
      policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: uploaderStatements(r) }),
    },
    { parent },
  );
  return { role, policy };
}
