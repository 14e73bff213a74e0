import * as assert from "assert";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { named } from "../helpers/offline";
import { ACCOUNT, arnOf, K, pipelineOf, statementsOf } from "./pipeline-helpers";

const LAMBDA_TRUST = [
  { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
];

/** The ARNs every statement is scoped to, read from the evaluated resources. */
function arns(resources: RegisteredResource[], stack: string) {
  const raw = arnOf(named(resources, "pipeline-raw"));
  const processed = arnOf(named(resources, "pipeline-processed"));
  return {
    raw,
    processed,
    uploads: `${raw}/uploads/*`,
    documents: `${processed}/documents/*`,
    key: arnOf(named(resources, "pipeline-key")),
    secret: arnOf(named(resources, "pipeline-upstash")),
    queue: (f: string) => arnOf(named(resources, `pipeline-${f}`)),
    logStreams: (f: string) =>
      `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/agent-platform-${stack}-pipeline-${f}:log-stream:*`,
  };
}

const via = (...services: string[]) => ({
  StringEquals: { "kms:ViaService": services.map((s) => `${s}.us-east-1.amazonaws.com`) },
});

function expectedProcess(a: ReturnType<typeof arns>, kms: boolean) {
  return [
    {
      Sid: "ListThePipelineBuckets",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: [a.raw, a.processed],
    },
    { Sid: "ReadUploads", Effect: "Allow", Action: "s3:GetObject", Resource: a.uploads },
    {
      Sid: "ReadAndWriteDocuments",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: a.documents,
    },
    {
      Sid: "ConsumeItsQueue",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: a.queue("process"),
    },
    {
      Sid: "DecryptWithThePipelineKey",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: a.key,
      Condition: kms ? via("s3", "sqs") : via("sqs"),
    },
    ...(kms
      ? [
          {
            Sid: "EncryptWithThePipelineKey",
            Effect: "Allow",
            Action: "kms:GenerateDataKey",
            Resource: a.key,
            Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
          },
        ]
      : []),
    {
      Sid: "WriteItsLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: a.logStreams("process"),
    },
    {
      Sid: "SendTraces",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      Resource: "*",
    },
  ];
}

function expectedVectorize(a: ReturnType<typeof arns>, kms: boolean) {
  return [
    {
      Sid: "ListThePipelineBuckets",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: [a.raw, a.processed],
    },
    { Sid: "ReadDocuments", Effect: "Allow", Action: "s3:GetObject", Resource: a.documents },
    { Sid: "CheckUploads", Effect: "Allow", Action: "s3:GetObject", Resource: a.uploads },
    {
      Sid: "InvokeTheEmbeddingModel",
      Effect: "Allow",
      Action: "bedrock:InvokeModel",
      Resource: "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0",
    },
    {
      Sid: "ReadTheUpstashSecret",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: a.secret,
    },
    {
      Sid: "ConsumeItsQueue",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: a.queue("vectorize"),
    },
    {
      Sid: "DecryptWithThePipelineKey",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: a.key,
      Condition: kms ? via("s3", "sqs", "secretsmanager") : via("sqs", "secretsmanager"),
    },
    {
      Sid: "WriteItsLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: a.logStreams("vectorize"),
    },
    {
      Sid: "SendTraces",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      Resource: "*",
    },
  ];
}

describe("Pipeline IAM", function () {
  this.timeout(60000);

  for (const stack of ["dev", "staging", "prod"]) {
    describe(stack, () => {
      let resources: RegisteredResource[];
      let a: ReturnType<typeof arns>;
      before(async () => {
        ({ resources } = await pipelineOf(stack));
        a = arns(resources, stack);
      });

      it("gives each function its own role, assumable by Lambda only", () => {
        for (const f of ["process", "vectorize"]) {
          const role = named(resources, `pipeline-${f}-role`);
          assert.deepStrictEqual(statementsOf(role, "assumeRolePolicy"), LAMBDA_TRUST);
          assert.strictEqual(role.inputs.managedPolicyArns, undefined);
          const policy = named(resources, `pipeline-${f}-role-policy`);
          assert.strictEqual(policy.inputs.role, role.id);
        }
      });

      it("lets the process function read uploads, write documents, consume its queue and nothing more", () => {
        assert.deepStrictEqual(
          statementsOf(named(resources, "pipeline-process-role-policy")),
          expectedProcess(a, true),
        );
      });

      it("lets the vectorize function read documents, check uploads, call the one model and read the one secret", () => {
        assert.deepStrictEqual(
          statementsOf(named(resources, "pipeline-vectorize-role-policy")),
          expectedVectorize(a, true),
        );
      });

      it("lets the uploader role put objects under the upload prefix only, and the stack's account assume it", () => {
        const role = named(resources, "pipeline-uploader");
        assert.deepStrictEqual(statementsOf(role, "assumeRolePolicy"), [
          { Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`] }, Action: "sts:AssumeRole" },
        ]);
        assert.strictEqual(role.inputs.maxSessionDuration, 3600);
        assert.deepStrictEqual(statementsOf(named(resources, "pipeline-uploader-policy")), [
          { Sid: "UploadUnderThePrefix", Effect: "Allow", Action: "s3:PutObject", Resource: a.uploads },
          {
            Sid: "EncryptUploads",
            Effect: "Allow",
            Action: "kms:GenerateDataKey",
            Resource: a.key,
            Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
          },
        ]);
      });
    });
  }

  it("drops the S3 key statements with SSE-S3 and trusts only the configured uploaders", async () => {
    const uploaders = ["arn:aws:iam::123456789012:role/upload-service", "arn:aws:iam::210987654321:root"];
    const { resources } = await pipelineOf("staging", {
      [K("pipelineBucketEncryption")]: "s3",
      [K("pipelineUploaderPrincipals")]: JSON.stringify(uploaders),
      [K("pipelineUploadPrefix")]: "clients/",
      [K("pipelineProcessedPrefix")]: "out/",
      [K("pipelineEmbeddingModel")]: "cohere.embed-v4:0",
      [K("pipelineEmbeddingDimensions")]: "1536",
    });
    const a = arns(resources, "staging");
    const custom = { ...a, uploads: `${a.raw}/clients/*`, documents: `${a.processed}/out/*` };
    assert.deepStrictEqual(
      statementsOf(named(resources, "pipeline-process-role-policy")),
      expectedProcess(custom, false),
    );
    const vectorize = expectedVectorize(custom, false);
    vectorize[3] = {
      ...vectorize[3],
      Resource: "arn:aws:bedrock:us-east-1::foundation-model/cohere.embed-v4:0",
    };
    assert.deepStrictEqual(statementsOf(named(resources, "pipeline-vectorize-role-policy")), vectorize);
    assert.deepStrictEqual(statementsOf(named(resources, "pipeline-uploader-policy")), [
      {
        Sid: "UploadUnderThePrefix",
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: `${a.raw}/clients/*`,
      },
    ]);
    assert.deepStrictEqual(statementsOf(named(resources, "pipeline-uploader"), "assumeRolePolicy"), [
      { Effect: "Allow", Principal: { AWS: uploaders }, Action: "sts:AssumeRole" },
    ]);
  });

  it("builds ARNs from the partition and region it runs in", async () => {
    const { resources } = await pipelineOf("dev", { "aws:region": "us-gov-west-1" });
    const statements = statementsOf(named(resources, "pipeline-vectorize-role-policy"));
    assert.deepStrictEqual(
      statements.filter((s) => s.Sid === "InvokeTheEmbeddingModel").map((s) => s.Resource),
      ["arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/amazon.titan-embed-text-v2:0"],
    );
    assert.deepStrictEqual(statements.find((s) => s.Sid === "DecryptWithThePipelineKey")!.Condition, {
      StringEquals: {
        "kms:ViaService": ["s3", "sqs", "secretsmanager"].map((s) => `${s}.us-gov-west-1.amazonaws.com`),
      },
    });
  });
});
