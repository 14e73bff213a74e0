import * as iam from "../../policy/iam";
import { expectFindings, res, UNKNOWN_STRING } from "./helpers";

const T = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  key: "aws:kms/key:Key",
  permission: "aws:lambda/permission:Permission",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
};

const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const LAMBDA_TRUST = doc({
  Effect: "Allow",
  Principal: { Service: "lambda.amazonaws.com" },
  Action: "sts:AssumeRole",
});
const QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:jobs";

describe("policy: iam-no-admin-access", () => {
  it("passes scoped policies and allowed managed policies", async () => {
    await expectFindings(
      iam.iamNoAdminAccess,
      [
        res(T.rolePolicy, "p", {
          role: "r",
          policy: doc({ Effect: "Allow", Action: "sqs:ReceiveMessage", Resource: QUEUE_ARN }),
        }),
        res(T.attachment, "a", {
          role: "r",
          policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        }),
      ],
      [],
    );
  });
  it("flags *:* statements (inline or object documents) and admin managed policies in any partition", async () => {
    await expectFindings(
      iam.iamNoAdminAccess,
      [
        res(T.role, "r", {
          assumeRolePolicy: LAMBDA_TRUST,
          inlinePolicies: [{ name: "all", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }],
          managedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/PowerUserAccess"],
        }),
        res(T.policy, "p", {
          policy: {
            Version: "2012-10-17",
            Statement: [{ Sid: "God", Effect: "Allow", Action: ["*"], Resource: ["*"] }],
          },
        }),
        res(T.policyAttachment, "pa", {
          roles: ["r"],
          policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
        }),
      ],
      [
        "IAM role 'r' inlinePolicies[0].policy statement 1 allows every action on every resource.",
        "IAM role 'r' attaches the AWS managed PowerUserAccess policy.",
        "IAM policy 'p' statement 1 (Sid God) allows every action on every resource.",
        "IAM policy attachment 'pa' attaches the AWS managed AdministratorAccess policy.",
      ],
    );
  });
});

describe("policy: iam-no-wildcard-actions", () => {
  it("passes named actions and partial wildcards", async () => {
    await expectFindings(
      iam.iamNoWildcardActions,
      [
        res(T.rolePolicy, "p", {
          policy: doc({ Effect: "Allow", Action: ["s3:GetObject", "s3:List*"], Resource: "*" }),
        }),
      ],
      [],
    );
  });
  it("flags * and service-wide wildcards unless allowed by config", async () => {
    const p = res(T.rolePolicy, "p", {
      policy: doc({ Effect: "Allow", Action: ["s3:*", "xray:*"], Resource: "*" }),
    });
    await expectFindings(
      iam.iamNoWildcardActions,
      [p],
      ['IAM role policy \'p\' statement 1 allows "s3:*" and "xray:*".'],
    );
    await expectFindings(
      iam.iamNoWildcardActions,
      [p],
      ["IAM role policy 'p' statement 1 allows \"s3:*\"."],
      {
        "iam-no-wildcard-actions": { allowedActions: ["xray:*"] },
      },
    );
  });
});

describe("policy: iam-no-wildcard-resources", () => {
  it("passes actions that only take *, ABAC-confined statements and unknown ARNs", async () => {
    await expectFindings(
      iam.iamNoWildcardResources,
      [
        res(T.rolePolicy, "xray", {
          policy: doc({
            Effect: "Allow",
            Action: ["xray:PutTraceSegments", "ec2:DescribeSubnets"],
            Resource: "*",
          }),
        }),
        res(T.rolePolicy, "abac", {
          policy: doc({
            Effect: "Allow",
            Action: "ec2:TerminateInstances",
            Resource: "*",
            Condition: { StringEquals: { "aws:ResourceTag/Project": "agent-platform" } },
          }),
        }),
        res(T.rolePolicy, "arn", {
          policy: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: UNKNOWN_STRING }],
          },
        }),
      ],
      [],
    );
  });
  it("flags restrictable actions on Resource *", async () => {
    await expectFindings(
      iam.iamNoWildcardResources,
      [
        res(T.rolePolicy, "p", {
          policy: doc({
            Effect: "Allow",
            Action: ["sqs:SendMessage", "xray:PutTraceSegments", "s3:GetObject"],
            Resource: "*",
          }),
        }),
      ],
      ["IAM role policy 'p' statement 1 allows sqs:SendMessage and s3:GetObject on Resource \"*\"."],
    );
  });
});

describe("policy: iam-no-allow-not-action", () => {
  it("passes Deny statements with NotAction and Allow statements with Action", async () => {
    await expectFindings(
      iam.iamNoNotAction,
      [
        res(T.rolePolicy, "deny", {
          policy: doc({ Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" }),
        }),
        res(T.rolePolicy, "allow", {
          policy: doc({ Effect: "Allow", Action: "sqs:SendMessage", Resource: QUEUE_ARN }),
        }),
      ],
      [],
    );
  });
  it("passes Deny with NotAction and flags Allow with NotAction/NotResource/NotPrincipal", async () => {
    await expectFindings(
      iam.iamNoNotAction,
      [
        res(T.rolePolicy, "deny", {
          policy: doc({ Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" }),
        }),
        res(T.rolePolicy, "allow", {
          policy: doc({ Effect: "Allow", NotAction: "iam:*", NotResource: QUEUE_ARN }),
        }),
        res(T.bucketPolicy, "bp", {
          bucket: "b",
          policy: doc({
            Effect: "Allow",
            NotPrincipal: { AWS: "arn:aws:iam::1:root" },
            Action: "s3:GetObject",
            Resource: "*",
          }),
        }),
      ],
      [
        "IAM role policy 'allow' statement 1 allows with NotAction and NotResource.",
        "S3 bucket policy 'bp' statement 1 allows with NotPrincipal.",
      ],
    );
  });
});

describe("policy: iam-no-privilege-escalation", () => {
  it("passes PassRole scoped to one role and IAM reads", async () => {
    await expectFindings(
      iam.iamNoPrivilegeEscalation,
      [
        res(T.rolePolicy, "deploy", {
          policy: doc(
            { Effect: "Allow", Action: "iam:PassRole", Resource: UNKNOWN_STRING },
            { Effect: "Allow", Action: "lambda:CreateFunction", Resource: "*" },
            { Effect: "Allow", Action: "iam:GetRole", Resource: "*" },
          ),
        }),
      ],
      [],
    );
  });
  it("flags escalation actions matched through wildcards and PassRole paths", async () => {
    await expectFindings(
      iam.iamNoPrivilegeEscalation,
      [
        res(T.rolePolicy, "p", {
          policy: doc(
            {
              Sid: "Iam",
              Effect: "Allow",
              Action: ["iam:Put*", "iam:CreateAccessKey"],
              Resource: "arn:aws:iam::123456789012:role/*",
            },
            { Sid: "Pass", Effect: "Allow", Action: "iam:PassRole", Resource: "*" },
            { Effect: "Allow", Action: ["lambda:CreateFunction", "ec2:RunInstances"], Resource: "*" },
          ),
        }),
      ],
      [
        "IAM role policy 'p' statement 1 (Sid Iam) allows iam:PutUserPolicy, iam:PutGroupPolicy, iam:PutRolePolicy and iam:CreateAccessKey on a wildcard resource.",
        "IAM role policy 'p' statement 2 (Sid Pass) allows iam:PassRole on a wildcard resource together with lambda:CreateFunction and ec2:RunInstances: any role can be passed to new compute.",
      ],
    );
  });
});

describe("policy: iam-trust-policy", () => {
  it("passes service principals, scoped accounts and pinned web identities", async () => {
    const github = doc({
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringLike: {
          "token.actions.githubusercontent.com:sub": "repo:acme/agent-platform:ref:refs/heads/main",
        },
      },
    });
    await expectFindings(
      iam.iamTrustPolicy,
      [
        res(T.role, "lambda", { assumeRolePolicy: LAMBDA_TRUST }),
        res(T.role, "ci", { assumeRolePolicy: github }),
      ],
      [],
    );
  });
  it("flags anyone, any account and unpinned web identities", async () => {
    await expectFindings(
      iam.iamTrustPolicy,
      [
        res(T.role, "open", {
          assumeRolePolicy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
        }),
        res(T.role, "ci", {
          assumeRolePolicy: doc({
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } },
          }),
        }),
      ],
      [
        "IAM role 'open' assumeRolePolicy statement 1 lets any AWS principal assume the role.",
        "IAM role 'ci' assumeRolePolicy statement 1 trusts a web identity provider without pinning the token's :sub (or :aud) claim.",
      ],
    );
  });
});

describe("policy: resource-policy-not-public", () => {
  it("passes * with a positive scoping condition and named principals", async () => {
    await expectFindings(
      iam.resourcePolicyNotPublic,
      [
        res(T.queuePolicy, "q", {
          queueUrl: "u",
          policy: doc({
            Effect: "Allow",
            Principal: "*",
            Action: "sqs:SendMessage",
            Resource: QUEUE_ARN,
            Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:1:t" } },
          }),
        }),
        res(T.key, "k", {
          policy: doc({
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::123456789012:root" },
            Action: "kms:*",
            Resource: "*",
          }),
        }),
        res(T.permission, "perm", {
          action: "lambda:InvokeFunction",
          function: "f",
          principal: "*",
          principalOrgId: "o-123",
        }),
      ],
      [],
    );
  });
  it("flags * without a condition, negated conditions, invalid JSON and public Lambda permissions", async () => {
    await expectFindings(
      iam.resourcePolicyNotPublic,
      [
        res(T.bucketPolicy, "open", {
          bucket: "b",
          policy: doc({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "s3:GetObject", Resource: "*" }),
        }),
        res(T.queuePolicy, "neg", {
          queueUrl: "u",
          policy: doc({
            Effect: "Allow",
            Principal: "*",
            Action: "sqs:*",
            Resource: QUEUE_ARN,
            Condition: { StringNotEquals: { "aws:SourceAccount": "1" } },
          }),
        }),
        res(T.topicPolicy, "bad", { arn: "t", policy: "{not json" }),
        res(T.permission, "perm", { action: "lambda:InvokeFunction", function: "f", principal: "*" }),
      ],
      [
        "S3 bucket policy 'open' statement 1 allows Principal \"*\" with no scoping condition.",
        "SQS queue policy 'neg' statement 1 allows Principal \"*\" with no scoping condition.",
        "SNS topic policy 'bad' policy is not valid JSON.",
        "Lambda permission 'perm' lets anyone invoke the function (principal \"*\" without sourceArn, sourceAccount or principalOrgId).",
      ],
    );
  });
});

describe("policy: service-principal-scoped", () => {
  it("passes service statements with source conditions", async () => {
    await expectFindings(
      iam.servicePrincipalScoped,
      [
        res(T.topicPolicy, "tp", {
          arn: "t",
          policy: doc({
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: "t",
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
          }),
        }),
        res(T.permission, "p", {
          action: "lambda:InvokeFunction",
          function: "f",
          principal: "s3.amazonaws.com",
          sourceArn: "arn:aws:s3:::b",
        }),
      ],
      [],
    );
  });
  it("flags confused-deputy statements and permissions", async () => {
    await expectFindings(
      iam.servicePrincipalScoped,
      [
        res(T.queuePolicy, "qp", {
          queueUrl: "u",
          policy: doc({
            Effect: "Allow",
            Principal: { Service: ["events.amazonaws.com"] },
            Action: "sqs:SendMessage",
            Resource: QUEUE_ARN,
          }),
        }),
        res(T.permission, "p", {
          action: "lambda:InvokeFunction",
          function: "f",
          principal: "sns.amazonaws.com",
        }),
      ],
      [
        "SQS queue policy 'qp' statement 1 admits events.amazonaws.com without aws:SourceArn or aws:SourceAccount.",
        "Lambda permission 'p' admits sns.amazonaws.com without sourceArn or sourceAccount.",
      ],
    );
  });
});

describe("policy: iam-aws-managed-policies (advisory)", () => {
  it("passes reviewed AWS managed policies and customer managed policies", async () => {
    await expectFindings(
      iam.iamAwsManagedPolicies,
      [
        res(T.attachment, "ok", {
          role: "r",
          policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        }),
        res(T.attachment, "mine", { role: "r", policyArn: "arn:aws:iam::123456789012:policy/mine" }),
      ],
      [],
    );
  });
  it("passes the reviewed list and flags others", async () => {
    await expectFindings(
      iam.iamAwsManagedPolicies,
      [
        res(T.attachment, "ok", {
          role: "r",
          policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        }),
        res(T.attachment, "s3", { role: "r", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }),
        res(T.attachment, "mine", { role: "r", policyArn: "arn:aws:iam::123456789012:policy/mine" }),
      ],
      [
        "IAM role policy attachment 's3' attaches the AWS managed AmazonS3FullAccess policy, which is not on the reviewed list.",
      ],
    );
  });
});
