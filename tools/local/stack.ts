/**
 * The agent workflow on loopback, with no cloud credentials: what `npm run -s local` starts (tools/local/cli.ts)
 * and what the end-to-end tests and the benchmark start in-process.
 *
 * Real local servers where they exist (dynalite for DynamoDB, s3rver for S3); in-process stand-ins speaking the
 * AWS wire protocols where they do not (SQS, EventBridge, Secrets Manager, Bedrock Converse with a scripted
 * model); API Gateway's REST and WebSocket APIs translated into their Lambda events; and every function's
 * bundle, the one `pulumi up` deploys (lib/build-functions.ts), in a thread of its own with its own environment.
 * The functions reach the local services through the SDK's endpoint variables (AWS_ENDPOINT_URL_<SERVICE>), so
 * no handler knows it runs locally.
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { PutCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { AGENT_NAMES, AgentName, FIRST_AGENT } from "../../contracts/agents";
import { AGENT_CONTAINER_ENV } from "../../contracts/agent-container";
import { AGENT_WORKER_ENV, API_ENV, WORKFLOW_ENV, WS_AUTHORIZER_ENV, WS_ENV } from "../../contracts/env";
import { ROUTING_RULES } from "../../contracts/routing";
import { readTemplateCatalog, templateItem } from "../../components/agents/template-catalog";
import { buildFunctions, FunctionName } from "../../lib/build-functions";
import { contentTypeOf } from "../../contracts/artifacts";
import { createConnectionsTable, createDataTable, startDynalite } from "./dynamo";
import { ContainerHost, freeLoopbackPort } from "./container-host";
import { QueueEventSource } from "./event-source";
import { LocalEventBridge } from "./eventbridge";
import { FunctionHost, FunctionSpec } from "./function-host";
import { LOCAL_MODEL_ID, LocalModel } from "./model";
import { LocalRestGateway } from "./rest-gateway";
import { S3RVER_CREDENTIALS, startLocalS3 } from "./s3";
import { LocalSecretsManager } from "./secrets-manager";
import { LocalSiteServer } from "./site-server";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, LocalQueue, LocalSqs } from "./sqs";
import { LocalWebSocketGateway } from "./websocket-gateway";

export interface LocalStackOptions {
  /** REST API port; 0 (default) takes a free one. */
  readonly port?: number;
  /** WebSocket API port; 0 (default) takes a free one. */
  readonly wsPort?: number;
  /** The web console's port; 0 (default) takes a free one. */
  readonly sitePort?: number;
  /** Each agent function's timeout (Lambda's), in seconds. Default 60. */
  readonly agentTimeoutSeconds?: number;
  /** The agent queues' visibility timeout is the agent timeout plus this. Default 5. */
  readonly visibilityMarginSeconds?: number;
  /** Receives before a message moves to its queue's dead-letter queue. Default 3. */
  readonly maxReceiveCount?: number;
  /** The functions' LOG_LEVEL. Default WARN. */
  readonly logLevel?: string;
  /** Origins the REST API allows (CORS) besides the console's own, which it always allows. Default none. */
  readonly corsOrigins?: readonly string[];
  /** Where the services and the functions log. Default: stderr. */
  readonly logs?: NodeJS.WritableStream;
  /**
   * Agents that run in the container's loop mode (the agent container's entry in a process of its own, long-
   * polling its queue) instead of as a Lambda function fed by an event source. Default: none.
   */
  readonly containerAgents?: readonly AgentName[];
}

/** What `npm run -s local` prints (DESIGN.md "Local runner (contract)"), in this order. */
export interface LocalEndpoints {
  readonly apiUrl: string;
  readonly wsUrl: string;
  readonly apiKey: string;
  /** The web console (console/), whose config.json names apiUrl and wsUrl. */
  readonly siteUrl: string;
}

export interface LocalStack extends LocalEndpoints {
  readonly functions: Readonly<Record<string, FunctionHost>>;
  /** The agents in container loop mode, by agent. */
  readonly containers: Readonly<Partial<Record<AgentName, ContainerHost>>>;
  /** The agent queues by agent, and the bus's dead-letter queue. */
  readonly queues: Readonly<Record<AgentName | "bus-dlq", LocalQueue>>;
  readonly deadLetterQueues: Readonly<Record<AgentName, LocalQueue>>;
  readonly bus: LocalEventBridge;
  readonly model: LocalModel;
  readonly websocket: LocalWebSocketGateway;
  readonly names: typeof NAMES;
  stop(): Promise<void>;
}

/** The local stack's resource names (its "program"). */
export const NAMES = {
  table: "agent-platform-local-data",
  connectionsTable: "agent-platform-local-connections",
  bucket: "agent-platform-local-artifacts",
  bus: "agent-platform-local-agents",
  ticketSecretArn: `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:secret:agent-platform-local-ws-ticket-key`,
  llmSecretArn: `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:secret:agent-platform-local-llm-api-key`,
} as const;

const ROOT = resolve(__dirname, "..", "..");

/** The functions the workflow runs (the ingestion pipeline's are not part of it). */
const LOCAL_FUNCTIONS = [
  "api",
  "ws",
  "ws-authorizer",
  "workflow",
  "ticket-key-rotation",
  "agent-worker",
] as const satisfies readonly FunctionName[];
type LocalFunction = (typeof LOCAL_FUNCTIONS)[number];

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const logs = options.logs ?? process.stderr;
  const say = (line: string) => logs.write(`[local] ${line}\n`);
  const onError = (message: string, error: unknown) =>
    say(`${message}: ${(error as Error)?.message ?? String(error)}`);
  const agentTimeout = options.agentTimeoutSeconds ?? 60;
  const visibility = agentTimeout + (options.visibilityMarginSeconds ?? 5);
  const maxReceiveCount = options.maxReceiveCount ?? 3;
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((error: unknown) => onError("stopping", error));
  };

  try {
    // The bundles Lambda would run: built, or reused while their inputs are unchanged (checked in milliseconds).
    const bundles = await buildFunctions({ only: LOCAL_FUNCTIONS });
    // AWS services on loopback.
    const dynamo = await startDynalite(LOCAL_REGION, S3RVER_CREDENTIALS);
    stops.push(() => dynamo.close());
    const s3 = await startLocalS3([NAMES.bucket]);
    stops.push(() => s3.close());
    const sqs = await new LocalSqs().start();
    stops.push(() => sqs.close());
    const secrets = await new LocalSecretsManager().start();
    stops.push(() => secrets.close());
    secrets.declare(NAMES.ticketSecretArn);
    secrets.declare(NAMES.llmSecretArn, "local-model-needs-no-key");
    const functions: Record<string, FunctionHost> = {};
    const containers: Partial<Record<AgentName, ContainerHost>> = {};
    const inContainer = (agent: AgentName) => options.containerAgents?.includes(agent) ?? false;
    const onLambda = AGENT_NAMES.filter((a) => !inContainer(a));
    const model = await new LocalModel((agent) => {
      containers[agent as AgentName]?.kill();
      void functions[`agent-${agent}`]?.kill("crashed (local model script)");
    }).start();
    stops.push(() => model.close());

    await createDataTable(dynamo.client, NAMES.table);
    await createConnectionsTable(dynamo.client, NAMES.connectionsTable);
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    for (const template of readTemplateCatalog(resolve(ROOT, "templates", "projects"))) {
      await doc.send(new PutCommand({ TableName: NAMES.table, Item: templateItem(template.metadata) }));
      for (const file of template.files)
        await s3.client.send(
          new PutObjectCommand({
            Bucket: NAMES.bucket,
            Key: file.key,
            Body: file.content,
            ContentType: contentTypeOf(file.path),
          }),
        );
    }

    const busDlq = sqs.create("agents-bus-dlq", { visibilityTimeoutSeconds: 30 });
    const queues = {} as Record<AgentName, LocalQueue>;
    const deadLetterQueues = {} as Record<AgentName, LocalQueue>;
    for (const agent of AGENT_NAMES) {
      deadLetterQueues[agent] = sqs.create(`agents-${agent}-dlq`, { visibilityTimeoutSeconds: 30 });
      queues[agent] = sqs.create(`agents-${agent}`, {
        visibilityTimeoutSeconds: visibility,
        maxReceiveCount,
        deadLetterQueue: deadLetterQueues[agent],
      });
    }
    const bus = await new LocalEventBridge(NAMES.bus, busDlq, onError).start();
    stops.push(async () => {
      await bus.settle();
      await bus.close();
    });
    const websocket = await new LocalWebSocketGateway(onError).listen(options.wsPort ?? 0);
    stops.push(() => websocket.close());
    // The console calls the API on its own origin (the site passes /api/* on), so it needs no CORS origin.
    const site = await new LocalSiteServer().start(options.sitePort ?? 0);
    stops.push(() => site.close());
    const corsOrigins = options.corsOrigins ?? [];

    // Every function's environment: the SDK's endpoints, local credentials (s3rver checks its own), then its own.
    const base: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: model.endpoint,
      LOG_LEVEL: options.logLevel ?? "WARN",
      // Lambda runs Node.js 22; the SDK's warning about an older Node.js concerns this machine, not the code.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      PATH: process.env.PATH ?? "",
      TMPDIR: process.env.TMPDIR ?? "/tmp",
    };
    const push = {
      [WS_ENV.connectionsTable]: NAMES.connectionsTable,
      [WS_ENV.websocketEndpoint]: websocket.managementEndpoint,
    };
    const spec = (
      name: string,
      dir: LocalFunction,
      env: Record<string, string>,
      timeoutSeconds: number,
    ): FunctionSpec => ({
      name,
      entry: bundles[dir].bundle,
      env: { ...base, ...env },
      timeoutSeconds,
    });
    // An agent's environment, the same on either runtime (as components/agents/environment.ts makes it).
    const agentEnv = (agent: AgentName): Record<string, string> => ({
      ...push,
      [AGENT_WORKER_ENV.serviceName]: `agent-${agent}`,
      [AGENT_WORKER_ENV.metricsNamespace]: "AgentPlatform/Local",
      [AGENT_WORKER_ENV.maxReceiveCount]: String(maxReceiveCount),
      [AGENT_WORKER_ENV.agentName]: agent,
      [AGENT_WORKER_ENV.tableName]: NAMES.table,
      [AGENT_WORKER_ENV.queueUrl]: queues[agent].url,
      [AGENT_WORKER_ENV.continuationMarginSeconds]: String(Math.max(1, Math.floor(agentTimeout / 4))),
      [AGENT_WORKER_ENV.llmApiKeySecretArn]: NAMES.llmSecretArn,
      [AGENT_WORKER_ENV.modelId]: LOCAL_MODEL_ID,
      // The local model answers in milliseconds; a short reserve lets short test timeouts still call it.
      [AGENT_WORKER_ENV.modelCallReserveSeconds]: "1",
      [AGENT_WORKER_ENV.eventBusName]: NAMES.bus,
      [AGENT_WORKER_ENV.artifactsBucket]: NAMES.bucket,
    });
    const specs: FunctionSpec[] = [
      spec(
        "api",
        "api",
        {
          [API_ENV.tableName]: NAMES.table,
          [API_ENV.artifactsBucket]: NAMES.bucket,
          [API_ENV.firstAgentQueueUrl]: queues[FIRST_AGENT].url,
          [API_ENV.corsOrigins]: corsOrigins.join(","),
          [API_ENV.ticketKeySecretArn]: NAMES.ticketSecretArn,
        },
        29,
      ),
      spec("ws", "ws", { ...push, [WS_ENV.tableName]: NAMES.table }, 10),
      spec(
        "ws-authorizer",
        "ws-authorizer",
        { [WS_AUTHORIZER_ENV.ticketKeySecretArn]: NAMES.ticketSecretArn },
        10,
      ),
      spec("workflow", "workflow", { ...push, [WORKFLOW_ENV.tableName]: NAMES.table }, 30),
      spec("ticket-key-rotation", "ticket-key-rotation", {}, 30),
      ...onLambda.map((agent) => spec(`agent-${agent}`, "agent-worker", agentEnv(agent), agentTimeout)),
    ];
    for (const s of specs) functions[s.name] = new FunctionHost(s, logs);
    for (const agent of AGENT_NAMES.filter(inContainer)) {
      const healthPort = await freeLoopbackPort();
      containers[agent] = new ContainerHost(
        {
          name: `agent-${agent}-container`,
          healthPort,
          env: {
            ...base,
            ...agentEnv(agent),
            [AGENT_CONTAINER_ENV.consumerTimeoutSeconds]: String(agentTimeout),
            [AGENT_CONTAINER_ENV.visibilityTimeoutSeconds]: String(visibility),
            [AGENT_CONTAINER_ENV.healthPort]: String(healthPort),
          },
        },
        logs,
      );
    }
    stops.push(async () => {
      await Promise.all(Object.values(containers).map((c) => c.close()));
    });
    stops.push(async () => {
      await Promise.all(Object.values(functions).map((f) => f.close()));
    });
    // Warm every function before saying the stack is ready: the first request does not pay the cold starts.
    await Promise.all([
      ...Object.values(functions).map((f) => f.start()),
      ...Object.values(containers).map((c) => c.start()),
    ]);

    // The ticket key's first value, made by its rotation function, as Secrets Manager does when rotation is set up.
    await secrets.rotate(NAMES.ticketSecretArn, (event) => functions["ticket-key-rotation"].invoke(event));
    websocket.attach(functions.ws, functions["ws-authorizer"]);
    // Sockets close before the functions stop, so no $disconnect or frame reaches a stopped function.
    stops.push(() => websocket.close());
    for (const rule of ROUTING_RULES)
      bus.addRule(
        rule,
        rule.then.kind === "agent" ? { queue: queues[rule.then.agent] } : { fn: functions.workflow },
      );
    // Lambda agents are fed by event sources; container agents poll their queues themselves.
    const sources = onLambda.map((agent) =>
      new QueueEventSource(queues[agent], functions[`agent-${agent}`], {
        batchSize: 1,
        concurrency: 2,
        onError: (error) => onError(`agent-${agent}`, error),
      }).start(),
    );
    stops.push(async () => {
      await Promise.all(sources.map((s) => s.stop()));
    });

    const apiKey = randomBytes(20).toString("hex");
    const rest = await new LocalRestGateway(functions.api, apiKey, onError, corsOrigins).start(
      options.port ?? 0,
    );
    stops.push(() => rest.close());
    site.serve({ apiUrl: rest.url, wsUrl: websocket.url });
    say(`REST API ${rest.url}, WebSocket API ${websocket.url} (management ${websocket.managementEndpoint})`);
    say(`web console ${site.url}`);
    say(
      `DynamoDB ${dynamo.endpoint}, S3 ${s3.endpoint} (bucket ${NAMES.bucket}), SQS ${sqs.endpoint}, EventBridge ${bus.endpoint}`,
    );

    return {
      apiUrl: rest.url,
      wsUrl: websocket.url,
      apiKey,
      siteUrl: site.url,
      functions,
      containers,
      queues: { ...queues, "bus-dlq": busDlq },
      deadLetterQueues,
      bus,
      model,
      websocket,
      names: NAMES,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
