import * as pulumi from "@pulumi/pulumi";
import {
  CONTAINER_INSIGHTS_MODES,
  ContainerInsightsMode,
  ContainerSecret,
  FARGATE_ARCHITECTURES,
  ImageSource,
  TaskSettings,
  WebServiceField,
  WebServiceSettings,
  webServiceProblems,
  WorkerAgentSettings,
  WorkerField,
  WorkerSettings,
  workerProblems,
} from "../components/fargate/args";
import { WafField, WafManagedRuleGroup, WafSettings, wafProblems } from "../components/shared/waf-args";
import type { KeyNames } from "../lib/problems";
import { ConfigReader } from "./reader";

/*
 * The Fargate web service (ALB, CloudFront, WAF) and the queue-driven agent worker: their keys, read into the
 * components' own settings (components/fargate/args.ts), whose rules name the keys below.
 */

/** The web service, where serviceEnabled: its settings and the header secret CloudFront and the ALB share. */
export interface WebServiceConfig extends WebServiceSettings {
  /**
   * Shared between CloudFront (a custom origin header) and the ALB (a listener rule): requests without it are
   * refused, so nobody bypasses CloudFront and WAF.
   */
  readonly originVerifySecret: pulumi.Output<string>;
}

/** The agent worker, where workerEnabled: its settings and the agent queue it consumes. */
export interface WorkerConfig extends WorkerSettings {
  /** The agent queue (a name from `queues`) the worker consumes. */
  readonly queue: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_ARN =
  /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+)(:[^:\s]*:[^:\s]*:[^:\s]*)?$/;

const taskKeys = (prefix: "service" | "worker") => ({
  cpu: `${prefix}Cpu`,
  memory: `${prefix}Memory`,
  image: `${prefix}Image`,
  imageTag: `${prefix}ImageTag`,
  user: `${prefix}User`,
});

const WEB_SERVICE_KEYS: KeyNames<WebServiceField> = {
  ...taskKeys("service"),
  minTasks: "serviceMinTasks",
  desiredTasks: "serviceDesiredTasks",
  maxTasks: "serviceMaxTasks",
  onDemandBase: "serviceOnDemandBase",
  onDemandWeight: "serviceOnDemandWeight",
  spotWeight: "serviceSpotWeight",
  containerPort: "serviceContainerPort",
  healthCheckPath: "serviceHealthCheckPath",
  targetCpuPercent: "serviceTargetCpuPercent",
  targetMemoryPercent: "serviceTargetMemoryPercent",
  imagesKept: "serviceEcrImagesKept",
};

const WORKER_KEYS: KeyNames<WorkerField> = {
  ...taskKeys("worker"),
  minTasks: "workerMinTasks",
  maxTasks: "workerMaxTasks",
  backlogPerTask: "workerBacklogPerTask",
  onDemandBase: "workerOnDemandBase",
  containerInsights: "serviceContainerInsights",
};

const WAF_KEYS: KeyNames<WafField> = {
  rateLimit: "wafRateLimit",
  managedRules: "wafManagedRules",
};

/** A task's keys, parsed: the image (a URI or a tag of the stack's repository) and the `NAME=ARN` secrets. */
function readTask(r: ConfigReader, prefix: "service" | "worker"): TaskSettings {
  const key = (k: string) => `${prefix}${k}`;
  const uri = r.optionalString(key("Image"));
  const tag = r.optionalString(key("ImageTag"));
  let image: ImageSource = { kind: "repository", tag: tag ?? "" };
  if (uri !== undefined) {
    if (tag !== undefined)
      r.report(
        key("ImageTag"),
        tag,
        `is only used when ${key("Image")} is empty (the stack's ECR repository)`,
      );
    image = { kind: "uri", uri };
  }

  const secrets: ContainerSecret[] = [];
  const names = new Set<string>();
  r.stringList(key("Secrets")).forEach((entry, i) => {
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
  return {
    cpu: r.number(key("Cpu")),
    memory: r.number(key("Memory")),
    architecture: r.oneOf(key("Architecture"), FARGATE_ARCHITECTURES),
    image,
    user: r.string(key("User")),
    secrets,
  };
}

/** Container Insights of the stack's ECS cluster: the web service's, which the agent worker runs in too. */
export function readContainerInsights(r: ConfigReader): ContainerInsightsMode {
  return r.oneOf("serviceContainerInsights", CONTAINER_INSIGHTS_MODES);
}

/** The WAF rules every web ACL of the stack applies (the web service's, the frontend's, the API's). */
export function readWaf(r: ConfigReader): WafSettings {
  // Renamed: they set the web ACLs of the web service, the frontend and the API, not the service's only.
  r.renamed("serviceWafRateLimit", "wafRateLimit");
  r.renamed("serviceWafManagedRules", "wafManagedRules");
  const waf = {
    rateLimit: r.number("wafRateLimit"),
    managedRules: r.stringList("wafManagedRules") as WafManagedRuleGroup[],
  };
  r.reportAll(wafProblems(waf, WAF_KEYS));
  return waf;
}

/** The web service, or undefined where serviceEnabled is false. */
export function readWebService(
  r: ConfigReader,
  containerInsights: ContainerInsightsMode,
): WebServiceConfig | undefined {
  const enabled = r.boolean("serviceEnabled");
  const settings: WebServiceSettings = {
    ...readTask(r, "service"),
    containerPort: r.number("serviceContainerPort"),
    healthCheckPath: r.string("serviceHealthCheckPath"),
    readOnlyRootFilesystem: r.boolean("serviceReadOnlyRootFilesystem"),
    minTasks: r.number("serviceMinTasks"),
    desiredTasks: r.number("serviceDesiredTasks"),
    maxTasks: r.number("serviceMaxTasks"),
    capacity: {
      onDemandBase: r.number("serviceOnDemandBase"),
      onDemandWeight: r.number("serviceOnDemandWeight"),
      spotWeight: r.number("serviceSpotWeight"),
    },
    targetCpuPercent: r.number("serviceTargetCpuPercent"),
    targetMemoryPercent: r.number("serviceTargetMemoryPercent"),
    containerInsights,
    imagesKept: r.number("serviceEcrImagesKept"),
    albAccessLogs: r.boolean("serviceAlbAccessLogs"),
  };
  const originVerifySecret = readOriginSecret(r, enabled);
  if (!enabled) return undefined;
  r.reportAll(webServiceProblems(settings, WEB_SERVICE_KEYS));
  return { ...settings, originVerifySecret: originVerifySecret ?? pulumi.output("") };
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

/** The agent worker, or undefined where workerEnabled is false. */
export function readWorker(
  r: ConfigReader,
  queueNames: readonly string[],
  containerInsights: ContainerInsightsMode,
  /** The agent whose container the worker runs (agentRuntime, config/agent-runtime.ts): the program builds its image. */
  agent?: WorkerAgentSettings,
): WorkerConfig | undefined {
  const enabled = r.boolean("workerEnabled");
  const settings: WorkerSettings = {
    ...readTask(r, "worker"),
    minTasks: r.number("workerMinTasks"),
    maxTasks: r.number("workerMaxTasks"),
    backlogPerTask: r.number("workerBacklogPerTask"),
    onDemandBase: r.number("workerOnDemandBase"),
    containerInsights,
    ...(agent ? { agent } : {}),
  };
  const queue = r.string("workerQueue");
  if (!enabled) return undefined;
  if (!queueNames.includes(queue))
    r.report("workerQueue", queue, `must name one of the queues: ${queueNames.join(", ")}`);
  r.reportAll(workerProblems(settings, WORKER_KEYS));
  return { ...settings, queue };
}
