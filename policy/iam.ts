import { at, joinWords, list, present } from "./lib/checks";
import { Res, resourcePolicy, who } from "./lib/framework";
import { K } from "./lib/kinds";
import {
  conditionKeys,
  describe,
  Document,
  grants,
  hasScopingCondition,
  iamMatch,
  identityDocuments,
  isPositiveOperator,
  isWildcardResource,
  known,
  resourceDocument,
  Statement,
  trustDocument,
} from "./lib/policy-document";
import { actionFacts, expandAction, isWideResource } from "./lib/aws-actions";
import { SOURCE_CONDITION_KEYS, SOURCE_CONDITION_SERVICES } from "./lib/service-trust";
import { isUnknown, parseJsonish, unknownAt } from "./lib/values";

/*
 * Least privilege: identity policies (roles' inline policies, role/user/group policies, managed policies),
 * trust policies, resource policies (buckets, queues, topics, keys, secrets, repositories, log and event bus
 * policies, REST APIs) and policy attachments. Documents may be JSON strings or objects. A Resource that is
 * unknown (or empty, as a provider-computed ARN is under mocks) cannot be judged: where the statement's actions
 * make it matter, the check reports it as unknown rather than passing it as a specific ARN.
 */

const IDENTITY_KINDS = [K.role, K.rolePolicy, K.managedPolicy, K.userPolicy, K.groupPolicy];
const ATTACHMENT_KINDS = [
  K.role,
  K.rolePolicyAttachment,
  K.policyAttachment,
  K.userPolicyAttachment,
  K.groupPolicyAttachment,
];
const RESOURCE_POLICY_KINDS = [
  K.bucket,
  K.bucketPolicy,
  K.queue,
  K.queuePolicy,
  K.topic,
  K.topicPolicy,
  K.kmsKey,
  K.secretPolicy,
  K.ecrRepositoryPolicy,
  K.logResourcePolicy,
  K.eventBusPolicy,
  K.restApiPolicy,
  K.restApi,
];

function where(d: Document, s: Statement): string {
  return `${d.path === "policy" ? "" : `${d.path} `}${describe(s)}`;
}

function allows(docs: Document[]): Array<{ d: Document; s: Statement }> {
  return docs.flatMap((d) => d.statements.filter((s) => s.effect === "Allow").map((s) => ({ d, s })));
}

/** Policy ARNs a resource attaches (role managedPolicyArns or an attachment's policyArn). */
function attachedPolicyArns(res: Res): unknown[] {
  if (K.role.has(res.type)) return list(res.raw["managedPolicyArns"]);
  return [res.raw["policyArn"]];
}

/** The name of an AWS managed policy ARN (`arn:<partition>:iam::aws:policy/<path><name>`), else undefined. */
export function awsManagedPolicyName(arn: unknown): string | undefined {
  if (!known(arn)) return undefined;
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? m[1] : undefined;
}

/** AWS managed policies that grant administrator-level or IAM-wide access. */
export const ADMIN_MANAGED_POLICIES = ["AdministratorAccess", "IAMFullAccess", "PowerUserAccess"];

export const iamNoAdminAccess = resourcePolicy(
  {
    name: "iam-no-admin-access",
    description: "No IAM policy grants full administrative access.",
    domain: "least-privilege",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      'Replace Action "*" on Resource "*" with the actions the workload calls on its own resources, and do ' +
      "not attach AdministratorAccess, PowerUserAccess or IAMFullAccess; deploy roles live outside the stack.",
    references: {
      checkov: ["CKV_AWS_1", "CKV_AWS_62", "CKV_AWS_274", "CKV_AWS_275", "CKV2_AWS_40", "CKV2_AWS_56"],
      cdkNag: ["NIST.800.53.R5-IAMPolicyNoStatementsWithAdminAccess"],
      cis: ["1.16"],
    },
    kinds: [...IDENTITY_KINDS, ...ATTACHMENT_KINDS],
  },
  (res, _ctx, add) => {
    if (IDENTITY_KINDS.some((k) => k.has(res.type))) {
      for (const { d, s } of allows(identityDocuments(res))) {
        const everything =
          (s.actions ?? []).some((a) => a === "*") ||
          (s.notActions !== undefined && s.notActions.length === 0);
        if (everything && (s.resources ?? []).some((r) => r === "*"))
          add(`${who(res)} ${where(d, s)} allows every action on every resource.`);
      }
    }
    if (ATTACHMENT_KINDS.some((k) => k.has(res.type))) {
      for (const arn of attachedPolicyArns(res)) {
        const name = awsManagedPolicyName(arn);
        if (name && ADMIN_MANAGED_POLICIES.includes(name))
          add(`${who(res)} attaches the AWS managed ${name} policy.`);
      }
    }
  },
);

export const iamNoWildcardActions = resourcePolicy<{ allowedActions: string[] }>(
  {
    name: "iam-no-wildcard-actions",
    description: "IAM policies name the actions they allow instead of granting a whole service.",
    domain: "least-privilege",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'List the API actions the workload calls (e.g. sqs:ReceiveMessage, sqs:DeleteMessage) instead of "*" ' +
      'or "<service>:*".',
    references: {
      checkov: ["CKV_AWS_49", "CKV_AWS_63"],
      cdkNag: ["AwsSolutions-IAM5", "NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess"],
    },
    kinds: IDENTITY_KINDS,
    config: {
      allowedActions: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: 'Wildcard actions accepted anyway (exact strings such as "xray:*").',
      },
    },
  },
  (res, { config }, add) => {
    for (const { d, s } of allows(identityDocuments(res))) {
      const wild = (s.actions ?? []).filter(
        (a): a is string =>
          known(a) && (a === "*" || /^[\w-]+:\*$/.test(a)) && !config.allowedActions.includes(a),
      );
      if (wild.length > 0) add(`${who(res)} ${where(d, s)} allows ${joinWords(wild.map((a) => `"${a}"`))}.`);
    }
  },
);

/**
 * Condition keys that confine a wide resource to some of its members: attribute-based access control (the
 * resource's or the request's tags), the network, the service a call comes through.
 */
const CONFINING_KEYS =
  /resourcetag\/|requesttag\/|^aws:resourceaccount$|^aws:sourcevpce?$|^ec2:vpc$|^iam:passedtoservice$|^cloudwatch:namespace$|^kms:viaservice$|^aws:calledvia/;

/**
 * The statement's actions that take resource ARNs (per AWS's catalog, policy/lib/aws-actions.ts), wildcards
 * expanded: `s3:Get*` counts when any action it matches takes ARNs. An action the catalog does not know counts
 * too. `allowed` globs are accepted anyway.
 */
function restrictableActions(s: Statement, allowed: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of (s.actions ?? []).filter(known)) {
    if (allowed.some((g) => iamMatch(g, a))) continue;
    const expanded = expandAction(a);
    const scoped = expanded.filter(
      (x) => actionFacts(x)?.wildcardOnly !== true && !allowed.some((g) => iamMatch(g, x)),
    );
    if (expanded.length === 0) out.push(a);
    else if (scoped.length > 0)
      out.push(a === scoped[0] ? a : `${a} (${scoped.length} of its ${expanded.length} actions take ARNs)`);
  }
  return out;
}

/** A Resource value that cannot be judged: the engine's unknown, or an empty string. */
const unjudgeable = (r: unknown) => isUnknown(r) || r === "";

export const iamNoWildcardResources = resourcePolicy<{ allowedActions: string[] }>(
  {
    name: "iam-no-wildcard-resources",
    description:
      'IAM policies scope actions that support resource-level permissions to specific resources, not to "*" ' +
      "or an ARN pattern as wide.",
    domain: "least-privilege",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Replace Resource "*" and ARN patterns such as targetgroup/*/* with the ARNs of the stack\'s own resources ' +
      "(pulumi.interpolate with the partition, region and account), or confine the statement with a positive " +
      "resource-tag, request-tag, VPC or service condition.",
    references: {
      checkov: ["CKV_AWS_355", "CKV_AWS_356", "CKV_AWS_111", "CKV_AWS_290"],
      cdkNag: ["AwsSolutions-IAM5"],
    },
    kinds: IDENTITY_KINDS,
    config: {
      allowedActions: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          'Action globs accepted on "*" anyway. Actions AWS lets take only "*" need no entry: the catalog ' +
          "accepts them.",
      },
    },
  },
  (res, { config, guard }, add) => {
    for (const { d, s } of allows(identityDocuments(res))) {
      if (s.notResources) continue;
      guard(() => {
        const restrictable = restrictableActions(s, config.allowedActions);
        if (restrictable.length === 0) return;
        const resources = s.resources ?? [];
        const wide = resources.filter((r): r is string => known(r) && isWideResource(r));
        if (wide.length > 0 && !hasScopingCondition(s, CONFINING_KEYS)) {
          const on = wide.map((r) => (r === "*" ? 'Resource "*"' : `"${r}"`));
          add(
            `${who(res)} ${where(d, s)} allows ${joinWords(restrictable)} on ${joinWords(on)}` +
              (wide.every((r) => r === "*") ? "." : ', as wide as "*".'),
          );
          return;
        }
        const blank = resources.find(unjudgeable);
        if (resources.length === 0 || blank !== undefined)
          unknownAt(`${d.path}.Statement[${s.index}].Resource`, blank);
      });
    }
  },
);

export const iamNoNotAction = resourcePolicy(
  {
    name: "iam-no-allow-not-action",
    description: "Allow statements never use NotAction, NotResource or NotPrincipal.",
    domain: "least-privilege",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Rewrite the statement with Action and Resource lists; keep NotAction/NotResource for Deny statements.",
    references: { cdkNag: ["AwsSolutions-IAM5"], checkov: ["CKV_AWS_1"] },
    kinds: [...IDENTITY_KINDS, ...RESOURCE_POLICY_KINDS],
  },
  (res, _ctx, add) => {
    const docs = [
      ...identityDocuments(res),
      ...[trustDocument(res), resourceDocument(res)].filter((d): d is Document => !!d),
    ];
    for (const { d, s } of allows(docs)) {
      const used = [
        s.notActions && "NotAction",
        s.notResources && "NotResource",
        s.notPrincipal && "NotPrincipal",
      ].filter((x): x is string => !!x);
      if (used.length > 0) add(`${who(res)} ${where(d, s)} allows with ${joinWords(used)}.`);
    }
  },
);

/** Actions that let a principal raise its own privileges (Rhino Security Labs' IAM escalation paths). */
export const ESCALATION_ACTIONS = [
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:AttachUserPolicy",
  "iam:AttachGroupPolicy",
  "iam:AttachRolePolicy",
  "iam:PutUserPolicy",
  "iam:PutGroupPolicy",
  "iam:PutRolePolicy",
  "iam:UpdateAssumeRolePolicy",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:AddUserToGroup",
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteUserPermissionsBoundary",
  "lambda:UpdateFunctionCode",
  "lambda:UpdateFunctionConfiguration",
  "glue:UpdateDevEndpoint",
  "sts:AssumeRole",
];

/** Actions that run code under a role passed to them: with iam:PassRole on "*", a path to any role. */
export const PASS_ROLE_TARGETS = [
  "lambda:CreateFunction",
  "ec2:RunInstances",
  "cloudformation:CreateStack",
  "cloudformation:UpdateStack",
  "ecs:RunTask",
  "ecs:RegisterTaskDefinition",
  "glue:CreateDevEndpoint",
  "glue:CreateJob",
  "codebuild:CreateProject",
  "datapipeline:CreatePipeline",
  "sagemaker:CreateNotebookInstance",
];

export const iamNoPrivilegeEscalation = resourcePolicy(
  {
    name: "iam-no-privilege-escalation",
    description: "IAM policies grant no action that lets the holder raise its own privileges.",
    domain: "least-privilege",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Scope iam:PassRole to the one role ARN the workload passes (with an iam:PassedToService condition) and " +
      "drop IAM-writing, credential-creating, function-code-changing and sts:AssumeRole grants on wildcard resources.",
    references: {
      checkov: ["CKV_AWS_110", "CKV_AWS_286", "CKV_AWS_107", "CKV_AWS_287"],
      cdkNag: ["AwsSolutions-IAM5"],
    },
    kinds: IDENTITY_KINDS,
  },
  (res, { guard }, add) => {
    for (const { d, s } of allows(identityDocuments(res))) {
      const found = ESCALATION_ACTIONS.filter((a) => grants(s, a).length > 0);
      const passRole = grants(s, "iam:PassRole").length > 0;
      if (!(s.resources ?? []).some(isWildcardResource)) {
        const blank = (s.resources ?? []).find(unjudgeable);
        if ((found.length > 0 || passRole) && blank !== undefined)
          guard(() => unknownAt(`${d.path}.Statement[${s.index}].Resource`, blank));
        continue;
      }
      if (found.length > 0)
        add(`${who(res)} ${where(d, s)} allows ${joinWords(found)} on a wildcard resource.`);
      if (passRole && !hasScopingCondition(s, ["iam:passedtoservice"])) {
        const paths = PASS_ROLE_TARGETS.filter((a) =>
          d.statements.some((o) => o.effect === "Allow" && grants(o, a).length > 0),
        );
        add(
          `${who(res)} ${where(d, s)} allows iam:PassRole on a wildcard resource` +
            (paths.length > 0
              ? ` together with ${joinWords(paths)}: any role can be passed to new compute.`
              : "."),
        );
      }
    }
  },
);

/** OIDC providers whose tokens identify a subject that must be pinned (GitHub, EKS, generic). */
function federatedSubjectPinned(s: Statement): boolean {
  return conditionKeys(s).some(
    (c) =>
      /:(sub|aud|amr)$/.test(c.key) &&
      isPositiveOperator(c.op) &&
      c.values.length > 0 &&
      c.values.every((v) => isUnknown(v) || (typeof v === "string" && v !== "*" && !/^[^:]*:\*$/.test(v))),
  );
}

export const iamTrustPolicy = resourcePolicy(
  {
    name: "iam-trust-policy",
    description: "Role trust policies admit specific principals, never anyone or any account.",
    domain: "least-privilege",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Trust a service principal (lambda.amazonaws.com), a specific account or role ARN (with sts:ExternalId " +
      "for third parties), or an OIDC provider with a StringEquals condition on its :sub claim. For a service " +
      "that sets aws:SourceArn/aws:SourceAccount (CodeDeploy, EKS, EventBridge, ECS tasks, RDS monitoring, flow " +
      "logs), condition the trust on the resource it acts for or on this account.",
    references: { checkov: ["CKV_AWS_60", "CKV_AWS_61", "CKV_AWS_283"] },
    kinds: [K.role],
  },
  (res, _ctx, add) => {
    const d = trustDocument(res);
    if (!d) return;
    for (const s of d.statements.filter((x) => x.effect === "Allow")) {
      const p = s.principal;
      if (!p) continue;
      const anyAccount = p.aws.filter((a) => a === "*" || (known(a) && /^arn:aws[a-z-]*:iam::\*:/.test(a)));
      if (anyAccount.length > 0 && !hasScopingCondition(s))
        add(`${who(res)} ${where(d, s)} lets any AWS principal assume the role.`);
      const unbound = p.service.filter(known).filter((svc) => SOURCE_CONDITION_SERVICES[svc] !== undefined);
      if (unbound.length > 0 && !hasScopingCondition(s, SOURCE_CONDITION_KEYS))
        add(
          `${who(res)} ${where(d, s)} trusts ${joinWords(unbound)} without aws:SourceArn or aws:SourceAccount, ` +
            `which the service sets (${unbound.map((svc) => SOURCE_CONDITION_SERVICES[svc].guide).join(", ")}).`,
        );
      const webIdentity = grants(s, "sts:AssumeRoleWithWebIdentity").length > 0;
      if (webIdentity && p.federated.length > 0 && !federatedSubjectPinned(s))
        add(
          `${who(res)} ${where(d, s)} trusts a web identity provider without pinning the token's :sub (or :aud) claim.`,
        );
    }
  },
);

export const resourcePolicyNotPublic = resourcePolicy(
  {
    name: "resource-policy-not-public",
    description:
      'Resource policies do not allow anyone (Principal "*") without a condition that scopes the caller.',
    domain: "least-privilege",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      'Name the principal (account, role or service), or keep "*" only with a positive condition such as ' +
      "aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID or aws:SourceVpce. For Lambda permissions, set " +
      "sourceArn/sourceAccount or principalOrgId.",
    references: {
      checkov: [
        "CKV_AWS_70",
        "CKV_AWS_72",
        "CKV_AWS_168",
        "CKV_AWS_169",
        "CKV_AWS_33",
        "CKV_AWS_283",
        "CKV_AWS_301",
      ],
      cdkNag: ["AwsSolutions-S5", "AwsSolutions-ECR1", "NIST.800.53.R5-LambdaFunctionPublicAccessProhibited"],
    },
    kinds: [...RESOURCE_POLICY_KINDS, K.lambdaPermission],
  },
  (res, _ctx, add) => {
    if (K.lambdaPermission.has(res.type)) {
      if (
        res.props.principal === "*" &&
        !present(res.raw["sourceAccount"]) &&
        !present(res.raw["sourceArn"]) &&
        !present(res.raw["principalOrgId"])
      )
        add(
          `${who(res)} lets anyone invoke the function (principal "*" without sourceArn, sourceAccount or principalOrgId).`,
        );
      return;
    }
    const d = resourceDocument(res);
    if (!d) return;
    if (d.error) {
      add(`${who(res)} ${d.path} ${d.error}.`);
      return;
    }
    for (const s of d.statements.filter((x) => x.effect === "Allow")) {
      if (s.principal?.anyone && !hasScopingCondition(s))
        add(`${who(res)} ${describe(s)} allows Principal "*" with no scoping condition.`);
    }
  },
);

/** Condition keys that bind a service principal to this account's resources (confused-deputy protection). */
const SOURCE_KEYS = [
  "aws:sourcearn",
  "aws:sourceaccount",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:sourceowner",
  "kms:viaservice",
  "kms:calleraccount",
];

export const servicePrincipalScoped = resourcePolicy(
  {
    name: "service-principal-scoped",
    description: "Resource policies and Lambda permissions that admit an AWS service say on whose behalf.",
    domain: "least-privilege",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Add Condition { ArnLike: { "aws:SourceArn": <the calling resource> } } or { StringEquals: ' +
      '{ "aws:SourceAccount": <account> } } to statements for service principals; set sourceArn or ' +
      "sourceAccount on aws.lambda.Permission.",
    references: { checkov: ["CKV_AWS_364"], pulumi: ["aws-lambda-permission-configure-source-arn"] },
    kinds: [...RESOURCE_POLICY_KINDS, K.lambdaPermission],
  },
  (res, _ctx, add) => {
    if (K.lambdaPermission.has(res.type)) {
      const principal = res.props.principal;
      if (
        typeof principal === "string" &&
        principal.endsWith(".amazonaws.com") &&
        !present(res.raw["sourceArn"]) &&
        !present(res.raw["sourceAccount"])
      )
        add(`${who(res)} admits ${principal} without sourceArn or sourceAccount.`);
      return;
    }
    const d = resourceDocument(res);
    if (!d || d.error) return;
    for (const s of d.statements.filter((x) => x.effect === "Allow")) {
      const services = (s.principal?.service ?? []).filter(known);
      if (services.length === 0) continue;
      const keyed = conditionKeys(s).some(
        (c) =>
          (SOURCE_KEYS.includes(c.key) || c.key.startsWith("kms:encryptioncontext:")) &&
          isPositiveOperator(c.op),
      );
      if (!keyed)
        add(
          `${who(res)} ${describe(s)} admits ${joinWords(services)} without aws:SourceArn or aws:SourceAccount.`,
        );
    }
  },
);

/** AWS managed policies that are the documented least-privilege building blocks for this platform's services. */
export const ALLOWED_AWS_MANAGED_POLICIES = [
  "AWSLambdaBasicExecutionRole",
  "AWSLambdaVPCAccessExecutionRole",
  "AWSLambdaSQSQueueExecutionRole",
  "AWSXRayDaemonWriteAccess",
  "AmazonECSTaskExecutionRolePolicy",
  "AmazonEKSClusterPolicy",
  "AmazonEKSVPCResourceController",
  "AmazonEKSWorkerNodePolicy",
  "AmazonEKS_CNI_Policy",
  "AmazonEBSCSIDriverPolicy",
  "AmazonEFSCSIDriverPolicy",
  "AmazonEC2ContainerRegistryReadOnly",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonSSMManagedInstanceCore",
  "CloudWatchAgentServerPolicy",
  "AmazonAPIGatewayPushToCloudWatchLogs",
  // AWS Backup's documented service-role policies: scoped by the service to backup and restore operations.
  "AWSBackupServiceRolePolicyForBackup",
  "AWSBackupServiceRolePolicyForRestores",
];

export const iamAwsManagedPolicies = resourcePolicy<{ allowedPolicies: string[] }>(
  {
    name: "iam-aws-managed-policies",
    description: "Roles use AWS managed policies only from a reviewed allow-list.",
    domain: "least-privilege",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
      "Replace the managed policy with an inline policy that lists the actions and resources the role uses, or " +
      "add it to this policy's allowedPolicies after review.",
    references: { cdkNag: ["AwsSolutions-IAM4"] },
    kinds: ATTACHMENT_KINDS,
    config: {
      allowedPolicies: {
        type: "array",
        items: { type: "string" },
        default: ALLOWED_AWS_MANAGED_POLICIES,
        description: "Names of AWS managed policies accepted without review.",
      },
    },
  },
  (res, { config }, add) => {
    for (const arn of attachedPolicyArns(res)) {
      const name = awsManagedPolicyName(arn);
      if (name && !ADMIN_MANAGED_POLICIES.includes(name) && !config.allowedPolicies.includes(name))
        add(`${who(res)} attaches the AWS managed ${name} policy, which is not on the reviewed list.`);
    }
  },
);

export const ecsTaskLeastPrivilege = resourcePolicy(
  {
    name: "ecs-task-least-privilege",
    description:
      "ECS tasks run unprivileged, off the host's namespaces, with separate execution and task roles.",
    domain: "least-privilege",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Remove privileged: true and pidMode/ipcMode "host"; give the task its own taskRoleArn (what the app ' +
      "calls) apart from executionRoleArn (image pulls, logs, secrets).",
    references: {
      checkov: ["CKV_AWS_334", "CKV_AWS_335", "CKV_AWS_249"],
      cdkNag: ["NIST.800.53.R5-ECSTaskDefinitionUserForHostMode"],
    },
    kinds: [K.ecsTaskDefinition],
  },
  (res, _ctx, add) => {
    const defs = res.raw["containerDefinitions"];
    if (isUnknown(defs)) unknownAt("containerDefinitions", defs);
    const privileged = list(parseJsonish(defs))
      .filter((c) => at(c, "privileged") === true)
      .map((c) => `'${String(at(c, "name"))}'`);
    if (privileged.length > 0) add(`${who(res)} runs container ${joinWords(privileged)} privileged.`);
    for (const mode of ["pidMode", "ipcMode"])
      if (res.raw[mode] === "host")
        add(`${who(res)} shares the host's ${mode === "pidMode" ? "process" : "IPC"} namespace.`);
    const exec = res.raw["executionRoleArn"];
    const task = res.raw["taskRoleArn"];
    if (known(exec) && known(task) && exec === task)
      add(`${who(res)} uses the same role for execution and the task.`);
  },
);

export const iamPolicies = [
  iamNoAdminAccess,
  iamNoWildcardActions,
  iamNoWildcardResources,
  iamNoNotAction,
  iamNoPrivilegeEscalation,
  iamTrustPolicy,
  resourcePolicyNotPublic,
  servicePrincipalScoped,
  iamAwsManagedPolicies,
  ecsTaskLeastPrivilege,
];
