import * as assert from "assert";
import * as iam from "../../policy/iam";
import {
  conditionKeys,
  hasScopingCondition,
  iamMatch,
  isPositiveOperator,
  parseDocument,
  SCOPING_CONDITION_KEYS,
  Statement,
} from "../../policy/lib/policy-document";
import { findings, res, run, UNKNOWN_STRING } from "./helpers";

/*
 * The conditions the least-privilege policies accept as scoping, each on both sides: the operator (positive,
 * negated, IfExists, Null, Bool), the key (one that scopes, one that does not), and the values ("*" alone, "*"
 * among others, specific, none). Then every resource-policy kind, public and scoped; web-identity trusts with a
 * pinned and a wildcard subject; case-insensitive action matching; and an unknown document during preview.
 */

const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const statement = (extra: object): Statement =>
  parseDocument(
    doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*", ...extra }),
    "policy",
    "resource",
  )!.statements[0];
const withCondition = (Condition: object) => statement({ Condition });
const ACCOUNT = "123456789012";

/** How many findings `policy` reports for one Lambda permission with `inputs`. */
async function permissionFindings(policy: Parameters<typeof findings>[0], inputs: object): Promise<number> {
  const permission = res("aws:lambda/permission:Permission", "p", {
    action: "lambda:InvokeFunction",
    function: "f",
    ...inputs,
  });
  return (await findings(policy, [permission])).length;
}

describe("policy documents: scoping conditions, both sides", () => {
  it("counts a positive operator and never a negated, Null or Bool one", () => {
    const positive = [
      "StringEquals",
      "StringLike",
      "ArnLike",
      "ArnEquals",
      "IpAddress",
      "ForAnyValue:StringEquals",
      "ForAllValues:StringLike",
      "StringEqualsIfExists",
      "NumericLessThan",
    ];
    const negative = [
      "StringNotEquals",
      "StringNotLike",
      "ArnNotLike",
      "NotIpAddress",
      "ForAnyValue:StringNotEquals",
      "StringNotEqualsIfExists",
      "Null",
      "Bool",
      "BoolIfExists",
      "ForAllValues:Bool",
    ];
    for (const op of positive) assert.strictEqual(isPositiveOperator(op), true, op);
    for (const op of negative) assert.strictEqual(isPositiveOperator(op), false, op);
  });

  const scoping: Array<[string, object, boolean]> = [
    ["StringEquals aws:SourceAccount = account", { StringEquals: { "aws:SourceAccount": ACCOUNT } }, true],
    ["the key in any case", { StringEquals: { "AWS:SOURCEACCOUNT": ACCOUNT } }, true],
    ["a list of accounts", { StringEquals: { "aws:SourceAccount": [ACCOUNT, "210987654321"] } }, true],
    ["ArnLike aws:SourceArn", { ArnLike: { "aws:SourceArn": `arn:aws:s3:::bucket` } }, true],
    ["aws:PrincipalOrgID", { StringEquals: { "aws:PrincipalOrgID": "o-abc" } }, true],
    ["aws:SourceVpce", { StringEquals: { "aws:SourceVpce": "vpce-1" } }, true],
    ["kms:CallerAccount", { StringEquals: { "kms:CallerAccount": ACCOUNT } }, true],
    ['aws:SourceAccount = "*"', { StringEquals: { "aws:SourceAccount": "*" } }, false],
    ['StringLike aws:SourceArn = ["*"]', { StringLike: { "aws:SourceArn": ["*"] } }, false],
    [
      'a list with "*" among specific values',
      { StringEquals: { "aws:SourceAccount": [ACCOUNT, "*"] } },
      false,
    ],
    ["no values", { StringEquals: { "aws:SourceAccount": [] } }, false],
    ["StringNotEquals aws:SourceAccount", { StringNotEquals: { "aws:SourceAccount": ACCOUNT } }, false],
    [
      "StringEqualsIfExists aws:SourceAccount",
      { StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT } },
      false,
    ],
    ["Null aws:SourceArn false", { Null: { "aws:SourceArn": "false" } }, false],
    ["a key that does not scope (aws:SecureTransport)", { Bool: { "aws:SecureTransport": "true" } }, false],
    ["a key that does not scope (s3:prefix)", { StringEquals: { "s3:prefix": "home/" } }, false],
    ["no condition", {}, false],
  ];
  for (const [name, condition, scoped] of scoping)
    it(`${scoped ? "scopes" : "does not scope"}: ${name}`, () => {
      assert.strictEqual(hasScopingCondition(withCondition(condition)), scoped);
    });

  it("takes the keys it is asked about, as a list or a pattern", () => {
    const s = withCondition({ StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } });
    assert.strictEqual(hasScopingCondition(s), false);
    assert.strictEqual(hasScopingCondition(s, ["iam:passedtoservice"]), true);
    assert.strictEqual(hasScopingCondition(s, /^iam:passedto/), true);
    assert.strictEqual(hasScopingCondition(s, /^aws:/), false);
    assert.ok(SCOPING_CONDITION_KEYS.every((k) => k === k.toLowerCase()));
  });

  it("lists condition keys lower-cased with their operator and values", () => {
    const s = withCondition({
      StringEquals: { "aws:SourceAccount": ACCOUNT, "AWS:SourceArn": ["a", "b"] },
      Bool: { "aws:SecureTransport": true },
    });
    assert.deepStrictEqual(conditionKeys(s), [
      { op: "StringEquals", key: "aws:sourceaccount", values: [ACCOUNT] },
      { op: "StringEquals", key: "aws:sourcearn", values: ["a", "b"] },
      { op: "Bool", key: "aws:securetransport", values: [true] },
    ]);
  });
});

describe("policy documents: parsing and matching", () => {
  it("matches IAM wildcards case-insensitively, and nothing else", () => {
    const cases: Array<[string, string, boolean]> = [
      ["iam:PassRole", "iam:PassRole", true],
      ["IAM:passrole", "iam:PassRole", true],
      ["iam:Pass*", "iam:PassRole", true],
      ["iam:*", "iam:PassRole", true],
      ["*", "iam:PassRole", true],
      ["iam:Pass?ole", "iam:PassRole", true],
      ["iam:Pass?", "iam:PassRole", false],
      ["iam:PassRol", "iam:PassRole", false],
      ["am:PassRole", "iam:PassRole", false],
      ["iam.PassRole", "iam:PassRole", false],
      ["iam:PassRole", "iamXPassRole", false],
      ["s3:Get*", "s3:GetObject", true],
      ["s3:Get*", "s3:PutObject", false],
      ["(iam):PassRole", "iam:PassRole", false],
      ["iam:Pass+Role", "iam:PassRole", false],
      ["iam:[P]assRole", "iam:PassRole", false],
    ];
    for (const [pattern, name, matched] of cases)
      assert.strictEqual(iamMatch(pattern, name), matched, `${pattern} ~ ${name}`);
    assert.strictEqual(iamMatch(UNKNOWN_STRING, "iam:PassRole"), false);
    assert.strictEqual(iamMatch(42, "iam:PassRole"), false);
  });

  it("parses principals, effects, lists and conditions; says what is wrong with a document that is not one", () => {
    const d = parseDocument(
      {
        Statement: [
          { Sid: "A", Effect: "Deny", Principal: "*", Action: "s3:*", NotResource: "arn:x" },
          {
            Effect: "Allow",
            Principal: { AWS: ["arn:aws:iam::1:root", "*"], Service: "s3.amazonaws.com" },
            NotAction: [],
          },
          {
            Effect: "Allow",
            Principal: { Federated: "arn:oidc", CanonicalUser: "abc" },
            NotPrincipal: "arn:p",
          },
          { Sid: 7 },
        ],
      },
      "policy",
      "resource",
    )!;
    const [a, b, c, e] = d.statements;
    assert.deepStrictEqual(
      [a.sid, a.effect, a.actions, a.resources, a.notResources],
      ["A", "Deny", ["s3:*"], undefined, ["arn:x"]],
    );
    assert.deepStrictEqual(a.principal, {
      anyone: true,
      aws: ["*"],
      service: [],
      federated: [],
      canonicalUser: [],
    });
    assert.deepStrictEqual(
      [b.principal!.anyone, b.principal!.service, b.notActions, b.actions],
      [true, ["s3.amazonaws.com"], [], undefined],
    );
    assert.deepStrictEqual(c.principal, {
      anyone: false,
      aws: [],
      service: [],
      federated: ["arn:oidc"],
      canonicalUser: ["abc"],
    });
    assert.deepStrictEqual(c.notPrincipal, {
      anyone: false,
      aws: ["arn:p"],
      service: [],
      federated: [],
      canonicalUser: [],
    });
    assert.deepStrictEqual(
      [e.sid, e.effect, e.principal, e.condition, e.index],
      [undefined, "Allow", undefined, {}, 3],
    );
    assert.strictEqual(parseDocument("{", "policy", "resource")!.error, "is not valid JSON");
    assert.strictEqual(parseDocument("42", "policy", "resource")!.error, "is not a JSON object");
    assert.strictEqual(parseDocument("null", "policy", "resource")!.error, "is not a JSON object");
    for (const empty of [undefined, null, ""])
      assert.strictEqual(parseDocument(empty, "policy", "resource"), undefined);
    assert.deepStrictEqual(
      parseDocument({ Statement: { Effect: "Allow", Condition: { StringEquals: null } } }, "p", "identity")!
        .statements[0].condition,
      { StringEquals: {} },
    );
  });
});

describe("resource-policy-not-public over every kind of resource policy", () => {
  const PUBLIC = doc({ Effect: "Allow", Principal: "*", Action: "x:Get", Resource: "*" });
  const ANY_AWS = doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "x:Get", Resource: "*" });
  const SCOPED = doc({
    Effect: "Allow",
    Principal: "*",
    Action: "x:Get",
    Resource: "*",
    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
  });
  const WILD_SCOPE = doc({
    Effect: "Allow",
    Principal: "*",
    Action: "x:Get",
    Resource: "*",
    Condition: { StringEquals: { "aws:SourceAccount": "*" } },
  });
  const DENY = doc({ Effect: "Deny", Principal: "*", Action: "x:Get", Resource: "*" });
  const NAMED = doc({
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: "x:Get",
    Resource: "*",
  });
  // Each AWS type with a resource policy, and the property it keeps the document in.
  const KINDS: Array<[string, string]> = [
    ["aws:s3/bucket:Bucket", "policy"],
    ["aws:s3/bucketV2:BucketV2", "policy"],
    ["aws:s3/bucketPolicy:BucketPolicy", "policy"],
    ["aws:sqs/queue:Queue", "policy"],
    ["aws:sqs/queuePolicy:QueuePolicy", "policy"],
    ["aws:sns/topic:Topic", "policy"],
    ["aws:sns/topicPolicy:TopicPolicy", "policy"],
    ["aws:kms/key:Key", "policy"],
    ["aws:secretsmanager/secretPolicy:SecretPolicy", "policy"],
    ["aws:ecr/repositoryPolicy:RepositoryPolicy", "policy"],
    ["aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "policyDocument"],
    ["aws:cloudwatch/eventBusPolicy:EventBusPolicy", "policy"],
    ["aws:apigateway/restApiPolicy:RestApiPolicy", "policy"],
    ["aws:apigateway/restApi:RestApi", "policy"],
  ];
  for (const [type, prop] of KINDS)
    it(`${type}: flags Principal "*" without a scoping condition, passes the scoped, denied and named`, async () => {
      const flagged = async (policy: string) =>
        (await findings(iam.resourcePolicyNotPublic, [res(type, "r", { [prop]: policy })])).length;
      assert.strictEqual(await flagged(PUBLIC), 1, "public");
      assert.strictEqual(await flagged(ANY_AWS), 1, "AWS *");
      assert.strictEqual(await flagged(WILD_SCOPE), 1, 'scoped to "*"');
      assert.strictEqual(await flagged(SCOPED), 0, "scoped");
      assert.strictEqual(await flagged(DENY), 0, "deny");
      assert.strictEqual(await flagged(NAMED), 0, "named principal");
    });

  it("judges an unknown document during preview as unknown, never as invalid JSON", async () => {
    for (const [type, prop] of [
      ["aws:kms/key:Key", "policy"],
      ["aws:s3/bucketPolicy:BucketPolicy", "policy"],
    ]) {
      const violations = await run(iam.resourcePolicyNotPublic, [res(type, "r", { [prop]: UNKNOWN_STRING })]);
      assert.strictEqual(violations.length, 1);
      assert.strictEqual(violations[0].enforcementLevel, "advisory");
      assert.match(violations[0].message, /can't be known during preview/);
      assert.doesNotMatch(violations[0].message, /JSON/);
    }
    const broken = await findings(iam.resourcePolicyNotPublic, [
      res("aws:kms/key:Key", "k", { policy: "{" }),
    ]);
    assert.strictEqual(broken.length, 1);
    assert.match(broken[0], /policy is not valid JSON\.$/);
  });

  it('Lambda permissions: principal "*" needs a source account, ARN or organization', async () => {
    const flagged = (inputs: object) => permissionFindings(iam.resourcePolicyNotPublic, inputs);
    assert.strictEqual(await flagged({ principal: "*" }), 1);
    assert.strictEqual(await flagged({ principal: "*", sourceAccount: ACCOUNT }), 0);
    assert.strictEqual(await flagged({ principal: "*", sourceArn: "arn:aws:s3:::b" }), 0);
    assert.strictEqual(await flagged({ principal: "*", principalOrgId: "o-1" }), 0);
    assert.strictEqual(await flagged({ principal: "s3.amazonaws.com" }), 0);
  });
});

describe("service-principal-scoped: the confused-deputy condition, both sides", () => {
  const policy = (Condition?: object) =>
    res("aws:sqs/queuePolicy:QueuePolicy", "q", {
      queueUrl: "https://sqs/q",
      policy: doc({
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: "arn:aws:sqs:us-east-1:1:q",
        ...(Condition ? { Condition } : {}),
      }),
    });
  const cases: Array<[string, object | undefined, boolean]> = [
    ["no condition", undefined, true],
    ["aws:SourceArn", { ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:1:t" } }, false],
    ["aws:SourceAccount", { StringEquals: { "aws:SourceAccount": ACCOUNT } }, false],
    ["kms:EncryptionContext", { StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": "arn:t" } }, false],
    ["kms:ViaService", { StringEquals: { "kms:ViaService": "sqs.us-east-1.amazonaws.com" } }, false],
    ["an unrelated key", { Bool: { "aws:SecureTransport": "true" } }, true],
    [
      "an unrelated key under a positive operator",
      { StringEquals: { "aws:RequestedRegion": "us-east-1" } },
      true,
    ],
    ["a negated source key", { ArnNotEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:1:t" } }, true],
  ];
  for (const [name, condition, flagged] of cases)
    it(`${flagged ? "flags" : "passes"} a service principal with ${name}`, async () => {
      assert.strictEqual(
        (await findings(iam.servicePrincipalScoped, [policy(condition)])).length,
        flagged ? 1 : 0,
      );
    });

  it("Lambda permissions for a service need a source ARN or account; an account principal does not", async () => {
    const flagged = (inputs: object) => permissionFindings(iam.servicePrincipalScoped, inputs);
    assert.strictEqual(await flagged({ principal: "events.amazonaws.com" }), 1);
    assert.strictEqual(await flagged({ principal: "events.amazonaws.com", sourceArn: "arn:r" }), 0);
    assert.strictEqual(await flagged({ principal: "events.amazonaws.com", sourceAccount: ACCOUNT }), 0);
    assert.strictEqual(await flagged({ principal: ACCOUNT }), 0);
  });
});

describe("iam-no-wildcard-resources: the confining conditions, both sides", () => {
  const rolePolicy = (Condition?: object, Resource: unknown = "*") =>
    res("aws:iam/rolePolicy:RolePolicy", "p", {
      role: "r",
      policy: doc({
        Effect: "Allow",
        Action: "ec2:TerminateInstances",
        Resource,
        ...(Condition ? { Condition } : {}),
      }),
    });
  const cases: Array<[string, object | undefined, boolean]> = [
    ["no condition", undefined, true],
    ["a resource tag", { StringEquals: { "aws:ResourceTag/team": "a" } }, false],
    ["a service resource tag", { StringEquals: { "ec2:ResourceTag/team": "a" } }, false],
    ["a request tag", { StringEquals: { "aws:RequestTag/team": "a" } }, false],
    ["the resource account", { StringEquals: { "aws:ResourceAccount": ACCOUNT } }, false],
    ["the VPC", { StringEquals: { "ec2:Vpc": "arn:vpc" } }, false],
    ["a VPC endpoint", { StringEquals: { "aws:SourceVpce": "vpce-1" } }, false],
    ["an unrelated key", { StringEquals: { "aws:RequestedRegion": "us-east-1" } }, true],
    ["a key that only ends like a confining one", { StringEquals: { "x:aws:sourcevpc": "v" } }, true],
    ["a negated resource tag", { StringNotEquals: { "aws:ResourceTag/team": "a" } }, true],
    ["a resource tag of any value", { StringLike: { "aws:ResourceTag/team": "*" } }, true],
    ["a resource tag if it exists", { StringEqualsIfExists: { "aws:ResourceTag/team": "a" } }, true],
  ];
  for (const [name, condition, flagged] of cases)
    it(`${flagged ? "flags" : "passes"} Resource "*" with ${name}`, async () => {
      assert.strictEqual(
        (await findings(iam.iamNoWildcardResources, [rolePolicy(condition)])).length,
        flagged ? 1 : 0,
      );
    });

  it('passes specific ARNs, flags an ARN pattern as wide as "*"', async () => {
    assert.strictEqual(
      (
        await findings(iam.iamNoWildcardResources, [
          rolePolicy(undefined, `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`),
        ])
      ).length,
      0,
    );
    const wide = await findings(iam.iamNoWildcardResources, [
      rolePolicy(undefined, `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`),
    ]);
    assert.strictEqual(wide.length, 1);
    assert.match(wide[0], /as wide as "\*"\.$/);
    const star = await findings(iam.iamNoWildcardResources, [rolePolicy()]);
    assert.match(star[0], /on Resource "\*"\.$/);
  });
});

describe("trust policies: who may assume, both sides", () => {
  const role = (...statements: object[]) =>
    res("aws:iam/role:Role", "r", { assumeRolePolicy: doc(...statements) });
  const flagged = async (...statements: object[]) => findings(iam.iamTrustPolicy, [role(...statements)]);
  const oidc = (Condition?: object) => ({
    Effect: "Allow",
    Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
    Action: "sts:AssumeRoleWithWebIdentity",
    ...(Condition ? { Condition } : {}),
  });
  const subjects: Array<[string, object | undefined, boolean]> = [
    [
      "a pinned :sub",
      { StringEquals: { "token.actions.githubusercontent.com:sub": "repo:org/app:ref:refs/heads/main" } },
      true,
    ],
    [
      "a pinned :aud",
      { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
      true,
    ],
    [
      "a repository-wide pattern",
      { StringLike: { "token.actions.githubusercontent.com:sub": "repo:org/app:*" } },
      true,
    ],
    ["no condition", undefined, false],
    [':sub = "*"', { StringLike: { "token.actions.githubusercontent.com:sub": "*" } }, false],
    [':sub = "repo:*"', { StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } }, false],
    [
      ':sub among "*"',
      { StringLike: { "token.actions.githubusercontent.com:sub": ["repo:org/app:*", "*"] } },
      false,
    ],
    ["an empty :sub list", { StringEquals: { "token.actions.githubusercontent.com:sub": [] } }, false],
    [
      "a negated :sub",
      { StringNotEquals: { "token.actions.githubusercontent.com:sub": "repo:evil/x:*" } },
      false,
    ],
    ["another claim", { StringEquals: { "token.actions.githubusercontent.com:actor": "me" } }, false],
    [
      "a claim that only starts like :sub",
      { StringEquals: { "token.actions.githubusercontent.com:subject": "me" } },
      false,
    ],
  ];
  for (const [name, condition, pinned] of subjects)
    it(`web identity with ${name} ${pinned ? "is pinned" : "is flagged"}`, async () => {
      const found = await flagged(oidc(condition));
      assert.strictEqual(found.length, pinned ? 0 : 1, found.join("\n"));
      if (!pinned) assert.match(found[0], /without pinning the token's :sub/);
    });

  it("accepts an unknown :sub value (a preview) as pinned", async () => {
    assert.deepStrictEqual(
      await flagged(oidc({ StringEquals: { "oidc.eks.amazonaws.com/id/X:sub": UNKNOWN_STRING } })),
      [],
    );
  });

  it("judges only web-identity statements with a federated principal", async () => {
    const saml = { ...oidc(), Action: "sts:AssumeRoleWithSAML" };
    assert.deepStrictEqual(await flagged(saml), []);
    const wild = { ...oidc(), Action: "sts:*" };
    assert.strictEqual((await flagged(wild)).length, 1);
    const denied = { ...oidc(), Effect: "Deny" };
    assert.deepStrictEqual(await flagged(denied), []);
  });

  const anyone: Array<[string, object, boolean]> = [
    ['Principal "*"', { Principal: "*" }, true],
    ['AWS "*"', { Principal: { AWS: "*" } }, true],
    ["any account's role", { Principal: { AWS: "arn:aws:iam::*:role/x" } }, true],
    ["one account", { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }, false],
    ["a China-partition account", { Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:root` } }, false],
  ];
  for (const [name, principal, open] of anyone)
    it(`${open ? "flags" : "passes"} ${name} without a condition, and passes it with a scoping one`, async () => {
      const base = { Effect: "Allow", Action: "sts:AssumeRole", ...principal };
      assert.strictEqual((await flagged(base)).length, open ? 1 : 0);
      assert.deepStrictEqual(
        await flagged({ ...base, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } }),
        [],
      );
      assert.strictEqual(
        (await flagged({ ...base, Condition: { StringEquals: { "aws:PrincipalOrgID": "*" } } })).length,
        open ? 1 : 0,
      );
    });
});

describe("iam-no-privilege-escalation: case and wildcards", () => {
  const rolePolicy = (Action: unknown, Resource: unknown = "*", Condition?: object) =>
    res("aws:iam/rolePolicy:RolePolicy", "p", {
      role: "r",
      policy: doc({ Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) }),
    });
  const cases: Array<[unknown, unknown, number]> = [
    ["iam:PassRole", "*", 1],
    ["IAM:passrole", "*", 1],
    ["iam:Pass*", "*", 1],
    ["IAM:PUTROLEPOLICY", "*", 1],
    ["iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/app`, 0],
    ["iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/*`, 1],
    ["iam:GetRole", "*", 0],
  ];
  for (const [action, resource, count] of cases)
    it(`${count ? "flags" : "passes"} ${String(action)} on ${String(resource)}`, async () => {
      assert.strictEqual(
        (await findings(iam.iamNoPrivilegeEscalation, [rolePolicy(action, resource)])).length,
        count,
      );
    });

  it("accepts PassRole on a wildcard only with a positive iam:PassedToService condition", async () => {
    const passed = (Condition: object) =>
      findings(iam.iamNoPrivilegeEscalation, [rolePolicy("iam:PassRole", "*", Condition)]);
    assert.deepStrictEqual(
      await passed({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }),
      [],
    );
    assert.strictEqual(
      (await passed({ StringNotEquals: { "iam:PassedToService": "ec2.amazonaws.com" } })).length,
      1,
    );
    assert.strictEqual((await passed({ StringEquals: { "aws:SourceAccount": ACCOUNT } })).length, 1);
  });
});
