import * as crypto from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "../../lib/problems";
import { ApiSettings, apiProblems } from "./args";
import type { WafSettings } from "../shared/waf-args";
import { FIRST_AGENT } from "../../contracts/agents";
import { createTicketKey } from "./ticket-key";
import { API_ENV } from "../../contracts/env";
import { API_ROUTES } from "../../contracts/api-routes";
import { apiAlarms, apiHandlerStatements, ApiHandlerRefs } from "./handler";
import { arnPath, openApiDocument, preflightPaths } from "./openapi";
import { createWebAcl } from "../fargate/edge";
import { awsContext } from "../shared/aws-context";
import { createPlatformFunction, functionBundles, stackScopedName } from "../lambda/function";
import type { QueuePair } from "../shared/queue-pair";
import { BlueGreenDeployment, createBlueGreen } from "../lambda/blue-green";
import { PlatformComponent } from "../shared/tagging";
import { awsManagedPolicy, serviceTrust } from "../shared/policy-statements";

/** The stage name: the URL is https://<api id>.execute-api.<region>.amazonaws.com/v1. */
export const STAGE_NAME = "v1";

export interface ApiArgs extends ApiSettings {
  /** The Data component's table, its artifacts bucket and its key. No default. */
  readonly data: {
    readonly tableName: pulumi.Input<string>;
    readonly tableArn: pulumi.Input<string>;
    readonly bucketName: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    readonly keyArn: pulumi.Input<string>;
  };
  /** The first agent's queue (contracts/agents.ts FIRST_AGENT): POST /api/projects/{id}/modify sends to it. */
  readonly firstAgentQueue: QueuePair | undefined;
  /** The agent queues' KMS key, where they have one. */
  readonly queueKmsKeyArn?: pulumi.Input<string>;
  /** The regional web ACL's rules, used when wafEnabled: per-IP rate limit and AWS managed rule groups. No default. */
  readonly waf: WafSettings;
  /** Retention of the handler's and the stage's log groups, in days. No default. */
  readonly logRetentionDays: number;
  /** The key of the handler's and the stage's log groups: the stack's operations key (Observability.logsKeyArn). */
  readonly logKeyArn: pulumi.Input<string>;
  /** The alerts topic; every alarm notifies it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** CodeDeploy blue/green on a `live` alias of the handler (lambdaBlueGreen); needs alarmsEnabled. */
  readonly blueGreen: boolean;
  /**
   * Issue WebSocket tickets (websocketAuthorization: ticket), signed with a rotating key in Secrets Manager
   * (components/api/ticket-key.ts); `functionAlarms`: its rotation function's alarms. Default: no tickets.
   */
  readonly wsTickets?: { readonly functionAlarms: boolean };
}

/** The access log line: one JSON object per request. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  caller: "$context.identity.caller",
  user: "$context.identity.user",
  apiKeyId: "$context.identity.apiKeyId",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationErrorMessage: "$context.integrationErrorMessage",
  xrayTraceId: "$context.xrayTraceId",
});

/**
 * `agent-platform:index:Api`: the REST API. API Gateway built from an OpenAPI document generated from
 * the api-handler's routes and schemas (request validation, Lambda proxy integrations, API key on everything
 * but GET /health), a stage with JSON access logs, X-Ray and throttling, an API key with a usage plan, the
 * api-handler Lambda with a least-privilege role, alarms, and optionally a regional WAF web ACL.
 */
export class Api extends PlatformComponent {
  readonly apiId: pulumi.Output<string>;
  /** https://<api id>.execute-api.<region>.amazonaws.com/v1 */
  readonly url: pulumi.Output<string>;
  /** The API key's id; its value is a secret output of the key, never exported. */
  readonly apiKeyId: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  /** The handler's CodeDeploy rollout (the deploy step's input), where blueGreen is on. */
  readonly deployment?: BlueGreenDeployment;
  /** The WebSocket ticket key's secret (wsTickets): the $connect authorizer reads it. */
  readonly ticketKeySecretArn?: pulumi.Output<string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
    // Required: refused below when absent.
    const firstAgentQueue = args.firstAgentQueue;
    throwIfProblems("Api", name, [
      ...apiProblems(args),
      ...(firstAgentQueue
        ? []
        : [
            {
              key: "firstAgentQueue",
              value: undefined,
              allowed: `is required: the api-handler sends modifications to the "${FIRST_AGENT}" agent queue; add ${FIRST_AGENT} to queues`,
            },
          ]),
    ]);
    super("agent-platform:index:Api", name, "api", opts);
    const ctx = awsContext(this);
    const ticketKey = args.wsTickets
      ? createTicketKey(this, name, {
          ctx,
          keyArn: args.data.keyArn,
          logKeyArn: args.logKeyArn,
          logRetentionDays: args.logRetentionDays,
          alarmTopicArn: args.alarmTopicArn,
          functionAlarms: args.wsTickets.functionAlarms,
        })
      : undefined;
    const refs: ApiHandlerRefs = {
      ctx,
      tableArn: args.data.tableArn,
      bucketArn: args.data.bucketArn,
      dataKeyArn: args.data.keyArn,
      firstAgentQueueArn: firstAgentQueue!.queue.arn,
      queueKmsKeyArn: args.queueKmsKeyArn,
      ticketKeySecretArn: ticketKey?.secret.arn,
    };
    const functionName = stackScopedName(`${name}-handler`);
    const handler = createPlatformFunction(this, `${name}-handler`, {
      description: "REST API handler: projects, templates, modifications, files, events, tickets",
      functionName,
      sizing: args.handler,
      environment: {
        [API_ENV.tableName]: args.data.tableName,
        [API_ENV.artifactsBucket]: args.data.bucketName,
        [API_ENV.firstAgentQueueUrl]: firstAgentQueue!.queue.url,
        [API_ENV.corsOrigins]: args.corsOrigins.join(","),
        ...(ticketKey ? { [API_ENV.ticketKeySecretArn]: ticketKey.secret.arn } : {}),
      },
      statements: apiHandlerStatements(refs),
      logKeyArn: args.logKeyArn,
      logRetentionDays: args.logRetentionDays,
      bundle: functionBundles().then((b) => b.api),
      alarmTopicArn: args.alarmTopicArn,
      alarms: args.alarmsEnabled,
      publish: args.blueGreen,
    });
    const fn = handler.function;
    // With blue/green, API Gateway invokes the `live` alias, which CodeDeploy moves between versions.
    const live = createBlueGreen(this, `${name}-handler`, {
      fn: handler,
      enabled: args.blueGreen,
      alarms: handler.alarms,
    });

    const body = live.invokeArn.apply((invokeArn) =>
      JSON.stringify(
        openApiDocument({
          title: stackScopedName(name),
          description: "Projects, templates and modifications of the agent platform",
          routes: API_ROUTES,
          invokeArn,
          corsOrigins: args.corsOrigins,
        }),
      ),
    );
    const api = new aws.apigateway.RestApi(
      `${name}-api`,
      {
        name: stackScopedName(name),
        description: "REST API of the agent platform",
        body,
        endpointConfiguration: { types: "REGIONAL" },
        failOnWarnings: true,
      },
      { parent: this },
    );
    // A new deployment whenever the document changes; the stage then points at it.
    const deployment = new aws.apigateway.Deployment(
      `${name}-deployment`,
      {
        restApi: api.id,
        description: "Managed by Pulumi",
        triggers: { body: body.apply((b) => crypto.createHash("sha256").update(b).digest("hex")) },
      },
      { parent: this },
    );

    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-access-logs`,
      {
        // Under the /aws/apigateway/<project>-<stack>- prefix the operations key admits CloudWatch Logs for.
        name: `/aws/apigateway/${stackScopedName(name)}-access`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.logKeyArn,
      },
      { parent: this },
    );
    const account = args.manageAccountLogsRole ? this.accountLogsRole(name) : undefined;
    const stage = new aws.apigateway.Stage(
      `${name}-stage`,
      {
        restApi: api.id,
        deployment: deployment.id,
        stageName: STAGE_NAME,
        xrayTracingEnabled: true,
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      },
      // API Gateway refuses access logging until the account has its CloudWatch role.
      { parent: this, dependsOn: account ? [account] : [] },
    );
    new aws.apigateway.MethodSettings(
      `${name}-method-settings`,
      {
        restApi: api.id,
        stageName: stage.stageName,
        methodPath: "*/*",
        settings: {
          metricsEnabled: true,
          // No execution logs: they would go to an unencrypted log group API Gateway creates itself, and
          // data tracing would log request and response bodies. The access logs cover every request.
          loggingLevel: "OFF",
          dataTraceEnabled: false,
          throttlingRateLimit: args.throttleRateLimit,
          throttlingBurstLimit: args.throttleBurstLimit,
        },
      },
      { parent: this },
    );

    // API Gateway may invoke the handler for exactly the stage's routes (and their preflights).
    const routes = [
      ...API_ROUTES.map((r) => ({ method: r.method, path: r.path })),
      ...(args.corsOrigins.length > 0
        ? preflightPaths(API_ROUTES).map((path) => ({ method: "OPTIONS", path }))
        : []),
    ];
    for (const route of routes) {
      const slug = `${route.method}${route.path}`.toLowerCase().replace(/[^a-z0-9]+/g, "-");
      new aws.lambda.Permission(
        `${name}-invoke-${slug}`,
        {
          action: "lambda:InvokeFunction",
          function: live.qualifiedArn,
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${api.executionArn}/${STAGE_NAME}/${route.method}${arnPath(route.path)}`,
        },
        { parent: this },
      );
    }

    const key = new aws.apigateway.ApiKey(
      `${name}-key`,
      { name: stackScopedName(`${name}-default`), description: "Default client key", enabled: true },
      // The provider marks `value` secret: it never shows in state or outputs in plain text.
      { parent: this },
    );
    const plan = new aws.apigateway.UsagePlan(
      `${name}-usage-plan`,
      {
        name: stackScopedName(`${name}-default`),
        description: "Per-key throttling and monthly quota",
        apiStages: [{ apiId: api.id, stage: stage.stageName }],
        throttleSettings: { rateLimit: args.throttleRateLimit, burstLimit: args.throttleBurstLimit },
        quotaSettings: { limit: args.monthlyQuota, period: "MONTH" },
      },
      { parent: this },
    );
    new aws.apigateway.UsagePlanKey(
      `${name}-usage-plan-key`,
      { keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id },
      { parent: this },
    );

    if (args.wafEnabled) {
      const acl = createWebAcl(
        name,
        {
          description: `In front of the ${name} REST API stage`,
          scope: "REGIONAL",
          waf: args.waf,
        },
        { parent: this },
      );
      new aws.wafv2.WebAclAssociation(
        `${name}-waf-association`,
        { resourceArn: stage.arn, webAclArn: acl.arn },
        { parent: this },
      );
    }

    this.alarms = [
      ...handler.alarms,
      ...(ticketKey?.alarms ?? []),
      ...(args.alarmsEnabled
        ? apiAlarms(this, name, {
            apiName: api.name,
            stageName: stage.stageName,
            errorRatePercent: args.errorRateAlarmPercent,
            latencyP95Ms: args.latencyP95AlarmMs,
            alarmTopicArn: args.alarmTopicArn,
          })
        : []),
    ];
    this.apiId = api.id;
    this.url = stage.invokeUrl;
    this.apiKeyId = key.id;
    this.functionName = fn.name;
    this.deployment = live.deployment;
    this.ticketKeySecretArn = ticketKey?.secret.arn;
    this.registerOutputs({ apiId: this.apiId, url: this.url, apiKeyId: this.apiKeyId });
  }

  /**
   * The region's API Gateway account setting: the role API Gateway writes access logs with. Every stack's
   * stages rely on it, so it outlives this stack: retained on delete, the role keeps serving the others when
   * this stack is destroyed or hands the setting to another.
   */
  private accountLogsRole(name: string): aws.apigateway.Account {
    const retained = { parent: this, retainOnDelete: true };
    const role = new aws.iam.Role(
      `${name}-cloudwatch-role`,
      {
        description: "Lets API Gateway write the account's API access logs to CloudWatch Logs",
        assumeRolePolicy: serviceTrust("apigateway.amazonaws.com"),
      },
      retained,
    );
    const attachment = new aws.iam.RolePolicyAttachment(
      `${name}-cloudwatch-role-policy`,
      {
        role: role.name,
        policyArn: awsManagedPolicy(
          aws.getPartitionOutput({}, { parent: this }).partition,
          "service-role/AmazonAPIGatewayPushToCloudWatchLogs",
        ),
      },
      retained,
    );
    return new aws.apigateway.Account(
      `${name}-account`,
      { cloudwatchRoleArn: role.arn },
      { ...retained, dependsOn: [attachment] },
    );
  }
}
