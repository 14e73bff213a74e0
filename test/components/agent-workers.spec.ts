import * as assert from "assert";
import {
  agentModel,
  AgentWorkers,
  AgentWorkersArgs,
  checkAgentWorkersArgs,
} from "../../components/agents/workers";
import { Queues } from "../../components/queues";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import { ALL_AGENTS_ON_LAMBDA, loadStack } from "../helpers/config";
import { assertNoWildcards, grant, grantsFor, grantsOf, type Statement } from "../helpers/iam-grants";
import { evaluate, LOGS_KEY_ARN, named, ofType, policyDocument } from "../helpers/offline";

/** X-Ray's write actions, which AWS scopes to no resource. */
const TRACES = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

const ACCOUNT = "123456789012";
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/data-table-1234567`;
const DATA_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const CONNECTIONS_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/ws-connections-abcdef0`;
const MANAGE_ARN = `arn:aws:execute-api:us-east-1:${ACCOUNT}:a1b2c3d4e5/live/POST/@connections/*`;
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`;

type Extra = Partial<AgentWorkersArgs> & { queueKey?: boolean };

/** Queues and AgentWorkers as index.ts wires them, from `stack`'s config. */
async function program(stack: string, extra: Extra = {}) {
  const config = loadStack(stack, ALL_AGENTS_ON_LAMBDA);
  let workers: AgentWorkers | undefined;
  const { resources } = await evaluate(
    () => {
      const queues = new Queues("agents", {
        ...config.queues,
        encryption: extra.queueKey ? { kind: "createKey" } : { kind: "sqs" },
      });
      workers = new AgentWorkers("agents", {
        ...config.agents!,
        blueGreen: config.blueGreen,
        queues: queues.pairs,
        queueKmsKeyArn: queues.kmsKeyArn,
        maxReceiveCount: config.queues.maxReceiveCount,
        table: { name: "data-table-1234567", arn: TABLE_ARN },
        dataKeyArn: DATA_KEY,
        llmApiKey: "sk-test-key",
        model: agentModel(config.bedrock.models),
        logRetentionDays: config.logRetentionDays,
        logKeyArn: LOGS_KEY_ARN,
        alarmTopicArn: TOPIC,
        ...extra,
      });
    },
    { stack },
  );
  return { resources, workers: workers!, config };
}

const arn = (r: RegisteredResource) => r.outputs.arn as string;

describe("AgentWorkers", function () {
  this.timeout(120_000);

  describe("staging: four functions, no blue/green", () => {
    let resources: RegisteredResource[];
    let workers: AgentWorkers;
    before(async () => ({ resources, workers } = await program("staging")));

    it("sizes each agent's function from config, timing out at its queue's consumer timeout", () => {
      const fns = ofType(resources, "aws:lambda/function:Function");
      assert.deepStrictEqual(
        fns.map((f) => [
          f.name,
          f.inputs.name,
          f.inputs.memorySize,
          f.inputs.timeout,
          f.inputs.reservedConcurrentExecutions,
        ]),
        [
          ["agents-pm-fn", "agent-platform-staging-agent-pm", 1024, 300, 2],
          ["agents-dev-fn", "agent-platform-staging-agent-dev", 2048, 900, 2],
          ["agents-qa-fn", "agent-platform-staging-agent-qa", 1024, 600, 2],
          ["agents-ops-fn", "agent-platform-staging-agent-ops", 512, 300, 2],
        ],
      );
      for (const agent of ["pm", "dev", "qa", "ops"]) {
        const fn = named(resources, `agents-${agent}-fn`);
        const queue = named(resources, `agents-${agent}`);
        assert.strictEqual(queue.inputs.visibilityTimeoutSeconds, (fn.inputs.timeout as number) + 60);
        assert.strictEqual(fn.inputs.publish, undefined);
        assert.strictEqual(named(resources, `agents-${agent}-logs`).inputs.kmsKeyId, LOGS_KEY_ARN);
      }
      assert.deepStrictEqual(ofType(resources, "aws:lambda/alias:Alias"), []);
      assert.deepStrictEqual(ofType(resources, "aws:codedeploy/application:Application"), []);
      assert.deepStrictEqual(ofType(resources, "aws:codedeploy/deploymentGroup:DeploymentGroup"), []);
    });

    it("gives the pm function its agent, table, own queue, margin and only the secret's ARN", () => {
      const fn = named(resources, "agents-pm-fn");
      const secret = named(resources, "agents-llm-api-key");
      assert.strictEqual(secret.type, "aws:secretsmanager/secret:Secret");
      assert.deepStrictEqual((fn.inputs.environment as { variables: unknown }).variables, {
        POWERTOOLS_SERVICE_NAME: "agent-platform-staging-agent-pm",
        POWERTOOLS_METRICS_NAMESPACE: "AgentPlatform/Agents",
        MAX_RECEIVE_COUNT: "3",
        AGENT_NAME: "pm",
        TABLE_NAME: "data-table-1234567",
        QUEUE_URL: named(resources, "agents-pm").outputs.url,
        CONTINUATION_MARGIN_SECONDS: "60",
        LLM_API_KEY_SECRET_ARN: arn(secret),
        AGENT_MODEL_ID: "amazon.nova-lite-v1:0",
        NODE_OPTIONS: "--enable-source-maps",
      });
      assert.strictEqual(secret.inputs.kmsKeyId, DATA_KEY);
      const version = ofType(resources, "aws:secretsmanager/secretVersion:SecretVersion")[0];
      assert.strictEqual(version.inputs.secretId, secret.id);
    });

    it("feeds each function from its queue one message at a time, with partial batch responses", () => {
      const sources = ofType(resources, "aws:lambda/eventSourceMapping:EventSourceMapping");
      assert.deepStrictEqual(
        sources.map((s) => s.inputs),
        ["pm", "dev", "qa", "ops"].map((agent) => ({
          eventSourceArn: arn(named(resources, `agents-${agent}`)),
          functionName: arn(named(resources, `agents-${agent}-fn`)),
          batchSize: 1,
          maximumBatchingWindowInSeconds: 0,
          scalingConfig: { maximumConcurrency: 2 },
          functionResponseTypes: ["ReportBatchItemFailures"],
          tags: { Function: "agent-workers" },
        })),
      );
      // Messages flow only once the role's permissions and the secret's value exist.
      assert.ok(sources[0].dependencies.includes(named(resources, "agents-pm-role-policy").urn));
      assert.ok(
        sources[0].dependencies.includes(
          ofType(resources, "aws:secretsmanager/secretVersion:SecretVersion")[0].urn,
        ),
      );
      // The queue's redrive policy sends a message to its own DLQ after maxReceiveCount receives.
      const redrive = JSON.parse(named(resources, "agents-pm").inputs.redrivePolicy as string);
      assert.deepStrictEqual(redrive, {
        deadLetterTargetArn: arn(named(resources, "agents-pm-dlq")),
        maxReceiveCount: 3,
      });
    });

    it("lets a function use exactly its queue, the table, the secret, the agents' model and its log group", () => {
      const statements = policyDocument(named(resources, "agents-qa-role-policy"))
        .Statement as unknown as Statement[];
      const logGroup = arn(named(resources, "agents-qa-logs"));
      assertNoWildcards(statements, TRACES);
      assert.deepStrictEqual(
        grantsOf(statements),
        [
          ...grantsFor(
            ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:SendMessage"],
            [arn(named(resources, "agents-qa"))],
          ),
          ...grantsFor(
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
            [TABLE_ARN],
          ),
          grant("secretsmanager:GetSecretValue", arn(named(resources, "agents-llm-api-key"))),
          grant("bedrock:InvokeModel", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"),
          // The data key only through the services that hold data encrypted with it.
          grant("kms:Decrypt", DATA_KEY, {
            StringEquals: {
              "kms:ViaService": [
                "dynamodb.us-east-1.amazonaws.com",
                "secretsmanager.us-east-1.amazonaws.com",
              ],
            },
          }),
          ...grantsFor(["logs:CreateLogStream", "logs:PutLogEvents"], [`${logGroup}:log-stream:*`]),
          ...grantsFor(TRACES, ["*"]),
        ].sort(),
      );
    });

    it("exposes the functions' alarms and their queues' alarms", () => {
      assert.strictEqual(workers.functionAlarms.length, 12);
      assert.strictEqual(workers.alarms.length, 12 + 8);
      const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name);
      for (const suffix of ["errors", "throttles", "duration", "dlq-depth", "oldest-message"])
        assert.ok(alarms.includes(`agents-dev-${suffix}`), suffix);
      const duration = named(resources, "agents-dev-duration").inputs;
      assert.strictEqual(duration.threshold, 720_000);
      assert.deepStrictEqual(duration.alarmActions, [TOPIC]);
    });
  });

  describe("in the workflow: the bus and the artifacts bucket", () => {
    const BUS = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/agent-platform-staging-agents`;
    const BUCKET = "arn:aws:s3:::data-artifacts-1234567";
    let resources: RegisteredResource[];
    before(
      async () =>
        ({ resources } = await program("staging", {
          workflow: {
            busName: "agent-platform-staging-agents",
            busArn: BUS,
            bucketName: "data-artifacts-1234567",
            bucketArn: BUCKET,
            bucketKeyArn: DATA_KEY,
          },
        })),
    );
    const statements = (agent: string) =>
      policyDocument(named(resources, `agents-${agent}-role-policy`)).Statement;
    const sid = (agent: string, id: string) => statements(agent).find((x) => x.Sid === id);

    it("tells each function where the workflow's bus and bucket are", () => {
      const env = (
        named(resources, "agents-qa-fn").inputs.environment as { variables: Record<string, string> }
      ).variables;
      assert.deepStrictEqual(
        [env.EVENT_BUS_NAME, env.ARTIFACTS_BUCKET],
        ["agent-platform-staging-agents", "data-artifacts-1234567"],
      );
    });

    it("lets an agent put only completion events from the agents' source, on this bus", () => {
      assert.deepStrictEqual(sid("pm", "PublishCompletionEvents"), {
        Sid: "PublishCompletionEvents",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: BUS,
        Condition: {
          StringEquals: {
            "events:source": "agent-platform.agents",
            "events:detail-type": "agent.task.completed",
          },
        },
      });
    });

    it("lets each agent write under its own prefix only, read what its steps read, list project files only", () => {
      const writes = (agent: string) => sid(agent, "WriteItsArtifacts")!.Resource;
      assert.deepStrictEqual(
        ["pm", "dev", "qa", "ops"].map(writes),
        ["plans/*", "projects/*", "reports/*", "deployments/*"].map((p) => `${BUCKET}/${p}`),
      );
      assert.deepStrictEqual(sid("qa", "ReadTheArtifactsItNeeds")!.Resource, [
        `${BUCKET}/projects/*`,
        `${BUCKET}/plans/*`,
      ]);
      assert.deepStrictEqual(sid("dev", "ListProjectFiles"), {
        Sid: "ListProjectFiles",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: BUCKET,
        Condition: { StringLike: { "s3:prefix": "projects/*" } },
      });
      assert.deepStrictEqual(sid("ops", "UseTheBucketKeyThroughS3")!.Condition, {
        StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
      });
    });
  });

  describe("blue/green, a queue key and the status push (prod-like)", () => {
    let resources: RegisteredResource[];
    before(
      async () =>
        ({ resources } = await program("prod", {
          queueKey: true,
          statusPush: {
            connectionsTableName: "ws-connections-abcdef0",
            connectionsTableArn: CONNECTIONS_ARN,
            managementEndpoint: "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/live",
            manageConnectionsArn: MANAGE_ARN,
          },
        })),
    );

    it("publishes versions behind a live alias that Pulumi creates but never moves", () => {
      const fn = named(resources, "agents-dev-fn");
      assert.strictEqual(fn.inputs.publish, true);
      const alias = named(resources, "agents-dev-live");
      assert.deepStrictEqual(
        [alias.inputs.name, alias.inputs.functionName, alias.inputs.functionVersion],
        ["live", "agent-platform-prod-agent-dev", "1"],
      );
      assert.deepStrictEqual(alias.options.ignoreChanges, ["functionVersion", "routingConfig"]);
      assert.strictEqual(ofType(resources, "aws:lambda/alias:Alias").length, 4);
    });

    it("points each event source at the alias, so traffic follows CodeDeploy", () => {
      const source = named(resources, "agents-dev-events");
      assert.strictEqual(source.inputs.functionName, arn(named(resources, "agents-dev-live")));
      assert.strictEqual(source.inputs.functionName, `${arn(named(resources, "agents-dev-fn"))}:live`);
    });

    it("rolls out through CodeDeploy, 10 % a minute, rolled back on failure and on the function's alarms", () => {
      const app = named(resources, "agents-dev-deploy");
      assert.deepStrictEqual(app.inputs, {
        name: "agent-platform-prod-agent-dev",
        computePlatform: "Lambda",
        tags: { Function: "agent-workers" },
      });
      const group = named(resources, "agents-dev-deploy-group").inputs;
      assert.deepStrictEqual(
        {
          ...group,
          serviceRoleArn: undefined,
        },
        {
          appName: "agent-platform-prod-agent-dev",
          deploymentGroupName: "live",
          serviceRoleArn: undefined,
          deploymentConfigName: "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
          deploymentStyle: { deploymentOption: "WITH_TRAFFIC_CONTROL", deploymentType: "BLUE_GREEN" },
          autoRollbackConfiguration: {
            enabled: true,
            events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
          },
          alarmConfiguration: {
            enabled: true,
            alarms: ["errors", "throttles", "duration"].map((s) => named(resources, `agents-dev-${s}`).id),
          },
          tags: { Function: "agent-workers" },
        },
      );
      assert.strictEqual(group.serviceRoleArn, arn(named(resources, "agents-dev-deploy-role")));
    });

    it("gives CodeDeploy an inline role on exactly the alias and the alarms (no AWS managed policy)", () => {
      const role = named(resources, "agents-dev-deploy-role");
      assert.strictEqual(role.inputs.managedPolicyArns, undefined);
      // Only for this function's deployment group, in this account (confused-deputy conditions).
      assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement, [
        {
          Effect: "Allow",
          Principal: { Service: "codedeploy.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: {
              "aws:SourceArn":
                "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:agent-platform-prod-agent-dev/live",
            },
          },
        },
      ]);
      const deploy = policyDocument(named(resources, "agents-dev-deploy-role-policy"))
        .Statement as unknown as Statement[];
      assertNoWildcards(deploy);
      assert.deepStrictEqual(
        grantsOf(deploy),
        [
          ...grantsFor(
            ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"],
            [arn(named(resources, "agents-dev-live"))],
          ),
          ...grantsFor(
            ["cloudwatch:DescribeAlarms"],
            ["errors", "throttles", "duration"].map((s) => arn(named(resources, `agents-dev-${s}`))),
          ),
        ].sort(),
      );
    });

    it("adds the queue key and the status push to the function's role and environment", () => {
      const statements = policyDocument(named(resources, "agents-ops-role-policy")).Statement;
      const sid = (s: string) => statements.find((x) => x.Sid === s);
      assert.deepStrictEqual(sid("UseTheQueueKey"), {
        Sid: "UseTheQueueKey",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: arn(named(resources, "agents-key")),
        Condition: { StringEquals: { "kms:ViaService": ["sqs.us-east-1.amazonaws.com"] } },
      });
      assert.deepStrictEqual(sid("FindAndForgetSubscribers"), {
        Sid: "FindAndForgetSubscribers",
        Effect: "Allow",
        Action: ["dynamodb:Query", "dynamodb:BatchWriteItem"],
        Resource: [CONNECTIONS_ARN, `${CONNECTIONS_ARN}/index/byProject`],
      });
      assert.deepStrictEqual(sid("PushStatusToSubscribers"), {
        Sid: "PushStatusToSubscribers",
        Effect: "Allow",
        Action: "execute-api:ManageConnections",
        Resource: MANAGE_ARN,
      });
      const env = (
        named(resources, "agents-ops-fn").inputs.environment as { variables: Record<string, string> }
      ).variables;
      assert.strictEqual(env.CONNECTIONS_TABLE, "ws-connections-abcdef0");
      assert.strictEqual(
        env.WEBSOCKET_ENDPOINT,
        "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/live",
      );
    });
  });

  describe("dev: no reserved concurrency, no function alarms", () => {
    let resources: RegisteredResource[];
    let workers: AgentWorkers;
    before(async () => ({ resources, workers } = await program("dev")));

    it("reserves nothing and creates no function alarm; the queues' alarms remain", () => {
      assert.deepStrictEqual(
        ofType(resources, "aws:lambda/function:Function").map((f) => f.inputs.reservedConcurrentExecutions),
        [-1, -1, -1, -1],
      );
      assert.deepStrictEqual(workers.functionAlarms, []);
      assert.deepStrictEqual(
        ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm")
          .map((a) => a.name)
          .filter((n) => /-(errors|throttles|duration)$/.test(n)),
        [],
      );
      // The queues' DLQ-depth alarms; dev leaves out their oldest-message alarms (queueAgeAlarms).
      assert.strictEqual(workers.alarms.length, 4);
      assert.deepStrictEqual(
        ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm")
          .map((a) => a.name)
          .filter((n) => /-dlq-depth$|-oldest-message$/.test(n)),
        ["agents-pm-dlq-depth", "agents-dev-dlq-depth", "agents-qa-dlq-depth", "agents-ops-dlq-depth"],
      );
    });
  });

  it("refuses arguments AWS would refuse, naming each", () => {
    const sizing = loadStack("staging", ALL_AGENTS_ON_LAMBDA).agents!.sizing;
    const pair = (visibilityTimeoutSeconds: number) => ({ visibilityTimeoutSeconds }) as never;
    assert.throws(
      () =>
        checkAgentWorkersArgs("agents", {
          agents: ["pm", "dev", "qa"],
          sizing,
          queues: { pm: pair(360), dev: pair(600) },
          maxReceiveCount: 3,
          table: { name: "t", arn: TABLE_ARN },
          dataKeyArn: DATA_KEY,
          logKeyArn: LOGS_KEY_ARN,
          llmApiKey: "k",
          continuationMarginSeconds: 300,
          blueGreen: true,
          functionAlarms: false,
          logRetentionDays: 7,
        }),
      {
        message:
          "AgentWorkers agents: continuationMarginSeconds = 300: must be shorter than the shortest agent timeout " +
          "(300 s, pm); sizing.dev.timeoutSeconds = 900: exceeds its queue's visibility timeout 600 s; " +
          'queues = "qa": have no queue for the agent qa; model = undefined: is required with agents: set ' +
          "bedrockModelIds (or bedrockInferenceProfileIds); blueGreen = true: needs functionAlarms: CodeDeploy " +
          "rolls a deployment back on the functions' alarms",
      },
    );
  });

  describe("the agents' model", () => {
    const bedrock = loadStack("staging").bedrock.models;

    it("is the first bedrockModelIds entry, invoked in the stack's region", () => {
      const model = agentModel({ ...bedrock, modelIds: ["amazon.nova-lite-v1:0", "amazon.nova-pro-v1:0"] })!;
      assert.strictEqual(model.id, "amazon.nova-lite-v1:0");
      assert.deepStrictEqual(
        [model.scope.modelIds, model.scope.inferenceProfiles],
        [["amazon.nova-lite-v1:0"], []],
      );
    });

    it("is the first inference profile only where no model id is listed, granted in each region it routes to", async () => {
      const profile = { id: "us.amazon.nova-lite-v1:0", modelId: "amazon.nova-lite-v1:0" };
      const model = agentModel({
        ...bedrock,
        modelIds: [],
        inferenceProfiles: [profile],
        inferenceProfileRegions: ["us-east-1", "us-west-2"],
      });
      assert.strictEqual(model?.id, "us.amazon.nova-lite-v1:0");
      const { resources } = await program("staging", { agents: ["ops"], model });
      const statements = policyDocument(named(resources, "agents-ops-role-policy")).Statement;
      assert.deepStrictEqual(statements.find((x) => x.Sid === "ConverseWithTheAgentModel")?.Resource, [
        `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/us.amazon.nova-lite-v1:0`,
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
        "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0",
      ]);
      assert.strictEqual(agentModel({ ...bedrock, modelIds: [], inferenceProfiles: [] }), undefined);
    });
  });
});
