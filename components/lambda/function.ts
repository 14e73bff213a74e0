import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { buildFunctions, FunctionBundle, FunctionName } from "../../lib/build-functions";
import type { QueuePair } from "../shared/queue-pair";
import type { FunctionSizing } from "./args";
import { awsManagedPolicy, serviceTrust } from "../shared/policy-statements";

/*
 * The one way this program builds a Lambda function (pipeline, API, WebSocket, agent workers): a log group
 * created first (encrypted, with retention), a role with exactly the statements the caller names plus its own
 * log streams and traces, the function on Node.js 22 / arm64 with active tracing and JSON logs, and the alarms
 * every function gets (error rate, throttles, duration near the timeout). SQS consumers add
 * `createQueueEventSource`.
 */

export type FunctionBundles = Record<FunctionName, FunctionBundle>;

// On globalThis, not in this module: one build per process is enough (the bundles do not depend on the stack),
// even where this module is loaded twice (a test that loads it afresh).
const BUILD = Symbol.for("agent-platform/pipeline-function-bundles");

/**
 * Every function's bundle, built once per process with esbuild (deterministic: an unchanged function gives the
 * same bytes, so the same archive hash and no diff). Functions take the promise as their code, so the build
 * runs while the program runs and no resource is created inside an apply.
 */
export function functionBundles(): Promise<FunctionBundles> {
  const cache = globalThis as { [BUILD]?: Promise<FunctionBundles> };
  cache[BUILD] ??= buildFunctions().catch((error: unknown) => {
    delete cache[BUILD];
    throw new Error(`building the functions failed: ${(error as Error)?.message ?? String(error)}`);
  });
  return cache[BUILD];
}

/** What Lambda compares with its CodeSha256: the base64 SHA-256; here of the bundle, which the archive holds. */
export function codeHash(bundle: FunctionBundle): string {
  return Buffer.from(bundle.sha256, "hex").toString("base64");
}

/** A role Lambda assumes for one function. */
export function lambdaTrust(): pulumi.Output<string> {
  return serviceTrust("lambda.amazonaws.com");
}

/** `<project>-<stack>-<name>`, with characters Lambda refuses in a name replaced by "-". */
export function stackScopedName(name: string): string {
  return `${pulumi.getProject()}-${pulumi.getStack()}-${name}`.replace(/[^A-Za-z0-9_-]/g, "-");
}

/** Lambda's own limit on a function name. */
export const LAMBDA_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Creating streams in the function's own log group and writing to them, and nothing else in CloudWatch Logs. */
export function writeLogs(logGroupArn: pulumi.Input<string>) {
  return {
    Sid: "WriteItsLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: pulumi.interpolate`${logGroupArn}:log-stream:*`,
  };
}

/** Active tracing's segments. X-Ray's write actions support no resource-level permissions: AWS accepts only "*". */
export const SEND_TRACES = {
  Sid: "SendTraces",
  Effect: "Allow",
  Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
  Resource: "*",
};

/** The sizing every function is given from config. */
export interface PlatformFunctionArgs {
  readonly description: string;
  /** Physical name: the log group's name and the key policy depend on it before the function exists. */
  readonly functionName: string;
  readonly sizing: FunctionSizing;
  readonly environment: Record<string, pulumi.Input<string>>;
  /** The role's statements for what the function itself calls; its logs and traces are added (writeLogs). */
  readonly statements: pulumi.Input<object>[];
  /** The KMS key that encrypts the log group (its policy must let CloudWatch Logs use it for this group). */
  readonly logKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  readonly bundle: Promise<FunctionBundle>;
  /** The alerts topic; every alarm notifies it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** Publish a version on every code change (for an alias and blue/green deployments). Default: false. */
  readonly publish?: boolean;
  /**
   * Where Lambda sends an asynchronous invocation's event after its retries fail (an SQS queue; the role needs
   * sqs:SendMessage on it). Only for functions invoked asynchronously. Default: none.
   */
  readonly deadLetterQueueArn?: pulumi.Input<string>;
  /**
   * The standard alarms (error rate, throttles, duration). Off only where config says (a budget-bound stack),
   * or where a failure already surfaces elsewhere (a function run by `pulumi up` itself). Default: true.
   */
  readonly alarms?: boolean;
  /** Tags of the function itself (e.g. a reasoned policy exemption). Default: none beyond the stack's. */
  readonly tags?: Record<string, string>;
  /**
   * Subnets and security groups for a function that reaches into the VPC (a database). Its role then also
   * gets AWS's managed policy for the network interfaces Lambda creates, whose ec2 actions take no resource
   * scoping. Default: outside the VPC.
   */
  readonly vpc?: {
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  };
  /**
   * Files shipped beside the bundle in the code archive (the SQL migrations a runner applies), and a digest of
   * them that goes into the code hash, so a change to them alone is deployed. Default: the bundle alone.
   */
  readonly extraCode?: {
    readonly assets: Record<string, pulumi.asset.Asset | pulumi.asset.Archive>;
    readonly sha256: string;
  };
  /**
   * The logical names the function and its role policy had before they were built here: `pulumi up` then
   * keeps the deployed resources instead of replacing them. Default: none.
   */
  readonly previousNames?: { readonly function?: string; readonly rolePolicy?: string };
}

export interface PlatformFunction {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  /** The role's inline policy: whatever invokes the function must wait for it. */
  readonly rolePolicy: aws.iam.RolePolicy;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
}

/** One function: its log group, its role with exactly the given statements, the function and its alarms. */
export function createPlatformFunction(
  parent: pulumi.Resource,
  name: string,
  args: PlatformFunctionArgs,
): PlatformFunction {
  if (!LAMBDA_NAME.test(args.functionName))
    throw new Error(
      `${name}: function name "${args.functionName}" must be 1-64 letters, digits, - or _ (Lambda's rule)`,
    );
  const opts = { parent };
  const s = args.sizing;
  // Created before the function, which would otherwise create it itself: unencrypted, kept forever.
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    {
      name: `/aws/lambda/${args.functionName}`,
      retentionInDays: args.logRetentionDays,
      kmsKeyId: args.logKeyArn,
    },
    opts,
  );
  const role = new aws.iam.Role(
    `${name}-role`,
    { description: `Runs the ${args.functionName} function`, assumeRolePolicy: lambdaTrust() },
    opts,
  );
  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-role-policy`,
    {
      role: role.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [...args.statements, writeLogs(logGroup.arn), SEND_TRACES],
      }),
    },
    { ...opts, aliases: aliasesOf(args.previousNames?.rolePolicy) },
  );
  const vpcAccess = args.vpc
    ? new aws.iam.RolePolicyAttachment(
        `${name}-vpc-access`,
        {
          role: role.name,
          policyArn: awsManagedPolicy(
            aws.getPartitionOutput({}, opts).partition,
            "service-role/AWSLambdaVPCAccessExecutionRole",
          ),
        },
        opts,
      )
    : undefined;
  const extra = args.extraCode;
  const fn = new aws.lambda.Function(
    `${name}-fn`,
    {
      name: args.functionName,
      description: args.description,
      role: role.arn,
      runtime: aws.lambda.Runtime.NodeJS22dX,
      architectures: ["arm64"],
      handler: "index.handler",
      code: args.bundle.then((b) =>
        extra
          ? new pulumi.asset.AssetArchive({
              "index.js": new pulumi.asset.FileAsset(b.bundle),
              "index.js.map": new pulumi.asset.FileAsset(`${b.bundle}.map`),
              ...extra.assets,
            })
          : new pulumi.asset.FileArchive(b.dir),
      ),
      sourceCodeHash: args.bundle.then((b) =>
        extra ? createHash("sha256").update(b.sha256).update(extra.sha256).digest("base64") : codeHash(b),
      ),
      memorySize: s.memoryMb,
      timeout: s.timeoutSeconds,
      reservedConcurrentExecutions: s.reservedConcurrency,
      tracingConfig: { mode: "Active" },
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      // Source maps turn minified stack traces into the TypeScript lines.
      environment: { variables: { ...args.environment, NODE_OPTIONS: "--enable-source-maps" } },
      ...(args.vpc ? { vpcConfig: args.vpc } : {}),
      ...(args.publish ? { publish: true } : {}),
      ...(args.deadLetterQueueArn ? { deadLetterConfig: { targetArn: args.deadLetterQueueArn } } : {}),
      ...(args.tags ? { tags: args.tags } : {}),
    },
    // The first invocation must find its permissions in place.
    {
      parent,
      dependsOn: vpcAccess ? [rolePolicy, vpcAccess] : [rolePolicy],
      aliases: aliasesOf(args.previousNames?.function),
    },
  );
  return {
    function: fn,
    role,
    rolePolicy,
    logGroup,
    alarms:
      args.alarms === false
        ? []
        : lambdaAlarms(parent, name, {
            functionName: args.functionName,
            timeoutSeconds: s.timeoutSeconds,
            alarmTopicArn: args.alarmTopicArn,
          }),
  };
}

/** An alias to a previous logical name under the same parent, or none. */
function aliasesOf(previousName: string | undefined): pulumi.Input<pulumi.Alias>[] | undefined {
  return previousName ? [{ name: previousName }] : undefined;
}

/** `alarmActions` and `okActions` to the alerts topic, or nothing when there is none. */
export function alarmActions(topicArn: pulumi.Input<string> | undefined) {
  return topicArn ? { alarmActions: [topicArn], okActions: [topicArn] } : {};
}

/**
 * Error rate above 5 %, any throttle, and p99 duration above 80 % of the function's own timeout (the
 * threshold follows the timeout from config).
 */
export function lambdaAlarms(
  parent: pulumi.Resource,
  name: string,
  fn: { functionName: string; timeoutSeconds: number; alarmTopicArn?: pulumi.Input<string> },
): aws.cloudwatch.MetricAlarm[] {
  const opts = { parent };
  const actions = alarmActions(fn.alarmTopicArn);
  const dimensions = { FunctionName: fn.functionName };
  const lambdaMetric = (id: string, metricName: string) => ({
    id,
    metric: { namespace: "AWS/Lambda", metricName, dimensions, period: 300, stat: "Sum" },
    returnData: false,
  });
  return [
    new aws.cloudwatch.MetricAlarm(
      `${name}-errors`,
      {
        alarmDescription: `More than 5 % of ${fn.functionName} invocations failed (crash, timeout or bad configuration)`,
        metricQueries: [
          lambdaMetric("errors", "Errors"),
          lambdaMetric("invocations", "Invocations"),
          {
            id: "rate",
            expression: "IF(invocations > 0, 100 * errors / invocations, 0)",
            label: "Error rate (%)",
            returnData: true,
          },
        ],
        evaluationPeriods: 1,
        threshold: 5,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...actions,
      },
      opts,
    ),
    new aws.cloudwatch.MetricAlarm(
      `${name}-throttles`,
      {
        alarmDescription: `${fn.functionName} was throttled: at its reserved concurrency or the account's limit`,
        namespace: "AWS/Lambda",
        metricName: "Throttles",
        dimensions,
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...actions,
      },
      opts,
    ),
    new aws.cloudwatch.MetricAlarm(
      `${name}-duration`,
      {
        alarmDescription: `${fn.functionName} invocations (p99) take more than 80 % of its ${fn.timeoutSeconds} s timeout`,
        namespace: "AWS/Lambda",
        metricName: "Duration",
        dimensions,
        extendedStatistic: "p99",
        period: 300,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        threshold: Math.round(fn.timeoutSeconds * 1000 * 0.8),
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...actions,
      },
      opts,
    ),
  ];
}

export interface QueueEventSourceArgs {
  /** Messages per invocation. */
  readonly batchSize: number;
  readonly batchWindowSeconds: number;
  /** Most concurrent invocations the event source starts (scalingConfig.maximumConcurrency, 2-1000). */
  readonly maxConcurrency: number;
  /** What must exist before messages flow (the role's policy always does). */
  readonly readyBefore?: pulumi.Resource[];
}

/**
 * The SQS event source of a consumer function, with partial batch responses: failed records go back to the
 * queue one by one (batchItemFailures), not the whole batch, and after maxReceiveCount to the DLQ.
 */
export function createQueueEventSource(
  parent: pulumi.Resource,
  name: string,
  fn: PlatformFunction,
  queue: QueuePair,
  args: QueueEventSourceArgs,
  functionArn: pulumi.Input<string> = fn.function.arn,
): aws.lambda.EventSourceMapping {
  return new aws.lambda.EventSourceMapping(
    `${name}-events`,
    {
      eventSourceArn: queue.queue.arn,
      functionName: functionArn,
      batchSize: args.batchSize,
      maximumBatchingWindowInSeconds: args.batchWindowSeconds,
      scalingConfig: { maximumConcurrency: args.maxConcurrency },
      functionResponseTypes: ["ReportBatchItemFailures"],
    },
    { parent, dependsOn: [fn.rolePolicy, ...(args.readyBefore ?? [])] },
  );
}
