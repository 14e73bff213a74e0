import * as pulumi from "@pulumi/pulumi";
import { AgentsConfig, leaveFargateQueue, readAgents } from "./config/agents";
import { DataTierConfig, readDataTier } from "./config/api";
import { ApiGatewayConfig, readApiGateway } from "./config/api-gateway";
import { readBlueGreen } from "./config/blue-green";
import { BackupsConfig, readBackups } from "./config/backups";
import { CacheConfig, readCache } from "./config/cache";
import { BedrockConfig, readBedrock } from "./config/bedrock";
import { DataConfig, readData } from "./config/data";
import { checkUnderZone, DnsConfig, DomainConfig, readDns } from "./config/dns";
import { DeployerConfig, deployerProblem, readDeployer } from "./config/deployer";
import { EmailConfig, readEmail } from "./config/email";
import { EksConfig, readEks } from "./config/eks";
import { FrontendConfig, readFrontend } from "./config/frontend";
import { NetworkConfig, readNetwork } from "./config/network";
import { PipelineConfig, readPipeline } from "./config/pipeline";
import { QueuesConfig, readQueues } from "./config/queues";
import { ConfigReader, ConfigSource, runtimeConfigSource } from "./config/reader";
import { isEmail, isLogRetention, LOG_RETENTION_DAYS } from "./config/rules";
import { readService, readWorker, ServiceConfig, WorkerConfig } from "./config/service";
import { readSuccessMetrics, SuccessMetricsConfig } from "./config/success-metrics";
import { readWebSocket, WebSocketConfig } from "./config/websocket";

export { ConfigError, ConfigIssue, ConfigSource, mapConfigSource } from "./config/reader";
export type { PipelineConfig } from "./config/pipeline";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The tags every taggable resource carries (the seeds' tagging strategy); `Function` is set per component. */
export interface BaseTags {
  readonly Environment: string;
  readonly Project: string;
  readonly Owner: string;
}

export type { DomainConfig } from "./config/dns";

/** Everything a stack may change, validated. Read once in index.ts; components receive their own section. */
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
  readonly network: NetworkConfig;
  /** Data-tier switches (database, cache); the network adds isolated subnets when one is on. */
  readonly data: DataConfig;
  /** The ElastiCache (Valkey) cache, used where data.cacheEnabled. */
  readonly cache: CacheConfig;
  /** The serverless data tier (seed 003): DynamoDB single table and artifacts bucket. */
  readonly dataTier: DataTierConfig;
  /** The REST API (seed 003): throttling, quota, CORS, alarms, handler sizing, WAF. */
  readonly apiGateway: ApiGatewayConfig;
  /** The WebSocket API (issue 9): task status pushed to subscribed clients. */
  readonly websocket: WebSocketConfig;
  /** The agent queues and their dead-letter queues. */
  readonly queues: QueuesConfig;
  readonly service: ServiceConfig;
  /** The queue-driven agent worker on Fargate (off unless workerEnabled). */
  readonly worker: WorkerConfig;
  readonly pipeline: PipelineConfig;
  /** The agent worker Lambdas (issue 9) and the LLM provider key. */
  readonly agents: AgentsConfig;
  /** CodeDeploy blue/green deployments of the api-handler, ws and agent functions (lambdaBlueGreen). */
  readonly blueGreen: boolean;
  readonly alertEmails: readonly string[];
  readonly monthlyBudgetUsd: number;
  /** Cost anomalies with at least this total impact (USD) are sent to the alerts topic. */
  readonly anomalyThresholdUsd: number;
  /** Tag keys activated for cost allocation in the account (by the stack that manageCostAllocationTags). */
  readonly costAllocationTagKeys: readonly string[];
  /** This stack activates costAllocationTagKeys: account-wide, so on in exactly one stack per account. */
  readonly manageCostAllocationTags: boolean;
  readonly domain?: DomainConfig;
  /** The hosted zone (existing or created) and the web health check; undefined without domainName. */
  readonly dns?: DnsConfig;
  /** The agents' Bedrock application role and its usage alarms (issue 10). */
  readonly bedrock: BedrockConfig;
  /** The EKS cluster (off unless eksEnabled), its node groups, add-ons and in-cluster workloads. */
  readonly eks: EksConfig;
  /** Where `pulumi up` runs: the deploy workflow's runner and Pulumi Deployments' agent pool. */
  readonly deployer: DeployerConfig;
  /** The single-page frontend on S3 + CloudFront (issue 13). */
  readonly frontend: FrontendConfig;
  /** AWS Backup vault, daily plan, cross-region copy, vault lock and restore testing (issue 13). */
  readonly backups: BackupsConfig;
  /** SES sending domain (DKIM, MAIL FROM, DMARC), configuration set, templates and alarms (issue 10). */
  readonly email: EmailConfig;
  /** Uptime of the public endpoints against an SLO, and deploy time against a target (seed 000). */
  readonly successMetrics: SuccessMetricsConfig;
}

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/**
 * Builds the StackConfig from a config source. Every problem is collected and thrown as one ConfigError that
 * names each key, its value and what is allowed.
 */
export function loadStackConfig(source: ConfigSource, project: string, stack: string): StackConfig {
  const r = new ConfigReader(source, project);
  const logRetention = (name: string): number => {
    const days = r.number(name, {}, 7);
    if (!isLogRetention(days)) {
      r.report(name, days, `must be a CloudWatch Logs retention value: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return days;
  };

  const region = source.get("aws:region");
  if (region === undefined || !REGION_PATTERN.test(region)) {
    r.report("aws:region", region, "must be an AWS region such as us-east-1");
  }

  const environment = r.oneOf("environment", ENVIRONMENTS, "dev");
  const owner = r.string("owner", "unset");
  if (owner.trim() === "") r.report("owner", owner, "must name the owning team (used as the Owner tag)");
  const projectTag = r.string("projectTag", project);
  if (projectTag.trim() === "")
    r.report("projectTag", projectTag, "must not be empty (used as the Project tag)");

  const alertEmails = r.stringList("alertEmails", []);
  alertEmails.forEach((e, i) => {
    if (!isEmail(e)) r.report(`alertEmails[${i}]`, e, "must be an e-mail address");
  });

  const pipeline = readPipeline(r);

  // The zone, its apex and the names in it; `domain` only for an existing zone (see config/dns.ts).
  const { domainName, domain, dns } = readDns(r);
  const bedrock = readBedrock(r, region ?? "");

  const network = readNetwork(r, logRetention, region ?? "");
  const queues = readQueues(r, region ?? "");
  const service = readService(r);
  const data = readData(r, region ?? "");
  const config: Omit<StackConfig, "blueGreen"> = {
    project,
    stack,
    environment,
    region: region ?? "",
    allowedAccountIds: readAllowedAccountIds(r),
    tags: { Environment: environment, Project: projectTag, Owner: owner },
    logRetentionDays: logRetention("logRetentionDays"),
    protectStateful: r.boolean("protectStateful", false),
    network,
    data,
    cache: readCache(r, data.cacheEnabled),
    dataTier: readDataTier(r),
    apiGateway: readApiGateway(r),
    websocket: readWebSocket(r),
    queues,
    service,
    worker: readWorker(
      r,
      queues.queues.map((q) => q.name),
      service.containerInsights,
    ),
    pipeline,
    agents: readAgents(r, queues.queues),
    alertEmails,
    monthlyBudgetUsd: r.number("monthlyBudgetUsd", { min: 1, max: 1_000_000 }, 50),
    anomalyThresholdUsd: r.number("anomalyThresholdUsd", { min: 1, max: 1_000_000 }, 20),
    costAllocationTagKeys: readCostAllocationTagKeys(r),
    manageCostAllocationTags: r.boolean("manageCostAllocationTags", false),
    ...(domain ? { domain } : {}),
    ...(dns ? { dns } : {}),
    bedrock,
    eks: readEks(r, {
      region: region ?? "",
      natStrategy: network.natStrategy,
      hasDomain: domainName !== undefined,
    }),
    deployer: readDeployer(r),
    frontend: readFrontend(r, domain?.name),
    backups: readBackups(r, region ?? ""),
    email: readEmail(r, domainName, domain?.hostedZoneId),
    successMetrics: readSuccessMetrics(r),
  };
  const blueGreen = readBlueGreen(r, [
    { enabled: true, alarms: config.apiGateway.alarmsEnabled, alarmsKey: "apiAlarmsEnabled" },
    {
      enabled: config.websocket.enabled,
      alarms: config.websocket.functionAlarms,
      alarmsKey: "websocketFunctionAlarms",
    },
    {
      enabled: config.agents.enabled,
      alarms: config.agents.functionAlarms,
      alarmsKey: "agentFunctionAlarms",
    },
  ]);
  checkUnderZone(r, "frontendDomainName", config.frontend.domainName, dns);
  const unreachable = deployerProblem(config.eks, config.deployer);
  if (unreachable) r.report("eksWorkloadsEnabled", true, unreachable);
  if (dns?.healthCheck && !config.service.enabled)
    r.report(
      "dnsHealthCheckEnabled",
      true,
      "needs serviceEnabled (the health check watches the web endpoint)",
    );
  r.finish();
  // One consumer per queue: the Fargate worker's queue is not the Lambda workers' (config/agents.ts).
  return {
    ...config,
    blueGreen,
    agents: leaveFargateQueue(config.agents, config.worker),
  };
}

/** The account guard: one or more 12-digit account ids, set by the stack's ESC environment. */
function readAllowedAccountIds(r: ConfigReader): string[] {
  const ids = r.stringList("allowedAccountIds", []);
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

/** The tag the budget and the cost anomaly monitor filter on (components/observability.ts). */
export const BUDGET_TAG_KEY = "Environment";

/**
 * Why a budget filtered on BUDGET_TAG_KEY would see nothing with these activated keys, or undefined: AWS
 * filters budgets and cost monitors on activated cost allocation tags only.
 */
export function budgetFilterProblem(activatedKeys: readonly string[]): string | undefined {
  return activatedKeys.includes(BUDGET_TAG_KEY)
    ? undefined
    : `must include ${BUDGET_TAG_KEY}: the budget and the cost anomaly monitor filter on the ${BUDGET_TAG_KEY} ` +
        "tag, and AWS filters only on activated cost allocation tags (without it the budget sees $0 and never alerts)";
}

/** Cost allocation tag keys: the tags the platform sets, including the budget's filter key. */
function readCostAllocationTagKeys(r: ConfigReader): string[] {
  const allowed = ["Environment", "Project", "Owner", "Function"];
  const keys = r.stringList("costAllocationTagKeys", allowed);
  keys.forEach((k, i) => {
    if (!allowed.includes(k))
      r.report(`costAllocationTagKeys[${i}]`, k, `must be one of ${allowed.join(", ")}`);
  });
  const problem = budgetFilterProblem(keys);
  if (problem) r.report("costAllocationTagKeys", keys, problem);
  return keys;
}

/** The program's entry: config of the running stack, from the Pulumi runtime. */
export function stackConfig(): StackConfig {
  return loadStackConfig(runtimeConfigSource(), pulumi.getProject(), pulumi.getStack());
}
