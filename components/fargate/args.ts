import type { AgentName } from "../../contracts/agents";
import { KeyNames, Problems, selfNamed } from "../../lib/problems";
import { checkFargatePair } from "../../lib/rules";

/*
 * What the Fargate components (the web service and the agent worker) are given, and the rules of it: what
 * Fargate, ECS or the load balancer would reject halfway through `pulumi up`. config/ reads Pulumi config
 * into these settings and reports each problem under its config key; the constructors check the same rules.
 */

export const FARGATE_ARCHITECTURES = ["X86_64", "ARM64"] as const;
export type FargateArchitecture = (typeof FARGATE_ARCHITECTURES)[number];

export const CONTAINER_INSIGHTS_MODES = ["enabled", "enhanced", "disabled"] as const;
export type ContainerInsightsMode = (typeof CONTAINER_INSIGHTS_MODES)[number];

/**
 * How tasks split between the FARGATE and FARGATE_SPOT capacity providers, as ECS itself expresses it: the
 * first `onDemandBase` tasks run on FARGATE, the rest in the ratio onDemandWeight : spotWeight.
 */
export interface FargateCapacity {
  /** Tasks always on FARGATE (0-100). */
  readonly onDemandBase: number;
  /** FARGATE's share of the tasks above the base (0-1000). */
  readonly onDemandWeight: number;
  /** FARGATE_SPOT's share of the tasks above the base (0-1000); a weight above 0 is needed on one of the two. */
  readonly spotWeight: number;
}

/** Where a task's image comes from: a full image URI, or a tag in the stack's own ECR repository. */
export type ImageSource =
  { readonly kind: "uri"; readonly uri: string } | { readonly kind: "repository"; readonly tag: string };

/** A Secrets Manager secret injected into the container as an environment variable (ECS `secrets`). */
export interface ContainerSecret {
  /** The environment variable's name. */
  readonly name: string;
  /** As ECS takes it: the secret's ARN, optionally followed by `:<json-key>:<version-stage>:<version-id>`. */
  readonly valueFrom: string;
  /** The secret's own ARN (the first seven fields), what IAM grants secretsmanager:GetSecretValue on. */
  readonly secretArn: string;
}

/** What both the web service's and the worker's containers are given. No field has a default. */
export interface TaskSettings {
  /** Task CPU units (256 = 0.25 vCPU): 256 to 16384. */
  readonly cpu: number;
  /** Task memory in MiB; a size Fargate pairs with `cpu`. */
  readonly memory: number;
  /** CPU architecture of the image: X86_64 or ARM64 (about 20 % cheaper on demand). */
  readonly architecture: FargateArchitecture;
  /** A full image URI with a tag or digest, or a tag (required) of the stack's ECR repository. */
  readonly image: ImageSource;
  /** uid[:gid] or user[:group] the container runs as; never root. */
  readonly user: string;
  /** Secrets injected as environment variables; none is an empty list. */
  readonly secrets: readonly ContainerSecret[];
}

/** The web service's settings (what config reads); the component adds its wiring. No field has a default. */
export interface WebServiceSettings extends TaskSettings {
  /** Port the container listens on (1024-65535: the container does not run as root). */
  readonly containerPort: number;
  /** Path the load balancer and the container health check request (it starts with /). */
  readonly healthCheckPath: string;
  /** Read-only root file system, with an ephemeral volume on /tmp; off only for images that cannot run so. */
  readonly readOnlyRootFilesystem: boolean;
  /** Fewest tasks autoscaling keeps (0-100). */
  readonly minTasks: number;
  /** Tasks at creation (min <= desired <= max); autoscaling owns the count afterwards. */
  readonly desiredTasks: number;
  /** Most tasks autoscaling starts (1-100). */
  readonly maxTasks: number;
  /** How tasks split between FARGATE and FARGATE_SPOT. */
  readonly capacity: FargateCapacity;
  /** Target-tracking target for CPU utilization, in percent (10-95). */
  readonly targetCpuPercent: number;
  /** Target-tracking target for memory utilization, in percent (10-95). */
  readonly targetMemoryPercent: number;
  /** Container Insights on the service's ECS cluster (the worker's backlog-per-task scaling needs it). */
  readonly containerInsights: ContainerInsightsMode;
  /** Images the ECR repository keeps (1-1000); older ones expire. */
  readonly imagesKept: number;
  /** ALB access logs to a bucket of the service. */
  readonly albAccessLogs: boolean;
}

/** The queue-driven agent worker's settings (what config reads). No field has a default. */
export interface WorkerSettings extends TaskSettings {
  /**
   * Fewest running tasks (0-100): 0 scales from zero on the queue's backlog in steps (at most MAX_STEPS tasks),
   * 1 or more tracks the backlog per running task.
   */
  readonly minTasks: number;
  /** Most running tasks (1-100). */
  readonly maxTasks: number;
  /** Target of visible messages per running task (1-10000); autoscaling adds tasks above it. */
  readonly backlogPerTask: number;
  /** Tasks kept on regular Fargate (0-100); the rest run on Spot (an interrupted message reappears on the queue). */
  readonly onDemandBase: number;
  /**
   * Container Insights of the cluster the worker runs in (its own, or the web service's): not disabled where
   * the worker scales on messages per running task (minTasks 1 or more), a Container Insights metric.
   */
  readonly containerInsights: ContainerInsightsMode;
  /** The agent whose container the worker runs, built by the program. Default: the configured image. */
  readonly agent?: WorkerAgentSettings;
}

/** How the program builds the agent image (awsx.ecr.Image): paths relative to the project directory. */
export interface AgentImageBuild {
  readonly context: string;
  readonly dockerfile: string;
}

/** The agent the worker runs as its container (agentRuntime), built by the program from `build`. */
export interface WorkerAgentSettings {
  readonly agent: AgentName;
  readonly build: AgentImageBuild;
}

/**
 * What the agent container calls: its queue, the table and the artifacts (gateway endpoints or NAT), the bus,
 * the model, the provider secret, and at start the registry and the logs. Short names as the network's
 * privateReachProblem takes them (EventBridge is `events`).
 */
export const AGENT_CONTAINER_SERVICES = [
  "sqs",
  "dynamodb",
  "s3",
  "events",
  "bedrock-runtime",
  "secretsmanager",
  "logs",
  "ecr.api",
  "ecr.dkr",
] as const;

/** The Docker platform an image for tasks of `architecture` is built for (workerArchitecture). */
export const dockerPlatform = (architecture: FargateArchitecture): "linux/amd64" | "linux/arm64" =>
  architecture === "ARM64" ? "linux/arm64" : "linux/amd64";

/** Most tasks a worker scaling from zero may have: its step scaling policy has one step per task count. */
export const MAX_STEPS = 20;

/** The image URI Fargate pulls, as `registry/path:tag` or `@sha256:` digest; no whitespace. */
export const IMAGE_URI = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[\w.-]{1,128}|@sha256:[a-f0-9]{64})$/;
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
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
 * the components, the cost estimate's tests and the docs agree on it.
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

const TASK_FIELDS = ["cpu", "memory", "image", "imageTag", "user"] as const;
type TaskField = (typeof TASK_FIELDS)[number];

/** `imageBuilt`: the program builds and pushes the image (the worker's agent), so no tag is named. */
function taskProblems(t: TaskSettings, p: Problems<TaskField>, imageBuilt = false): void {
  const cpuOk = p.number("cpu", t.cpu, { min: 256, max: 16384 });
  const memoryOk = p.number("memory", t.memory, { min: 512, max: 122880 });
  const pair = cpuOk && memoryOk ? checkFargatePair(t.cpu, t.memory) : undefined;
  if (pair) p.add("memory", t.memory, pair);
  if (t.image.kind === "uri" && !IMAGE_URI.test(t.image.uri))
    p.add(
      "image",
      t.image.uri,
      "must be an image URI with a tag or digest, such as public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine",
    );
  if (t.image.kind === "repository" && !(imageBuilt && t.image.tag === "")) {
    if (t.image.tag === "")
      p.add(
        "imageTag",
        undefined,
        `is required when ${p.key("image")} is empty: the tag CI pushed to the stack's ECR repository (tags are immutable)`,
      );
    else if (!IMAGE_TAG.test(t.image.tag))
      p.add(
        "imageTag",
        t.image.tag,
        "must be an image tag: letters, digits, _ . - (at most 128, not starting with . or -)",
      );
  }
  const badUser = userProblem(t.user);
  if (badUser) p.add("user", t.user, badUser);
}

export type WebServiceField =
  | TaskField
  | "minTasks"
  | "desiredTasks"
  | "maxTasks"
  | "onDemandBase"
  | "onDemandWeight"
  | "spotWeight"
  | "containerPort"
  | "healthCheckPath"
  | "targetCpuPercent"
  | "targetMemoryPercent"
  | "imagesKept";

/** The fields of the web service's settings, each by its own name (what the constructor reports with). */
export const WEB_SERVICE_FIELDS: KeyNames<WebServiceField> = {
  ...selfNamed(TASK_FIELDS),
  ...selfNamed([
    "minTasks",
    "desiredTasks",
    "maxTasks",
    "containerPort",
    "healthCheckPath",
    "targetCpuPercent",
    "targetMemoryPercent",
    "imagesKept",
  ] as const),
  onDemandBase: "capacity.onDemandBase",
  onDemandWeight: "capacity.onDemandWeight",
  spotWeight: "capacity.spotWeight",
};

/** Every rule the web service's settings break, each named by `keys`. */
export function webServiceProblems(
  s: WebServiceSettings,
  keys: KeyNames<WebServiceField> = WEB_SERVICE_FIELDS,
) {
  const p = new Problems(keys);
  taskProblems(s, p);
  const minOk = p.number("minTasks", s.minTasks, { min: 0, max: 100 });
  const desiredOk = p.number("desiredTasks", s.desiredTasks, { min: 0, max: 100 });
  const maxOk = p.number("maxTasks", s.maxTasks, { min: 1, max: 100 });
  if (minOk && desiredOk && s.minTasks > s.desiredTasks)
    p.add("minTasks", s.minTasks, `must not exceed ${p.key("desiredTasks")} (${s.desiredTasks})`);
  if (desiredOk && maxOk && s.desiredTasks > s.maxTasks)
    p.add("desiredTasks", s.desiredTasks, `must not exceed ${p.key("maxTasks")} (${s.maxTasks})`);

  p.number("onDemandBase", s.capacity.onDemandBase, { min: 0, max: 100 });
  p.number("onDemandWeight", s.capacity.onDemandWeight, { min: 0, max: 1000 });
  p.number("spotWeight", s.capacity.spotWeight, { min: 0, max: 1000 });
  if (s.capacity.onDemandWeight === 0 && s.capacity.spotWeight === 0)
    p.add(
      "spotWeight",
      0,
      `must be above 0 when ${p.key("onDemandWeight")} is 0: ECS needs a capacity provider with a weight for tasks above the base`,
    );

  p.number("containerPort", s.containerPort, { min: 1024, max: 65535 });
  if (!s.healthCheckPath.startsWith("/")) {
    p.add("healthCheckPath", s.healthCheckPath, "must start with / (e.g. /health)");
  } else if (s.healthCheckPath.length > 1024 || !HEALTH_CHECK_PATH.test(s.healthCheckPath)) {
    p.add(
      "healthCheckPath",
      s.healthCheckPath,
      "must be at most 1024 characters of letters, digits and . _ ~ / ? = & % -",
    );
  }
  p.number("targetCpuPercent", s.targetCpuPercent, { min: 10, max: 95 });
  p.number("targetMemoryPercent", s.targetMemoryPercent, { min: 10, max: 95 });
  p.number("imagesKept", s.imagesKept, { min: 1, max: 1000 });
  return p.list;
}

export type WorkerField =
  TaskField | "minTasks" | "maxTasks" | "backlogPerTask" | "onDemandBase" | "containerInsights";

/** The fields of the worker's settings, each by its own name. */
export const WORKER_FIELDS: KeyNames<WorkerField> = selfNamed([
  ...TASK_FIELDS,
  "minTasks",
  "maxTasks",
  "backlogPerTask",
  "onDemandBase",
  "containerInsights",
] as const);

/** Every rule the worker's settings break, each named by `keys`. */
export function workerProblems(s: WorkerSettings, keys: KeyNames<WorkerField> = WORKER_FIELDS) {
  const p = new Problems(keys);
  taskProblems(s, p, s.agent !== undefined);
  const minOk = p.number("minTasks", s.minTasks, { min: 0, max: 100 });
  const maxOk = p.number("maxTasks", s.maxTasks, { min: 1, max: 100 });
  if (minOk && maxOk && s.minTasks > s.maxTasks)
    p.add("minTasks", s.minTasks, `must not exceed ${p.key("maxTasks")} (${s.maxTasks})`);
  if (minOk && maxOk && s.minTasks === 0 && s.maxTasks > MAX_STEPS)
    p.add(
      "maxTasks",
      s.maxTasks,
      `must be at most ${MAX_STEPS} with ${p.key("minTasks")} 0: scaling from zero sets the task count in steps`,
    );
  p.number("backlogPerTask", s.backlogPerTask, { min: 1, max: 10000 });
  p.number("onDemandBase", s.onDemandBase, { min: 0, max: 100 });
  if (s.minTasks >= 1 && s.containerInsights === "disabled")
    p.add(
      "containerInsights",
      s.containerInsights,
      "must be enabled or enhanced where the agent worker runs with minTasks 1 or more: it scales on messages per running task, and the running task count is a Container Insights metric",
    );
  if (s.agent && (s.image.kind === "uri" || s.image.tag !== ""))
    p.add(
      s.image.kind === "uri" ? "image" : "imageTag",
      s.image.kind === "uri" ? s.image.uri : s.image.tag,
      `must be empty with the ${s.agent.agent} agent on Fargate: the program builds its image and pins the task to its digest`,
    );
  return p.list;
}
