import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ACCESS_LOG_FORMAT, Api } from "../../components/api/api";
import type { QueuePair } from "../../components/shared/queue-pair";
import { API_ROUTES } from "../../contracts/api-routes";
import { policies } from "../../policy/policies";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { stackInput } from "../helpers/config";
import { assertNoWildcards, grant, grantsFor, grantsOf, type Statement } from "../helpers/iam-grants";
import { check, evaluate, LOGS_KEY_ARN, named, ofType, policyDocument, typeCounts } from "../helpers/offline";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts-topic-0123456";
const TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/data-table-1234567";
const BUCKET = "arn:aws:s3:::data-artifacts-1234567";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/data";
const QUEUE_KEY = "arn:aws:kms:us-east-1:123456789012:key/queues";
const PM_QUEUE = "arn:aws:sqs:us-east-1:123456789012:agents-pm-1234567";
const PM_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/agents-pm-1234567";

async function apiOf(stack: string, changes: Record<string, string> = {}, queueKey = true, wsTickets = true) {
  const { values, secretKeys, config } = stackInput(stack, changes);
  const { resources } = await evaluate(
    () =>
      new Api("api", {
        ...config.api,
        data: {
          tableName: "data-table-1234567",
          tableArn: TABLE,
          bucketName: "data-artifacts-1234567",
          bucketArn: BUCKET,
          keyArn: KEY,
        },
        firstAgentQueue: {
          queue: { arn: pulumi.output(PM_QUEUE), url: pulumi.output(PM_QUEUE_URL) },
        } as unknown as QueuePair,
        queueKmsKeyArn: queueKey ? QUEUE_KEY : undefined,
        waf: config.waf,
        logRetentionDays: config.logRetentionDays,
        logKeyArn: LOGS_KEY_ARN,
        alarmTopicArn: TOPIC,
        blueGreen: config.blueGreen,
        ...(wsTickets ? { wsTickets: { functionAlarms: true } } : {}),
      }),
    { stack, config: values, secretKeys, region: config.region },
  );
  return resources;
}

/** API Gateway's permissions to invoke the handler (not Secrets Manager's for the ticket key's rotation). */
const fromApiGateway = (rs: RegisteredResource[]) =>
  ofType(rs, "aws:lambda/permission:Permission").filter(
    (p) => p.inputs.principal === "apigateway.amazonaws.com",
  );

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const bodyOf = (rs: RegisteredResource[]): Json => JSON.parse(named(rs, "api-api").inputs.body as string);

describe("Api", () => {
  let dev: RegisteredResource[];
  let prod: RegisteredResource[];
  before(async function () {
    this.timeout(120_000);
    dev = await apiOf("dev");
    prod = await apiOf("prod");
  });

  it("creates the function, API, deployment, stage, key, usage plan and one permission per route", async () => {
    assert.deepStrictEqual(typeCounts(dev), {
      "agent-platform:index:Api": 1,
      "aws:apigateway/apiKey:ApiKey": 1,
      "aws:apigateway/deployment:Deployment": 1,
      "aws:apigateway/methodSettings:MethodSettings": 1,
      "aws:apigateway/restApi:RestApi": 1,
      "aws:apigateway/stage:Stage": 1,
      "aws:apigateway/usagePlan:UsagePlan": 1,
      "aws:apigateway/usagePlanKey:UsagePlanKey": 1,
      // The handler and the ticket key's rotation function, each with its log group, role and alarms.
      "aws:cloudwatch/logGroup:LogGroup": 3,
      "aws:cloudwatch/metricAlarm:MetricAlarm": 8,
      "aws:iam/role:Role": 2,
      "aws:iam/rolePolicy:RolePolicy": 2,
      "aws:lambda/function:Function": 2,
      // One per route and preflight, and Secrets Manager's for the rotation.
      "aws:lambda/permission:Permission": 28,
      "aws:secretsmanager/secret:Secret": 1,
      "aws:secretsmanager/secretRotation:SecretRotation": 1,
    });
    const apiAlarmsOf = (rs: RegisteredResource[]) =>
      ofType(rs, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => !a.name.includes("ticket-key"));
    assert.strictEqual(apiAlarmsOf(prod).length, 5);
    const quiet = await apiOf("dev", { "agent-platform:apiAlarmsEnabled": "false" });
    assert.deepStrictEqual(apiAlarmsOf(quiet), []);
    assert.deepStrictEqual(
      apiAlarmsOf(prod)
        .map((a) => a.name)
        .sort(),
      [
        "api-5xx-rate",
        "api-handler-duration",
        "api-handler-errors",
        "api-handler-throttles",
        "api-latency-p95",
      ],
    );
    assert.strictEqual(ofType(prod, "aws:wafv2/webAcl:WebAcl").length, 1);
  });

  it("sets API Gateway's account-wide CloudWatch role only in the stack that manages it (staging)", async () => {
    const account = (rs: RegisteredResource[]) => ofType(rs, "aws:apigateway/account:Account");
    assert.deepStrictEqual([account(dev).length, account(prod).length], [0, 0]);
    const staging = await apiOf("staging");
    const [setting] = account(staging);
    assert.ok(setting, "staging manages the account setting");
    const role = named(staging, "api-cloudwatch-role");
    assert.strictEqual(setting.inputs.cloudwatchRoleArn, role.outputs.arn);
    // The stage's access logs wait for the account setting where this stack owns it.
    assert.ok(named(staging, "api-stage").dependencies.includes(setting.urn));
    // The other stacks' stages rely on it: destroying this stack, or handing the setting on, leaves it.
    assert.deepStrictEqual(
      [setting, role, named(staging, "api-cloudwatch-role-policy")].map((r) => r.options.retainOnDelete),
      [true, true, true],
    );
  });

  it("builds the OpenAPI body from every seed-003 route: API key on all but GET /health, proxy to the function", () => {
    const body = bodyOf(dev);
    const fn = named(dev, "api-handler-fn");
    const invokeArn = fn.outputs.invokeArn;
    assert.strictEqual(body["x-amazon-apigateway-api-key-source"], "HEADER");
    assert.deepStrictEqual(body.components.securitySchemes, {
      api_key: { type: "apiKey", name: "x-api-key", in: "header" },
    });
    const operations = Object.entries(body.paths as Json).flatMap(([path, ops]) =>
      Object.entries(ops as Json).map(
        ([method, op]) => [`${method.toUpperCase()} ${path}`, op as Json] as const,
      ),
    );
    assert.deepStrictEqual(
      operations.filter(([k]) => !k.startsWith("OPTIONS")).map(([k]) => k),
      [
        "GET /health",
        "GET /api/projects",
        "POST /api/projects",
        "GET /api/projects/{id}",
        "PUT /api/projects/{id}",
        "DELETE /api/projects/{id}",
        "POST /api/projects/from-template",
        "POST /api/projects/{id}/modify",
        "GET /api/projects/{id}/modifications/{modification_id}",
        "GET /api/projects/{id}/files",
        "GET /api/projects/{id}/files/{path+}",
        "GET /api/projects/{id}/events",
        "POST /api/projects/{id}/ws-ticket",
        "GET /api/projects/{id}/docs",
        "GET /api/templates",
        "POST /api/templates",
      ],
    );
    for (const [k, op] of operations) {
      const open = k === "GET /health" || k.startsWith("OPTIONS");
      assert.deepStrictEqual(op.security, open ? [] : [{ api_key: [] }], k);
      assert.deepStrictEqual(
        op["x-amazon-apigateway-integration"],
        {
          type: "aws_proxy",
          httpMethod: "POST",
          uri: invokeArn,
          passthroughBehavior: "when_no_match",
          timeoutInMillis: 29000,
        },
        k,
      );
    }
    assert.strictEqual(
      invokeArn,
      "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:agent-platform-dev-api-handler/invocations",
    );
  });

  it("turns the handler's schemas into models and request validators", () => {
    const body = bodyOf(dev);
    assert.deepStrictEqual(Object.keys(body.components.schemas), [
      "CreateProjectBody",
      "UpdateProjectBody",
      "CreateProjectFromTemplateBody",
      "RequestModificationBody",
      "CreateWsTicketBody",
      "CreateTemplateBody",
    ]);
    // A greedy path parameter is named without its "+", as API Gateway expects.
    assert.deepStrictEqual(
      body.paths["/api/projects/{id}/files/{path+}"].get.parameters.map((p: Json) => [
        p.name,
        p.in,
        p.required,
      ]),
      [
        ["id", "path", true],
        ["path", "path", true],
      ],
    );
    // Template variables are string-valued: the model says so, and API Gateway checks it before the handler.
    assert.deepStrictEqual(body.components.schemas.CreateProjectFromTemplateBody.properties.variables, {
      type: "object",
      maxProperties: 50,
      additionalProperties: { type: "string", maxLength: 1000 },
    });
    assert.deepStrictEqual(
      body.components.schemas.CreateProjectBody,
      JSON.parse(JSON.stringify(API_ROUTES.find((r) => r.operationId === "createProject")!.body)),
    );
    assert.deepStrictEqual(body["x-amazon-apigateway-request-validators"], {
      body: { validateRequestBody: true, validateRequestParameters: false },
      params: { validateRequestBody: false, validateRequestParameters: true },
      "body-and-params": { validateRequestBody: true, validateRequestParameters: true },
    });
    const validator = (method: string, path: string) =>
      body.paths[path][method]["x-amazon-apigateway-request-validator"];
    assert.deepStrictEqual(
      [
        validator("post", "/api/projects"),
        validator("put", "/api/projects/{id}"),
        validator("get", "/api/projects/{id}"),
        validator("get", "/api/projects"),
      ],
      ["body", "body-and-params", "params", undefined],
    );
    assert.deepStrictEqual(body.paths["/api/projects"].post.requestBody, {
      required: true,
      content: { "application/json": { schema: { $ref: "#/components/schemas/CreateProjectBody" } } },
    });
    assert.deepStrictEqual(
      body.paths["/api/projects"].get.parameters.map((p: Json) => [p.name, p.in, p.required]),
      [
        ["owner_id", "query", false],
        ["status", "query", false],
        ["limit", "query", false],
        ["next_token", "query", false],
      ],
    );
  });

  it("limits CORS to the configured origins: preflights and gateway responses", () => {
    const devBody = bodyOf(dev);
    assert.deepStrictEqual(
      Object.entries(devBody.paths as Json)
        .filter(([, ops]) => "options" in (ops as Json))
        .map(([p]) => p),
      [
        "/api/projects",
        "/api/projects/{id}",
        "/api/projects/from-template",
        "/api/projects/{id}/modify",
        "/api/projects/{id}/modifications/{modification_id}",
        "/api/projects/{id}/files",
        "/api/projects/{id}/files/{path+}",
        "/api/projects/{id}/events",
        "/api/projects/{id}/ws-ticket",
        "/api/projects/{id}/docs",
        "/api/templates",
      ],
    );
    const headers = {
      "gatewayresponse.header.Access-Control-Allow-Origin": "'http://localhost:3000'",
      "gatewayresponse.header.Access-Control-Allow-Headers": "'content-type,x-api-key,idempotency-key'",
      "gatewayresponse.header.Vary": "'Origin'",
    };
    assert.deepStrictEqual(devBody["x-amazon-apigateway-gateway-responses"], {
      DEFAULT_4XX: { responseParameters: headers },
      DEFAULT_5XX: { responseParameters: headers },
    });
    // Prod names no origin (its console is on the frontend's origin): no CORS headers at all.
    assert.strictEqual(bodyOf(prod)["x-amazon-apigateway-gateway-responses"], undefined);
    const env = (rs: RegisteredResource[]) =>
      (named(rs, "api-handler-fn").inputs.environment as Json).variables;
    assert.deepStrictEqual(env(dev), {
      TABLE_NAME: "data-table-1234567",
      ARTIFACTS_BUCKET: "data-artifacts-1234567",
      FIRST_AGENT_QUEUE_URL: PM_QUEUE_URL,
      CORS_ORIGINS: "http://localhost:3000",
      TICKET_KEY_SECRET_ARN: named(dev, "api-ws-ticket-key").outputs.arn,
      NODE_OPTIONS: "--enable-source-maps",
    });
  });

  it("without origins: no preflights, no gateway responses, 16 permissions", async function () {
    this.timeout(60_000);
    const rs = await apiOf("staging");
    const body = bodyOf(rs);
    assert.strictEqual(body["x-amazon-apigateway-gateway-responses"], undefined);
    assert.ok(Object.values(body.paths as Json).every((ops) => !("options" in (ops as Json))));
    assert.strictEqual(fromApiGateway(rs).length, 16);
  });

  it("redeploys when the body changes and logs every request as JSON with X-Ray and throttling", () => {
    const deployment = named(dev, "api-deployment");
    const crypto = require("crypto") as typeof import("crypto");
    const raw = named(dev, "api-api").inputs.body as string;
    assert.deepStrictEqual(deployment.inputs.triggers, {
      body: crypto.createHash("sha256").update(raw).digest("hex"),
    });
    const stage = named(dev, "api-stage");
    const logs = named(dev, "api-access-logs");
    assert.deepStrictEqual(logs.inputs, {
      name: "/aws/apigateway/agent-platform-dev-api-access",
      retentionInDays: 7,
      kmsKeyId: LOGS_KEY_ARN,
      tags: logs.inputs.tags,
    });
    assert.strictEqual(stage.inputs.stageName, "v1");
    assert.strictEqual(stage.inputs.xrayTracingEnabled, true);
    assert.deepStrictEqual(stage.inputs.accessLogSettings, {
      destinationArn:
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/agent-platform-dev-api-access",
      format: ACCESS_LOG_FORMAT,
    });
    assert.deepStrictEqual(Object.keys(JSON.parse(ACCESS_LOG_FORMAT)).slice(0, 5), [
      "requestId",
      "ip",
      "caller",
      "user",
      "apiKeyId",
    ]);
    for (const field of ["requestTime", "httpMethod", "resourcePath", "status", "protocol", "responseLength"])
      assert.ok(field in JSON.parse(ACCESS_LOG_FORMAT), field);
    assert.deepStrictEqual(named(dev, "api-method-settings").inputs.settings, {
      metricsEnabled: true,
      loggingLevel: "OFF",
      dataTraceEnabled: false,
      throttlingRateLimit: 100,
      throttlingBurstLimit: 200,
    });
  });

  it("sets the usage plan from config and keeps the key's value secret", async function () {
    this.timeout(60_000);
    const plan = named(dev, "api-usage-plan");
    assert.deepStrictEqual(plan.inputs.throttleSettings, { rateLimit: 100, burstLimit: 200 });
    assert.deepStrictEqual(plan.inputs.quotaSettings, { limit: 100000, period: "MONTH" });
    const changed = await apiOf("dev", {
      "agent-platform:apiThrottleRateLimit": "20",
      "agent-platform:apiThrottleBurstLimit": "40",
      "agent-platform:apiMonthlyQuota": "9000",
    });
    const other = named(changed, "api-usage-plan");
    assert.deepStrictEqual(other.inputs.throttleSettings, { rateLimit: 20, burstLimit: 40 });
    assert.deepStrictEqual(other.inputs.quotaSettings, { limit: 9000, period: "MONTH" });
    assert.ok(named(dev, "api-key").options.additionalSecretOutputs.includes("value"));
    assert.strictEqual(named(dev, "api-usage-plan-key").inputs.keyType, "API_KEY");
  });

  it("scopes each permission to exactly its stage, method and path", () => {
    const api = named(dev, "api-api");
    const exec = api.outputs.executionArn as string;
    assert.match(exec, /^arn:aws:execute-api:us-east-1:123456789012:[0-9a-f]{10}$/);
    const arns = fromApiGateway(dev).map((p) => {
      assert.strictEqual(p.inputs.principal, "apigateway.amazonaws.com");
      assert.strictEqual(p.inputs.function, named(dev, "api-handler-fn").outputs.arn);
      return (p.inputs.sourceArn as string).replace(exec, "");
    });
    assert.deepStrictEqual(arns, [
      "/v1/GET/health",
      "/v1/GET/api/projects",
      "/v1/POST/api/projects",
      "/v1/GET/api/projects/*",
      "/v1/PUT/api/projects/*",
      "/v1/DELETE/api/projects/*",
      "/v1/POST/api/projects/from-template",
      "/v1/POST/api/projects/*/modify",
      "/v1/GET/api/projects/*/modifications/*",
      "/v1/GET/api/projects/*/files",
      "/v1/GET/api/projects/*/files/*",
      "/v1/GET/api/projects/*/events",
      "/v1/POST/api/projects/*/ws-ticket",
      "/v1/GET/api/projects/*/docs",
      "/v1/GET/api/templates",
      "/v1/POST/api/templates",
      "/v1/OPTIONS/api/projects",
      "/v1/OPTIONS/api/projects/*",
      "/v1/OPTIONS/api/projects/from-template",
      "/v1/OPTIONS/api/projects/*/modify",
      "/v1/OPTIONS/api/projects/*/modifications/*",
      "/v1/OPTIONS/api/projects/*/files",
      "/v1/OPTIONS/api/projects/*/files/*",
      "/v1/OPTIONS/api/projects/*/events",
      "/v1/OPTIONS/api/projects/*/ws-ticket",
      "/v1/OPTIONS/api/projects/*/docs",
      "/v1/OPTIONS/api/templates",
    ]);
  });

  it("with blue/green (prod), invokes and permits only the handler's live alias, rolled out by CodeDeploy", () => {
    const alias = named(prod, "api-handler-live");
    assert.deepStrictEqual(
      [alias.inputs.name, alias.inputs.functionName, alias.options.ignoreChanges],
      ["live", "agent-platform-prod-api-handler", ["functionVersion", "routingConfig"]],
    );
    assert.strictEqual(named(prod, "api-handler-fn").inputs.publish, true);
    const body = bodyOf(prod);
    for (const [path, item] of Object.entries(body.paths as Json))
      for (const [method, op] of Object.entries(item as Json))
        assert.strictEqual(
          op["x-amazon-apigateway-integration"].uri,
          alias.outputs.invokeArn,
          `${method} ${path}`,
        );
    for (const p of fromApiGateway(prod)) assert.strictEqual(p.inputs.function, alias.outputs.arn, p.name);
    const group = named(prod, "api-handler-deploy-group");
    assert.strictEqual(
      group.inputs.deploymentConfigName,
      "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
    );
    assert.deepStrictEqual(
      [...(group.inputs.alarmConfiguration as { alarms: string[] }).alarms].sort(),
      ["api-handler-duration", "api-handler-errors", "api-handler-throttles"]
        .map((n) => named(prod, n).outputs.name)
        .sort(),
    );
    assert.strictEqual(ofType(dev, "aws:lambda/alias:Alias").length, 0);
  });

  it("gives the handler exactly the table, queue, artifact and log permissions it uses", async function () {
    this.timeout(60_000);
    const statements = policyDocument(named(dev, "api-handler-role-policy"))
      .Statement as unknown as Statement[];
    const logGroup =
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/agent-platform-dev-api-handler";
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
          [TABLE, `${TABLE}/index/GSI1`, `${TABLE}/index/GSI2`],
        ),
        grant("sqs:SendMessage", PM_QUEUE),
        ...grantsFor(["kms:GenerateDataKey", "kms:Decrypt"], [QUEUE_KEY], {
          StringEquals: { "kms:ViaService": "sqs.us-east-1.amazonaws.com" },
        }),
        // Reads under the artifact prefixes only, writes under projects/ only, lists those two prefixes only.
        ...grantsFor(
          ["s3:GetObject"],
          ["projects", "templates", "plans", "reports", "deployments"].map((p) => `${BUCKET}/${p}/*`),
        ),
        grant("s3:PutObject", `${BUCKET}/projects/*`),
        grant("s3:ListBucket", BUCKET, { StringLike: { "s3:prefix": ["projects/*", "templates/*"] } }),
        ...grantsFor(["kms:Decrypt", "kms:GenerateDataKey"], [KEY], {
          StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
        }),
        grant("secretsmanager:GetSecretValue", String(named(dev, "api-ws-ticket-key").outputs.arn)),
        grant("kms:Decrypt", KEY, {
          StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" },
        }),
        ...grantsFor(["logs:CreateLogStream", "logs:PutLogEvents"], [`${logGroup}:log-stream:*`]),
        ...grantsFor(traces, ["*"]),
      ].sort(),
    );
    // Without a queue key and without tickets (IAM authorization), neither key is granted.
    const plain = await apiOf("dev", {}, false, false);
    assert.deepStrictEqual(
      policyDocument(named(plain, "api-handler-role-policy")).Statement.map((s) => s.Sid),
      [
        "UseTheTable",
        "SendToTheFirstAgentQueue",
        "ReadArtifacts",
        "WriteProjectFiles",
        "ListProjectAndTemplateFiles",
        "UseTheArtifactsKeyThroughS3",
        "WriteItsLogs",
        "SendTraces",
      ],
    );
    assert.strictEqual(ofType(plain, "aws:secretsmanager/secret:Secret").length, 0);
    assert.strictEqual(named(dev, "api-ws-ticket-key").inputs.kmsKeyId, KEY);
    assert.strictEqual(
      ofType(dev, "aws:secretsmanager/secretVersion:SecretVersion").length,
      0,
      "the handler writes the value",
    );
    const fn = named(dev, "api-handler-fn");
    assert.deepStrictEqual(
      [fn.inputs.memorySize, fn.inputs.timeout, fn.inputs.reservedConcurrentExecutions],
      [512, 25, -1],
    );
  });

  it("rotates the ticket key with its own function, which Secrets Manager may invoke for this secret only", () => {
    const secret = named(dev, "api-ws-ticket-key");
    const rotation = named(dev, "api-ws-ticket-key-rotation").inputs;
    const fn = named(dev, "api-ticket-key-rotation-fn");
    assert.deepStrictEqual(
      [rotation.secretId, rotation.rotationLambdaArn, rotation.rotationRules],
      [secret.id, fn.outputs.arn, { automaticallyAfterDays: 30 }],
    );
    const permission = named(dev, "api-ticket-key-rotation-invoke").inputs;
    assert.deepStrictEqual(
      [permission.principal, permission.sourceArn, permission.function],
      ["secretsmanager.amazonaws.com", secret.outputs.arn, fn.outputs.name],
    );
    assert.deepStrictEqual(
      policyDocument(named(dev, "api-ticket-key-rotation-role-policy")).Statement.slice(0, 2),
      [
        {
          Sid: "RotateTheTicketKey",
          Effect: "Allow",
          Action: [
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetSecretValue",
            "secretsmanager:PutSecretValue",
            "secretsmanager:UpdateSecretVersionStage",
          ],
          Resource: secret.outputs.arn,
        },
        {
          Sid: "UseTheSecretsKeyThroughSecretsManager",
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: KEY,
          Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
        },
      ],
    );
    assert.ok(
      named(dev, "api-ws-ticket-key-rotation").dependencies.includes(
        named(dev, "api-ticket-key-rotation-invoke").urn,
      ),
    );
  });

  it("alarms on the 5XX rate and p95 latency from config, to the alerts topic", async function () {
    this.timeout(60_000);
    const rate = named(prod, "api-5xx-rate");
    const latency = named(prod, "api-latency-p95");
    const apiName = named(prod, "api-api").inputs.name;
    assert.strictEqual(apiName, "agent-platform-prod-api");
    for (const a of [rate, latency]) {
      assert.deepStrictEqual(a.inputs.dimensions, { ApiName: apiName, Stage: "v1" });
      assert.deepStrictEqual([a.inputs.alarmActions, a.inputs.okActions], [[TOPIC], [TOPIC]]);
      assert.strictEqual(a.inputs.namespace, "AWS/ApiGateway");
    }
    assert.deepStrictEqual(
      [rate.inputs.metricName, rate.inputs.statistic, rate.inputs.threshold],
      ["5XXError", "Average", 0.01],
    );
    assert.deepStrictEqual(
      [latency.inputs.metricName, latency.inputs.extendedStatistic, latency.inputs.threshold],
      ["Latency", "p95", 500],
    );
    const tuned = await apiOf("prod", {
      "agent-platform:apiErrorRateAlarmPercent": "5",
      "agent-platform:apiLatencyP95AlarmMs": "750",
    });
    assert.deepStrictEqual(
      [named(tuned, "api-5xx-rate").inputs.threshold, named(tuned, "api-latency-p95").inputs.threshold],
      [0.05, 750],
    );
  });

  it("puts a regional WAF web ACL with the web service's rules on the stage where wafEnabled", () => {
    const acl = named(prod, "api-waf");
    assert.strictEqual(acl.inputs.scope, "REGIONAL");
    assert.deepStrictEqual(
      (acl.inputs.rules as Json[]).map((r) => r.name),
      [
        "rate-limit-per-ip",
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
      ],
    );
    const association = named(prod, "api-waf-association");
    assert.strictEqual(association.inputs.webAclArn, acl.outputs.arn);
    assert.strictEqual(association.inputs.resourceArn, named(prod, "api-stage").outputs.arn);
    assert.strictEqual(ofType(dev, "aws:wafv2/webAcl:WebAcl").length, 0);
  });

  it("refuses a stack without a dev queue", () => {
    const { config } = stackInput("dev");
    assert.throws(
      () =>
        new Api("api", {
          ...config.api,
          firstAgentQueue: undefined,
        } as unknown as ConstructorParameters<typeof Api>[1]),
      {
        message:
          "Api api: firstAgentQueue = undefined: is required: the api-handler sends modifications to the " +
          '"pm" agent queue; add pm to queues',
      },
    );
  });

  it("passes the policy pack with no mandatory violation in every stack", async () => {
    for (const [stack, rs] of [
      ["dev", dev],
      ["prod", prod],
    ] as const) {
      const violations = await check(policies, rs);
      // required-tags needs the stack's provider (its defaultTags): the offline preview of each stack checks it.
      assert.deepStrictEqual(
        violations
          .filter((v) => v.enforcementLevel === "mandatory" && v.policy !== "required-tags")
          .map((v) => `${v.policy}: ${v.message}`),
        [],
        stack,
      );
    }
  });
});
