import * as iam from "../../policy/iam";
import { SOURCE_CONDITION_SERVICES } from "../../policy/lib/service-trust";
import * as assert from "assert";
import { expectFindings, findings, res, run, UNKNOWN_STRING } from "./helpers";

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
  const policy = (name: string, ...statements: object[]) =>
    res(T.rolePolicy, name, { policy: doc(...statements) });
  const ELB = "arn:aws:elasticloadbalancing:us-east-1:123456789012";

  it("passes actions AWS lets take only *, and statements confined by a positive tag condition", async () => {
    await expectFindings(
      iam.iamNoWildcardResources,
      [
        policy("xray", {
          Effect: "Allow",
          Action: ["xray:PutTraceSegments", "ec2:DescribeSubnets", "ecr:GetAuthorizationToken"],
          Resource: "*",
        }),
        policy("abac", {
          Effect: "Allow",
          Action: "ec2:TerminateInstances",
          Resource: "*",
          Condition: { StringEquals: { "aws:ResourceTag/Project": "agent-platform" } },
        }),
      ],
      [],
    );
  });

  it("flags restrictable actions on Resource *", async () => {
    await expectFindings(
      iam.iamNoWildcardResources,
      [
        policy("p", {
          Effect: "Allow",
          Action: ["sqs:SendMessage", "xray:PutTraceSegments", "s3:GetObject"],
          Resource: "*",
        }),
      ],
      ["IAM role policy 'p' statement 1 allows sqs:SendMessage and s3:GetObject on Resource \"*\"."],
    );
  });

  it("takes which actions support only * from AWS's catalog, not from a list of globs", async () => {
    // Both take resource ARNs (a log group; a subnet and security groups), though one is a Describe call.
    await expectFindings(
      iam.iamNoWildcardResources,
      [
        policy("p", {
          Effect: "Allow",
          Action: ["logs:DescribeLogStreams", "ec2:CreateNetworkInterface"],
          Resource: "*",
        }),
      ],
      [
        "IAM role policy 'p' statement 1 allows logs:DescribeLogStreams and ec2:CreateNetworkInterface on Resource \"*\".",
      ],
    );
  });

  it("expands wildcard actions from the catalog: s3:Get* matches actions that take ARNs, s3:ListAllMy* none", async () => {
    const found = await findings(iam.iamNoWildcardResources, [
      policy("get", { Effect: "Allow", Action: "s3:Get*", Resource: "*" }),
      policy("list", { Effect: "Allow", Action: "s3:ListAllMy*", Resource: "*" }),
    ]);
    assert.strictEqual(found.length, 1, found.join("\n"));
    assert.match(
      found[0],
      /^IAM role policy 'get' statement 1 allows s3:Get\* \((\d+) of its (\d+) actions take ARNs\) on Resource "\*"\.$/,
    );
  });

  it("judges an ARN pattern that covers every resource of its type as wide as *", async () => {
    await expectFindings(
      iam.iamNoWildcardResources,
      [
        policy("tg", {
          Effect: "Allow",
          Action: ["elasticloadbalancing:RegisterTargets"],
          Resource: `${ELB}:targetgroup/*/*`,
        }),
        policy("sg", {
          Effect: "Allow",
          Action: "ec2:DeleteSecurityGroup",
          Resource: "arn:aws:ec2:us-east-1:123456789012:security-group/*",
        }),
        policy("s3", { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*" }),
      ],
      [
        `IAM role policy 'tg' statement 1 allows elasticloadbalancing:RegisterTargets on "${ELB}:targetgroup/*/*", as wide as "*".`,
        'IAM role policy \'sg\' statement 1 allows ec2:DeleteSecurityGroup on "arn:aws:ec2:us-east-1:123456789012:security-group/*", as wide as "*".',
        'IAM role policy \'s3\' statement 1 allows s3:GetObject on "arn:aws:s3:::*", as wide as "*".',
      ],
    );
  });

  it("passes ARN patterns that name part of the resource, and wide ones a tag condition narrows", async () => {
    await expectFindings(
      iam.iamNoWildcardResources,
      [
        policy("objects", {
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::raw-bucket/uploads/*",
        }),
        policy("prefix", {
          Effect: "Allow",
          Action: "elasticloadbalancing:SetRulePriorities",
          Resource: `${ELB}:listener-rule/app/k8s-*/*/*/*`,
        }),
        policy("tagged", {
          Effect: "Allow",
          Action: "elasticloadbalancing:RegisterTargets",
          Resource: `${ELB}:targetgroup/*/*`,
          Condition: { StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "prod" } },
        }),
      ],
      [],
    );
  });

  it("does not take Null, IfExists or a lone * as a condition that narrows", async () => {
    const tagged = (Condition: object) =>
      policy("p", {
        Effect: "Allow",
        Action: "elasticloadbalancing:RegisterTargets",
        Resource: `${ELB}:targetgroup/*/*`,
        Condition,
      });
    for (const condition of [
      { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
      { StringEqualsIfExists: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "prod" } },
      { StringLike: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "*" } },
    ])
      assert.strictEqual(
        (await findings(iam.iamNoWildcardResources, [tagged(condition)])).length,
        1,
        JSON.stringify(condition),
      );
  });

  it("reports an unknown or empty Resource as unknown instead of passing it as a specific ARN", async () => {
    for (const resource of [UNKNOWN_STRING, ""]) {
      const violations = await run(iam.iamNoWildcardResources, [
        res(T.rolePolicy, "secret", {
          policy: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: "logs:PutLogEvents",
                Resource: "arn:aws:logs:us-east-1:1:log-group:g:*",
              },
              { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: resource },
            ],
          },
        }),
      ]);
      assert.deepStrictEqual(
        violations.map((v) => [v.enforcementLevel, v.message]),
        [
          [
            "advisory",
            "can't run policy 'iam-no-wildcard-resources' from policy pack 'test-pack@v0.0.1' during preview: " +
              "string value at .policy.Statement[1].Resource can't be known during preview",
          ],
        ],
        JSON.stringify(resource),
      );
    }
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
            { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/runner" },
            { Effect: "Allow", Action: "lambda:CreateFunction", Resource: "*" },
            { Effect: "Allow", Action: "iam:GetRole", Resource: "*" },
          ),
        }),
      ],
      [],
    );
  });
  it("reports PassRole on an unknown role as unknown, not as scoped", async () => {
    const violations = await run(iam.iamNoPrivilegeEscalation, [
      res(T.rolePolicy, "deploy", {
        policy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: UNKNOWN_STRING }],
        },
      }),
    ]);
    assert.deepStrictEqual(
      violations.map(
        (v) => v.enforcementLevel + " " + v.message.replace(/ from policy pack .*? during/, " during"),
      ),
      [
        "advisory can't run policy 'iam-no-privilege-escalation' during preview: string value at .policy.Statement[0].Resource can't be known during preview",
      ],
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

describe("policy: iam-trust-policy, confused deputy", () => {
  const trust = (name: string, service: string, Condition?: object) =>
    res(T.role, name, {
      assumeRolePolicy: doc({
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(Condition ? { Condition } : {}),
      }),
    });
  const GROUP = "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app/live";

  it("requires aws:SourceArn or aws:SourceAccount for a service whose guide documents them", async () => {
    await expectFindings(
      iam.iamTrustPolicy,
      [trust("deploy", "codedeploy.amazonaws.com"), trust("cluster", "eks.amazonaws.com")],
      [
        "IAM role 'deploy' assumeRolePolicy statement 1 trusts codedeploy.amazonaws.com without aws:SourceArn or aws:SourceAccount, which the service sets (https://docs.aws.amazon.com/codedeploy/latest/userguide/security_confused_deputy.html).",
        "IAM role 'cluster' assumeRolePolicy statement 1 trusts eks.amazonaws.com without aws:SourceArn or aws:SourceAccount, which the service sets (https://docs.aws.amazon.com/eks/latest/userguide/cross-service-confused-deputy-prevention.html).",
      ],
    );
  });

  it("accepts either key under a positive operator, and asks nothing of services that do not set them", async () => {
    await expectFindings(
      iam.iamTrustPolicy,
      [
        trust("arn", "codedeploy.amazonaws.com", { ArnLike: { "aws:SourceArn": GROUP } }),
        trust("account", "codedeploy.amazonaws.com", {
          StringEquals: { "aws:SourceAccount": "123456789012" },
        }),
        trust("lambda", "lambda.amazonaws.com"),
        trust("nodes", "ec2.amazonaws.com"),
      ],
      [],
    );
  });

  it("does not take a negated, IfExists or * condition as binding the source", async () => {
    for (const condition of [
      { StringNotEquals: { "aws:SourceAccount": "999999999999" } },
      { ArnLikeIfExists: { "aws:SourceArn": GROUP } },
      { ArnLike: { "aws:SourceArn": "*" } },
      { StringEquals: { "aws:PrincipalTag/team": "platform" } },
    ])
      assert.strictEqual(
        (await findings(iam.iamTrustPolicy, [trust("deploy", "codedeploy.amazonaws.com", condition)])).length,
        1,
        JSON.stringify(condition),
      );
  });

  it("lists each service with the guide that documents its source keys", () => {
    for (const [service, facts] of Object.entries(SOURCE_CONDITION_SERVICES)) {
      assert.match(service, /^[a-z0-9.-]+\.amazonaws\.com$/);
      assert.match(facts.guide, /^https:\/\/docs\.aws\.amazon\.com\//, service);
    }
    for (const service of ["lambda.amazonaws.com", "ec2.amazonaws.com", "apigateway.amazonaws.com"])
      assert.strictEqual(SOURCE_CONDITION_SERVICES[service], undefined, service);
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
