import { checkFargatePair } from "../lib/rules";
import { autonamedProperty } from "../lib/aws-types";
import { at, list } from "./lib/checks";
import { ofKind, refersTo, Res, resourcePolicy, stackPolicy, who } from "./lib/framework";
import { K, Kind } from "./lib/kinds";
import { effectiveTags, EXEMPT_TAG_PREFIX } from "./lib/tags";
import { asNumber, isUnknown } from "./lib/values";
import { TAGGABLE } from "./tagging";

/*
 * Deployability: what `pulumi preview` accepts and `pulumi up` fails on, halfway through a deployment.
 * Names (explicit, or auto-names `<logical name>-<7 hex>` that the provider generates during Check),
 * Fargate task sizes, SQS visibility timeout against the consuming function's timeout, Lambda and SQS
 * value ranges, and tag limits.
 */

interface NameRule {
  kind: Kind;
  prop: string;
  max: number;
  min?: number;
  /** Longest name prefix (the provider appends a 26-character suffix), where the resource takes one. */
  prefixMax?: number;
  pattern?: RegExp;
  rule?: string;
}

const ALNUM_HYPHEN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

export const NAME_RULES: NameRule[] = [
  {
    kind: K.loadBalancer,
    prop: "name",
    max: 32,
    prefixMax: 6,
    pattern: ALNUM_HYPHEN,
    rule: "letters, digits and inner hyphens",
  },
  {
    kind: K.targetGroup,
    prop: "name",
    max: 32,
    prefixMax: 6,
    pattern: ALNUM_HYPHEN,
    rule: "letters, digits and inner hyphens",
  },
  {
    kind: K.role,
    prop: "name",
    max: 64,
    prefixMax: 38,
    pattern: /^[\w+=,.@-]+$/,
    rule: "letters, digits and +=,.@_-",
  },
  {
    kind: K.managedPolicy,
    prop: "name",
    max: 128,
    pattern: /^[\w+=,.@-]+$/,
    rule: "letters, digits and +=,.@_-",
  },
  {
    kind: K.bucket,
    prop: "bucket",
    min: 3,
    max: 63,
    prefixMax: 37,
    pattern:
      /^(?!xn--|sthree-|amzn-s3-demo-)(?!.*(-s3alias|--ol-s3|--x-s3|--table-s3)$)[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
    rule: "lower-case letters, digits, dots and hyphens",
  },
  {
    kind: K.queue,
    prop: "name",
    max: 80,
    pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/,
    rule: "letters, digits, _ and -",
  },
  {
    kind: K.topic,
    prop: "name",
    max: 256,
    pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/,
    rule: "letters, digits, _ and -",
  },
  {
    kind: K.lambdaFunction,
    prop: "name",
    max: 64,
    pattern: /^[A-Za-z0-9_-]+$/,
    rule: "letters, digits, _ and -",
  },
  { kind: K.logGroup, prop: "name", max: 512, pattern: /^[\w.\-/#]+$/, rule: "letters, digits and _-./#" },
  {
    kind: K.dynamoTable,
    prop: "name",
    min: 3,
    max: 255,
    pattern: /^[A-Za-z0-9_.-]+$/,
    rule: "letters, digits and _.-",
  },
  {
    kind: K.dbInstance,
    prop: "identifier",
    max: 63,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
    rule: "lower-case letters, digits and single hyphens, starting with a letter",
  },
  {
    kind: K.dbCluster,
    prop: "clusterIdentifier",
    max: 63,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
    rule: "lower-case letters, digits and single hyphens, starting with a letter",
  },
  {
    kind: K.cacheReplicationGroup,
    prop: "replicationGroupId",
    max: 40,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
    rule: "lower-case letters, digits and single hyphens, starting with a letter",
  },
  {
    kind: K.eksCluster,
    prop: "name",
    max: 100,
    pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/,
    rule: "letters, digits, _ and -",
  },
  {
    kind: K.eksNodeGroup,
    prop: "nodeGroupName",
    max: 63,
    pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/,
    rule: "letters, digits, _ and -",
  },
  {
    kind: K.ecrRepository,
    prop: "name",
    min: 2,
    max: 256,
    pattern: /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
    rule: "lower-case letters, digits and ._-/",
  },
  {
    kind: K.securityGroup,
    prop: "name",
    max: 255,
    pattern: /^(?!sg-)[\x20-\x7e]+$/,
    rule: "ASCII, not starting with sg-",
  },
];

/** The physical name AWS will get: the explicit or checked (auto-)name, else the auto-name the provider would pick. */
function physicalName(res: Res, prop: string): string | undefined {
  const v = res.raw[prop];
  if (typeof v === "string") return isUnknown(v) ? undefined : v;
  if (autonamedProperty(res.type) !== prop) return undefined;
  if (res.raw[`${prop}Prefix`] !== undefined) return undefined;
  let name = `${res.name}-0000000`;
  if (K.bucket.has(res.type)) name = name.toLowerCase();
  if (K.queue.has(res.type) && res.raw["fifoQueue"] === true) name += ".fifo";
  return name;
}

export const resourceNameLimits = resourcePolicy(
  {
    name: "resource-name-limits",
    description: "Resource names (explicit or generated) fit AWS's length and character rules.",
    domain: "deployability",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Shorten the logical name (auto-names add 8 characters: '-' and 7 hex digits) or set an explicit name " +
      "within the limit: load balancers and target groups 32, IAM roles 64, S3 buckets 63 lower-case, SQS 80.",
    references: {},
    kinds: NAME_RULES.map((r) => r.kind),
  },
  (res, _ctx, add) => {
    for (const rule of NAME_RULES.filter((r) => r.kind.has(res.type))) {
      const prefix = res.raw[`${rule.prop}Prefix`];
      if (
        rule.prefixMax !== undefined &&
        typeof prefix === "string" &&
        !isUnknown(prefix) &&
        prefix.length > rule.prefixMax
      )
        add(
          `${who(res)} ${rule.prop}Prefix '${prefix}' is ${prefix.length} characters; the limit is ${rule.prefixMax}.`,
        );
      const name = physicalName(res, rule.prop);
      if (name === undefined) continue;
      const generated = res.raw[rule.prop] === undefined ? " (generated)" : "";
      if (name.length > rule.max || name.length < (rule.min ?? 1))
        add(
          `${who(res)} ${rule.prop} '${name}'${generated} is ${name.length} characters; AWS allows ${rule.min ?? 1}-${rule.max}.`,
        );
      else if (rule.pattern && !rule.pattern.test(name))
        add(`${who(res)} ${rule.prop} '${name}'${generated} breaks AWS's naming rule (${rule.rule}).`);
      if (K.loadBalancer.has(res.type) && name.startsWith("internal-"))
        add(`${who(res)} name '${name}' starts with "internal-", which AWS reserves.`);
      if (K.queue.has(res.type) && (res.raw["fifoQueue"] === true) !== name.endsWith(".fifo"))
        add(`${who(res)} name '${name}' must end in .fifo exactly when fifoQueue is true.`);
    }
  },
);

/** ECS task size: "512", 512, "1 vCPU", "2 GB", "2048 MiB". */
function taskUnits(v: unknown, unit: "cpu" | "memory"): number | undefined {
  const n = asNumber(v);
  if (n !== undefined) return n;
  if (typeof v !== "string") return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu|gb|mib|mb)\s*$/i.exec(v);
  if (!m) return undefined;
  const x = Number(m[1]);
  const u = m[2].toLowerCase();
  if (unit === "cpu") return u === "vcpu" ? x * 1024 : undefined;
  return u === "gb" ? x * 1024 : x;
}

export const fargateTaskSize = resourcePolicy(
  {
    name: "fargate-task-size",
    description: "Fargate task definitions use a CPU/memory pair and network mode Fargate accepts.",
    domain: "deployability",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Pick memory from the ECS task size table for the CPU value (512 CPU: 1024-4096 MiB) and networkMode awsvpc.",
    references: {},
    kinds: [K.ecsTaskDefinition],
  },
  (res, _ctx, add) => {
    const compat = list(res.raw["requiresCompatibilities"]);
    if (!compat.includes("FARGATE")) return;
    if (res.props.networkMode !== "awsvpc")
      add(`${who(res)} runs on Fargate but networkMode is ${res.props.networkMode ?? "unset"}, not awsvpc.`);
    const cpuRaw = res.props.cpu;
    const memRaw = res.props.memory;
    const cpu = taskUnits(cpuRaw, "cpu");
    const memory = taskUnits(memRaw, "memory");
    if (cpu === undefined || memory === undefined) {
      add(`${who(res)} runs on Fargate without task-level cpu and memory.`);
      return;
    }
    const problem = checkFargatePair(cpu, memory);
    if (problem) add(`${who(res)} asks for ${cpu} CPU units and ${memory} MiB: ${problem}.`);
  },
);

export const sqsVisibilityTimeout = stackPolicy<{ minimumMultiple: number }>(
  {
    name: "sqs-visibility-timeout",
    description: "A queue's visibility timeout covers the timeout of the function that consumes it.",
    domain: "deployability",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set visibilityTimeoutSeconds to at least the function's timeout (AWS recommends 6x, plus the batching " +
      "window); Lambda refuses the event source mapping otherwise.",
    references: { cdkNag: ["LambdaEventSourceSQSVisibilityTimeout"] },
    kinds: [K.lambdaEventSourceMapping, K.queue, K.lambdaFunction],
    config: {
      minimumMultiple: {
        type: "number",
        minimum: 1,
        default: 1,
        description: "Visibility timeout must be at least this multiple of the function timeout.",
      },
    },
  },
  (resources, { config, guard }, add) => {
    const queues = ofKind(resources, K.queue);
    const functions = ofKind(resources, K.lambdaFunction);
    for (const m of ofKind(resources, K.lambdaEventSourceMapping)) {
      guard(() => {
        const queue = queues.find((q) => refersTo(m, "eventSourceArn", q));
        const fn = functions.find((f) => refersTo(m, "functionName", f));
        if (!queue || !fn) return;
        const visibility = asNumber(queue.raw["visibilityTimeoutSeconds"]) ?? 30;
        const timeout = asNumber(fn.raw["timeout"]) ?? 3;
        const window = asNumber(m.raw["maximumBatchingWindowInSeconds"]) ?? 0;
        const needed = timeout * config.minimumMultiple + (config.minimumMultiple > 1 ? window : 0);
        if (visibility < needed)
          add(
            queue,
            `${who(queue)} has a visibility timeout of ${visibility} s, less than ${needed} s for function '${fn.name}' ` +
              `(timeout ${timeout} s${config.minimumMultiple > 1 ? ` x ${config.minimumMultiple}` : ""}).`,
          );
      });
    }
  },
);

export const lambdaLimits = resourcePolicy(
  {
    name: "lambda-limits",
    description: "Lambda settings and SQS event source mappings are within the ranges AWS accepts.",
    domain: "deployability",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "memorySize 128-10240 MB, timeout 1-900 s, ephemeralStorage 512-10240 MB; an SQS mapping with a batch " +
      "size above 10 needs maximumBatchingWindowInSeconds >= 1.",
    references: {},
    kinds: [K.lambdaFunction, K.lambdaEventSourceMapping],
  },
  (res, _ctx, add) => {
    const r = res.raw;
    if (K.lambdaFunction.has(res.type)) {
      const range = (v: unknown, lo: number, hi: number, what: string) => {
        const n = asNumber(v);
        if (n !== undefined && (n < lo || n > hi)) add(`${who(res)} ${what} ${n} is outside ${lo}-${hi}.`);
      };
      range(r["memorySize"], 128, 10240, "memorySize");
      range(r["timeout"], 1, 900, "timeout");
      range(at(r, "ephemeralStorage.size"), 512, 10240, "ephemeralStorage.size");
      const reserved = asNumber(r["reservedConcurrentExecutions"]);
      if (reserved !== undefined && reserved < -1)
        add(`${who(res)} reservedConcurrentExecutions ${reserved} is below -1.`);
      return;
    }
    const source = r["eventSourceArn"];
    const batch = asNumber(r["batchSize"]);
    if (typeof source === "string" && /^arn:aws[a-z-]*:sqs:/.test(source) && batch !== undefined) {
      const window = asNumber(r["maximumBatchingWindowInSeconds"]) ?? 0;
      if (source.endsWith(".fifo") && batch > 10)
        add(`${who(res)} batchSize ${batch} exceeds 10, the limit for FIFO queues.`);
      else if (batch > 10 && window < 1)
        add(`${who(res)} batchSize ${batch} needs maximumBatchingWindowInSeconds >= 1.`);
      else if (batch > 10000) add(`${who(res)} batchSize ${batch} exceeds 10000.`);
    }
  },
);

export const sqsQueueLimits = resourcePolicy(
  {
    name: "sqs-queue-limits",
    description: "SQS queue settings are within the ranges SQS accepts.",
    domain: "deployability",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "visibilityTimeoutSeconds 0-43200, messageRetentionSeconds 60-1209600, delaySeconds 0-900, " +
      "receiveWaitTimeSeconds 0-20, maxMessageSize 1024-1048576; redrive maxReceiveCount 1-1000.",
    references: {},
    kinds: [K.queue],
  },
  (res, _ctx, add) => {
    const ranges: Array<[string, number, number]> = [
      ["visibilityTimeoutSeconds", 0, 43200],
      ["messageRetentionSeconds", 60, 1209600],
      ["delaySeconds", 0, 900],
      ["receiveWaitTimeSeconds", 0, 20],
      ["maxMessageSize", 1024, 1048576],
    ];
    for (const [k, lo, hi] of ranges) {
      const n = asNumber(res.raw[k]);
      if (n !== undefined && (n < lo || n > hi)) add(`${who(res)} ${k} ${n} is outside ${lo}-${hi}.`);
    }
    const rp = res.raw["redrivePolicy"];
    if (typeof rp === "string" && !isUnknown(rp)) {
      try {
        const count = asNumber((JSON.parse(rp) as { maxReceiveCount?: unknown }).maxReceiveCount);
        if (count === undefined || count < 1 || count > 1000)
          add(`${who(res)} redrivePolicy maxReceiveCount must be 1-1000.`);
      } catch {
        add(`${who(res)} redrivePolicy is not valid JSON.`);
      }
    }
  },
);

export const tagLimits = resourcePolicy(
  {
    name: "tag-limits",
    description: "Tags fit AWS's limits: at most 50, keys up to 128 and values up to 256 allowed characters.",
    domain: "deployability",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Keep user tags (resource plus provider defaultTags) to 50, keys to 128 and values to 256 characters of " +
      "letters, digits, spaces and _ . : / = + - @; never start a key with aws:.",
    references: {},
    kinds: [TAGGABLE],
  },
  (res, _ctx, add) => {
    const tags = effectiveTags(res.raw, res.providerProps);
    delete (tags as Record<string, unknown>)["__defaults"];
    const keys = Object.keys(tags);
    if (keys.length > 50) add(`${who(res)} would carry ${keys.length} tags; AWS allows 50.`);
    for (const k of keys) {
      const v = tags[k];
      if (k.startsWith(EXEMPT_TAG_PREFIX)) continue; // judged by exemption-has-reason
      if (k.toLowerCase().startsWith("aws:")) add(`${who(res)} tag key ${k} uses the reserved aws: prefix.`);
      else if (k.length > 128 || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u.test(k))
        add(`${who(res)} tag key '${k}' is not a valid AWS tag key.`);
      if (
        typeof v === "string" &&
        !isUnknown(v) &&
        (v.length > 256 || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(v))
      )
        add(
          `${who(res)} tag ${k} has a value AWS rejects (max 256 characters of letters, digits, spaces and _ . : / = + - @).`,
        );
    }
  },
);

export const ecrRepositoryImmutable = resourcePolicy(
  {
    name: "ecr-repository-immutable",
    description: "ECR repositories keep image tags immutable and scan images on push.",
    domain: "deployability",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
      'Set imageTagMutability "IMMUTABLE" (deploy by digest or unique tag) and imageScanningConfiguration ' +
      "{ scanOnPush: true }.",
    references: {
      checkov: ["CKV_AWS_51", "CKV_AWS_163"],
      pulumi: ["aws-ecr-repository-disallow-mutable-image", "aws-ecr-repository-enable-image-scan"],
    },
    kinds: [K.ecrRepository],
  },
  (res, _ctx, add) => {
    const missing: string[] = [];
    if (!String(res.props.imageTagMutability ?? "MUTABLE").startsWith("IMMUTABLE"))
      missing.push("immutable tags");
    if (at(res.raw, "imageScanningConfiguration.scanOnPush") !== true) missing.push("scan on push");
    if (missing.length > 0) add(`${who(res)} lacks ${missing.join(" and ")}.`);
  },
);

export const deployabilityPolicies = [
  resourceNameLimits,
  fargateTaskSize,
  sqsVisibilityTimeout,
  lambdaLimits,
  sqsQueueLimits,
  tagLimits,
  ecrRepositoryImmutable,
];
