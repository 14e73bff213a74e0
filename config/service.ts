import * as pulumi from "@pulumi/pulumi";
import { ConfigReader } from "./reader";
import { checkFargatePair } from "../lib/rules";

/*
 * The Fargate web service (ALB, CloudFront, WAF) and the queue-driven agent worker. Every value Fargate, ECS,
 * the load balancer or WAF would reject halfway through `pulumi up` is checked here first.
 */

export const FARGATE_ARCHITECTURES = ["X86_64", "ARM64"] as const;
export type FargateArchitecture = (typeof FARGATE_ARCHITECTURES)[number];

export const CONTAINER_INSIGHTS_MODES = ["enabled", "enhanced", "disabled"] as const;
export type ContainerInsightsMode = (typeof CONTAINER_INSIGHTS_MODES)[number];

/**
 * AWS managed WAF rule groups without a subscription fee (Bot Control, account takeover and account creation
 * fraud prevention cost extra per request and are left out on purpose). Each group is one rule: $1 a month.
 */
export const WAF_MANAGED_RULE_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesAnonymousIpList",
  "AWSManagedRulesSQLiRuleSet",
  "AWSManagedRulesLinuxRuleSet",
  "AWSManagedRulesUnixRuleSet",
  "AWSManagedRulesAdminProtectionRuleSet",
] as const;
export type WafManagedRuleGroup = (typeof WAF_MANAGED_RULE_GROUPS)[number];

/**
 * How tasks split between the FARGATE and FARGATE_SPOT capacity providers, as ECS itself expresses it: the
 * first `onDemandBase` tasks run on FARGATE, the rest in the ratio onDemandWeight : spotWeight.
 */
export interface FargateCapacity {
  readonly onDemandBase: number;
  readonly onDemandWeight: number;
  readonly spotWeight: number;
}

/** Where a task's image comes from: a full image URI, or a tag in the stack's own ECR repository. */
export type ImageSource =
  { readonly kind: "uri"; readonly uri: string } | { readonly kind: "repository"; readonly tag: string };

/** A Secrets Manager secret injected into the container as an environment variable (ECS `secrets`). */
export interface ContainerSecret {
  readonly name: string;
  /** As ECS takes it: the secret's ARN, optionally followed by `:<json-key>:<version-stage>:<version-id>`. */
  readonly valueFrom: string;
  /** The secret's own ARN (the first seven fields), what IAM grants secretsmanager:GetSecretValue on. */
  readonly secretArn: string;
}

/** What both the web service's and the worker's containers share. */
export interface TaskConfig {
  /** Task CPU units (256 = 0.25 vCPU). */
  readonly cpu: number;
  /** Task memory in MiB; a size Fargate pairs with `cpu`. */
  readonly memory: number;
  readonly architecture: FargateArchitecture;
  readonly image: ImageSource;
  /** uid[:gid] the container runs as; never root. */
  readonly user: string;
  readonly secrets: readonly ContainerSecret[];
}

export interface ServiceConfig extends TaskConfig {
  /** Whether the Fargate web service (ALB, CloudFront, WAF) is deployed. */
  readonly enabled: boolean;
  /** Port the container listens on (1024-65535: the container does not run as root). */
  readonly containerPort: number;
  /** Path the load balancer and the container health check request. */
  readonly healthCheckPath: string;
  /** Read-only root file system, with an ephemeral volume on /tmp; off only for images that cannot run so. */
  readonly readOnlyRootFilesystem: boolean;
  readonly minTasks: number;
  readonly desiredTasks: number;
  readonly maxTasks: number;
  readonly capacity: FargateCapacity;
  /** Target-tracking targets, in percent. */
  readonly targetCpuPercent: number;
  readonly targetMemoryPercent: number;
  /** Container Insights on the ECS cluster (the worker's backlog-per-task scaling needs it). */
  readonly containerInsights: ContainerInsightsMode;
  /** Images the ECR repository keeps; older ones expire. */
  readonly imagesKept: number;
  /** ALB access logs to a bucket of the stack. */
  readonly albAccessLogs: boolean;
  /** Requests per client IP per 5 minutes before WAF blocks it. */
  readonly wafRateLimit: number;
  readonly wafManagedRules: readonly WafManagedRuleGroup[];
  /**
   * Shared between CloudFront (a custom origin header) and the ALB (a listener rule): requests without it are
   * refused, so nobody bypasses CloudFront and WAF. Required when the service is enabled.
   */
  readonly originVerifySecret?: pulumi.Output<string>;
}

export interface WorkerConfig extends TaskConfig {
  /** Whether the queue-driven agent worker (ECS service without load balancer) is deployed. */
  readonly enabled: boolean;
  /** The agent queue (a name from `queues`) the worker consumes. */
  readonly queue: string;
  readonly minTasks: number;
  readonly maxTasks: number;
  /** Target of visible messages per running task; autoscaling adds tasks above it. */
  readonly backlogPerTask: number;
  /** Tasks kept on regular Fargate; the rest run on Spot (an interrupted message reappears on the queue). */
  readonly onDemandBase: number;
}

/** The image URI Fargate pulls, as `registry/path:tag` or `@sha256:` digest; no whitespace. */
const IMAGE_URI = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[\w.-]{1,128}|@sha256:[a-f0-9]{64})$/;
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_ARN =
  /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+)(:[^:\s]*:[^:\s]*:[^:\s]*)?$/;
/** Characters the health check path may use: it is also written into the container's health check command. */
const HEALTH_CHECK_PATH = /^\/[A-Za-z0-9._~/?=&%-]*$/;

/** The user a container runs as: a uid or name, optionally with a group, but never root (uid 0). */
export function userProblem(user: string): string | undefined {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(user))
    return "must be uid, uid:gid, user or user:group";
  const name = user.split(":")[0];
  if (name === "0" || name === "root") return "must not be root (uid 0): containers run as a non-root user";
  return undefined;
}

/**
 * The capacity provider strategy ECS takes for `capacity`, without the providers that get no tasks. Pure, so
 * the config reader, the components and the tests agree on it.
 */
export function capacityProviderStrategy(
  capacity: FargateCapacity,
): { capacityProvider: "FARGATE" | "FARGATE_SPOT"; base: number; weight: number }[] {
  const items: { capacityProvider: "FARGATE" | "FARGATE_SPOT"; base: number; weight: number }[] = [];
  if (capacity.onDemandBase > 0 || capacity.onDemandWeight > 0)
    items.push({ capacityProvider: "FARGATE", base: capacity.onDemandBase, weight: capacity.onDemandWeight });
  if (capacity.spotWeight > 0)
    items.push({ capacityProvider: "FARGATE_SPOT", base: 0, weight: capacity.spotWeight });
  return items;
}

function readTask(r: ConfigReader, prefix: "service" | "worker", defaults: { cpu: number; memory: number }) {
  const key = (k: string) => `${prefix}${k}`;
  const cpu = r.number(key("Cpu"), { min: 256, max: 16384 }, defaults.cpu);
  const memory = r.number(key("Memory"), { min: 512, max: 122880 }, defaults.memory);
  const pairProblem = checkFargatePair(cpu, memory);
  if (pairProblem) r.report(key("Memory"), memory, pairProblem);

  const architecture = r.oneOf(key("Architecture"), FARGATE_ARCHITECTURES, "X86_64");
  const uri = r.optionalString(key("Image"));
  const tag = r.optionalString(key("ImageTag"));
  let image: ImageSource = { kind: "repository", tag: tag ?? "" };
  if (uri !== undefined) {
    if (!IMAGE_URI.test(uri))
      r.report(
        key("Image"),
        uri,
        "must be an image URI with a tag or digest, such as public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine",
      );
    if (tag !== undefined)
      r.report(
        key("ImageTag"),
        tag,
        `is only used when ${key("Image")} is empty (the stack's ECR repository)`,
      );
    image = { kind: "uri", uri };
  } else if (tag !== undefined && !IMAGE_TAG.test(tag)) {
    r.report(
      key("ImageTag"),
      tag,
      "must be an image tag: letters, digits, _ . - (at most 128, not starting with . or -)",
    );
  }

  const user = r.string(key("User"), "1000");
  const badUser = userProblem(user);
  if (badUser) r.report(key("User"), user, badUser);

  const secrets: ContainerSecret[] = [];
  const names = new Set<string>();
  r.stringList(key("Secrets"), []).forEach((entry, i) => {
    const eq = entry.indexOf("=");
    const name = entry.slice(0, eq);
    const valueFrom = entry.slice(eq + 1);
    const arn = SECRET_ARN.exec(valueFrom);
    if (eq < 1 || !ENV_NAME.test(name) || !arn) {
      r.report(
        `${key("Secrets")}[${i}]`,
        entry,
        "must be NAME=<Secrets Manager secret ARN>[:json-key:version-stage:version-id], NAME a valid environment variable name",
      );
    } else if (names.has(name)) {
      r.report(`${key("Secrets")}[${i}]`, entry, `repeats the variable ${name}`);
    } else {
      names.add(name);
      secrets.push({ name, valueFrom, secretArn: arn[1] });
    }
  });
  return { cpu, memory, architecture, image, user, secrets };
}

/** Reports an image that names neither a URI nor a tag of the stack's repository, when the workload is on. */
function requireImage(r: ConfigReader, prefix: string, enabled: boolean, image: ImageSource): void {
  if (enabled && image.kind === "repository" && image.tag === "")
    r.report(
      `${prefix}ImageTag`,
      undefined,
      `is required when ${prefix}Image is empty: the tag CI pushed to the stack's ECR repository (tags are immutable)`,
    );
}

export function readService(r: ConfigReader): ServiceConfig {
  const enabled = r.boolean("serviceEnabled", true);
  const task = readTask(r, "service", { cpu: 512, memory: 1024 });
  requireImage(r, "service", enabled, task.image);

  const minTasks = r.number("serviceMinTasks", { min: 0, max: 100 }, 1);
  const desiredTasks = r.number("serviceDesiredTasks", { min: 0, max: 100 }, 1);
  const maxTasks = r.number("serviceMaxTasks", { min: 1, max: 100 }, 4);
  if (minTasks > desiredTasks) {
    r.report("serviceMinTasks", minTasks, `must not exceed serviceDesiredTasks (${desiredTasks})`);
  }
  if (desiredTasks > maxTasks) {
    r.report("serviceDesiredTasks", desiredTasks, `must not exceed serviceMaxTasks (${maxTasks})`);
  }

  const capacity: FargateCapacity = {
    onDemandBase: r.number("serviceOnDemandBase", { min: 0, max: 100 }, 0),
    onDemandWeight: r.number("serviceOnDemandWeight", { min: 0, max: 1000 }, 0),
    spotWeight: r.number("serviceSpotWeight", { min: 0, max: 1000 }, 1),
  };
  if (capacity.onDemandWeight === 0 && capacity.spotWeight === 0) {
    r.report(
      "serviceSpotWeight",
      0,
      "must be above 0 when serviceOnDemandWeight is 0: ECS needs a capacity provider with a weight for tasks above the base",
    );
  }

  const containerPort = r.number("serviceContainerPort", { min: 1024, max: 65535 }, 8080);
  const healthCheckPath = r.string("serviceHealthCheckPath", "/");
  if (!healthCheckPath.startsWith("/")) {
    r.report("serviceHealthCheckPath", healthCheckPath, "must start with / (e.g. /health)");
  } else if (healthCheckPath.length > 1024 || !HEALTH_CHECK_PATH.test(healthCheckPath)) {
    r.report(
      "serviceHealthCheckPath",
      healthCheckPath,
      "must be at most 1024 characters of letters, digits and . _ ~ / ? = & % -",
    );
  }

  const wafManagedRules = r.stringList("serviceWafManagedRules", []);
  wafManagedRules.forEach((g, i) => {
    if (!(WAF_MANAGED_RULE_GROUPS as readonly string[]).includes(g))
      r.report(`serviceWafManagedRules[${i}]`, g, `must be one of ${WAF_MANAGED_RULE_GROUPS.join(", ")}`);
  });
  const repeated = wafManagedRules.filter((g, i) => wafManagedRules.indexOf(g) !== i);
  if (repeated.length > 0)
    r.report("serviceWafManagedRules", wafManagedRules, `repeats ${repeated.join(", ")}`);

  return {
    enabled,
    ...task,
    containerPort,
    healthCheckPath,
    readOnlyRootFilesystem: r.boolean("serviceReadOnlyRootFilesystem", true),
    minTasks,
    desiredTasks,
    maxTasks,
    capacity,
    targetCpuPercent: r.number("serviceTargetCpuPercent", { min: 10, max: 95 }, 70),
    targetMemoryPercent: r.number("serviceTargetMemoryPercent", { min: 10, max: 95 }, 70),
    containerInsights: r.oneOf("serviceContainerInsights", CONTAINER_INSIGHTS_MODES, "enabled"),
    imagesKept: r.number("serviceEcrImagesKept", { min: 1, max: 1000 }, 10),
    albAccessLogs: r.boolean("serviceAlbAccessLogs", true),
    // WAF accepts 10 to 2 billion requests per evaluation window (5 minutes here).
    wafRateLimit: r.number("serviceWafRateLimit", { min: 10, max: 2_000_000_000 }, 2000),
    wafManagedRules: wafManagedRules as WafManagedRuleGroup[],
    originVerifySecret: readOriginSecret(r, enabled),
  };
}

/**
 * 24 to 128 characters (the longest value an ALB header condition compares) of letters, digits and
 * `_ . ~ + = / -`: the header is the only thing that tells CloudFront's requests from anyone else's, and an
 * ALB condition treats `*` and `?` as wildcards. Checked where the value is used, as config secrets are
 * only readable as outputs.
 */
function readOriginSecret(r: ConfigReader, required: boolean): pulumi.Output<string> | undefined {
  const secret = r.secret("originVerifySecret", required);
  return secret?.apply((v) => {
    if (!/^[A-Za-z0-9_.~+=/-]{24,128}$/.test(v))
      throw new Error(
        "agent-platform:originVerifySecret must be 24-128 characters of letters, digits and _ . ~ + = / - " +
          "(e.g. `openssl rand -hex 32`)",
      );
    return v;
  });
}

export function readWorker(
  r: ConfigReader,
  queueNames: readonly string[],
  containerInsights: ContainerInsightsMode,
): WorkerConfig {
  const enabled = r.boolean("workerEnabled", false);
  const task = readTask(r, "worker", { cpu: 256, memory: 512 });
  requireImage(r, "worker", enabled, task.image);

  const queue = r.string("workerQueue", "dev");
  if (enabled && !queueNames.includes(queue))
    r.report("workerQueue", queue, `must name one of the queues: ${queueNames.join(", ")}`);
  const minTasks = r.number("workerMinTasks", { min: 1, max: 100 }, 1);
  const maxTasks = r.number("workerMaxTasks", { min: 1, max: 100 }, 4);
  if (minTasks > maxTasks)
    r.report("workerMinTasks", minTasks, `must not exceed workerMaxTasks (${maxTasks})`);
  const onDemandBase = r.number("workerOnDemandBase", { min: 0, max: 100 }, 0);
  if (enabled && containerInsights === "disabled")
    r.report(
      "serviceContainerInsights",
      containerInsights,
      "must be enabled or enhanced when workerEnabled: the worker scales on messages per running task, and the running task count is a Container Insights metric",
    );
  return {
    enabled,
    ...task,
    queue,
    minTasks,
    maxTasks,
    backlogPerTask: r.number("workerBacklogPerTask", { min: 1, max: 10000 }, 5),
    onDemandBase,
  };
}
