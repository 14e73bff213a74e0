// Composition root: config -> explicit AWS provider -> components -> a few stable outputs. No resource
// logic lives here; every per-stack difference comes from Pulumi.<stack>.yaml through config.ts.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { agentModel, AgentWorkers } from "./components/agents/workers";
import { AgentWorkflow, ruleDeliveryStatements } from "./components/agents/workflow";
import { Api } from "./components/api/api";
import { Backups } from "./components/backups";
import { BedrockAccess } from "./components/bedrock-access";
import { Cache } from "./components/cache";
import { Dashboard, sectionOf } from "./components/dashboard";
import { Data } from "./components/data";
import { Database } from "./components/database";
import { Dns, originNameOf, publicCertificates, publicRecords } from "./components/dns";
import { EksCluster } from "./components/eks/cluster";
import { Email } from "./components/email";
import { FargateService } from "./components/fargate/service";
import { FargateWorker } from "./components/fargate/worker";
import { Frontend } from "./components/frontend/frontend";
import { Network } from "./components/network/network";
import { Observability } from "./components/observability";
import { Pipeline } from "./components/pipeline/pipeline";
import { ProjectTemplates } from "./components/agents/project-templates";
import { Queues } from "./components/queues";
import type { GroupClient } from "./components/shared/security-group-rules";
import { platformProvider } from "./components/shared/tagging";
import { WebSocketApi } from "./components/api/websocket";
import { apiHealthUrl, SuccessMetrics } from "./components/success-metrics";
import { stackConfig } from "./config";
import { stackOutputs } from "./outputs";
import { FIRST_AGENT } from "./contracts/agents";

const config = stackConfig();
const provider = platformProvider("aws", config.region, config.tags, config.allowedAccountIds);
const opts = { providers: { aws: provider } };

// First: every other component sends its alarms to this topic.
const observability = new Observability(
  "observability",
  { ...config.observability, environment: config.environment },
  opts,
);
const network = new Network(
  "network",
  {
    ...config.network,
    flowLogsKeyArn: observability.logsKeyArn,
    isolatedSubnets: config.database !== undefined || config.cache !== undefined,
  },
  opts,
);
// Whenever agents run (on Lambda or Fargate) so does their workflow: the bus's rules may deliver steps to the queues.
const agents = config.agents;
const agentQueues = new Queues(
  "agents",
  {
    ...config.queues,
    alarmTopicArn: observability.alertsTopicArn,
    ...(config.workflow ? { senders: ruleDeliveryStatements } : {}),
  },
  opts,
);
// The serverless data tier: the single DynamoDB table and the artifacts bucket.
const data = new Data(
  "data",
  {
    ...config.data,
    protect: config.protectStateful,
    alarmTopicArn: observability.alertsTopicArn,
  },
  opts,
);
// The REST API: API Gateway + the api-handler Lambda on the data tier; a modification's first step
// goes to the first agent's (PM's) queue.
const api = new Api(
  "api",
  {
    ...config.api,
    data,
    firstAgentQueue: agentQueues.pairs[FIRST_AGENT],
    queueKmsKeyArn: agentQueues.kmsKeyArn,
    waf: config.waf,
    logRetentionDays: config.logRetentionDays,
    logKeyArn: observability.logsKeyArn,
    alarmTopicArn: observability.alertsTopicArn,
    blueGreen: config.blueGreen,
    wsTickets:
      config.websocket?.authorization === "ticket"
        ? { functionAlarms: config.websocket.functionAlarms }
        : undefined,
  },
  opts,
);
// The project templates (rest-api-fastapi, web-app-react, ...) from templates/projects, in the data tier.
const templates = new ProjectTemplates(
  "templates",
  {
    dir: path.resolve(__dirname, "templates", "projects"),
    bucketName: data.bucketName,
    tableName: data.tableName,
  },
  opts,
);
// The WebSocket API: clients subscribe to a project's task status; agent workers push it. Its
// connections table uses the Data key, its logs the operations key.
const websocket = config.websocket
  ? new WebSocketApi(
      "ws",
      {
        settings: config.websocket,
        keyArn: data.keyArn,
        dataTable: { name: data.tableName, arn: data.tableArn },
        ticketKeySecretArn: api.ticketKeySecretArn,
        logRetentionDays: config.logRetentionDays,
        logKeyArn: observability.logsKeyArn,
        alarmTopicArn: observability.alertsTopicArn,
        blueGreen: config.blueGreen,
        protect: config.protectStateful,
        // Stage logging needs API Gateway's account-level CloudWatch role, which the Api component sets in the
        // one stack that manages it (apiManageAccountLogsRole); the others rely on it.
        stageReadyBefore: [api],
      },
      opts,
    )
  : undefined;
// The ingestion pipeline: raw uploads -> process -> processed documents -> vectorize -> Upstash.
const pipeline = config.pipeline
  ? new Pipeline(
      "pipeline",
      {
        ...config.pipeline,
        logRetentionDays: config.logRetentionDays,
        alarmTopicArn: observability.alertsTopicArn,
        protect: config.protectStateful,
      },
      opts,
    )
  : undefined;
// The web service: Fargate behind an ALB that only CloudFront + WAF reach. CloudFront takes its
// web ACL and certificate from us-east-1 only, whatever the stack's region.
const usEast1 =
  config.webService || config.frontend || config.successMetrics.uptimeProbe === "route53"
    ? platformProvider("aws-us-east-1", "us-east-1", config.tags, config.allowedAccountIds)
    : undefined;
// The hosted zone (existing or created) and, in an existing zone, the certificates of the web service and the
// frontend: Dns owns the stack's public certificates and records; the records follow the components.
const publicNames = {
  web: config.webService ? config.domain?.name : undefined,
  frontend: config.frontend?.domainName,
};
const dns = config.dns
  ? new Dns(
      "dns",
      {
        zoneName: config.dns.zoneName,
        existingZoneId: config.dns.existingZoneId,
        createZone: config.dns.createZone,
        certificates: publicCertificates(publicNames),
        usEast1Provider: usEast1,
        region: config.region,
        protect: config.protectStateful,
      },
      opts,
    )
  : undefined;
const webService = config.webService
  ? new FargateService(
      "web",
      {
        ...config.webService,
        network,
        waf: config.waf,
        logRetentionDays: config.logRetentionDays,
        logKeyArn: observability.logsKeyArn,
        domain:
          dns && publicNames.web
            ? {
                name: publicNames.web,
                certificateArn: dns.certificateArns["web"],
                originName: originNameOf(publicNames.web),
                originCertificateArn: dns.certificateArns["web-origin"],
              }
            : undefined,
        alarmTopicArn: observability.alertsTopicArn,
        usEast1Provider: usEast1,
        protectStateful: config.protectStateful,
      },
      opts,
    )
  : undefined;
const statusPush = websocket && {
  connectionsTableName: websocket.connectionsTableName,
  connectionsTableArn: websocket.connectionsTableArn,
  managementEndpoint: websocket.managementEndpoint,
  manageConnectionsArn: websocket.manageConnectionsArn,
};
// The agents' event bus (event-driven coordination): the routing table's rules hand each step to the
// next agent's queue, and the workflow function ends the modification (docs/agents.md).
const workflow = config.workflow
  ? new AgentWorkflow(
      "agent-workflow",
      {
        queues: agentQueues.pairs,
        queueKmsKeyArn: agentQueues.kmsKeyArn,
        table: { name: data.tableName, arn: data.tableArn },
        dataKeyArn: data.keyArn,
        statusPush,
        archiveDays: config.workflow.eventArchiveDays,
        functionAlarms: config.workflow.functionAlarms,
        logRetentionDays: config.logRetentionDays,
        logKeyArn: observability.logsKeyArn,
        alarmTopicArn: observability.alertsTopicArn,
      },
      opts,
    )
  : undefined;
// The bundled runner converses with the first configured Bedrock model (Nova Lite), on either runtime.
const agentModelRef = agentModel(config.bedrock.models);
const agentWorkflowRefs = workflow && {
  busName: workflow.busName,
  busArn: workflow.busArn,
  bucketName: data.bucketName,
  bucketArn: data.bucketArn,
  bucketKeyArn: data.keyArn,
};
// The agent workers: one Lambda per agent queue the Fargate worker does not consume, recording task
// status in the Data table (its key also encrypts the provider key) and pushing it to WebSocket
// subscribers. With lambdaBlueGreen, new code reaches them through CodeDeploy (docs/agents.md).
const agentWorkers = agents
  ? new AgentWorkers(
      "agent-workers",
      {
        ...agents,
        blueGreen: config.blueGreen,
        model: agentModelRef,
        queues: agentQueues.pairs,
        queueKmsKeyArn: agentQueues.kmsKeyArn,
        maxReceiveCount: config.queues.maxReceiveCount,
        table: { name: data.tableName, arn: data.tableArn },
        dataKeyArn: data.keyArn,
        statusPush,
        workflow: agentWorkflowRefs,
        logRetentionDays: config.logRetentionDays,
        logKeyArn: observability.logsKeyArn,
        alarmTopicArn: observability.alertsTopicArn,
      },
      opts,
    )
  : undefined;
// The agent worker (SQS -> ECS Fargate), in the web service's cluster when there is one. With an agent on
// Fargate (agentRuntime), it runs that agent's container, built and pushed by the program, with the grants the
// agent's Lambda worker would have (docs/agents.md).
const workerAgent = config.worker?.agent;
const worker = config.worker
  ? new FargateWorker(
      "agent-worker",
      {
        ...config.worker,
        network,
        queue: agentQueues.pairs[config.worker.queue],
        queueKmsKeyArn: agentQueues.kmsKeyArn,
        cluster: webService?.cluster,
        logRetentionDays: config.logRetentionDays,
        logKeyArn: observability.logsKeyArn,
        alarmTopicArn: observability.alertsTopicArn,
        agent:
          workerAgent && config.agentContainer && agentModelRef
            ? {
                ...workerAgent,
                ...config.agentContainer,
                model: agentModelRef,
                maxReceiveCount: config.queues.maxReceiveCount,
                table: { name: data.tableName, arn: data.tableArn },
                dataKeyArn: data.keyArn,
                statusPush,
                workflow: agentWorkflowRefs,
              }
            : undefined,
      },
      opts,
    )
  : undefined;
// EKS only where eksEnabled: the control plane alone costs about $73 a month.
const eks = config.eks
  ? new EksCluster(
      "eks",
      {
        ...config.eks,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        logRetentionDays: config.logRetentionDays,
        alarmTopicArn: observability.alertsTopicArn,
        tags: { ...config.tags },
        protect: config.protectStateful,
      },
      opts,
    )
  : undefined;
// The application tiers the database and the cache admit, by security group: the web service's and the agent
// worker's tasks, and the EKS workloads (pods share their nodes' cluster security group, whose egress EKS
// leaves open), where they exist. A plain list decided by config, so each server's rule count is known at
// preview. The agent container is no client: the agent it runs uses neither, as on Lambda.
const dataClients: GroupClient[] = [
  ...(webService ? [{ name: "web", securityGroupId: webService.tasksSecurityGroupId }] : []),
  ...(worker && !workerAgent ? [{ name: "worker", securityGroupId: worker.tasksSecurityGroupId }] : []),
  ...(eks ? [{ name: "eks", securityGroupId: eks.clusterSecurityGroupId, egressOpen: true }] : []),
];
// PostgreSQL in the isolated subnets, with its migration runner; the application tasks are clients.
const dbSettings = config.database;
const database = dbSettings
  ? new Database(
      "db",
      {
        settings: dbSettings,
        network,
        clients: dataClients,
        logRetentionDays: config.logRetentionDays,
        alarmTopicArn: observability.alertsTopicArn,
        protect: config.protectStateful,
        replicaProvider: dbSettings.backupReplicaRegion
          ? platformProvider(
              `aws-${dbSettings.backupReplicaRegion}`,
              dbSettings.backupReplicaRegion,
              config.tags,
              config.allowedAccountIds,
            )
          : undefined,
      },
      opts,
    )
  : undefined;
// ElastiCache for Valkey in the isolated subnets; the application tasks are its clients.
// Applications read the endpoint and AUTH token from the secret by ARN.
const cache = config.cache
  ? new Cache(
      "cache",
      {
        settings: config.cache,
        authToken: config.cache.authToken,
        network,
        clients: dataClients,
        logRetentionDays: config.logRetentionDays,
        alarmTopicArn: observability.alertsTopicArn,
        protect: config.protectStateful,
      },
      opts,
    )
  : undefined;
// The single-page frontend, the web console: private bucket, CloudFront with OAC, WAF (the web
// service's ACL if any).
const frontend = config.frontend
  ? new Frontend(
      "frontend",
      {
        // The web console (console/) unless frontendSiteDir names another site.
        siteDir: config.frontend.siteDir && path.resolve(__dirname, config.frontend.siteDir),
        contentSecurityPolicy: config.frontend.contentSecurityPolicy,
        // config.json names them, and the CSP lets the site connect to them only.
        endpoints: { apiUrl: api.url, wsUrl: websocket?.url },
        domain:
          dns && publicNames.frontend
            ? { name: publicNames.frontend, certificateArn: dns.certificateArns["frontend"] }
            : undefined,
        waf: config.waf,
        // Shares the web service's CLOUDFRONT web ACL where there is one (no second $5 + $1-a-rule ACL).
        webAclArn: webService?.webAclArn,
        usEast1Provider: usEast1,
        region: config.region,
        protect: config.protectStateful,
        invalidation: config.frontend.invalidation
          ? { logRetentionDays: config.logRetentionDays }
          : undefined,
      },
      opts,
    )
  : undefined;
// Dns points the public names at the distributions (origin.<domain> at the ALB), checks the web distribution
// over HTTPS, and with dnsFailoverEnabled answers the web name PRIMARY (the web distribution) / SECONDARY.
const dnsRecords = dns?.addRecords(
  publicRecords({
    web: webService && {
      name: publicNames.web,
      cloudfrontDomainName: webService.cloudfrontDomainName,
      albDnsName: webService.albDnsName,
      albZoneId: webService.albZoneId,
    },
    frontend:
      frontend && publicNames.frontend
        ? { name: publicNames.frontend, cloudfrontDomainName: frontend.cloudfrontDomainName }
        : undefined,
    healthCheck: config.dns?.healthCheck,
    failover: config.dns?.failover,
    alarmTopicArn: observability.alertsTopicArn,
  }),
);
// The agents' Bedrock role (Nova Lite), scoped to the configured model ARNs, with usage alarms.
const bedrockAccess = config.bedrock.access;
const bedrock = bedrockAccess
  ? new BedrockAccess(
      "bedrock",
      {
        ...config.bedrock.models,
        alarmTopicArn: bedrockAccess.alarmsEnabled ? observability.alertsTopicArn : undefined,
      },
      opts,
    )
  : undefined;
// AWS Backup: resources tagged Backup=daily; copies to a second region where backupCopyRegion is set.
const backupsConfig = config.backups;
const backups = backupsConfig
  ? new Backups(
      "backups",
      {
        ...backupsConfig,
        environment: config.environment,
        copyProvider: backupsConfig.copyRegion
          ? platformProvider(
              "aws-backup-copy",
              backupsConfig.copyRegion,
              config.tags,
              config.allowedAccountIds,
            )
          : undefined,
        restoreTestingPrefix: `agent_platform_${config.stack}`.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 30),
        protect: config.protectStateful,
        alarmTopicArn: observability.alertsTopicArn,
      },
      opts,
    )
  : undefined;

// SES e-mail only where the stack has a domain: DKIM, MAIL FROM and DMARC go in its hosted zone.
const email = config.email
  ? new Email(
      "email",
      {
        ...config.email,
        templatesDir: path.resolve(__dirname, "templates", "email"),
        templatesDirShown: "templates/email",
        namePrefix: `${config.project}-${config.stack}-`,
        alarmTopicArn: observability.alertsTopicArn,
      },
      opts,
    )
  : undefined;

// The success metrics: uptime of the API's /health and the web service against the SLO (Route 53 or a
// probe function, by config), and the deploy workflow's update times against the target.
const successMetrics = new SuccessMetrics(
  "success",
  {
    settings: config.successMetrics,
    targets: [
      { name: "api", url: apiHealthUrl(api.url) },
      ...(webService && config.webService
        ? [{ name: "web", url: pulumi.interpolate`${webService.url}${config.webService.healthCheckPath}` }]
        : []),
    ],
    alarmTopicArn: observability.alertsTopicArn,
    usEast1Provider: usEast1,
    region: config.region,
    logRetentionDays: config.logRetentionDays,
    logKeyArn: observability.logsKeyArn,
  },
  opts,
);
// One dashboard per stack, built from the alarms of the components present.
const dashboard = new Dashboard(
  "dashboard",
  {
    region: config.region,
    monthlyBudgetUsd: config.observability.monthlyBudgetUsd,
    headlines: successMetrics.widgets,
    sections: [
      ...sectionOf("Success metrics", successMetrics.alarms),
      ...sectionOf("Agent queues", agentQueues.alarms),
      ...sectionOf("Data table", data.alarms),
      ...sectionOf("API", api.alarms),
      ...sectionOf("WebSocket API", websocket?.alarms),
      ...sectionOf("Agent workflow", workflow?.alarms),
      ...sectionOf("Ingestion pipeline", pipeline?.alarms),
      ...sectionOf("Web service", webService?.alarms),
      ...sectionOf("Agent worker", worker?.alarms),
      // Dev runs them without function alarms: no empty section.
      ...sectionOf(
        "Agent workers (Lambda)",
        agentWorkers?.functionAlarms.length ? agentWorkers.functionAlarms : undefined,
      ),
      ...sectionOf("Database", database?.alarms),
      ...sectionOf("DNS", dnsRecords?.alarms),
      ...sectionOf("Bedrock", bedrock?.alarms),
      ...sectionOf("Cache", cache?.alarms),
      ...sectionOf("E-mail", email?.alarms),
      ...sectionOf("Backups", backups?.alarms),
      ...(eks ? [{ title: "EKS", alarmArns: eks.alarms.apply((a) => Object.values(a)) }] : []),
    ],
  },
  opts,
);

export = stackOutputs({
  environment: config.environment,
  observability,
  dashboard,
  successMetrics,
  network,
  agentQueues,
  pipeline,
  data,
  api,
  websocket,
  workflow,
  templates,
  webService,
  worker,
  agentWorkers,
  eks,
  database,
  cache,
  frontend,
  backups,
  email,
  dns,
  bedrock,
});
