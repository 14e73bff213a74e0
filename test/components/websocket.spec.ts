import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { policies } from "../../policy/policies";
import {
  WEBSOCKET_ACCESS_LOG_FORMAT,
  WEBSOCKET_STAGE,
  WebSocketApi,
  WebSocketApiArgs,
} from "../../components/api/websocket";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { assertNoWildcards, grant, grantsFor, grantsOf, type Statement } from "../helpers/iam-grants";
import { check, evaluate, LOGS_KEY_ARN, named, ofType, policyDocument, typeCounts } from "../helpers/offline";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts-topic-0123456";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/0b0e3c1a-1111-2222-3333-444455556666";
const ACCOUNT = "123456789012";
const TICKET_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-ws-ticket-key-AbCdEf";
const DATA_TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/data-table-1234567";
const SETTINGS: WebSocketApiArgs["settings"] = {
  authorization: "ticket",
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  memoryMb: 256,
  timeoutSeconds: 10,
  reservedConcurrency: -1,
  functionAlarms: true,
  integrationErrorAlarm: false,
};

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

async function build(
  settings: Partial<WebSocketApiArgs["settings"]> = {},
  protect = false,
  blueGreen = false,
) {
  let ws: WebSocketApi | undefined;
  const { resources } = await evaluate(
    () => {
      ws = new WebSocketApi("ws", {
        settings: { ...SETTINGS, ...settings },
        keyArn: KEY,
        dataTable: { name: "data-table-1234567", arn: DATA_TABLE },
        ticketKeySecretArn: TICKET_SECRET,
        logRetentionDays: 14,
        logKeyArn: LOGS_KEY_ARN,
        alarmTopicArn: TOPIC,
        protect,
        blueGreen,
      });
    },
    { stack: "dev" },
  );
  return { resources, ws: ws! };
}

describe("WebSocketApi", () => {
  let resources: RegisteredResource[];
  let ws: WebSocketApi;
  let apiId: string;
  before(async function () {
    this.timeout(120_000);
    ({ resources, ws } = await build());
    apiId = await value(ws.apiId);
  });

  it("creates exactly the API, three routes, the ws function and the ticket authorizer with their alarms, the table and the stage", () => {
    assert.deepStrictEqual(typeCounts(resources), {
      "agent-platform:index:WebSocketApi": 1,
      "aws:apigatewayv2/api:Api": 1,
      "aws:apigatewayv2/authorizer:Authorizer": 1,
      "aws:apigatewayv2/deployment:Deployment": 1,
      "aws:apigatewayv2/integration:Integration": 1,
      "aws:apigatewayv2/route:Route": 3,
      "aws:apigatewayv2/routeResponse:RouteResponse": 1,
      "aws:apigatewayv2/stage:Stage": 1,
      "aws:cloudwatch/logGroup:LogGroup": 3,
      "aws:cloudwatch/metricAlarm:MetricAlarm": 6,
      "aws:dynamodb/table:Table": 1,
      "aws:iam/role:Role": 2,
      "aws:iam/rolePolicy:RolePolicy": 2,
      "aws:lambda/function:Function": 2,
      "aws:lambda/permission:Permission": 2,
    });
    assert.strictEqual(ws.alarms.length, 6);
    assert.strictEqual(ws.clientPolicyArn, undefined, "ticket clients need no IAM policy");
  });

  it("is a WebSocket API routing on the message's action", () => {
    const api = named(resources, "ws-api").inputs;
    assert.strictEqual(api.protocolType, "WEBSOCKET");
    assert.strictEqual(api.routeSelectionExpression, "$request.body.action");
    assert.strictEqual(api.name, "agent-platform-dev-ws");
  });

  it("authorizes $connect with the ticket authorizer, proxies every route to the function, and answers $default frames", () => {
    const integration = named(resources, "ws-integration");
    assert.strictEqual(integration.inputs.integrationType, "AWS_PROXY");
    assert.strictEqual(integration.inputs.integrationMethod, "POST");
    assert.strictEqual(integration.inputs.timeoutMilliseconds, 10_000);
    assert.match(
      String(integration.inputs.integrationUri),
      /^arn:aws:apigateway:us-east-1:lambda:path\/2015-03-31\/functions\/arn:aws:lambda:us-east-1:\d{12}:function:agent-platform-dev-ws\/invocations$/,
    );
    const route = (n: string) => named(resources, `ws-route-${n}`).inputs;
    const target = `integrations/${integration.id}`;
    assert.deepStrictEqual(
      ["connect", "disconnect", "default"].map((n) => ({
        routeKey: route(n).routeKey,
        target: route(n).target,
        authorizationType: route(n).authorizationType,
        response: route(n).routeResponseSelectionExpression,
      })),
      [
        { routeKey: "$connect", target, authorizationType: "CUSTOM", response: undefined },
        { routeKey: "$disconnect", target, authorizationType: undefined, response: undefined },
        { routeKey: "$default", target, authorizationType: undefined, response: "$default" },
      ],
    );
    assert.strictEqual(named(resources, "ws-route-default-response").inputs.routeResponseKey, "$default");
    assert.strictEqual(route("connect").authorizerId, named(resources, "ws-ticket-authorizer").id);
  });

  it("checks tickets with a REQUEST authorizer API Gateway may invoke for this API only, reading only the ticket key", () => {
    const authorizer = named(resources, "ws-ticket-authorizer");
    assert.deepStrictEqual(
      {
        type: authorizer.inputs.authorizerType,
        uri: authorizer.inputs.authorizerUri,
        identitySources: authorizer.inputs.identitySources,
      },
      {
        type: "REQUEST",
        uri: named(resources, "ws-authorizer-fn").outputs.invokeArn,
        // None: API Gateway would answer a connection without them 401 itself; the function answers 403.
        identitySources: undefined,
      },
    );
    const permission = named(resources, "ws-authorizer-invoke").inputs;
    assert.deepStrictEqual(
      [permission.principal, permission.sourceArn],
      [
        "apigateway.amazonaws.com",
        `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/authorizers/${authorizer.id}`,
      ],
    );
    const fn = named(resources, "ws-authorizer-fn").inputs;
    assert.deepStrictEqual((fn.environment as { variables: object }).variables, {
      TICKET_KEY_SECRET_ARN: TICKET_SECRET,
      NODE_OPTIONS: "--enable-source-maps",
    });
    assert.deepStrictEqual(
      policyDocument(named(resources, "ws-authorizer-role-policy")).Statement.slice(0, 2),
      [
        {
          Sid: "ReadTheTicketKey",
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: TICKET_SECRET,
        },
        {
          Sid: "DecryptTheTicketKeyThroughSecretsManager",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: KEY,
          Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
        },
      ],
    );
    // The deployment waits for API Gateway's permission to call the authorizer.
    assert.ok(
      named(resources, "ws-deployment").dependencies.includes(named(resources, "ws-authorizer-invoke").urn),
    );
  });

  it("with IAM authorization, requires AWS_IAM on $connect and offers clients a policy, without an authorizer", async function () {
    this.timeout(120_000);
    const iam = await build({ authorization: "iam" });
    assert.strictEqual(named(iam.resources, "ws-route-connect").inputs.authorizationType, "AWS_IAM");
    assert.strictEqual(ofType(iam.resources, "aws:apigatewayv2/authorizer:Authorizer").length, 0);
    assert.strictEqual(ofType(iam.resources, "aws:lambda/function:Function").length, 1);
    const id = await value(iam.ws.apiId);
    assert.deepStrictEqual(policyDocument(named(iam.resources, "ws-clients")).Statement, [
      {
        Sid: "ConnectToTheWebSocketApi",
        Effect: "Allow",
        Action: "execute-api:Invoke",
        Resource: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${id}/live/$connect`,
      },
    ]);
    assert.ok(iam.ws.clientPolicyArn);
  });

  it("lets only this API's stage invoke the function", () => {
    const permission = named(resources, "ws-invoke").inputs;
    assert.deepStrictEqual(
      { action: permission.action, principal: permission.principal, sourceArn: permission.sourceArn },
      {
        action: "lambda:InvokeFunction",
        principal: "apigateway.amazonaws.com",
        sourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/${WEBSOCKET_STAGE}/*`,
      },
    );
  });

  it("logs every connection event to a KMS-encrypted log group with retention, and throttles from config", () => {
    const stage = named(resources, "ws-stage");
    const logs = named(resources, "ws-access-logs");
    assert.deepStrictEqual(logs.inputs.name, "/aws/apigateway/agent-platform-dev-ws-access");
    assert.strictEqual(logs.inputs.kmsKeyId, LOGS_KEY_ARN);
    assert.strictEqual(logs.inputs.retentionInDays, 14);
    assert.strictEqual(stage.inputs.name, WEBSOCKET_STAGE);
    assert.strictEqual(stage.inputs.deploymentId, named(resources, "ws-deployment").id);
    assert.deepStrictEqual(stage.inputs.accessLogSettings, {
      destinationArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/apigateway/agent-platform-dev-ws-access`,
      format: WEBSOCKET_ACCESS_LOG_FORMAT,
    });
    assert.ok(JSON.parse(WEBSOCKET_ACCESS_LOG_FORMAT).requestId);
    assert.deepStrictEqual(stage.inputs.defaultRouteSettings, {
      throttlingRateLimit: 50,
      throttlingBurstLimit: 100,
    });
    // The deployment is taken after the routes exist.
    const deployment = named(resources, "ws-deployment");
    for (const n of ["connect", "disconnect", "default"])
      assert.ok(deployment.dependencies.includes(named(resources, `ws-route-${n}`).urn), n);
  });

  it("keeps connections in an on-demand, PITR, KMS-encrypted table with TTL and a byProject index", () => {
    const table = named(resources, "ws-connections").inputs;
    assert.deepStrictEqual(
      {
        billingMode: table.billingMode,
        hashKey: table.hashKey,
        rangeKey: table.rangeKey,
        pointInTimeRecovery: table.pointInTimeRecovery,
        serverSideEncryption: table.serverSideEncryption,
        ttl: table.ttl,
        globalSecondaryIndexes: table.globalSecondaryIndexes,
      },
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: "pk",
        rangeKey: "sk",
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: KEY },
        ttl: { attributeName: "expiresAt", enabled: true },
        globalSecondaryIndexes: [
          {
            name: "byProject",
            keySchemas: [
              { attributeName: "projectId", keyType: "HASH" },
              { attributeName: "connectionId", keyType: "RANGE" },
            ],
            projectionType: "KEYS_ONLY",
          },
        ],
      },
    );
  });

  it("gives the function exactly its log streams, X-Ray, the table's item calls, the log's Query, replays to its own connections", () => {
    const fn = named(resources, "ws-fn").inputs;
    assert.strictEqual(fn.name, "agent-platform-dev-ws");
    assert.deepStrictEqual((fn.environment as { variables: object }).variables, {
      CONNECTIONS_TABLE: named(resources, "ws-connections").id,
      WEBSOCKET_ENDPOINT: `https://${apiId}.execute-api.us-east-1.amazonaws.com/live`,
      TABLE_NAME: "data-table-1234567",
      NODE_OPTIONS: "--enable-source-maps",
    });
    const tableArn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${named(resources, "ws-connections").id}`;
    const statements = policyDocument(named(resources, "ws-role-policy")).Statement as unknown as Statement[];
    const traces = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];
    assertNoWildcards(statements, traces);
    assert.deepStrictEqual(
      grantsOf(statements),
      [
        ...grantsFor(
          [
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
            "dynamodb:BatchWriteItem",
          ],
          [tableArn],
        ),
        grant("dynamodb:Query", DATA_TABLE),
        grant(
          "execute-api:ManageConnections",
          `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/live/POST/@connections/*`,
        ),
        // The table key only through DynamoDB.
        ...grantsFor(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"], [KEY], {
          StringEquals: { "kms:ViaService": "dynamodb.us-east-1.amazonaws.com" },
        }),
        ...grantsFor(
          ["logs:CreateLogStream", "logs:PutLogEvents"],
          [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/agent-platform-dev-ws:log-stream:*`],
        ),
        ...grantsFor(traces, ["*"]),
      ].sort(),
    );
  });

  it("exposes what workers and clients need, scoped to this API and stage", async () => {
    assert.strictEqual(await value(ws.url), `wss://${apiId}.execute-api.us-east-1.amazonaws.com/live`);
    assert.strictEqual(
      await value(ws.managementEndpoint),
      `https://${apiId}.execute-api.us-east-1.amazonaws.com/live`,
    );
    assert.strictEqual(
      await value(ws.manageConnectionsArn),
      `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/live/POST/@connections/*`,
    );
    assert.strictEqual(await value(ws.connectionsTableName), named(resources, "ws-connections").id);
  });

  it("switches the function's alarms and the integration-error alarm by config", async function () {
    this.timeout(120_000);
    const off = await build({ functionAlarms: false });
    assert.deepStrictEqual(ofType(off.resources, "aws:cloudwatch/metricAlarm:MetricAlarm"), []);
    assert.deepStrictEqual(off.ws.alarms, []);
    const on = await build({ integrationErrorAlarm: true });
    const alarm = named(on.resources, "ws-integration-errors").inputs;
    const id = await value(on.ws.apiId);
    assert.deepStrictEqual(
      {
        namespace: alarm.namespace,
        metricName: alarm.metricName,
        dimensions: alarm.dimensions,
        threshold: alarm.threshold,
        alarmActions: alarm.alarmActions,
        okActions: alarm.okActions,
      },
      {
        namespace: "AWS/ApiGateway",
        metricName: "IntegrationError",
        dimensions: { ApiId: id, Stage: "live" },
        threshold: 5,
        alarmActions: [TOPIC],
        okActions: [TOPIC],
      },
    );
    assert.strictEqual(on.ws.alarms.length, 7, "the ws function's 3, the authorizer's 3, integration errors");
  });

  it("with blue/green, integrates and permits only the function's live alias, rolled out by CodeDeploy", async function () {
    this.timeout(60_000);
    const { resources: bg } = await build({}, false, true);
    const alias = named(bg, "ws-live");
    assert.deepStrictEqual([alias.inputs.name, alias.inputs.functionName], ["live", "agent-platform-dev-ws"]);
    assert.strictEqual(named(bg, "ws-fn").inputs.publish, true);
    assert.strictEqual(named(bg, "ws-integration").inputs.integrationUri, alias.outputs.invokeArn);
    assert.strictEqual(named(bg, "ws-invoke").inputs.function, alias.outputs.arn);
    assert.deepStrictEqual(
      [...(named(bg, "ws-deploy-group").inputs.alarmConfiguration as { alarms: string[] }).alarms].sort(),
      ["ws-duration", "ws-errors", "ws-throttles"].map((n) => named(bg, n).outputs.name).sort(),
    );
    assert.strictEqual(ofType(resources, "aws:lambda/alias:Alias").length, 0);
  });

  it("protects the table where asked, and passes the policy pack with no mandatory finding", async function () {
    this.timeout(120_000);
    const prod = await build({}, true);
    const table = named(prod.resources, "ws-connections");
    assert.strictEqual(table.inputs.deletionProtectionEnabled, true);
    assert.strictEqual(table.options.protect, true);
    // Tags come from the provider's defaultTags in a stack (the program-per-stack run checks them).
    const mandatory = (
      violations: { policy: string; name: string; message: string; enforcementLevel: string }[],
    ) =>
      violations
        .filter((v) => v.enforcementLevel === "mandatory" && v.policy !== "required-tags")
        .map((v) => `${v.policy} ${v.name}: ${v.message}`);
    assert.deepStrictEqual(mandatory(await check(policies, prod.resources)), []);
  });
});
