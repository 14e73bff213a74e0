import { strict as assert } from "node:assert";
import { bedrockModelArns, processPolicy, vectorizePolicy } from "../../functions/shared/iam";

describe("functions/shared/iam", () => {
  it("gives the process function read on the raw prefix, read and write on the processed prefix, and its queue", () => {
    // Act
    const policy = processPolicy({
      queueArn: "arn:aws:sqs:us-east-1:123456789012:process",
      rawBucket: "raw",
      rawPrefix: "incoming/",
      processedBucket: "processed",
      processedPrefix: "docs/",
    });
    // Assess
    const byId = Object.fromEntries(policy.Statement.map((s) => [s.Sid, s]));
    assert.deepEqual(byId.ReadRawObjects.Resource, ["arn:aws:s3:::raw/incoming/*"]);
    assert.deepEqual(byId.ReadRawList.Condition, { StringLike: { "s3:prefix": ["incoming/*"] } });
    assert.deepEqual(byId.WriteProcessed, {
      Sid: "WriteProcessed",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: ["arn:aws:s3:::processed/docs/*"],
    });
    assert.deepEqual(byId.ConsumeQueue.Resource, ["arn:aws:sqs:us-east-1:123456789012:process"]);
    assert.deepEqual(byId.ConsumeQueue.Action, [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
    ]);
    assert.ok(
      !policy.Statement.some((s) =>
        s.Action.some((a) => a.startsWith("bedrock:") || a === "s3:DeleteObject"),
      ),
    );
  });

  it("scopes Bedrock to the model, or to an inference profile and the model in the regions it routes to", () => {
    assert.deepEqual(bedrockModelArns("aws", "eu-west-1", "123456789012", "amazon.titan-embed-text-v2:0"), [
      "arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0",
    ]);
    assert.deepEqual(bedrockModelArns("aws", "us-east-1", "123456789012", "us.cohere.embed-v4:0"), [
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.cohere.embed-v4:0",
      "arn:aws:bedrock:*::foundation-model/cohere.embed-v4:0",
    ]);
    assert.throws(
      () => bedrockModelArns("aws", "us-east-1", "1", "meta.llama3"),
      /unsupported embedding model/,
    );
  });

  it("gives the vectorize function its model in BEDROCK_REGION, the secret, and read on both prefixes", () => {
    // Act
    const policy = vectorizePolicy({
      queueArn: "arn:aws:sqs:us-east-1:123456789012:vectorize",
      region: "us-east-1",
      accountId: "123456789012",
      rawBucket: "raw",
      rawPrefix: "",
      processedBucket: "processed",
      processedPrefix: "docs/",
      embeddingModelId: "amazon.titan-embed-text-v2:0",
      bedrockRegion: "us-west-2",
      upstashSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:upstash-AbCdEf",
    });
    // Assess
    const byId = Object.fromEntries(policy.Statement.map((s) => [s.Sid, s]));
    assert.deepEqual(byId.Embed.Resource, [
      "arn:aws:bedrock:us-west-2::foundation-model/amazon.titan-embed-text-v2:0",
    ]);
    assert.deepEqual(byId.UpstashSecret.Action, ["secretsmanager:GetSecretValue"]);
    assert.deepEqual(byId.ReadRawObjects.Resource, ["arn:aws:s3:::raw/*"]);
    assert.deepEqual(byId.ReadProcessedObjects.Resource, ["arn:aws:s3:::processed/docs/*"]);
    assert.ok(
      !policy.Statement.some((s) => s.Action.includes("s3:PutObject")),
      "vectorize writes nothing to S3",
    );
  });
});
