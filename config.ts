import * as pulumi from "@pulumi/pulumi";
import type { ApiSettings, WebSocketSettings } from "./components/api/args";
import type { BackupsSettings } from "./components/backups-args";
import type { DataSettings } from "./components/data-args";
import type { DatabaseSettings } from "./components/database-args";
import type { EksSettings } from "./components/eks/args";
import type { ContainerInsightsMode } from "./components/fargate/args";
import type { SuccessMetricsSettings } from "./components/observability-args";
import {
  OBSERVABILITY_FIELDS,
  ObservabilitySettings,
  observabilityProblems,
} from "./components/observability-args";
import type { WafSettings } from "./components/shared/waf-args";
import { AgentsConfig, leaveFargateQueue, readAgents } from "./config/agents";
import {
  AgentContainerConfig,
  AgentRuntimeConfig,
  checkAgentRuntime,
  readAgentRuntime,
} from "./config/agent-runtime";
import { readDataTier } from "./config/data";
import { readApiGateway } from "./config/api";
import { readBlueGreen } from "./config/blue-green";
import { readBackups } from "./config/backups";
import { CacheConfig, readCache } from "./config/cache";
import { BedrockConfig, readBedrock } from "./config/bedrock";
import { readDatabase } from "./config/database";
import { checkUnderZone, DnsConfig, DomainConfig, readDns } from "./config/dns";
import { DeployerConfig, deployerProblem, readDeployer } from "./config/deployer";
import { EmailConfig, readEmail } from "./config/email";
import { readEks } from "./config/eks";
import { FrontendConfig, readFrontend } from "./config/frontend";
import { NetworkConfig, readNetwork } from "./config/network";
import { PipelineConfig, readPipeline } from "./config/pipeline";
import { QueuesConfig, readQueues } from "./config/queues";
import { ConfigReader, ConfigSource, runtimeConfigSource } from "./config/reader";
import { isLogRetention, LOG_RETENTION_DAYS } from "./lib/rules";
import type { BaseTags } from "./lib/tags";
import {
  readContainerInsights,
  readWaf,
  readWebService,
  readWorker,
  WebServiceConfig,
  WorkerConfig,
} from "./config/fargate";
import { readSuccessMetrics } from "./config/success-metrics";
import { readWebSocket } from "./config/websocket";

export { ConfigError, ConfigIssue, ConfigSource, mapConfigSource } from "./config/reader";
export type { PipelineConfig } from "./config/pipeline";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export type { DomainConfig } from "./config/dns";

/**
 * Everything a stack may change, validated. Read once in index.ts; components receive their own section. A
 * section a stack switches off is undefined; its keys are read (and type-checked) but not judged by the
 * component's rules.
 */
export interface StackConfig {
  readonly project: string;
  readonly stack: string;
  readonly environment: Environment;
  readonly region: string;
  /** The AWS accounts the stack may deploy to: every provider refuses credentials for another (allowedAccountIds). */
  readonly allowedAccountIds: readonly string[];
  readonly tags: BaseTags;
  /** Default retention of application log groups, in days (CloudWatch's allowed values only). */
  readonly logRetentionDays: number;
  /** Sets `protect` on stateful resources (buckets, tables, databases) so `pulumi destroy` cannot remove them. */
  readonly protectStateful: boolean;
  /** The alerts topic's subscribers, the budget, the cost anomaly threshold and the cost allocation tags. */
  readonly observability: ObservabilitySettings;
  readonly network: NetworkConfig;
  /** The agent queues and their dead-letter queues. */
  readonly queues: QueuesConfig;
  /** The serverless data tier: DynamoDB single table and artifacts bucket. */
  readonly data: DataSettings;
  /** The REST API: throttling, quota, CORS, alarms, handler sizing, WAF. */
  readonly api: ApiSettings;
  /** The WebSocket API: task status pushed to subscribed clients. */
  readonly websocket?: WebSocketSettings;
  /** The WAF rules of every web ACL of the stack (the web service's, the frontend's, the API's). */
  readonly waf: WafSettings;
  /** Container Insights of the stack's ECS cluster (the web service's; the agent worker's when it runs alone). */
  readonly containerInsights: ContainerInsightsMode;
  /** The web service on Fargate behind an ALB, CloudFront and WAF. */
  readonly webService?: WebServiceConfig;
  /** The queue-driven agent worker on Fargate. */
  readonly worker?: WorkerConfig;
  /** The ingestion pipeline. */
  readonly pipeline?: PipelineConfig;
  /** The agent worker Lambdas and the LLM provider key; undefined also when no agent is left to them. */
  readonly agents?: AgentsConfig;
  /**
   * The agents' event-driven workflow (bus, routing rules, the function that ends a modification): whenever
   * agents run, on Lambda or on Fargate, also when the only agent runs in the container.
   */
  readonly workflow?: Pick<AgentsConfig, "eventArchiveDays" | "functionAlarms">;
  /** Which agent runs where: Lambda, or Fargate as the worker's agent container (config/agent-runtime.ts). */
  readonly agentRuntime: AgentRuntimeConfig;
  /** The agent container's provider key and continuation margin, where an agent runs on Fargate. */
  readonly agentContainer?: AgentContainerConfig;
  /** CodeDeploy blue/green deployments of the api-handler, ws and agent functions (lambdaBlueGreen). */
  readonly blueGreen: boolean;
  readonly domain?: DomainConfig;
  /** The hosted zone (existing or created) and the web health check; undefined without domainName. */
  readonly dns?: DnsConfig;
  /** The agents' Bedrock models, and their application role with its usage alarms. */
  readonly bedrock: BedrockConfig;
  /** The EKS cluster, its node groups, add-ons and in-cluster workloads. */
  readonly eks?: EksSettings;
  /** Where `pulumi up` runs: the deploy workflow's runner and Pulumi Deployments' agent pool. */
  readonly deployer: DeployerConfig;
  /** The single-page frontend on S3 + CloudFront. */
  readonly frontend?: FrontendConfig;
  /** AWS Backup vault, daily plan, cross-region copy, vault lock and restore testing. */
  readonly backups?: BackupsSettings;
  /** SES sending domain (DKIM, MAIL FROM, DMARC), configuration set, templates and alarms. */
  readonly email?: EmailConfig;
  /** RDS PostgreSQL; the network adds isolated subnets for it. */
  readonly database?: DatabaseSettings;
  /** ElastiCache (Valkey); the network adds isolated subnets for it. */
  readonly cache?: CacheConfig;
  /** Uptime of the public endpoints against an SLO, and deploy time against a target. */
  readonly successMetrics: SuccessMetricsSettings;
}

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/**
 * Builds the StackConfig from a config source. Every problem is collected and thrown as one ConfigError that
 * names each key, its value and what is allowed.
 */
export function loadStackConfig(source: ConfigSource, project: string, stack: string): StackConfig {
  const r = new ConfigReader(source, project);
  const logRetention = (name: string): number => {
    const days = r.number(name);
    if (!Number.isNaN(days) && !isLogRetention(days))
      r.report(name, days, `must be a CloudWatch Logs retention value: ${LOG_RETENTION_DAYS.join(", ")}`);
    return days;
  };

  const region = source.get("aws:region");
  if (region === undefined || !REGION_PATTERN.test(region)) {
    r.report("aws:region", region, "must be an AWS region such as us-east-1");
  }

  const environment = r.oneOf("environment", ENVIRONMENTS);
  const owner = r.string("owner");
  if (owner.trim() === "") r.report("owner", owner, "must name the owning team (used as the Owner tag)");
  const projectTag = r.string("projectTag");
  if (projectTag.trim() === "")
    r.report("projectTag", projectTag, "must not be empty (used as the Project tag)");

  const observability: ObservabilitySettings = {
    alertEmails: r.stringList("alertEmails"),
    monthlyBudgetUsd: r.number("monthlyBudgetUsd"),
    anomalyThresholdUsd: r.number("anomalyThresholdUsd"),
    costAllocationTagKeys: r.stringList("costAllocationTagKeys"),
    activateCostAllocationTags: r.boolean("manageCostAllocationTags"),
  };
  r.reportAll(observabilityProblems(observability, OBSERVABILITY_FIELDS));

  const pipeline = readPipeline(r);
  // The zone, its apex and the names in it; `domain` only for an existing zone (see config/dns.ts).
  const { domainName, domain, dns } = readDns(r);
  const bedrock = readBedrock(r, region ?? "");
  const network = readNetwork(r, region ?? "");
  const queues = readQueues(r, region ?? "");
  const agentRuntime = readAgentRuntime(r);
  const fargateAgent = agentRuntime.fargateAgent;
  const containerInsights = readContainerInsights(r);
  const webService = readWebService(r, containerInsights);
  const worker = readWorker(
    r,
    queues.queues.map((q) => q.name),
    containerInsights,
    fargateAgent ? { agent: fargateAgent, build: agentRuntime.image } : undefined,
  );
  const api = readApiGateway(r);
  const websocket = readWebSocket(r);
  const agents = readAgents(r, queues.queues, fargateAgent ? [fargateAgent] : []);
  const eks = readEks(r, {
    region: region ?? "",
    natStrategy: network.natStrategy,
    domain,
    domainReported: domainName !== undefined && dns === undefined,
  });
  const frontend = readFrontend(r, domain?.name);
  const config: Omit<StackConfig, "blueGreen"> = {
    project,
    stack,
    environment,
    region: region ?? "",
    allowedAccountIds: readAllowedAccountIds(r),
    tags: { Environment: environment, Project: projectTag, Owner: owner },
    logRetentionDays: logRetention("logRetentionDays"),
    protectStateful: r.boolean("protectStateful"),
    observability,
    network,
    queues,
    data: readDataTier(r),
    api,
    ...(websocket ? { websocket } : {}),
    waf: readWaf(r),
    containerInsights,
    agentRuntime,
    ...(webService ? { webService } : {}),
    ...(worker ? { worker } : {}),
    ...(pipeline ? { pipeline } : {}),
    ...(fargateAgent && agents.agents
      ? {
          agentContainer: {
            llmApiKey: agents.agents.llmApiKey,
            continuationMarginSeconds: agents.agents.continuationMarginSeconds,
          },
        }
      : {}),
    ...(domain ? { domain } : {}),
    ...(dns ? { dns } : {}),
    bedrock,
    ...(eks ? { eks } : {}),
    deployer: readDeployer(r),
    ...(frontend ? { frontend } : {}),
    ...optional("backups", readBackups(r, region ?? "")),
    ...optional("email", readEmail(r, domainName, domain?.hostedZoneId)),
    ...optional("database", readDatabase(r, region ?? "")),
    ...optional("cache", readCache(r)),
    successMetrics: readSuccessMetrics(r),
  };
  const blueGreen = readBlueGreen(r, [
    { enabled: true, alarms: api.alarmsEnabled, alarmsKey: "apiAlarmsEnabled" },
    {
      enabled: websocket !== undefined,
      alarms: websocket?.functionAlarms ?? false,
      alarmsKey: "websocketFunctionAlarms",
    },
    {
      enabled: agents.agents !== undefined,
      alarms: agents.agents?.functionAlarms ?? false,
      alarmsKey: "agentFunctionAlarms",
    },
  ]);
  checkAgentRuntime(r, agentRuntime, {
    worker,
    network,
    queues: queues.queues,
    agentsEnabled: agents.enabled,
    hasModel: bedrock.models.modelIds.length > 0 || bedrock.models.inferenceProfiles.length > 0,
  });
  checkUnderZone(r, "frontendDomainName", frontend?.domainName, dns);
  const unreachable = deployerProblem(eks, config.deployer);
  if (unreachable) r.report("eksWorkloadsEnabled", true, unreachable);
  if (dns?.healthCheck && !webService)
    r.report(
      "dnsHealthCheckEnabled",
      true,
      "needs serviceEnabled (the health check watches the web endpoint)",
    );
  r.finish();
  // One consumer per queue: the Fargate worker's queue is not the Lambda workers' (config/agents.ts).
  const lambdaAgents = leaveFargateQueue(agents.agents, worker);
  return {
    ...config,
    blueGreen,
    ...(lambdaAgents ? { agents: lambdaAgents } : {}),
    ...(agents.agents
      ? {
          workflow: {
            eventArchiveDays: agents.agents.eventArchiveDays,
            functionAlarms: agents.agents.functionAlarms,
          },
        }
      : {}),
  };
}

/** `{ [key]: value }` when the section is on, `{}` when it is off (undefined). */
function optional<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

/** The account guard: one or more 12-digit account ids, set by the stack's ESC environment. */
function readAllowedAccountIds(r: ConfigReader): string[] {
  const ids = r.stringList("allowedAccountIds");
  if (ids.length === 0)
    r.report(
      "allowedAccountIds",
      ids,
      "must list the AWS account id(s) this stack deploys to (its ESC environment sets them): the provider " +
        "then refuses credentials for any other account before a change",
    );
  ids.forEach((id, i) => {
    if (!/^\d{12}$/.test(id)) r.report(`allowedAccountIds[${i}]`, id, "must be a 12-digit AWS account id");
  });
  return ids;
}

/** The program's entry: config of the running stack, from the Pulumi runtime. */
export function stackConfig(): StackConfig {
  return loadStackConfig(runtimeConfigSource(), pulumi.getProject(), pulumi.getStack());
}
