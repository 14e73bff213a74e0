import { at, list, present } from "./lib/checks";
import { identifiers, ofKind, refersTo, Res, resourcePolicy, stackPolicy, who } from "./lib/framework";
import { K } from "./lib/kinds";
import { asNumber, isUnknown, parseJsonish } from "./lib/values";

/*
 * Resilience: a dead-letter queue on every queue and every asynchronously invoked function, backups and
 * point-in-time recovery, Multi-AZ in production, deletion protection on stateful resources in production.
 * Environment-scoped rules read the resource's Environment tag (own tags, then the provider's defaultTags),
 * so the pack runs unchanged for every stack; a resource without the tag gets the stricter rule.
 */

const ENVIRONMENTS_SCHEMA = (def: string[]) => ({
  type: "array" as const,
  items: { type: "string" as const },
  default: def,
  description: "Environment tag values the policy applies to.",
});

/** The resource among `candidates` that a known value (name, ARN, URL) or the property's dependencies point at. */
function target(from: Res, prop: string, value: unknown, candidates: Res[]): Res | undefined {
  if (typeof value === "string" && !isUnknown(value)) {
    const hit = candidates.find((c) => identifiers(c).has(value));
    if (hit) return hit;
  }
  const deps = (from.propertyDependencies[prop] ?? []).filter((d) => candidates.includes(d));
  return deps.length === 1 ? deps[0] : undefined;
}

interface RedriveLink {
  source: Res;
  dlq?: Res;
}

/** Queues' redrive links: the `redrivePolicy` JSON on the queue, or a standalone aws.sqs.RedrivePolicy. */
function redriveLinks(resources: Res[]): RedriveLink[] {
  const queues = ofKind(resources, K.queue);
  const links: RedriveLink[] = [];
  for (const q of queues) {
    const rp = q.raw["redrivePolicy"];
    if (!present(rp)) continue;
    const arn = isUnknown(rp)
      ? undefined
      : (parseJsonish(rp) as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn;
    links.push({ source: q, dlq: target(q, "redrivePolicy", arn, queues) });
  }
  for (const p of ofKind(resources, K.queueRedrivePolicy)) {
    const source = queues.find((q) => refersTo(p, "queueUrl", q));
    if (!source) continue;
    const rp = p.raw["redrivePolicy"];
    const arn = isUnknown(rp)
      ? undefined
      : (parseJsonish(rp) as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn;
    links.push({ source, dlq: target(p, "redrivePolicy", arn, queues) });
  }
  return links;
}

/** Queues that receive failures from elsewhere (Lambda, EventBridge, SNS, event source mappings). */
function failureTargets(resources: Res[], queues: Res[]): Set<Res> {
  const out = new Set<Res>();
  const mark = (from: Res, prop: string, value: unknown) => {
    const t = target(from, prop, value, queues);
    if (t) out.add(t);
  };
  for (const f of ofKind(resources, K.lambdaFunction))
    mark(f, "deadLetterConfig", at(f.raw, "deadLetterConfig.targetArn"));
  for (const e of ofKind(resources, K.eventTarget))
    mark(e, "deadLetterConfig", at(e.raw, "deadLetterConfig.arn"));
  for (const c of ofKind(resources, K.lambdaEventInvokeConfig)) {
    mark(c, "destinationConfig", at(c.raw, "destinationConfig.onFailure.destination"));
  }
  for (const m of ofKind(resources, K.lambdaEventSourceMapping)) {
    mark(m, "destinationConfig", at(m.raw, "destinationConfig.onFailure.destinationArn"));
  }
  for (const s of ofKind(resources, K.topicSubscription)) {
    const rp = parseJsonish(s.raw["redrivePolicy"]) as { deadLetterTargetArn?: unknown } | undefined;
    if (present(s.raw["redrivePolicy"])) mark(s, "redrivePolicy", rp?.deadLetterTargetArn);
  }
  return out;
}

export const sqsQueueDlq = stackPolicy(
  {
    name: "sqs-queue-dlq",
    description:
      "Every SQS queue has a dead-letter queue or is one, and a DLQ outlives its source's messages.",
    domain: "resilience",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Give each work queue a redrivePolicy { deadLetterTargetArn, maxReceiveCount } pointing at a queue of the " +
      "same type (FIFO for FIFO) whose messageRetentionSeconds is longer than the source's (a moved message " +
      "keeps its original enqueue time), typically 14 days.",
    references: { cdkNag: ["AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"] },
    kinds: [
      K.queue,
      K.queueRedrivePolicy,
      K.lambdaFunction,
      K.eventTarget,
      K.lambdaEventInvokeConfig,
      K.lambdaEventSourceMapping,
      K.topicSubscription,
    ],
  },
  (resources, { guard }, add) => {
    const queues = ofKind(resources, K.queue);
    const links = redriveLinks(resources);
    const dlqs = new Set([
      ...links.map((l) => l.dlq).filter((d): d is Res => !!d),
      ...failureTargets(resources, queues),
    ]);
    for (const q of queues) {
      guard(() => {
        const link = links.find((l) => l.source === q);
        if (!link && !dlqs.has(q)) {
          add(q, `${who(q)} has no dead-letter queue (redrivePolicy) and is not one.`);
          return;
        }
        const dlq = link?.dlq;
        if (!dlq) return;
        if ((q.raw["fifoQueue"] === true) !== (dlq.raw["fifoQueue"] === true))
          add(
            q,
            `${who(q)} and its dead-letter queue '${dlq.name}' differ in type (FIFO and standard); SQS rejects this.`,
          );
        const retention = (r: Res) => asNumber(r.raw["messageRetentionSeconds"]) ?? 345600;
        if (retention(dlq) <= retention(q))
          add(
            q,
            `${who(q)} keeps messages ${retention(q)} s but its dead-letter queue '${dlq.name}' only ${retention(dlq)} s; ` +
              "moved messages keep their enqueue time and would expire early.",
          );
      });
    }
  },
);

/** Service principals whose invocations of a Lambda function are asynchronous. */
const ASYNC_PRINCIPALS = [
  "s3.amazonaws.com",
  "sns.amazonaws.com",
  "events.amazonaws.com",
  "logs.amazonaws.com",
  "ses.amazonaws.com",
  "iot.amazonaws.com",
  "cloudwatch.amazonaws.com",
  "codecommit.amazonaws.com",
  "config.amazonaws.com",
];

export const lambdaAsyncDlq = stackPolicy(
  {
    name: "lambda-async-dlq",
    description: "Functions invoked asynchronously keep failed events (a DLQ or an on-failure destination).",
    domain: "resilience",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set deadLetterConfig.targetArn to an SQS queue (and grant sqs:SendMessage), or add an " +
      "aws.lambda.FunctionEventInvokeConfig with destinationConfig.onFailure.",
    references: {
      checkov: ["CKV_AWS_116"],
      cdkNag: [
        "NIST.800.53.R5-LambdaDLQ",
        "Serverless-LambdaDLQ",
        "Serverless-LambdaAsyncFailureDestination",
      ],
    },
    kinds: [
      K.lambdaFunction,
      K.lambdaPermission,
      K.bucketNotification,
      K.topicSubscription,
      K.eventTarget,
      K.lambdaEventInvokeConfig,
    ],
  },
  (resources, { guard }, add) => {
    const functions = ofKind(resources, K.lambdaFunction);
    const invokedBy = new Map<Res, string>();
    const mark = (fn: Res | undefined, how: string) => {
      if (fn && !invokedBy.has(fn)) invokedBy.set(fn, how);
    };
    for (const p of ofKind(resources, K.lambdaPermission)) {
      const principal = p.raw["principal"];
      if (typeof principal === "string" && ASYNC_PRINCIPALS.includes(principal))
        mark(target(p, "function", p.raw["function"], functions), principal);
    }
    for (const n of ofKind(resources, K.bucketNotification)) {
      for (const l of list(n.raw["lambdaFunctions"]))
        mark(target(n, "lambdaFunctions", at(l, "lambdaFunctionArn"), functions), "S3 notifications");
    }
    for (const s of ofKind(resources, K.topicSubscription)) {
      if (s.raw["protocol"] === "lambda")
        mark(target(s, "endpoint", s.raw["endpoint"], functions), "an SNS subscription");
    }
    for (const e of ofKind(resources, K.eventTarget))
      mark(target(e, "arn", e.raw["arn"], functions), "an EventBridge rule");
    const configs = ofKind(resources, K.lambdaEventInvokeConfig);
    for (const [fn, how] of invokedBy) {
      guard(() => {
        if (present(at(fn.raw, "deadLetterConfig.targetArn"))) return;
        const cfg = configs.find((c) => refersTo(c, "functionName", fn));
        if (cfg && present(at(cfg.raw, "destinationConfig.onFailure.destination"))) return;
        add(
          fn,
          `${who(fn)} is invoked asynchronously by ${how} but has no dead-letter queue or on-failure destination.`,
        );
      });
    }
  },
);

export const backups = resourcePolicy<{ environments: string[]; minimumRetentionDays: number }>(
  {
    name: "backups",
    description: "Databases, tables and caches keep automated backups (point-in-time recovery for DynamoDB).",
    domain: "resilience",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "RDS: backupRetentionPeriod >= minimumRetentionDays. DynamoDB: pointInTimeRecovery { enabled: true }. " +
      "ElastiCache (Redis/Valkey): snapshotRetentionLimit >= minimumRetentionDays.",
    references: {
      checkov: ["CKV_AWS_28", "CKV_AWS_133", "CKV_AWS_134"],
      cdkNag: [
        "AwsSolutions-RDS13",
        "AwsSolutions-DDB3",
        "NIST.800.53.R5-ElastiCacheRedisClusterAutomaticBackup",
      ],
      awsguard: ["rds-instance-backup-enabled"],
      pulumi: ["aws-rds-instance-configure-backup-retention", "aws-rds-cluster-configure-backup-retention"],
    },
    kinds: [K.dbInstance, K.dbCluster, K.dynamoTable, K.cacheReplicationGroup],
    config: {
      environments: ENVIRONMENTS_SCHEMA(["staging", "prod"]),
      minimumRetentionDays: {
        type: "integer",
        minimum: 1,
        maximum: 35,
        default: 7,
        description: "Shortest backup retention.",
      },
    },
  },
  (res, { config, inEnvironments }, add) => {
    if (!inEnvironments(res, config.environments)) return;
    const min = config.minimumRetentionDays;
    if (K.dbInstance.has(res.type) || K.dbCluster.has(res.type)) {
      if (
        K.dbInstance.has(res.type) &&
        (present(res.raw["replicateSourceDb"]) || present(res.raw["clusterIdentifier"]))
      )
        return;
      const days = res.props.backupRetentionPeriod ?? 1; // the RDS API's default
      if (days < min) add(`${who(res)} keeps backups ${days} day(s), less than ${min}.`);
    } else if (K.dynamoTable.has(res.type)) {
      if (res.props.pointInTimeRecovery?.enabled !== true) add(`${who(res)} has no point-in-time recovery.`);
    } else if (K.cacheReplicationGroup.has(res.type)) {
      const days = res.props.snapshotRetentionLimit ?? 0;
      if (days < min) add(`${who(res)} keeps snapshots ${days} day(s), less than ${min}.`);
    }
  },
);

export const multiAz = stackPolicy<{ environments: string[] }>(
  {
    name: "multi-az",
    description:
      "In production, databases, caches, node groups and services span at least two availability zones.",
    domain: "resilience",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "RDS: multiAz: true (Aurora: two or more cluster instances). ElastiCache: multiAzEnabled and " +
      "automaticFailoverEnabled with a replica. EKS node groups and ECS services: subnets in two or more AZs " +
      "and (ECS) desiredCount >= 2.",
    references: {
      checkov: ["CKV_AWS_157", "CKV2_AWS_50"],
      cdkNag: ["AwsSolutions-RDS3", "AwsSolutions-AEC4", "NIST.800.53.R5-RDSMultiAZSupport"],
      awsguard: ["rds-instance-multi-az-enabled"],
      pulumi: ["aws-rds-cluster-disallow-single-availability-zone"],
    },
    kinds: [
      K.dbInstance,
      K.dbCluster,
      K.dbClusterInstance,
      K.cacheReplicationGroup,
      K.eksNodeGroup,
      K.ecsService,
    ],
    config: { environments: ENVIRONMENTS_SCHEMA(["prod"]) },
  },
  (resources, { config, inEnvironments, guard }, add) => {
    const instances = ofKind(resources, K.dbClusterInstance);
    for (const r of ofKind(
      resources,
      K.dbInstance,
      K.dbCluster,
      K.cacheReplicationGroup,
      K.eksNodeGroup,
      K.ecsService,
    )) {
      if (!inEnvironments(r, config.environments)) continue;
      guard(() => {
        if (K.dbInstance.has(r.type)) {
          if (present(r.raw["replicateSourceDb"]) || present(r.raw["clusterIdentifier"])) return;
          if (r.props.multiAz !== true)
            add(r, `${who(r)} runs in a single availability zone (multiAz is not true).`);
        } else if (K.dbCluster.has(r.type)) {
          const n = instances.filter(
            (i) =>
              refersTo(i, "clusterIdentifier", r) ||
              i.raw["clusterIdentifier"] === r.raw["clusterIdentifier"],
          ).length;
          if (n < 2) add(r, `${who(r)} has ${n} cluster instance(s); a failover needs at least 2.`);
        } else if (K.cacheReplicationGroup.has(r.type)) {
          const replicas =
            asNumber(r.raw["numCacheClusters"]) ?? (asNumber(r.raw["replicasPerNodeGroup"]) ?? 0) + 1;
          if (r.props.multiAzEnabled !== true || r.props.automaticFailoverEnabled !== true || replicas < 2)
            add(r, `${who(r)} is not Multi-AZ with automatic failover and a replica.`);
        } else if (K.eksNodeGroup.has(r.type)) {
          const subnets = r.raw["subnetIds"];
          if (!isUnknown(subnets) && list(subnets).length < 2)
            add(r, `${who(r)} uses ${list(subnets).length} subnet(s); use at least 2 AZs.`);
        } else if (K.ecsService.has(r.type)) {
          const desired = asNumber(r.raw["desiredCount"]) ?? 1;
          const subnets = at(r.raw, "networkConfiguration.subnets");
          if (desired < 2) add(r, `${who(r)} runs ${desired} task(s); run at least 2 for an AZ failure.`);
          else if (!isUnknown(subnets) && list(subnets).length < 2)
            add(r, `${who(r)} places tasks in ${list(subnets).length} subnet(s); use at least 2 AZs.`);
        }
      });
    }
  },
);

const STATEFUL = [K.bucket, K.dynamoTable, K.dbInstance, K.dbCluster, K.cacheReplicationGroup, K.ebsVolume];

export const deletionProtection = resourcePolicy<{ environments: string[] }>(
  {
    name: "deletion-protection",
    description: "In production, stateful resources are protected from deletion by AWS and by Pulumi.",
    domain: "resilience",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set deletionProtection (RDS), deletionProtectionEnabled (DynamoDB), forceDestroy: false (S3), and the " +
      "`protect` resource option on every stateful resource (the stack's protectStateful config key).",
    references: {
      checkov: ["CKV_AWS_139", "CKV_AWS_293"],
      cdkNag: ["AwsSolutions-RDS10", "NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled"],
    },
    kinds: STATEFUL,
    config: { environments: ENVIRONMENTS_SCHEMA(["prod"]) },
  },
  (res, { config, inEnvironments }, add) => {
    if (!inEnvironments(res, config.environments)) return;
    const missing: string[] = [];
    if ((K.dbInstance.has(res.type) || K.dbCluster.has(res.type)) && res.props.deletionProtection !== true)
      missing.push("deletionProtection: true");
    if (K.dynamoTable.has(res.type) && res.props.deletionProtectionEnabled !== true)
      missing.push("deletionProtectionEnabled: true");
    if (K.bucket.has(res.type) && res.props.forceDestroy === true) missing.push("forceDestroy: false");
    if (!res.protect) missing.push("the protect resource option");
    if (missing.length > 0) add(`${who(res)} lacks ${missing.join(", ")}.`);
  },
);

export const s3BucketVersioning = stackPolicy<{ environments: string[] }>(
  {
    name: "s3-bucket-versioning",
    description: "S3 buckets keep object versions, so an overwrite or delete can be undone.",
    domain: "resilience",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
      'Add an aws.s3.BucketVersioning with versioningConfiguration { status: "Enabled" } and a lifecycle rule ' +
      "that expires noncurrent versions.",
    references: { checkov: ["CKV_AWS_21"], cdkNag: ["NIST.800.53.R5-S3BucketVersioningEnabled"] },
    kinds: [K.bucket, K.bucketVersioning],
    config: { environments: ENVIRONMENTS_SCHEMA(["staging", "prod"]) },
  },
  (resources, { config, inEnvironments, guard }, add) => {
    const versionings = ofKind(resources, K.bucketVersioning);
    for (const b of ofKind(resources, K.bucket)) {
      if (!inEnvironments(b, config.environments)) continue;
      guard(() => {
        const inline = at(b.raw, "versioning.enabled") === true;
        const standalone = versionings.some(
          (v) => refersTo(v, "bucket", b) && at(v.raw, "versioningConfiguration.status") === "Enabled",
        );
        if (!inline && !standalone) add(b, `${who(b)} does not enable versioning.`);
      });
    }
  },
);

export const resiliencePolicies = [
  sqsQueueDlq,
  lambdaAsyncDlq,
  backups,
  multiAz,
  deletionProtection,
  s3BucketVersioning,
];
