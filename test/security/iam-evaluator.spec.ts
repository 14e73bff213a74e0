import * as assert from "assert";
import { evaluateRequest, Request } from "../helpers/iam-evaluator";
import type { PolicyStatement } from "../../tools/iam-roles";

const BUCKET = "arn:aws:s3:::processed";
const decide = (statements: PolicyStatement[], req: Request) => evaluateRequest(statements, req).decision;

describe("test helper: the identity-policy evaluator", () => {
  it("allows on a matching Allow, denies implicitly otherwise, and lets an explicit Deny win", () => {
    const allow: PolicyStatement = {
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: `${BUCKET}/documents/*`,
    };
    const deny: PolicyStatement = {
      Effect: "Deny",
      Action: "s3:*",
      Resource: `${BUCKET}/documents/secret/*`,
    };
    assert.strictEqual(
      decide([allow], { action: "s3:PutObject", resource: `${BUCKET}/documents/a.json` }),
      "allow",
    );
    assert.strictEqual(
      decide([allow], { action: "s3:PutObject", resource: `${BUCKET}/other/a.json` }),
      "implicit-deny",
    );
    assert.strictEqual(
      decide([allow, deny], { action: "s3:PutObject", resource: `${BUCKET}/documents/secret/a` }),
      "explicit-deny",
    );
  });

  it("matches actions case-insensitively and resources case-sensitively, with * and ?", () => {
    const s: PolicyStatement = { Effect: "Allow", Action: "S3:Get*", Resource: `${BUCKET}/doc?/*` };
    assert.strictEqual(decide([s], { action: "s3:getobject", resource: `${BUCKET}/docs/x` }), "allow");
    assert.strictEqual(
      decide([s], { action: "s3:GetObject", resource: `${BUCKET}/DOCS/x` }),
      "implicit-deny",
    );
    assert.strictEqual(
      decide([s], { action: "s3:GetObject", resource: `${BUCKET}/documents/x` }),
      "implicit-deny",
    );
    assert.strictEqual(
      decide([s], { action: "s3:PutObject", resource: `${BUCKET}/docs/x` }),
      "implicit-deny",
    );
  });

  it("reads NotAction and NotResource as everything but", () => {
    const s: PolicyStatement = {
      Effect: "Deny",
      NotAction: "s3:GetObject",
      NotResource: `${BUCKET}/public/*`,
    };
    assert.strictEqual(decide([s], { action: "s3:PutObject", resource: `${BUCKET}/x` }), "explicit-deny");
    assert.strictEqual(decide([s], { action: "s3:GetObject", resource: `${BUCKET}/x` }), "implicit-deny");
    assert.strictEqual(
      decide([s], { action: "s3:PutObject", resource: `${BUCKET}/public/x` }),
      "implicit-deny",
    );
  });

  it("evaluates both sides of StringEquals, StringLike, ArnLike, Bool and Null conditions", () => {
    const tagged: PolicyStatement = {
      Effect: "Allow",
      Action: "elasticloadbalancing:RegisterTargets",
      Resource: "*",
      Condition: { StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "prod" } },
    };
    const req = (context?: Request["context"]) => ({
      action: "elasticloadbalancing:RegisterTargets",
      resource: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1",
      context,
    });
    assert.strictEqual(decide([tagged], req({ "AWS:ResourceTag/elbv2.k8s.aws/cluster": "prod" })), "allow");
    assert.strictEqual(
      decide([tagged], req({ "aws:ResourceTag/elbv2.k8s.aws/cluster": "dev" })),
      "implicit-deny",
    );
    assert.strictEqual(decide([tagged], req()), "implicit-deny");

    const like: PolicyStatement = {
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: "*",
      Condition: {
        StringLike: { "token:sub": "repo:acme/*" },
        ArnLike: { "aws:SourceArn": "arn:aws:codedeploy:*:1:deploymentgroup:app/*" },
      },
    };
    const both = {
      "token:sub": "repo:acme/x",
      "aws:SourceArn": "arn:aws:codedeploy:us-east-1:1:deploymentgroup:app/live",
    };
    assert.strictEqual(decide([like], { action: "sts:AssumeRole", resource: "r", context: both }), "allow");
    assert.strictEqual(
      decide([like], {
        action: "sts:AssumeRole",
        resource: "r",
        context: { ...both, "aws:SourceArn": "arn:aws:codedeploy:us-east-1:2:deploymentgroup:app/live" },
      }),
      "implicit-deny",
    );

    const tls: PolicyStatement = {
      Effect: "Deny",
      Action: "s3:*",
      Resource: "*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
    assert.strictEqual(
      decide([tls], {
        action: "s3:GetObject",
        resource: BUCKET,
        context: { "aws:SecureTransport": "false" },
      }),
      "explicit-deny",
    );
    assert.strictEqual(
      decide([tls], { action: "s3:GetObject", resource: BUCKET, context: { "aws:SecureTransport": "true" } }),
      "implicit-deny",
    );

    const untagged: PolicyStatement = {
      Effect: "Allow",
      Action: "elasticloadbalancing:AddTags",
      Resource: "*",
      Condition: { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true" } },
    };
    const addTags = (context: Request["context"]) =>
      decide([untagged], { action: "elasticloadbalancing:AddTags", resource: "x", context });
    assert.strictEqual(addTags({}), "allow");
    assert.strictEqual(addTags({ "aws:RequestTag/elbv2.k8s.aws/cluster": "prod" }), "implicit-deny");
  });

  it("holds negated operators when the key is absent, and IfExists conditions too", () => {
    const notOther: PolicyStatement = {
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { StringNotEquals: { "aws:SourceAccount": "1" } },
    };
    assert.strictEqual(decide([notOther], { action: "s3:GetObject", resource: "x" }), "explicit-deny");
    assert.strictEqual(
      decide([notOther], { action: "s3:GetObject", resource: "x", context: { "aws:SourceAccount": "1" } }),
      "implicit-deny",
    );
    const ifExists: PolicyStatement = {
      Effect: "Allow",
      Action: "*",
      Resource: "*",
      Condition: { StringEqualsIfExists: { "aws:ResourceTag/team": "a" } },
    };
    assert.strictEqual(decide([ifExists], { action: "s3:GetObject", resource: "x" }), "allow");
    assert.strictEqual(
      decide([ifExists], { action: "s3:GetObject", resource: "x", context: { "aws:ResourceTag/team": "b" } }),
      "implicit-deny",
    );
  });

  it("refuses what it does not understand instead of guessing", () => {
    const numeric: PolicyStatement = {
      Effect: "Allow",
      Action: "*",
      Resource: "*",
      Condition: { NumericLessThan: { "s3:max-keys": "10" } },
    };
    assert.throws(
      () => decide([numeric], { action: "s3:ListBucket", resource: "x", context: { "s3:max-keys": "5" } }),
      /NumericLessThan/,
    );
    const variable: PolicyStatement = {
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::b/${aws:username}/*",
    };
    assert.throws(
      () => decide([variable], { action: "s3:GetObject", resource: "arn:aws:s3:::b/me/x" }),
      /policy variables/,
    );
  });
});
