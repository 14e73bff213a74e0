import { at, joinWords, list, present } from "../lib/checks";
import { identifiers, ofKind, refersTo, Res, resourcePolicy, stackPolicy, who } from "../lib/framework";
import { K } from "../lib/kinds";
import { asBool, isUnknown } from "../lib/values";

/*
 * Encryption at rest: S3, SQS, SNS, DynamoDB, RDS, ElastiCache, EBS and launch templates, EKS secrets,
 * CloudWatch Logs, Secrets Manager, KMS rotation.
 */

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
