import * as crypto from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { WS_AUTHORIZER_ENV, WS_ENV } from "../../contracts/env";
import { CONNECTIONS_TABLE } from "../../contracts/connections";
import { nested, Problem, throwIfProblems } from "../../lib/problems";
import { WEBSOCKET_FIELDS, WebSocketSettings, webSocketProblems } from "./args";
import { awsContext, AwsContext, viaService } from "../shared/aws-context";
import { alarmActions, createPlatformFunction, functionBundles, stackScopedName } from "../lambda/function";
import { BlueGreenDeployment, createBlueGreen } from "../lambda/blue-green";
import { PlatformComponent } from "../shared/tagging";

/** The one stage; clients connect to wss://<api-id>.execute-api.<region>.amazonaws.com/live. */
export const WEBSOCKET_STAGE = "live";

/** Routes and what they do; all three go to the ws function (Lambda proxy). Only $connect authorizes. */
export const WEBSOCKET_ROUTES = ["$connect", "$disconnect", "$default"] as const;

/** The alarm threshold, as for the REST API: integration errors (the function failed or timed out) in 5 minutes. */
export const INTEGRATION_ERROR_THRESHOLD = 5;

/** One JSON object per connection event and message. */
export const WEBSOCKET_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  ip: "$context.identity.sourceIp",
  caller: "$context.identity.caller",
  userArn: "$context.identity.userArn",
  requestTime: "$context.requestTime",
  eventType: "$context.eventType",
  routeKey: "$context.routeKey",
  connectionId: "$context.connectionId",
  status: "$context.status",
  integrationStatus: "$context.integrationStatus",
  integrationLatency: "$context.integrationLatency",
  errorMessage: "$context.error.message",
  integrationErrorMessage: "$context.integrationErrorMessage",
});

/** The stage's access log group; the Data key must admit CloudWatch Logs for it (index.ts). */
export function websocketAccessLogGroupName(name: string): string {
  return `/aws/apigateway/${stackScopedName(name)}-access`;
}

export interface WebSocketApiArgs {
  /** Authorization, throttling, the ws function's sizing and the alarms (api/args.ts). No default. */
  readonly settings: WebSocketSettings;
  /** The Data component's key: encrypts the connections table (and the ticket key's secret). */
  readonly keyArn: pulumi.Input<string>;
  /** The Data table: its project message log, which `resume` replays. */
  readonly dataTable: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /** The ticket key's secret (Api.ticketKeySecretArn); required with ticket authorization. */
  readonly ticketKeySecretArn?: pulumi.Input<string>;
  /** Retention of the function's and the stage's log groups, in days. No default. */
  readonly logRetentionDays: number;
  /** The key of the function's and the stage's log groups: the stack's operations key (Observability.logsKeyArn). */
  readonly logKeyArn: pulumi.Input<string>;
  /** The alerts topic; every alarm notifies it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** CodeDeploy blue/green on a `live` alias of the ws function (lambdaBlueGreen); needs functionAlarms. */
  readonly blueGreen: boolean;
  /** AWS deletion protection and Pulumi `protect` on the connections table (the pack requires both in prod). */
  readonly protect: boolean;
  /** What must exist before the stage logs (API Gateway's account-level CloudWatch role). Default: none. */
  readonly stageReadyBefore?: pulumi.Resource[];
}

/**
 * `agent-platform:index:WebSocketApi`: the real-time channel. A WebSocket API whose $connect is authorized by
 * a Lambda REQUEST authorizer checking a short-lived ticket (`ticket`, what a browser can do) or by AWS_IAM
 * (`iam`: SigV4-signed connect; clients get `clientPolicyArn`); $connect, $disconnect and $default on one
 * function (ws: subscriptions, acknowledgements, replays); a stage with KMS-encrypted access logs and default
 * route throttling; and the connections table (on demand, PITR, the Data key, TTL, byProject index). Agents and
 * the workflow function push messages through the management API with the fields exposed here
 * (functions/shared/status-push.ts).
 *
 * The table is its own, not items in the Data single table: connections churn (a write per connect, message
 * fan-out, 410 clean-up) and would flood the Data table's stream and daily backups with ephemeral rows, and
 * workers get rights on connections only. X-Ray cannot trace WebSocket stages; the function traces itself.
 */
export class WebSocketApi extends PlatformComponent {
  readonly apiId: pulumi.Output<string>;
  /** wss://<api-id>.execute-api.<region>.amazonaws.com/live */
  readonly url: pulumi.Output<string>;
  readonly connectionsTableName: pulumi.Output<string>;
  readonly connectionsTableArn: pulumi.Output<string>;
  /** https://<api-id>.execute-api.<region>.amazonaws.com/live: the management API's endpoint (WEBSOCKET_ENDPOINT). */
  readonly managementEndpoint: pulumi.Output<string>;
  /** arn:<partition>:execute-api:<region>:<account>:<api-id>/live/POST/@connections/*: workers' ManageConnections. */
  readonly manageConnectionsArn: pulumi.Output<string>;
  /** IAM authorization: a managed policy allowing execute-api:Invoke on $connect, for the roles of clients. */
  readonly clientPolicyArn?: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  /** The function's CodeDeploy rollout (the deploy step's input), where blueGreen is on. */
  readonly deployment?: BlueGreenDeployment;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: WebSocketApiArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems: Problem[] = webSocketProblems(args.settings, nested(WEBSOCKET_FIELDS, "settings"));
    if (args.settings.authorization === "ticket" && !args.ticketKeySecretArn)
      problems.push({
        key: "ticketKeySecretArn",
        value: undefined,
        allowed: "is required with ticket authorization (Api.ticketKeySecretArn)",
      });
    throwIfProblems("WebSocketApi", name, problems);
    super("agent-platform:index:WebSocketApi", name, "websocket", opts);
    const ctx = awsContext(this);
    const s = args.settings;
    const tickets = s.authorization === "ticket";

    const table = this.connectionsTable(name, args.keyArn, args.protect);
    const api = new aws.apigatewayv2.Api(
      `${name}-api`,
      {
        name: stackScopedName(name),
        description: "Task status updates for subscribed clients",
        protocolType: "WEBSOCKET",
        routeSelectionExpression: "$request.body.action",
      },
      { parent: this },
    );
    const stageArn = pulumi.interpolate`arn:${ctx.partition}:execute-api:${ctx.region}:${ctx.accountId}:${api.id}/${WEBSOCKET_STAGE}`;
    // From the API id and the stage's fixed name, not the stage resource: the function's environment needs it,
    // and the stage (through the deployment and the routes) needs the function.
    const managementEndpoint = pulumi.interpolate`https://${api.id}.execute-api.${ctx.region}.${ctx.dnsSuffix}/${WEBSOCKET_STAGE}`;
    const manageConnectionsArn = pulumi.interpolate`${stageArn}/POST/@connections/*`;

    const functionName = stackScopedName(name);
    const fn = createPlatformFunction(this, name, {
      description: "WebSocket $connect, $disconnect, subscribe, ack and resume",
      functionName,
      sizing: s,
      environment: {
        [WS_ENV.connectionsTable]: table.name,
        [WS_ENV.websocketEndpoint]: managementEndpoint,
        [WS_ENV.tableName]: args.dataTable.name,
      },
      statements: websocketStatements(ctx, {
        tableArn: table.arn,
        keyArn: args.keyArn,
        dataTableArn: args.dataTable.arn,
        manageConnectionsArn,
      }),
      logKeyArn: args.logKeyArn,
      logRetentionDays: args.logRetentionDays,
      bundle: functionBundles().then((b) => b.ws),
      alarmTopicArn: args.alarmTopicArn,
      alarms: s.functionAlarms,
      publish: args.blueGreen,
    });
    // With blue/green, API Gateway invokes the `live` alias, which CodeDeploy moves between versions.
    const live = createBlueGreen(this, name, { fn, enabled: args.blueGreen, alarms: fn.alarms });
    // Only this API's stage may invoke the function, on its three routes.
    const permission = new aws.lambda.Permission(
      `${name}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: live.qualifiedArn,
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${api.executionArn}/${WEBSOCKET_STAGE}/*`,
      },
      { parent: this },
    );
    const integration = new aws.apigatewayv2.Integration(
      `${name}-integration`,
      {
        apiId: api.id,
        integrationType: "AWS_PROXY",
        integrationMethod: "POST",
        integrationUri: live.invokeArn,
        timeoutMilliseconds: s.timeoutSeconds * 1000,
      },
      { parent: this, dependsOn: [permission, fn.rolePolicy] },
    );
    const authorizer = tickets ? this.ticketAuthorizer(name, api, ctx, args) : undefined;
    const connectAuthorization = authorizer
      ? { authorizationType: "CUSTOM", authorizerId: authorizer.authorizer.id }
      : { authorizationType: "AWS_IAM" };
    const routes = WEBSOCKET_ROUTES.map(
      (routeKey) =>
        new aws.apigatewayv2.Route(
          `${name}-route-${routeKey.slice(1)}`,
          {
            apiId: api.id,
            routeKey,
            target: pulumi.interpolate`integrations/${integration.id}`,
            // A WebSocket API authorizes on $connect only; the connection is the session afterwards.
            ...(routeKey === "$connect" ? connectAuthorization : {}),
            // The function's reply (ack or error frame) goes back to the client.
            ...(routeKey === "$default" ? { routeResponseSelectionExpression: "$default" } : {}),
          },
          { parent: this },
        ),
    );
    const defaultRoute = routes[WEBSOCKET_ROUTES.indexOf("$default")];
    const routeResponse = new aws.apigatewayv2.RouteResponse(
      `${name}-route-default-response`,
      { apiId: api.id, routeId: defaultRoute.id, routeResponseKey: "$default" },
      { parent: this },
    );
    // WebSocket APIs cannot auto-deploy: a deployment per change of routes, taken after they exist.
    const deployment = new aws.apigatewayv2.Deployment(
      `${name}-deployment`,
      {
        apiId: api.id,
        description: "Managed by Pulumi",
        triggers: {
          routes: crypto
            .createHash("sha256")
            .update(JSON.stringify({ routes: WEBSOCKET_ROUTES, auth: s.authorization, response: "$default" }))
            .digest("hex"),
        },
      },
      {
        parent: this,
        dependsOn: [...routes, routeResponse, integration, ...(authorizer ? [authorizer.permission] : [])],
      },
    );
    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-access-logs`,
      {
        name: websocketAccessLogGroupName(name),
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.logKeyArn,
      },
      { parent: this },
    );
    const stage = new aws.apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: api.id,
        name: WEBSOCKET_STAGE,
        deploymentId: deployment.id,
        description: "Clients connect here; X-Ray does not trace WebSocket stages",
        accessLogSettings: { destinationArn: accessLogs.arn, format: WEBSOCKET_ACCESS_LOG_FORMAT },
        defaultRouteSettings: {
          throttlingRateLimit: s.throttleRateLimit,
          throttlingBurstLimit: s.throttleBurstLimit,
        },
      },
      { parent: this, dependsOn: args.stageReadyBefore ?? [] },
    );
    const clientPolicy = tickets
      ? undefined
      : new aws.iam.Policy(
          `${name}-clients`,
          {
            description: `Connect to the ${functionName} WebSocket API`,
            policy: pulumi.jsonStringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Sid: "ConnectToTheWebSocketApi",
                  Effect: "Allow",
                  Action: "execute-api:Invoke",
                  Resource: pulumi.interpolate`${stageArn}/$connect`,
                },
              ],
            }),
          },
          { parent: this },
        );

    this.alarms = [
      ...fn.alarms,
      ...(authorizer?.alarms ?? []),
      ...(s.integrationErrorAlarm
        ? [this.integrationErrorAlarm(name, api.id, stage.name, args.alarmTopicArn)]
        : []),
    ];
    this.apiId = api.id;
    this.url = pulumi.interpolate`${api.apiEndpoint}/${stage.name}`;
    this.connectionsTableName = table.name;
    this.connectionsTableArn = table.arn;
    this.managementEndpoint = managementEndpoint;
    this.manageConnectionsArn = manageConnectionsArn;
    this.clientPolicyArn = clientPolicy?.arn;
    this.functionName = fn.function.name;
    this.deployment = live.deployment;
    this.registerOutputs({
      url: this.url,
      connectionsTableName: this.connectionsTableName,
      managementEndpoint: this.managementEndpoint,
      manageConnectionsArn: this.manageConnectionsArn,
      clientPolicyArn: this.clientPolicyArn,
    });
  }

  /**
   * The $connect REQUEST authorizer (functions/ws-authorizer): a function reading the ticket key, the authorizer
   * (no identity sources: API Gateway would answer 401 itself without them; the function answers every refusal
   * with 403), and API Gateway's permission to invoke it for this API's authorizer only.
   */
  private ticketAuthorizer(name: string, api: aws.apigatewayv2.Api, ctx: AwsContext, args: WebSocketApiArgs) {
    const s = args.settings;
    const fn = createPlatformFunction(this, `${name}-authorizer`, {
      description: "Checks the ticket of a WebSocket $connect",
      functionName: stackScopedName(`${name}-authorizer`),
      sizing: { memoryMb: s.memoryMb, timeoutSeconds: s.timeoutSeconds, reservedConcurrency: -1 },
      environment: { [WS_AUTHORIZER_ENV.ticketKeySecretArn]: args.ticketKeySecretArn! },
      statements: [
        {
          Sid: "ReadTheTicketKey",
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: args.ticketKeySecretArn!,
        },
        {
          Sid: "DecryptTheTicketKeyThroughSecretsManager",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: args.keyArn,
          Condition: { StringEquals: { "kms:ViaService": viaService(ctx, "secretsmanager") } },
        },
      ],
      logKeyArn: args.logKeyArn,
      logRetentionDays: args.logRetentionDays,
      bundle: functionBundles().then((b) => b["ws-authorizer"]),
      alarmTopicArn: args.alarmTopicArn,
      alarms: s.functionAlarms,
    });
    const authorizer = new aws.apigatewayv2.Authorizer(
      `${name}-ticket-authorizer`,
      {
        apiId: api.id,
        name: stackScopedName(`${name}-tickets`),
        authorizerType: "REQUEST",
        authorizerUri: fn.function.invokeArn,
      },
      { parent: this, dependsOn: [fn.rolePolicy] },
    );
    const permission = new aws.lambda.Permission(
      `${name}-authorizer-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: fn.function.name,
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${api.executionArn}/authorizers/${authorizer.id}`,
      },
      { parent: this },
    );
    return { authorizer, permission, alarms: fn.alarms };
  }

  /**
   * Ephemeral rows, so no backup tag; PITR and (where protectStateful) deletion protection all the same, as the
   * pack requires of every table: deleting it would drop every live subscription.
   */
  private connectionsTable(name: string, keyArn: pulumi.Input<string>, protect: boolean): aws.dynamodb.Table {
    const t = CONNECTIONS_TABLE;
    return new aws.dynamodb.Table(
      `${name}-connections`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: t.partition,
        rangeKey: t.sort,
        attributes: [t.partition, t.sort, t.byProject.partition, t.byProject.sort].map((attribute) => ({
          name: attribute,
          type: "S",
        })),
        globalSecondaryIndexes: [
          {
            name: t.byProject.name,
            keySchemas: [
              { attributeName: t.byProject.partition, keyType: "HASH" },
              { attributeName: t.byProject.sort, keyType: "RANGE" },
            ],
            // The publisher needs the connection id only, which is a key of the index.
            projectionType: "KEYS_ONLY",
          },
        ],
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: keyArn },
        ttl: { attributeName: t.ttl, enabled: true },
        deletionProtectionEnabled: protect,
      },
      { parent: this, protect },
    );
  }

  /** The function failed, timed out or was throttled behind a route, more than 5 times in 5 minutes. */
  private integrationErrorAlarm(
    name: string,
    apiId: pulumi.Output<string>,
    stage: pulumi.Output<string>,
    alarmTopicArn: pulumi.Input<string> | undefined,
  ): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
      `${name}-integration-errors`,
      {
        alarmDescription: `More than ${INTEGRATION_ERROR_THRESHOLD} WebSocket messages failed in the ws function in 5 minutes`,
        namespace: "AWS/ApiGateway",
        metricName: "IntegrationError",
        dimensions: { ApiId: apiId, Stage: stage },
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: INTEGRATION_ERROR_THRESHOLD,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...alarmActions(alarmTopicArn),
      },
      { parent: this },
    );
  }
}

/**
 * The ws function's role (createPlatformFunction adds its log streams and X-Ray): the connections table (the
 * item calls of functions/ws, acknowledgements included; no index or scan), Query on the Data table (the
 * project log `resume` reads), posting replays to its own API's connections, with the Data key only through
 * DynamoDB.
 */
export function websocketStatements(
  ctx: AwsContext,
  refs: {
    tableArn: pulumi.Input<string>;
    keyArn: pulumi.Input<string>;
    dataTableArn: pulumi.Input<string>;
    manageConnectionsArn: pulumi.Input<string>;
  },
): object[] {
  return [
    {
      Sid: "RecordConnections",
      Effect: "Allow",
      Action: [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:BatchWriteItem",
      ],
      Resource: refs.tableArn,
    },
    { Sid: "ReadTheProjectLog", Effect: "Allow", Action: "dynamodb:Query", Resource: refs.dataTableArn },
    {
      Sid: "ReplayToItsConnections",
      Effect: "Allow",
      Action: "execute-api:ManageConnections",
      Resource: refs.manageConnectionsArn,
    },
    {
      Sid: "UseTheTableKeyThroughDynamoDB",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      Resource: refs.keyArn,
      Condition: {
        StringEquals: { "kms:ViaService": viaService(ctx, "dynamodb") },
      },
    },
  ];
}
