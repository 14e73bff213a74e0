import * as assert from "assert";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { assertNoWildcards, grant, grantsFor, grantsOf, Statement } from "../helpers/iam-grants";
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

/** kms:ViaService: the key is used only through these services. */
const via = (...services: string[]) => ({
  StringEquals: { "kms:ViaService": services.map((s) => `${s}.us-east-1.amazonaws.com`) },
});

/** X-Ray's trace actions support no resource-level permissions: the one grant on "*". */
const TRACES = grantsFor(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]);
const ANY_RESOURCE = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];
const TITAN = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0";

/** What the process function may do: read uploads, read and write documents, consume its queue, log, trace. */
function expectedProcess(a: ReturnType<typeof arns>, kms: boolean): string[] {
  return [
    ...grantsFor(["s3:ListBucket"], [a.raw, a.processed]),
    grant("s3:GetObject", a.uploads),
    ...grantsFor(["s3:GetObject", "s3:PutObject"], [a.documents]),
    ...grantsFor(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], [a.queue("process")]),
    grant("kms:Decrypt", a.key, kms ? via("s3", "sqs") : via("sqs")),
    ...(kms ? [grant("kms:GenerateDataKey", a.key, via("s3"))] : []),
    ...grantsFor(["logs:CreateLogStream", "logs:PutLogEvents"], [a.logStreams("process")]),
    ...TRACES,
  ].sort();
}

/** What the vectorize function may do: read documents, check uploads, call one model, read one secret. */
function expectedVectorize(a: ReturnType<typeof arns>, kms: boolean, model = TITAN): string[] {
  return [
    ...grantsFor(["s3:ListBucket"], [a.raw, a.processed]),
    grant("s3:GetObject", a.documents),
    grant("s3:GetObject", a.uploads),
    grant("bedrock:InvokeModel", model),
    grant("secretsmanager:GetSecretValue", a.secret),
    ...grantsFor(
      ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      [a.queue("vectorize")],
    ),
    grant("kms:Decrypt", a.key, kms ? via("s3", "sqs", "secretsmanager") : via("sqs", "secretsmanager")),
    ...grantsFor(["logs:CreateLogStream", "logs:PutLogEvents"], [a.logStreams("vectorize")]),
    ...TRACES,
  ].sort();
}

/** The function's grants, after checking its document names no wildcard. */
function grantsOfPolicy(resources: RegisteredResource[], name: string): string[] {
  const statements = statementsOf(named(resources, name)) as unknown as Statement[];
  assertNoWildcards(statements, ANY_RESOURCE);
  return grantsOf(statements);
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
          grantsOfPolicy(resources, "pipeline-process-role-policy"),
          expectedProcess(a, true),
        );
      });

      it("lets the vectorize function read documents, check uploads, call the one model and read the one secret", () => {
        assert.deepStrictEqual(
          grantsOfPolicy(resources, "pipeline-vectorize-role-policy"),
          expectedVectorize(a, true),
        );
      });

      it("lets the uploader role put objects under the upload prefix only, and the stack's account assume it", () => {
        const role = named(resources, "pipeline-uploader");
        assert.deepStrictEqual(statementsOf(role, "assumeRolePolicy"), [
          { Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`] }, Action: "sts:AssumeRole" },
        ]);
        assert.strictEqual(role.inputs.maxSessionDuration, 3600);
        assert.deepStrictEqual(
          grantsOfPolicy(resources, "pipeline-uploader-policy"),
          [grant("s3:PutObject", a.uploads), grant("kms:GenerateDataKey", a.key, via("s3"))].sort(),
        );
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
      grantsOfPolicy(resources, "pipeline-process-role-policy"),
      expectedProcess(custom, false),
    );
    assert.deepStrictEqual(
      grantsOfPolicy(resources, "pipeline-vectorize-role-policy"),
      expectedVectorize(custom, false, "arn:aws:bedrock:us-east-1::foundation-model/cohere.embed-v4:0"),
    );
    assert.deepStrictEqual(grantsOfPolicy(resources, "pipeline-uploader-policy"), [
      grant("s3:PutObject", `${a.raw}/clients/*`),
    ]);
    assert.deepStrictEqual(statementsOf(named(resources, "pipeline-uploader"), "assumeRolePolicy"), [
      { Effect: "Allow", Principal: { AWS: uploaders }, Action: "sts:AssumeRole" },
    ]);
  });

  it("builds ARNs from the partition and region it runs in", async () => {
    const { resources } = await pipelineOf("dev", { "aws:region": "us-gov-west-1" });
    const grants = grantsOfPolicy(resources, "pipeline-vectorize-role-policy");
    const gov = "arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/amazon.titan-embed-text-v2:0";
    assert.deepStrictEqual(
      grants.filter((g) => g.startsWith("Allow bedrock:")),
      [grant("bedrock:InvokeModel", gov)],
    );
    assert.deepStrictEqual(
      grants.filter((g) => g.startsWith("Allow kms:")),
      [
        grant("kms:Decrypt", "<key>", {
          StringEquals: {
            "kms:ViaService": ["s3", "sqs", "secretsmanager"].map((s) => `${s}.us-gov-west-1.amazonaws.com`),
          },
        }),
      ].map((g) => g.replace("<key>", arnOf(named(resources, "pipeline-key")))),
    );
  });
});
