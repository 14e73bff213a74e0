import * as assert from "assert";
import * as iam from "../../policy/iam";
import { actionFacts } from "../../policy/lib/aws-actions";
import { SCOPING_CONDITION_KEYS } from "../../policy/lib/policy-document";
import { findings, res, run, UNKNOWN_STRING } from "./helpers";

/*
 * The least-privilege policies' lists and branches, each side: the escalation actions and PassRole targets (each
 * one AWS's catalog knows, each one flagged), the keys that scope, confine or
 * bind a service, what counts as everything, allow-lists, and statements or resources that lack a part.
 */

const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const ACCOUNT = "123456789012";
const rolePolicy = (...statements: object[]) =>
  res("aws:iam/rolePolicy:RolePolicy", "p", { role: "r", policy: doc(...statements) });
const allow = (Action: unknown, Resource: unknown = "*", extra: object = {}) => ({
  Effect: "Allow",
  Action,
  Resource,
  ...extra,
});
const count = async (
  policy: Parameters<typeof findings>[0],
  resources: Parameters<typeof findings>[1],
  config = {},
) => (await findings(policy, resources, config)).length;

describe("iam-no-privilege-escalation: every escalation path", () => {
  it("lists only actions AWS's catalog knows, as escalation paths and as compute that takes a passed role", () => {
    for (const action of [...iam.ESCALATION_ACTIONS, ...iam.PASS_ROLE_TARGETS])
      assert.strictEqual(actionFacts(action)?.name.toLowerCase(), action.toLowerCase(), action);
    assert.ok(
      iam.ESCALATION_ACTIONS.some((a) => a.startsWith("iam:Put")) &&
        iam.PASS_ROLE_TARGETS.includes("lambda:CreateFunction"),
    );
  });

  it("flags each escalation action on a wildcard resource, naming it, and passes it on one ARN", async () => {
    for (const action of iam.ESCALATION_ACTIONS) {
      const found = await findings(iam.iamNoPrivilegeEscalation, [rolePolicy(allow(action))]);
      assert.deepStrictEqual(found.length, 1, action);
      assert.ok(found[0].includes(`allows ${action} on a wildcard resource`), found[0]);
      assert.strictEqual(
        await count(iam.iamNoPrivilegeEscalation, [
          rolePolicy(allow(action, `arn:aws:iam::${ACCOUNT}:role/x`)),
        ]),
        0,
        action,
      );
    }
  });

  it("names each compute action PassRole on a wildcard leads to, from allowed statements only", async () => {
    for (const target of iam.PASS_ROLE_TARGETS) {
      const [line] = await findings(iam.iamNoPrivilegeEscalation, [
        rolePolicy(allow("iam:PassRole"), allow(target, `arn:aws:x:::${target}`)),
      ]);
      assert.ok(line.endsWith(`together with ${target}: any role can be passed to new compute.`), line);
    }
    const [denied] = await findings(iam.iamNoPrivilegeEscalation, [
      rolePolicy(allow("iam:PassRole"), { Effect: "Deny", Action: "lambda:CreateFunction", Resource: "*" }),
    ]);
    assert.ok(denied.endsWith("allows iam:PassRole on a wildcard resource."), denied);
  });

  it("reports an unknown resource as unknown only for statements that grant an escalation or PassRole", async () => {
    const unknown = async (action: string) =>
      (await run(iam.iamNoPrivilegeEscalation, [rolePolicy(allow(action, UNKNOWN_STRING))])).map(
        (v) => v.enforcementLevel,
      );
    assert.deepStrictEqual(await unknown("iam:PutRolePolicy"), ["advisory"]);
    assert.deepStrictEqual(await unknown("iam:PassRole"), ["advisory"]);
    assert.deepStrictEqual(await unknown("s3:GetObject"), []);
  });
});

describe("the scoping, confining and source keys, one by one", () => {
  it('accepts each scoping key against Principal "*" on a bucket', async () => {
    const keys = [
      "aws:SourceAccount",
      "aws:SourceArn",
      "aws:SourceOwner",
      "aws:SourceOrgID",
      "aws:SourceOrgPaths",
      "aws:PrincipalOrgID",
      "aws:PrincipalOrgPaths",
      "aws:PrincipalAccount",
      "aws:PrincipalArn",
      "aws:SourceVpc",
      "aws:SourceVpce",
      "aws:SourceIp",
      "kms:CallerAccount",
      "kms:ViaService",
    ];
    assert.deepStrictEqual([...SCOPING_CONDITION_KEYS].sort(), keys.map((k) => k.toLowerCase()).sort());
    const bucket = (Condition?: object) =>
      res("aws:s3/bucketPolicy:BucketPolicy", "b", {
        bucket: "b",
        policy: doc({
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: "*",
          ...(Condition ? { Condition } : {}),
        }),
      });
    for (const key of keys)
      assert.strictEqual(
        await count(iam.resourcePolicyNotPublic, [bucket({ StringEquals: { [key]: "x" } })]),
        0,
        key,
      );
    assert.strictEqual(
      await count(iam.resourcePolicyNotPublic, [bucket({ StringEquals: { "aws:RequestedRegion": "x" } })]),
      1,
    );
  });

  it("binds a service principal with each source key, and with no other", async () => {
    const queue = (key: string) =>
      res("aws:sqs/queuePolicy:QueuePolicy", "q", {
        queueUrl: "u",
        policy: doc({
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: "*",
          Condition: { StringEquals: { [key]: "x" } },
        }),
      });
    for (const key of [
      "aws:SourceArn",
      "aws:SourceAccount",
      "aws:SourceOrgID",
      "aws:SourceOrgPaths",
      "aws:SourceOwner",
      "kms:ViaService",
      "kms:CallerAccount",
    ])
      assert.strictEqual(await count(iam.servicePrincipalScoped, [queue(key)]), 0, key);
    for (const key of ["aws:PrincipalArn", "aws:SourceIp", "aws:SourceVpce"])
      assert.strictEqual(await count(iam.servicePrincipalScoped, [queue(key)]), 1, key);
  });

  it("confines a wide resource with each confining key, anchored where it is a whole key", async () => {
    const scoped = async (key: string) =>
      count(iam.iamNoWildcardResources, [
        rolePolicy(allow("ec2:TerminateInstances", "*", { Condition: { StringEquals: { [key]: "x" } } })),
      ]);
    for (const key of [
      "aws:ResourceTag/a",
      "ec2:ResourceTag/a",
      "aws:RequestTag/a",
      "aws:ResourceAccount",
      "aws:SourceVpc",
      "aws:SourceVpce",
      "ec2:Vpc",
      "iam:PassedToService",
      "cloudwatch:namespace",
      "kms:ViaService",
      "aws:CalledVia",
      "aws:CalledViaFirst",
    ])
      assert.strictEqual(await scoped(key), 0, key);
    for (const key of [
      "x:aws:ResourceAccount",
      "aws:ResourceAccountX",
      "x:aws:SourceVpc",
      "aws:SourceVpcX",
      "x:ec2:Vpc",
      "ec2:VpcX",
      "x:iam:PassedToService",
      "iam:PassedToServiceX",
      "x:cloudwatch:namespace",
      "cloudwatch:namespaceX",
      "x:kms:ViaService",
      "kms:ViaServiceX",
      "x:aws:CalledVia",
      "aws:RequestedRegion",
    ])
      assert.strictEqual(await scoped(key), 1, key);
  });
});

describe("iam-no-admin-access and iam-no-wildcard-actions, both sides", () => {
  const admin = async (...statements: object[]) => count(iam.iamNoAdminAccess, [rolePolicy(...statements)]);
  it("flags every action on every resource in any spelling of the lists, and nothing narrower", async () => {
    assert.strictEqual(await admin(allow(["s3:GetObject", "*"], ["arn:aws:s3:::b", "*"])), 1);
    assert.strictEqual(await admin({ Effect: "Allow", NotAction: [], Resource: "*" }), 1);
    assert.strictEqual(await admin({ Effect: "Allow", NotAction: ["iam:*"], Resource: "*" }), 0);
    assert.strictEqual(await admin(allow("*", "arn:aws:s3:::b")), 0);
    assert.strictEqual(await admin(allow("s3:GetObject", "*")), 0);
    assert.strictEqual(await admin({ Effect: "Deny", Action: "*", Resource: "*" }), 0);
  });

  it("flags attached admin policies in any partition and path, not look-alikes", async () => {
    const attached = async (policyArn: string) =>
      count(iam.iamNoAdminAccess, [
        res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn }),
      ]);
    assert.strictEqual(await attached("arn:aws:iam::aws:policy/AdministratorAccess"), 1);
    assert.strictEqual(await attached("arn:aws-us-gov:iam::aws:policy/IAMFullAccess"), 1);
    assert.strictEqual(await attached("arn:aws:iam::aws:policy/job-function/PowerUserAccess"), 1);
    assert.strictEqual(await attached("xarn:aws:iam::aws:policy/AdministratorAccess"), 0);
    assert.strictEqual(await attached(`arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess`), 0);
    assert.strictEqual(await attached("arn:aws:iam::aws:policy/ReadOnlyAccess"), 0);
  });

  it('flags "*" and whole-service wildcards, not partial ones or allowed ones', async () => {
    const wild = async (action: string, allowedActions: string[] = []) =>
      count(iam.iamNoWildcardActions, [rolePolicy(allow(action, "arn:x"))], {
        "iam-no-wildcard-actions": { allowedActions },
      });
    assert.strictEqual(await wild("*"), 1);
    assert.strictEqual(await wild("s3:*"), 1);
    assert.strictEqual(await wild("resource-groups:*"), 1);
    assert.strictEqual(await wild("s3:*Object"), 0);
    assert.strictEqual(await wild("a:b:*"), 0);
    assert.strictEqual(await wild("s3:Get*"), 0);
    assert.strictEqual(await wild("xray:*", ["xray:*"]), 0);
    assert.strictEqual(await wild(UNKNOWN_STRING), 0);
  });

  it("accepts AWS managed policies on the reviewed list and reports others", async () => {
    const attached = async (name: string, config = {}) =>
      count(
        iam.iamAwsManagedPolicies,
        [
          res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", {
            role: "r",
            policyArn: `arn:aws:iam::aws:policy/${name}`,
          }),
        ],
        config,
      );
    for (const name of [
      "AWSLambdaBasicExecutionRole",
      "AmazonECSTaskExecutionRolePolicy",
      "AmazonEKSWorkerNodePolicy",
      "AWSBackupServiceRolePolicyForBackup",
    ])
      assert.strictEqual(await attached(name), 0, name);
    assert.strictEqual(await attached("AmazonS3FullAccess"), 1);
    assert.strictEqual(
      await attached("AmazonS3FullAccess", {
        "iam-aws-managed-policies": { allowedPolicies: ["AmazonS3FullAccess"] },
      }),
      0,
    );
    assert.strictEqual(await attached("AdministratorAccess"), 0, "reported by iam-no-admin-access instead");
  });
});

describe("iam-no-wildcard-resources: which actions count", () => {
  const wide = async (action: string, allowedActions: string[] = [], extra: object = {}) =>
    findings(iam.iamNoWildcardResources, [rolePolicy(allow(action, "*", extra))], {
      "iam-no-wildcard-resources": { allowedActions },
    });
  it('skips actions AWS lets take only "*", and allowed globs; counts actions the catalog does not know', async () => {
    assert.deepStrictEqual(await wide("sts:GetCallerIdentity"), []);
    assert.deepStrictEqual(await wide("ec2:TerminateInstances", ["ec2:Terminate*"]), []);
    assert.strictEqual((await wide("ec2:TerminateInstances", ["ec2:Run*"])).length, 1);
    assert.strictEqual((await wide("madeup:DoThing")).length, 1);
    const [partial] = await wide("sts:Get*");
    assert.match(partial, /sts:Get\* \(\d+ of its \d+ actions take ARNs\)/);
  });

  it("leaves NotResource statements to iam-no-allow-not-action, and reports a missing or unknown Resource as unknown", async () => {
    assert.deepStrictEqual(
      await run(iam.iamNoWildcardResources, [
        rolePolicy({ Effect: "Allow", Action: "ec2:TerminateInstances", NotResource: "arn:x" }),
      ]),
      [],
    );
    const missing = await run(iam.iamNoWildcardResources, [
      rolePolicy({ Effect: "Allow", Action: "ec2:TerminateInstances" }),
    ]);
    assert.deepStrictEqual(
      missing.map((v) => v.enforcementLevel),
      ["advisory"],
    );
    assert.match(missing[0].message, /Resource can't be known during preview/);
  });

  it('says a mix of "*" and wide ARN patterns is as wide as "*"', async () => {
    const [line] = await findings(iam.iamNoWildcardResources, [
      rolePolicy(allow("ec2:TerminateInstances", ["*", `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`])),
    ]);
    assert.match(
      line,
      /on Resource "\*" and "arn:aws:ec2:us-east-1:123456789012:instance\/\*", as wide as "\*"\.$/,
    );
  });
});

describe("trust, resource and permission statements that lack a part", () => {
  it("passes roles without a trust policy, statements without a principal, and web identity without a provider", async () => {
    assert.strictEqual(await count(iam.iamTrustPolicy, [res("aws:iam/role:Role", "r", {})]), 0);
    const trust = (...s: object[]) => res("aws:iam/role:Role", "r", { assumeRolePolicy: doc(...s) });
    assert.strictEqual(
      await count(iam.iamTrustPolicy, [trust({ Effect: "Allow", Action: "sts:AssumeRole" })]),
      0,
    );
    assert.strictEqual(
      await count(iam.iamTrustPolicy, [
        trust({
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: "sts:AssumeRoleWithWebIdentity",
        }),
      ]),
      0,
    );
    assert.strictEqual(
      await count(iam.iamTrustPolicy, [
        trust({ Effect: "Allow", Principal: { AWS: "arn:aws-cn:iam::*:root" }, Action: "sts:AssumeRole" }),
      ]),
      1,
    );
  });

  it("says which guides a service's source condition comes from", async () => {
    const [line] = await findings(iam.iamTrustPolicy, [
      res("aws:iam/role:Role", "r", {
        assumeRolePolicy: doc({
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sts:AssumeRole",
        }),
      }),
    ]);
    assert.match(
      line,
      /trusts events\.amazonaws\.com without aws:SourceArn or aws:SourceAccount, which the service sets \(.+\)\.$/,
    );
    assert.doesNotMatch(line, /\(\)/);
  });

  it("passes resource policies with statements without a principal, an AWS principal only, or a Deny", async () => {
    const bucket = (...s: object[]) =>
      res("aws:s3/bucketPolicy:BucketPolicy", "b", { bucket: "b", policy: doc(...s) });
    const noPrincipal = bucket({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" });
    assert.strictEqual(await count(iam.resourcePolicyNotPublic, [noPrincipal]), 0);
    assert.strictEqual(await count(iam.servicePrincipalScoped, [noPrincipal]), 0);
    assert.strictEqual(
      await count(iam.servicePrincipalScoped, [
        bucket({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "s3:GetObject", Resource: "*" }),
      ]),
      0,
    );
    assert.strictEqual(
      await count(iam.servicePrincipalScoped, [
        bucket({ Effect: "Deny", Principal: { Service: "s3.amazonaws.com" }, Action: "s3:*", Resource: "*" }),
      ]),
      0,
    );
    assert.strictEqual(
      await count(iam.servicePrincipalScoped, [
        res("aws:s3/bucketPolicy:BucketPolicy", "b", { bucket: "b", policy: "{" }),
      ]),
      0,
    );
    assert.strictEqual(
      await count(iam.servicePrincipalScoped, [
        res("aws:s3/bucketPolicy:BucketPolicy", "b", { bucket: "b" }),
      ]),
      0,
    );
    assert.strictEqual(
      await count(iam.resourcePolicyNotPublic, [
        res("aws:s3/bucketPolicy:BucketPolicy", "b", { bucket: "b" }),
      ]),
      0,
    );
  });

  it("passes a Lambda permission without a principal string", async () => {
    const permission = res("aws:lambda/permission:Permission", "p", {
      action: "lambda:InvokeFunction",
      function: "f",
    });
    assert.strictEqual(await count(iam.servicePrincipalScoped, [permission]), 0);
  });
});

describe("ecs-task-least-privilege, both sides", () => {
  const task = (inputs: object) =>
    res("aws:ecs/taskDefinition:TaskDefinition", "t", {
      family: "f",
      containerDefinitions: JSON.stringify([{ name: "app" }]),
      ...inputs,
    });
  it("names the shared namespace, and compares roles only when both are known", async () => {
    assert.deepStrictEqual(
      (await findings(iam.ecsTaskLeastPrivilege, [task({ pidMode: "host", ipcMode: "host" })])).map((l) =>
        l.replace(/^.* shares/, "shares"),
      ),
      ["shares the host's process namespace.", "shares the host's IPC namespace."],
    );
    assert.strictEqual(
      await count(iam.ecsTaskLeastPrivilege, [task({ pidMode: "task", ipcMode: "none" })]),
      0,
    );
    assert.strictEqual(
      await count(iam.ecsTaskLeastPrivilege, [task({ executionRoleArn: "arn:r", taskRoleArn: "arn:r" })]),
      1,
    );
    assert.strictEqual(
      await count(iam.ecsTaskLeastPrivilege, [task({ executionRoleArn: "arn:r", taskRoleArn: "arn:t" })]),
      0,
    );
    assert.strictEqual(
      await count(iam.ecsTaskLeastPrivilege, [
        task({ executionRoleArn: UNKNOWN_STRING, taskRoleArn: UNKNOWN_STRING }),
      ]),
      0,
    );
    const unknown = await run(iam.ecsTaskLeastPrivilege, [task({ containerDefinitions: UNKNOWN_STRING })]);
    assert.deepStrictEqual(
      unknown.map((v) => v.enforcementLevel),
      ["advisory"],
    );
    assert.match(unknown[0].message, /containerDefinitions can't be known during preview/);
  });
});
