// Composition root: config -> explicit AWS provider -> components -> a few stable outputs. No resource
// logic lives here; every per-stack difference comes from Pulumi.<stack>.yaml through config.ts.
import { Data } from "./components/data";
import { Dashboard, sectionOf } from "./components/dashboard";
import { Database } from "./components/database";
import * as path from "path";
import { Backups } from "./components/backups";
import { EksCluster } from "./components/eks-cluster";
import { FargateService } from "./components/fargate-service";
import { FargateWorker } from "./components/fargate-worker";
import { Frontend } from "./components/frontend";
import { Network } from "./components/network";
import { Observability } from "./components/observability";
import { Pipeline } from "./components/pipeline";
import { Queues } from "./components/queues";
import { platformProvider } from "./components/tagging";
import { stackConfig } from "./config";

const config = stackConfig();
const provider = platformProvider("aws", config.region, config.tags);
const opts = { providers: { aws: provider } };

// First: every other component sends its alarms to this topic.
const observability = new Observability(
  "observability",
  {
    alertEmails: config.alertEmails,
    monthlyBudgetUsd: config.monthlyBudgetUsd,
    anomalyThresholdUsd: config.anomalyThresholdUsd,
    environment: config.environment,
    costAllocationTagKeys: config.costAllocationTagKeys,
  },
  opts,
);
const network = new Network(
  "network",
  { ...config.network, isolatedSubnets: config.data.databaseEnabled || config.data.cacheEnabled },
  opts,
);
const agentQueues = new Queues(
  "agents",
  { ...config.queues, alarmTopicArn: observability.alertsTopicArn },
  opts,
);
// The serverless data tier (seed 003): the single DynamoDB table and the artifacts bucket.
const data = new Data(
  "data",
  {
    ...config.dataTier,
    logGroupNamePrefix: `/aws/lambda/${config.project}-${config.stack}-`,
    protect: config.protectStateful,
    alarmTopicArn: observability.alertsTopicArn,
  },
  opts,
);
// The ingestion pipeline (seed 001): raw uploads -> process -> processed documents -> vectorize -> Upstash.
const pipeline = config.pipeline.enabled
  ? new Pipeline(
      "pipeline",
      {
        ...config.pipeline,
        upstashUrl: config.pipeline.upstashUrl!,
        upstashToken: config.pipeline.upstashToken!,
        logRetentionDays: config.logRetentionDays,
        alarmTopicArn: observability.alertsTopicArn,
        protect: config.protectStateful,
      },
      opts,
    )
  : undefined;
// The web service (seed 001): Fargate behind an ALB that only CloudFront + WAF reach. CloudFront takes its
// web ACL and certificate from us-east-1 only, whatever the stack's region.
const usEast1 =
  config.service.enabled || config.frontend.enabled
    ? platformProvider("aws-us-east-1", "us-east-1", config.tags)
    : undefined;
const web = config.service.enabled
  ? new FargateService(
      "web",
      {
        ...config.service,
        network,
        originVerifySecret: config.service.originVerifySecret!,
        logRetentionDays: config.logRetentionDays,
        domain: config.domain,
        alarmTopicArn: observability.alertsTopicArn,
        usEast1Provider: usEast1,
        protectStateful: config.protectStateful,
      },
      opts,
    )
  : undefined;
// The agent worker (seed 002: SQS -> ECS Fargate), in the web service's cluster when there is one.
const worker = config.worker.enabled
  ? new FargateWorker(
      "agent-worker",
      {
        ...config.worker,
        network,
        queue: agentQueues.pairs[config.worker.queue],
        queueKmsKeyArn: agentQueues.kmsKeyArn,
        cluster: web?.cluster,
        containerInsights: config.service.containerInsights,
        logRetentionDays: config.logRetentionDays,
        alarmTopicArn: observability.alertsTopicArn,
      },
      opts,
    )
  : undefined;
// PostgreSQL (seed 004) in the isolated subnets, with its migration runner; the web tasks are its clients.
const dbSettings = config.data.database;
const database = config.data.databaseEnabled
  ? new Database(
      "db",
      {
        settings: dbSettings,
        network,
        clientSecurityGroupIds: web ? [web.tasksSecurityGroupId] : [],
        logRetentionDays: config.logRetentionDays,
        alarmTopicArn: observability.alertsTopicArn,
        protect: config.protectStateful,
        replicaProvider: dbSettings.backupReplicaRegion
          ? platformProvider(
              `aws-${dbSettings.backupReplicaRegion}`,
              dbSettings.backupReplicaRegion,
              config.tags,
            )
          : undefined,
      },
      opts,
    )
  : undefined;
// EKS (seed 004) only where eksEnabled: the control plane alone costs about $73 a month.
const eksWorkloads = config.eks.workloads;
const eks = config.eks.enabled
  ? new EksCluster(
      "eks",
      {
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        version: config.eks.version,
        publicAccessCidrs: config.eks.publicAccessCidrs,
        adminRoleArns: config.eks.adminRoleArns,
        nodes: config.eks.nodes,
        spot: config.eks.spot,
        addonVersions: config.eks.addonVersions,
        logRetentionDays: config.logRetentionDays,
        alarmTopicArn: observability.alertsTopicArn,
        tags: { ...config.tags },
        protect: config.protectStateful,
        workloads: eksWorkloads.enabled
          ? {
              loadBalancerControllerChartVersion: eksWorkloads.loadBalancerControllerChartVersion,
              clusterAutoscalerChartVersion: eksWorkloads.clusterAutoscalerChartVersion,
              sampleApp: eksWorkloads.sampleApp
                ? {
                    image: eksWorkloads.sampleImage,
                    certificateArn: eksWorkloads.certificateArn,
                    domain: config.domain,
                  }
                : undefined,
            }
          : undefined,
      },
      opts,
    )
  : undefined;

// The single-page frontend (issue 13): private bucket, CloudFront with OAC, its own WAF web ACL and name.
const frontend = config.frontend.enabled
  ? new Frontend(
      "frontend",
      {
        siteDir: path.resolve(__dirname, config.frontend.siteDir),
        contentSecurityPolicy: config.frontend.contentSecurityPolicy,
        domain:
          config.domain && config.frontend.domainName
            ? { name: config.frontend.domainName, hostedZoneId: config.domain.hostedZoneId }
            : undefined,
        wafRateLimit: config.service.wafRateLimit,
        wafManagedRules: config.service.wafManagedRules,
        usEast1Provider: usEast1,
        region: config.region,
        protect: config.protectStateful,
      },
      opts,
    )
  : undefined;
// AWS Backup (seed 004): resources tagged Backup=daily; copies to a second region where backupCopyRegion is set.
const backupsConfig = config.backups;
const backups = backupsConfig.enabled
  ? new Backups(
      "backups",
      {
        ...backupsConfig,
        environment: config.environment,
        copyProvider: backupsConfig.copyRegion
          ? platformProvider("aws-backup-copy", backupsConfig.copyRegion, config.tags)
          : undefined,
        restoreTestingPrefix: `agent_platform_${config.stack}`.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 30),
        protect: config.protectStateful,
      },
      opts,
    )
  : undefined;

// One dashboard per stack, built from the alarms of the components present (issue 11).
const dashboard = new Dashboard(
  "dashboard",
  {
    region: config.region,
    monthlyBudgetUsd: config.monthlyBudgetUsd,
    sections: [
      ...sectionOf("Agent queues", agentQueues.alarms),
      ...sectionOf("Data table", data.alarms),
      ...sectionOf("Ingestion pipeline", pipeline?.alarms),
      ...sectionOf("Web service", web?.alarms),
      ...sectionOf("Agent worker", worker?.alarms),
      ...sectionOf("Database", database?.alarms),
      ...(eks ? [{ title: "EKS", alarmArns: eks.alarms.apply((a) => Object.values(a)) }] : []),
    ],
  },
  opts,
);

// Stack outputs are a public contract (other stacks and tools read them): rename only with care.
export const environment = config.environment;
export const alertsTopicArn = observability.alertsTopicArn;
export const dashboardName = dashboard.dashboardName;
export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const isolatedSubnetIds = network.isolatedSubnetIds;
/** name -> { url, arn, dlqUrl, dlqArn } */
export const queues = agentQueues.queues;
/** The ingestion pipeline (undefined where pipelineEnabled is false); clients upload under uploadPrefix. */
export const rawBucketName = pipeline?.rawBucketName;
export const processedBucketName = pipeline?.processedBucketName;
export const uploadPrefix = pipeline?.uploadPrefix;
export const uploaderRoleArn = pipeline?.uploaderRoleArn;
/** { process, vectorize } -> { url, arn, dlqUrl, dlqArn } */
export const pipelineQueues = pipeline?.queues;
/** { process, vectorize } -> function name */
export const pipelineFunctionNames = pipeline?.functionNames;
export const upstashSecretArn = pipeline?.upstashSecretArn;
/** The serverless data tier (seed 003). */
export const dataTableName = data.tableName;
export const artifactsBucketName = data.bucketName;
/** The web service (undefined where serviceEnabled is false): its public URL and what CI deploys to. */
export const webUrl = web?.url;
export const cloudfrontDomainName = web?.cloudfrontDomainName;
export const albDnsName = web?.albDnsName;
export const ecsClusterName = web?.clusterName ?? worker?.clusterName;
export const webServiceName = web?.serviceName;
export const webRepositoryUrl = web?.repositoryUrl;
/** The agent worker (undefined where workerEnabled is false). */
export const workerServiceName = worker?.serviceName;
export const workerRepositoryUrl = worker?.repositoryUrl;
/** { clusterName, endpoint, oidcProviderArn, alarms: name -> ARN, sampleAppHostname }; undefined without EKS. */
export const eksCluster = eks && {
  clusterName: eks.clusterName,
  endpoint: eks.endpoint,
  oidcProviderArn: eks.oidcProviderArn,
  alarms: eks.alarms,
  sampleAppHostname: eks.sampleAppHostname,
};
/** A secret: `pulumi stack output kubeconfig --show-secrets > kubeconfig.json`. Undefined without EKS. */
export const kubeconfig = eks?.kubeconfig;
/** The database (undefined where databaseEnabled is false): endpoint and the RDS-managed master secret. */
export const databaseAddress = database?.address;
export const databaseSecretArn = database?.masterSecretArn;
export const databaseMigrationFunction = database?.migrationFunctionName;
/** The frontend (undefined where frontendEnabled is false): its URL, and the bucket and distribution CI deploys to. */
export const frontendUrl = frontend?.url;
export const frontendBucketName = frontend?.bucketName;
export const frontendDistributionId = frontend?.distributionId;
/** AWS Backup (undefined where backupsEnabled is false). */
export const backupVaultName = backups?.vaultName;
export const backupPlanId = backups?.planId;
