import type { AgentWorkers } from "./components/agents/workers";
import type { AgentWorkflow } from "./components/agents/workflow";
import type { Api } from "./components/api/api";
import type { Backups } from "./components/backups";
import type { BedrockAccess } from "./components/bedrock-access";
import type { Cache } from "./components/cache";
import type { Dashboard } from "./components/dashboard";
import type { Data } from "./components/data";
import type { Database } from "./components/database";
import type { Dns } from "./components/dns";
import type { EksCluster } from "./components/eks/cluster";
import type { Email } from "./components/email";
import type { FargateService } from "./components/fargate/service";
import type { FargateWorker } from "./components/fargate/worker";
import type { Frontend } from "./components/frontend/frontend";
import type { Network } from "./components/network/network";
import type { Observability } from "./components/observability";
import type { Pipeline } from "./components/pipeline/pipeline";
import type { ProjectTemplates } from "./components/agents/project-templates";
import type { Queues } from "./components/queues";
import type { SuccessMetrics } from "./components/success-metrics";
import type { WebSocketApi } from "./components/api/websocket";

/*
 * The stack's outputs, apart from the wiring in index.ts: what each output is, in one place.
 */

/** The components a stack runs, whose outputs it exports; undefined where config switches one off. */
export interface Platform {
  readonly environment: string;
  readonly observability: Observability;
  readonly dashboard: Dashboard;
  readonly successMetrics: SuccessMetrics;
  readonly network: Network;
  readonly agentQueues: Queues;
  readonly pipeline: Pipeline | undefined;
  readonly data: Data;
  readonly api: Api;
  readonly websocket: WebSocketApi | undefined;
  readonly workflow: AgentWorkflow | undefined;
  readonly templates: ProjectTemplates;
  readonly webService: FargateService | undefined;
  readonly worker: FargateWorker | undefined;
  readonly agentWorkers: AgentWorkers | undefined;
  readonly eks: EksCluster | undefined;
  readonly database: Database | undefined;
  readonly cache: Cache | undefined;
  readonly frontend: Frontend | undefined;
  readonly backups: Backups | undefined;
  readonly email: Email | undefined;
  readonly dns: Dns | undefined;
  readonly bedrock: BedrockAccess | undefined;
}

/**
 * Stack outputs: a public contract (other stacks and tools read them), so rename only with care. The
 * outputs of a component the stack does not run are left out, rather than exported as undefined (which
 * the SDK reports as a warning on every preview and update).
 */
export function stackOutputs(p: Platform) {
  return withoutUndefined({
    environment: p.environment,
    alertsTopicArn: p.observability.alertsTopicArn,
    dashboardName: p.dashboard.dashboardName,
    /** Where the deploy workflow records each update's duration (tools/deploy-time.ts): namespace, metric, target. */
    deployTimeMetric: p.successMetrics.deployTimeMetric,
    vpcId: p.network.vpcId,
    publicSubnetIds: p.network.publicSubnetIds,
    privateSubnetIds: p.network.privateSubnetIds,
    isolatedSubnetIds: p.network.isolatedSubnetIds,
    /** name -> { url, arn, dlqUrl, dlqArn } */
    queues: p.agentQueues.queues,
    /** The ingestion pipeline (absent where pipelineEnabled is false); clients upload under uploadPrefix. */
    rawBucketName: p.pipeline?.rawBucketName,
    processedBucketName: p.pipeline?.processedBucketName,
    uploadPrefix: p.pipeline?.uploadPrefix,
    uploaderRoleArn: p.pipeline?.uploaderRoleArn,
    /** Where processed documents go, and the Upstash namespace of the vectors (what the smoke test looks for). */
    processedPrefix: p.pipeline?.processedPrefix,
    vectorNamespace: p.pipeline?.vectorNamespace,
    /** { process, vectorize } -> { url, arn, dlqUrl, dlqArn } */
    pipelineQueues: p.pipeline?.queues,
    /** { process, vectorize } -> function name */
    pipelineFunctionNames: p.pipeline?.functionNames,
    upstashSecretArn: p.pipeline?.upstashSecretArn,
    /** The serverless data tier. */
    dataTableName: p.data.tableName,
    artifactsBucketName: p.data.bucketName,
    /**
     * The REST API: stage URL, API id and the default key's id (its value:
     * `aws apigateway get-api-key --include-value`).
     */
    apiUrl: p.api.url,
    apiId: p.api.apiId,
    apiKeyId: p.api.apiKeyId,
    /**
     * The WebSocket API (absent where websocketEnabled is false): wss:// URL; with IAM authorization, the policy
     * its clients attach (ticket authorization: clients get tickets from POST /api/projects/{id}/ws-ticket).
     */
    websocketUrl: p.websocket?.url,
    websocketClientPolicyArn: p.websocket?.clientPolicyArn,
    /** The agents' EventBridge bus (absent without agent workers): completion events, archived. */
    agentEventBusName: p.workflow?.busName,
    /** The project templates seeded from templates/projects. */
    projectTemplateIds: p.templates.templateIds,
    /** The web service (absent where serviceEnabled is false): its public URL and what CI deploys to. */
    webUrl: p.webService?.url,
    cloudfrontDomainName: p.webService?.cloudfrontDomainName,
    albDnsName: p.webService?.albDnsName,
    ecsClusterName: p.webService?.clusterName ?? p.worker?.clusterName,
    webServiceName: p.webService?.serviceName,
    webRepositoryUrl: p.webService?.repositoryUrl,
    /** The agent worker (absent where workerEnabled is false). */
    workerServiceName: p.worker?.serviceName,
    workerRepositoryUrl: p.worker?.repositoryUrl,
    /** The agent worker Lambdas (absent where agentWorkersEnabled is false): agent -> function name. */
    agentFunctionNames: p.agentWorkers?.functionNames,
    /**
     * Where lambdaBlueGreen is on: name (api, ws, agent-<name>) -> { functionName, application, group,
     * deploymentConfig }, what the deploy step (.github/workflows/pulumi-up.yml, tools/rollout-lambdas.ts) rolls
     * out through CodeDeploy; else {}.
     */
    blueGreenDeployments: {
      ...(p.api.deployment ? { api: p.api.deployment } : {}),
      ...(p.websocket?.deployment ? { ws: p.websocket.deployment } : {}),
      ...Object.fromEntries(
        Object.entries(p.agentWorkers?.deployments ?? {}).map(([agent, d]) => [`agent-${agent}`, d]),
      ),
    },
    /** { clusterName, endpoint, oidcProviderArn, alarms: name -> ARN, sampleAppHostname }; absent without EKS. */
    eksCluster: p.eks && {
      clusterName: p.eks.clusterName,
      endpoint: p.eks.endpoint,
      oidcProviderArn: p.eks.oidcProviderArn,
      alarms: p.eks.alarms,
      sampleAppHostname: p.eks.sampleAppHostname,
    },
    /** A secret: `pulumi stack output kubeconfig --show-secrets > kubeconfig.json`. Absent without EKS. */
    kubeconfig: p.eks?.kubeconfig,
    /** The database (absent where databaseEnabled is false): endpoint, instance id, RDS-managed master secret. */
    databaseAddress: p.database?.address,
    databaseIdentifier: p.database?.identifier,
    databaseSecretArn: p.database?.masterSecretArn,
    databaseMigrationFunction: p.database?.migrationFunctionName,
    /** The cache (absent where cacheEnabled is false): configuration endpoint in cluster mode, else primary. */
    cacheEndpoint: p.cache?.endpoint,
    cachePort: p.cache?.port,
    /** Secrets Manager secret (JSON: host, port, tls, authToken) applications read by ARN. */
    cacheAuthSecretArn: p.cache?.authSecretArn,
    /** The frontend (absent where frontendEnabled is false): its URL, the bucket and distribution CI deploys to. */
    frontendUrl: p.frontend?.url,
    frontendBucketName: p.frontend?.bucketName,
    frontendDistributionId: p.frontend?.distributionId,
    /** AWS Backup (absent where backupsEnabled is false). */
    backupVaultName: p.backups?.vaultName,
    backupPlanId: p.backups?.planId,
    /** SES (absent where emailEnabled is false): senders use the configuration set and these templates. */
    emailIdentityArn: p.email?.identityArn,
    emailConfigurationSetName: p.email?.configurationSetName,
    emailEventsTopicArn: p.email?.eventsTopicArn,
    emailTemplateNames: p.email?.templateNames,
    /** DNS (absent without domainName): the zone, and the name servers to delegate to when the stack made it. */
    dnsZoneId: p.dns?.zoneId,
    dnsNameServers: p.dns?.nameServers,
    /** The agents' Bedrock application role (absent where bedrockAccessEnabled is false). */
    bedrockRoleArn: p.bedrock?.roleArn,
  });
}

/** The outputs whose value is defined (an Output is defined even when its value is not yet known). */
function withoutUndefined<T extends Record<string, unknown>>(outputs: T): Partial<T> {
  return Object.fromEntries(Object.entries(outputs).filter(([, v]) => v !== undefined)) as Partial<T>;
}
