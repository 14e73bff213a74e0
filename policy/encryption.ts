import { at, joinWords, list, majorVersion, present } from "./lib/checks";
import { identifiers, ofKind, refersTo, Res, resourcePolicy, stackPolicy, who } from "./lib/framework";
import { K } from "./lib/kinds";
import { grants, parseDocument, Statement } from "./lib/policy-document";
import { asBool, isUnknown } from "./lib/values";

/*
 * Encryption at rest (S3, SQS, SNS, DynamoDB, RDS, ElastiCache, EBS and launch templates, EKS secrets,
 * CloudWatch Logs, Secrets Manager, KMS rotation) and in transit (TLS-only bucket, queue and topic
 * policies, ElastiCache TLS, load balancer and CloudFront TLS policies, RDS forcing SSL).
 */

// ---------------------------------------------------------------- at rest

/** SSE algorithms a bucket declares: inline (deprecated) and through standalone configuration resources. */
function bucketAlgorithms(bucket: Res, resources: Res[]): string[] {
  const algos: unknown[] = [
    at(bucket.raw, "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm"),
  ];
  for (const c of ofKind(resources, K.bucketSse)) {
    if (!refersTo(c, "bucket", bucket)) continue;
    for (const rule of list(c.raw["rules"]))
      algos.push(at(rule, "applyServerSideEncryptionByDefault.sseAlgorithm"));
  }
  // An inline value unknown during preview is AWS's computed default, not a declaration.
  return algos.filter((a): a is string => typeof a === "string" && !isUnknown(a));
}

/**
 * Whether an Application/Network Load Balancer delivers access, connection or health-check logs to `bucket`:
 * by the bucket's name, or, while that name is unknown (a first preview), by the resources the engine
 * records the log setting was built from.
 */
function receivesElbLogs(bucket: Res, loadBalancers: Res[]): boolean {
  const ids = identifiers(bucket);
  return loadBalancers.some((lb) =>
    ["accessLogs", "connectionLogs", "healthCheckLogs"].some((p) => {
      const target = at(lb.raw, `${p}.bucket`);
      if (typeof target === "string" && !isUnknown(target)) return ids.has(target);
      return isUnknown(target) && (lb.propertyDependencies[p] ?? []).some((d) => d.urn === bucket.urn);
    }),
  );
}

export const s3BucketEncryption = stackPolicy<{ requireKms: boolean }>(
  {
    name: "s3-bucket-encryption",
    description:
      "S3 buckets declare default encryption: SSE-KMS, or SSE-S3 where the writer only supports it.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with sseAlgorithm aws:kms, a customer " +
      "managed key and bucketKeyEnabled: true. Buckets that receive load balancer logs must use AES256 (SSE-S3).",
    references: {
      checkov: ["CKV_AWS_19", "CKV_AWS_145"],
      cdkNag: ["NIST.800.53.R5-S3DefaultEncryptionKMS"],
      pulumi: [
        "aws-s3-bucket-enable-server-side-encryption",
        "aws-s3-bucket-configure-server-side-encryption-kms",
      ],
    },
    beyondAnchors:
      "Sees both v7 bucket tokens (Bucket, BucketV2) and the standalone configuration resources (and their V2 " +
      "aliases), which Compliance-Ready skips. Knows that ELB log delivery works only with SSE-S3, so a KMS log " +
      "bucket (a failed delivery the anchors would pass) is a finding and SSE-S3 there is not.",
    kinds: [K.bucket, K.bucketSse, K.loadBalancer],
    config: {
      requireKms: {
        type: "boolean",
        default: true,
        description:
          "Require SSE-KMS (aws:kms or aws:kms:dsse) on buckets that do not receive load balancer logs.",
      },
    },
  },
  (resources, { config, guard }, add) => {
    const loadBalancers = ofKind(resources, K.loadBalancer);
    for (const bucket of ofKind(resources, K.bucket)) {
      guard(() => {
        const algos = bucketAlgorithms(bucket, resources);
        const logBucket = receivesElbLogs(bucket, loadBalancers);
        if (algos.length === 0) {
          add(
            bucket,
            `${who(bucket)} declares no default encryption (add a BucketServerSideEncryptionConfiguration).`,
          );
        } else if (logBucket && algos.some((a) => a !== "AES256")) {
          add(
            bucket,
            `${who(bucket)} receives load balancer logs but uses ${joinWords(algos)}; ELB log delivery supports only AES256 (SSE-S3).`,
          );
        } else if (!logBucket && config.requireKms && algos.some((a) => !a.startsWith("aws:kms"))) {
          add(bucket, `${who(bucket)} uses ${joinWords(algos)}; use aws:kms with a customer managed key.`);
        }
      });
    }
  },
);

export const sqsQueueEncryption = resourcePolicy<{ requireKms: boolean }>(
  {
    name: "sqs-queue-encryption",
    description: "SQS queues are encrypted at rest.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Leave sqsManagedSseEnabled at its default (true) or set kmsMasterKeyId to a customer managed key; with " +
      "requireKms, set kmsMasterKeyId.",
    references: { checkov: ["CKV_AWS_27", "CKV2_AWS_73"], cdkNag: ["AwsSolutions-SQS2"] },
    beyondAnchors:
      "Accepts SQS-managed SSE (the AWS default since 2022) unless requireKms is set, instead of failing it.",
    kinds: [K.queue],
    config: {
      requireKms: { type: "boolean", default: false, description: "Require a KMS key (kmsMasterKeyId)." },
    },
  },
  (res, { config }, add) => {
    const kms = present(res.raw["kmsMasterKeyId"]);
    if (kms) return;
    if (config.requireKms) add(`${who(res)} has no kmsMasterKeyId; this pack requires a KMS key for queues.`);
    else if (res.props.sqsManagedSseEnabled === false)
      add(
        `${who(res)} disables SQS-managed encryption and sets no kmsMasterKeyId: messages are stored unencrypted.`,
      );
  },
);

export const snsTopicEncryption = resourcePolicy(
  {
    name: "sns-topic-encryption",
    description: "SNS topics are encrypted with a KMS key.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set kmsMasterKeyId to a customer managed key whose policy lets the publishing services (CloudWatch, " +
      "Budgets, EventBridge) use it; the AWS managed alias/aws/sns key cannot be used by those services.",
    references: { checkov: ["CKV_AWS_26"], cdkNag: ["NIST.800.53.R5-SNSEncryptedKMS"] },
    beyondAnchors: "Remediation says why the AWS managed SNS key breaks alarm and budget delivery.",
    kinds: [K.topic],
  },
  (res, _ctx, add) => {
    if (!present(res.raw["kmsMasterKeyId"]))
      add(`${who(res)} has no kmsMasterKeyId: messages are stored unencrypted.`);
  },
);

export const dynamodbTableCmk = resourcePolicy(
  {
    name: "dynamodb-table-cmk",
    description: "DynamoDB tables are encrypted with a KMS key the account controls (not the AWS owned key).",
    domain: "encryption",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: "Set serverSideEncryption: { enabled: true, kmsKeyArn: <customer managed key> }.",
    references: { checkov: ["CKV_AWS_119"], awsguard: ["dynamodb-table-encryption-enabled"] },
    beyondAnchors:
      "AWSGuard only flags an explicit enabled: false; every table is encrypted, so the question is whose key.",
    kinds: [K.dynamoTable],
  },
  (res, _ctx, add) => {
    if (res.props.serverSideEncryption?.enabled !== true)
      add(
        `${who(res)} uses the AWS owned key; set serverSideEncryption.enabled with a customer managed key.`,
      );
  },
);

export const rdsStorageEncryption = resourcePolicy(
  {
    name: "rds-storage-encryption",
    description: "RDS instances and Aurora clusters encrypt their storage.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set storageEncrypted: true (and kmsKeyId to a customer managed key). It cannot be changed later.",
    references: {
      checkov: ["CKV_AWS_16", "CKV_AWS_96"],
      cdkNag: ["AwsSolutions-RDS2"],
      awsguard: ["rds-storage-encrypted"],
      pulumi: [
        "aws-rds-instance-disallow-unencrypted-storage",
        "aws-rds-cluster-disallow-unencrypted-storage",
      ],
    },
    beyondAnchors:
      "Covers instances and clusters in one policy; read replicas (which inherit) are not flagged.",
    kinds: [K.dbInstance, K.dbCluster],
  },
  (res, _ctx, add) => {
    if (K.dbInstance.has(res.type) && present(res.raw["replicateSourceDb"])) return;
    if (K.dbCluster.has(res.type) && res.props.engineMode === "serverless") return; // always encrypted
    if (res.props.storageEncrypted !== true) add(`${who(res)} does not set storageEncrypted: true.`);
  },
);

export const elasticacheEncryption = resourcePolicy(
  {
    name: "elasticache-encryption",
    description: "ElastiCache encrypts data at rest and in transit and requires authentication.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Use an aws.elasticache.ReplicationGroup with atRestEncryptionEnabled: true, transitEncryptionEnabled: " +
      "true and an authToken (or RBAC userGroupIds); a single-node aws.elasticache.Cluster running Redis or " +
      "Valkey cannot encrypt at rest.",
    references: {
      checkov: ["CKV_AWS_29", "CKV_AWS_30", "CKV_AWS_31", "CKV_AWS_191"],
      cdkNag: ["AwsSolutions-AEC3", "AwsSolutions-AEC6"],
    },
    beyondAnchors:
      "Flags Redis/Valkey on aws.elasticache.Cluster (no at-rest encryption possible) instead of skipping it.",
    kinds: [K.cacheReplicationGroup, K.cacheCluster],
  },
  (res, _ctx, add) => {
    const engine = String(res.props.engine ?? "redis");
    if (K.cacheCluster.has(res.type)) {
      if (present(res.raw["replicationGroupId"])) return; // a member of a replication group, checked there
      if (engine === "memcached") {
        if (res.props.transitEncryptionEnabled !== true)
          add(`${who(res)} (memcached) does not set transitEncryptionEnabled: true.`);
      } else {
        add(
          `${who(res)} runs ${engine} as a standalone cluster, which cannot encrypt at rest; use a ReplicationGroup.`,
        );
      }
      return;
    }
    const missing: string[] = [];
    if (res.props.atRestEncryptionEnabled !== true) missing.push("atRestEncryptionEnabled: true");
    if (res.props.transitEncryptionEnabled !== true) missing.push("transitEncryptionEnabled: true");
    else if (res.props.transitEncryptionMode === "preferred") missing.push("transitEncryptionMode: required");
    if (
      !present(res.raw["authToken"]) &&
      !present(res.raw["authTokenWoVersion"]) &&
      list(res.raw["userGroupIds"]).length === 0
    )
      missing.push("an authToken or userGroupIds");
    if (missing.length > 0) add(`${who(res)} lacks ${joinWords(missing)}.`);
  },
);

/** Why a volume-bearing resource's volumes are not known to be encrypted, or undefined. */
function unencryptedVolumes(res: Res, launchTemplates: Res[]): string | undefined {
  const enc = (v: unknown) => asBool(v) === true || isUnknown(v);
  if (K.ebsVolume.has(res.type)) return enc(res.raw["encrypted"]) ? undefined : "is not encrypted";
  if (K.launchTemplate.has(res.type)) {
    const mappings = list(res.raw["blockDeviceMappings"]).filter((m) => at(m, "ebs") !== undefined);
    if (mappings.length === 0)
      return "maps no block devices, so instances get the AMI's unencrypted root volume";
    const bad = mappings.filter((m) => !enc(at(m, "ebs.encrypted"))).map((m) => String(at(m, "deviceName")));
    return bad.length > 0 ? `leaves ${joinWords(bad)} unencrypted (ebs.encrypted must be "true")` : undefined;
  }
  if (K.instance.has(res.type) || K.launchConfiguration.has(res.type)) {
    if (K.instance.has(res.type) && present(res.raw["launchTemplate"])) return undefined; // judged on the template
    const bad: string[] = [];
    if (!enc(at(res.raw, "rootBlockDevice.encrypted"))) bad.push("the root volume");
    for (const d of list(res.raw["ebsBlockDevices"]))
      if (!enc(at(d, "encrypted"))) bad.push(String(at(d, "deviceName")));
    return bad.length > 0 ? `leaves ${joinWords(bad)} unencrypted` : undefined;
  }
  if (K.eksNodeGroup.has(res.type)) {
    const lt = res.raw["launchTemplate"];
    if (!present(lt)) return "uses no launch template, so nodes get the AMI's unencrypted root volume";
    const template = launchTemplates.find(
      (t) =>
        refersTo(res, "launchTemplate", t) ||
        [at(lt, "id"), at(lt, "name")].some((v) => v === t.raw["name"] || v === t.raw["id"]),
    );
    if (template && unencryptedVolumes(template, launchTemplates))
      return `uses launch template '${template.name}', which ${unencryptedVolumes(template, launchTemplates)}`;
  }
  return undefined;
}

export const ebsEncryption = stackPolicy(
  {
    name: "ebs-encryption",
    description:
      "EBS volumes, instance and launch-template block devices and EKS node volumes are encrypted.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Set encrypted: true on volumes and block devices ("true" in launch templates), give EKS node groups a ' +
      "launch template that maps the root device encrypted, or enable aws.ebs.EncryptionByDefault in the stack.",
    references: {
      checkov: ["CKV_AWS_3", "CKV_AWS_8", "CKV_AWS_189"],
      cdkNag: ["AwsSolutions-EC26"],
      awsguard: ["encrypted-volumes"],
      pulumi: [
        "aws-ebs-volume-disallow-unencrypted-volume",
        "aws-ec2-launchtemplate-disallow-unencrypted-block-device",
      ],
    },
    beyondAnchors:
      "Relates node groups to their launch templates and accepts account-level EBS encryption by default " +
      "declared in the stack; flags templates and node groups that silently inherit an unencrypted AMI root.",
    kinds: [
      K.ebsVolume,
      K.launchTemplate,
      K.launchConfiguration,
      K.instance,
      K.eksNodeGroup,
      K.ebsEncryptionByDefault,
    ],
  },
  (resources, { guard }, add) => {
    const byDefault = ofKind(resources, K.ebsEncryptionByDefault).some((r) => r.raw["enabled"] !== false);
    if (byDefault) return;
    const templates = ofKind(resources, K.launchTemplate);
    for (const r of ofKind(
      resources,
      K.ebsVolume,
      K.launchTemplate,
      K.launchConfiguration,
      K.instance,
      K.eksNodeGroup,
    )) {
      guard(() => {
        const why = unencryptedVolumes(r, templates);
        if (why) add(r, `${who(r)} ${why}.`);
      });
    }
  },
);

export const eksSecretsEncryption = resourcePolicy(
  {
    name: "eks-secrets-encryption",
    description: "EKS clusters envelope-encrypt Kubernetes secrets with a customer managed KMS key.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Set encryptionConfig: { resources: ["secrets"], provider: { keyArn: <KMS key ARN> } }.',
    references: { checkov: ["CKV_AWS_58"], pulumi: ["aws-eks-cluster-enable-cluster-encryption-config"] },
    beyondAnchors: "Also requires the key ARN, not only the resources list.",
    kinds: [K.eksCluster],
  },
  (res, _ctx, add) => {
    const cfg = res.raw["encryptionConfig"];
    const resources = list(at(cfg, "resources"));
    if (!resources.includes("secrets") || !present(at(cfg, "provider.keyArn")))
      add(`${who(res)} does not encrypt secrets with a KMS key (encryptionConfig).`);
  },
);

export const logGroupEncryption = resourcePolicy(
  {
    name: "log-group-encryption",
    description: "CloudWatch log groups are encrypted with a customer managed KMS key.",
    domain: "encryption",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
      "Set kmsKeyId to a key whose policy allows logs.<region>.amazonaws.com with an aws:logs:arn encryption " +
      "context condition. Logs are always encrypted by CloudWatch; a CMK adds key control and audit.",
    references: { checkov: ["CKV_AWS_158"], cdkNag: ["NIST.800.53.R5-CloudWatchLogGroupEncrypted"] },
    beyondAnchors: "Advisory, with the reason (CloudWatch already encrypts) in the remediation.",
    kinds: [K.logGroup],
  },
  (res, _ctx, add) => {
    if (!present(res.raw["kmsKeyId"])) add(`${who(res)} has no kmsKeyId.`);
  },
);

export const secretCmk = resourcePolicy(
  {
    name: "secret-cmk",
    description: "Secrets Manager secrets are encrypted with a customer managed KMS key.",
    domain: "encryption",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: "Set kmsKeyId to a customer managed key and grant kms:Decrypt only to the readers.",
    references: {
      checkov: ["CKV_AWS_149"],
      cdkNag: ["NIST.800.53.R5-SecretsManagerUsingKMSKey"],
      pulumi: ["aws-secretsmanager-secret-configure-customer-managed-key"],
    },
    beyondAnchors: "—",
    kinds: [K.secret],
  },
  (res, _ctx, add) => {
    if (!present(res.raw["kmsKeyId"])) add(`${who(res)} uses the AWS managed key (no kmsKeyId).`);
  },
);

export const kmsKeyRotation = resourcePolicy(
  {
    name: "kms-key-rotation",
    description: "Symmetric KMS keys rotate yearly and keep the key policy lockout safety check.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Set enableKeyRotation: true (rotationPeriodInDays 90-365 if set) and never bypassPolicyLockoutSafetyCheck.",
    references: {
      checkov: ["CKV_AWS_7"],
      cdkNag: ["AwsSolutions-KMS5"],
      awsguard: ["cmk-backing-key-rotation-enabled"],
      pulumi: ["aws-kms-key-enable-key-rotation", "aws-kms-key-disallow-bypass-policy-lockout-safety-check"],
    },
    beyondAnchors: "Skips asymmetric and HMAC keys (which AWS cannot rotate) instead of failing them.",
    kinds: [K.kmsKey],
  },
  (res, _ctx, add) => {
    if (res.props.bypassPolicyLockoutSafetyCheck === true)
      add(`${who(res)} bypasses the key policy lockout safety check.`);
    const spec = res.props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
    const usage = res.props.keyUsage ?? "ENCRYPT_DECRYPT";
    if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") return;
    if (res.props.enableKeyRotation !== true) add(`${who(res)} does not set enableKeyRotation: true.`);
  },
);

// ---------------------------------------------------------------- in transit

/** A Deny-to-everyone statement that refuses `action` over plain HTTP (or below TLS 1.2). */
function deniesInsecureTransport(s: Statement, action: string): boolean {
  if (s.effect !== "Deny" || !s.principal?.anyone || grants(s, action).length === 0) return false;
  const secure = Object.entries(s.condition).some(
    ([op, keys]) =>
      /^Bool(IfExists)?$/.test(op) &&
      Object.entries(keys).some(
        ([k, v]) => k.toLowerCase() === "aws:securetransport" && v.some((x) => String(x) === "false"),
      ),
  );
  const tls = Object.entries(s.condition).some(
    ([op, keys]) => /^NumericLessThan/.test(op) && Object.keys(keys).some((k) => /:TlsVersion$/i.test(k)),
  );
  return secure || tls;
}

/** Documents that govern `target`: its inline policy and standalone policy resources that refer to it. */
function governingDocuments(target: Res, inlineProp: string | undefined, policies: Res[], refProp: string) {
  const docs = [];
  if (inlineProp) {
    const d = parseDocument(target.raw[inlineProp], inlineProp, "resource");
    if (d) docs.push(d);
  }
  for (const p of policies) {
    if (!refersTo(p, refProp, target)) continue;
    const d = parseDocument(p.raw["policy"], "policy", "resource");
    if (d) docs.push(d);
  }
  return docs;
}

function tlsOnlyPolicy(spec: {
  name: string;
  service: string;
  target: (typeof K)[keyof typeof K];
  policy: (typeof K)[keyof typeof K];
  refProp: string;
  action: string;
  example: string;
  references: Record<string, string[]>;
  beyondAnchors: string;
}) {
  return stackPolicy(
    {
      name: spec.name,
      description: `${spec.service} refuse requests that do not use TLS.`,
      domain: "encryption",
      enforcementLevel: "mandatory",
      severity: "medium",
      remediationSteps: `Add a statement to the ${spec.policy.label}: ${spec.example}.`,
      references: spec.references,
      beyondAnchors: spec.beyondAnchors,
      kinds: [spec.target, spec.policy],
    },
    (resources, { guard }, add) => {
      const policies = ofKind(resources, spec.policy);
      for (const t of ofKind(resources, spec.target)) {
        guard(() => {
          const docs = governingDocuments(t, "policy", policies, spec.refProp);
          const ok = docs.some((d) => d.statements.some((s) => deniesInsecureTransport(s, spec.action)));
          if (!ok)
            add(
              t,
              docs.length === 0
                ? `${who(t)} has no ${spec.policy.label}, so nothing refuses plain-HTTP requests.`
                : `${who(t)}'s policy has no Deny for ${spec.action} when aws:SecureTransport is false.`,
            );
        });
      }
    },
  );
}

export const s3BucketTlsOnly = tlsOnlyPolicy({
  name: "s3-bucket-tls-only",
  service: "S3 buckets",
  target: K.bucket,
  policy: K.bucketPolicy,
  refProp: "bucket",
  action: "s3:GetObject",
  example:
    '{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, bucketArn + "/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }',
  references: {
    checkov: ["CKV_AWS_379"],
    cdkNag: ["AwsSolutions-S10", "NIST.800.53.R5-S3BucketSSLRequestsOnly"],
  },
  beyondAnchors:
    "Reads the bucket's standalone BucketPolicy resources as well as the inline policy, and accepts s3:TlsVersion floors.",
});

export const sqsQueueTlsOnly = tlsOnlyPolicy({
  name: "sqs-queue-tls-only",
  service: "SQS queues",
  target: K.queue,
  policy: K.queuePolicy,
  refProp: "queueUrl",
  action: "sqs:SendMessage",
  example:
    '{ Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queueArn, Condition: { Bool: { "aws:SecureTransport": "false" } } }',
  references: { cdkNag: ["AwsSolutions-SQS4"] },
  beyondAnchors: "checkov has no TLS-only queue check; relates aws.sqs.QueuePolicy resources to their queue.",
});

export const snsTopicTlsOnly = tlsOnlyPolicy({
  name: "sns-topic-tls-only",
  service: "SNS topics",
  target: K.topic,
  policy: K.topicPolicy,
  refProp: "arn",
  action: "sns:Publish",
  example:
    '{ Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: topicArn, Condition: { Bool: { "aws:SecureTransport": "false" } } }',
  references: { cdkNag: ["AwsSolutions-SNS3"] },
  beyondAnchors: "checkov has no TLS-only topic check; relates aws.sns.TopicPolicy resources to their topic.",
});

/** ELB security policies that allow only TLS 1.2 and 1.3. */
export const MODERN_ELB_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-*",
  "ELBSecurityPolicy-TLS13-1-3-*",
  "ELBSecurityPolicy-FS-1-2-*",
  "ELBSecurityPolicy-TLS-1-2-*",
];

export const lbListenerTls = resourcePolicy<{ allowedPolicies: string[] }>(
  {
    name: "lb-listener-tls",
    description: "HTTPS and TLS listeners use a security policy that allows only TLS 1.2 or later.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: 'Set sslPolicy explicitly, e.g. "ELBSecurityPolicy-TLS13-1-2-2021-06".',
    references: {
      checkov: ["CKV_AWS_103", "CKV2_AWS_74"],
      pulumi: ["aws-lb-listener-configure-secure-tls", "aws-alb-listener-configure-secure-tls"],
    },
    beyondAnchors:
      "Checks aws.lb and aws.alb listeners and their legacy tokens; an omitted sslPolicy (which lets AWS pick " +
      "a policy that may allow TLS 1.0) is a finding.",
    kinds: [K.listener],
    config: {
      allowedPolicies: {
        type: "array",
        items: { type: "string" },
        default: MODERN_ELB_POLICIES,
        description: "Globs of allowed ELB security policy names.",
      },
    },
  },
  (res, { config }, add) => {
    const protocol = res.props.protocol;
    if (protocol !== "HTTPS" && protocol !== "TLS") return;
    const policy = res.props.sslPolicy;
    if (policy === undefined || policy === "")
      add(`${who(res)} (${protocol}) sets no sslPolicy; AWS's default may allow TLS 1.0.`);
    else if (!config.allowedPolicies.some((g) => new RegExp(`^${g.replace(/\*/g, ".*")}$`).test(policy)))
      add(`${who(res)} uses ${policy}, which allows TLS versions older than 1.2.`);
  },
);

export const MODERN_CLOUDFRONT_PROTOCOLS = ["TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];

export const cloudfrontViewerTls = resourcePolicy<{
  allowDefaultCertificate: boolean;
  allowedProtocols: string[];
}>(
  {
    name: "cloudfront-viewer-tls",
    description: "CloudFront redirects or refuses HTTP viewers and negotiates TLS 1.2 or later.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Set viewerProtocolPolicy "redirect-to-https" (or "https-only") on every cache behavior and, with a custom ' +
      'certificate, minimumProtocolVersion "TLSv1.2_2021" and sslSupportMethod "sni-only".',
    references: {
      checkov: ["CKV_AWS_34", "CKV_AWS_174", "CKV2_AWS_42", "CKV2_AWS_54"],
      cdkNag: ["AwsSolutions-CFR4"],
      pulumi: [
        "aws-cloudfront-distribution-disallow-unencrypted-traffic",
        "aws-cloudfront-distribution-configure-secure-tls",
      ],
    },
    beyondAnchors:
      "Checks ordered cache behaviors too, and flags the dedicated-IP (vip) SSL method. The default " +
      "*.cloudfront.net certificate is allowed by a knob (stacks without a domain have no other choice).",
    kinds: [K.distribution],
    config: {
      allowDefaultCertificate: {
        type: "boolean",
        default: true,
        description: "Accept the default *.cloudfront.net certificate (stacks without a custom domain).",
      },
      allowedProtocols: {
        type: "array",
        items: { type: "string" },
        default: MODERN_CLOUDFRONT_PROTOCOLS,
        description: "Allowed viewer minimumProtocolVersion values.",
      },
    },
  },
  (res, { config }, add) => {
    const behaviors = [
      { path: "default", policy: at(res.raw, "defaultCacheBehavior.viewerProtocolPolicy") },
      ...list(res.raw["orderedCacheBehaviors"]).map((b) => ({
        path: String(at(b, "pathPattern")),
        policy: at(b, "viewerProtocolPolicy"),
      })),
    ];
    const open = behaviors.filter((b) => b.policy === "allow-all").map((b) => b.path);
    if (open.length > 0) add(`${who(res)} allows plain HTTP on the ${joinWords(open)} cache behavior(s).`);
    const cert = res.props.viewerCertificate ?? {};
    if (cert.cloudfrontDefaultCertificate === true) {
      if (!config.allowDefaultCertificate)
        add(`${who(res)} uses the default CloudFront certificate, which accepts TLS 1.0 viewers.`);
      return;
    }
    const version = cert.minimumProtocolVersion;
    if (!config.allowedProtocols.includes(version))
      add(
        `${who(res)} sets minimumProtocolVersion ${version ?? "(default TLSv1)"}; use TLSv1.2_2021 or later.`,
      );
    if (cert.sslSupportMethod === "vip")
      add(`${who(res)} uses the dedicated-IP SSL method (vip, $600/month); use sni-only.`);
  },
);

export const cloudfrontOriginTls = resourcePolicy(
  {
    name: "cloudfront-origin-tls",
    description: "CloudFront reaches custom origins over HTTPS with TLS 1.2.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Set customOriginConfig.originProtocolPolicy "https-only" and originSslProtocols ["TLSv1.2"], or reach a ' +
      "private load balancer through a CloudFront VPC origin (vpcOriginConfig).",
    references: {
      checkov: ["CKV2_AWS_72"],
      cdkNag: ["AwsSolutions-CFR5"],
      pulumi: [
        "aws-cloudfront-distribution-enable-tls-to-origin",
        "aws-cloudfront-distribution-configure-secure-tls-to-origin",
      ],
    },
    beyondAnchors: "Accepts VPC origins (traffic stays on the AWS network to a private load balancer).",
    kinds: [K.distribution],
  },
  (res, _ctx, add) => {
    for (const o of list(res.raw["origins"])) {
      const id = String(at(o, "originId"));
      const custom = at(o, "customOriginConfig");
      if (!custom || present(at(o, "vpcOriginConfig"))) continue;
      const policy = at(custom, "originProtocolPolicy");
      if (policy !== "https-only")
        add(`${who(res)} reaches origin '${id}' with originProtocolPolicy ${String(policy)}.`);
      const old = list(at(custom, "originSslProtocols")).filter((p) => p !== "TLSv1.2" && p !== "TLSv1.3");
      if (old.length > 0) add(`${who(res)} allows ${joinWords(old.map(String))} to origin '${id}'.`);
    }
  },
);

/** Parameters of the RDS parameter groups a database uses, by name (lower-case). */
function dbParameters(db: Res, groups: Res[], prop: string): Map<string, string> | undefined {
  const group = groups.find((g) => refersTo(db, prop, g) || g.raw["name"] === db.raw[prop]);
  if (!group) return undefined;
  return new Map(
    list(group.raw["parameters"]).map((p) => [String(at(p, "name")).toLowerCase(), String(at(p, "value"))]),
  );
}

export const rdsForceSsl = stackPolicy(
  {
    name: "rds-force-ssl",
    description: "RDS and Aurora databases refuse unencrypted client connections.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "PostgreSQL: use a parameter group with rds.force_ssl = 1 (the default from RDS PostgreSQL 15; Aurora " +
      "needs it in the cluster parameter group). MySQL/MariaDB: require_secure_transport = 1.",
    references: { checkov: ["CKV2_AWS_69"] },
    beyondAnchors:
      "Relates instances and clusters to their (cluster) parameter groups, knows RDS PostgreSQL 15+ forces SSL " +
      "by default, and covers Aurora and MySQL, where checkov only covers aws_db_instance.",
    kinds: [K.dbInstance, K.dbCluster, K.dbParameterGroup, K.dbClusterParameterGroup],
  },
  (resources, { guard }, add) => {
    const groups = ofKind(resources, K.dbParameterGroup);
    const clusterGroups = ofKind(resources, K.dbClusterParameterGroup);
    const dbs = [
      ...ofKind(resources, K.dbInstance).map((db) => ({
        db,
        params: dbParameters(db, groups, "parameterGroupName"),
      })),
      ...ofKind(resources, K.dbCluster).map((db) => ({
        db,
        params: dbParameters(db, clusterGroups, "dbClusterParameterGroupName"),
      })),
    ];
    for (const { db, params } of dbs) {
      guard(() => {
        if (K.dbInstance.has(db.type) && present(db.raw["clusterIdentifier"])) return;
        const engine = String(db.props.engine ?? "");
        const isCluster = K.dbCluster.has(db.type);
        let key: string;
        let defaultOn = false;
        if (engine.includes("postgres")) {
          key = "rds.force_ssl";
          defaultOn =
            !isCluster && engine === "postgres" && (majorVersion(db.props.engineVersion) ?? 0) >= 15;
        } else if (/mysql|mariadb/.test(engine)) {
          key = "require_secure_transport";
        } else {
          return;
        }
        const value = params?.get(key);
        const on = value === undefined ? defaultOn : ["1", "on", "true"].includes(value.toLowerCase());
        if (!on)
          add(
            db,
            value === undefined
              ? `${who(db)} (${engine}) uses no parameter group that sets ${key} = 1.`
              : `${who(db)} (${engine}) sets ${key} = ${value}.`,
          );
      });
    }
  },
);

export const encryptionPolicies = [
  s3BucketEncryption,
  sqsQueueEncryption,
  snsTopicEncryption,
  dynamodbTableCmk,
  rdsStorageEncryption,
  elasticacheEncryption,
  ebsEncryption,
  eksSecretsEncryption,
  logGroupEncryption,
  secretCmk,
  kmsKeyRotation,
  s3BucketTlsOnly,
  sqsQueueTlsOnly,
  snsTopicTlsOnly,
  lbListenerTls,
  cloudfrontViewerTls,
  cloudfrontOriginTls,
  rdsForceSsl,
];
