import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PipelineFunctionConfig } from "../config/pipeline";
import { METRICS } from "../functions/shared/metric-names";
import { buildFunctions, FunctionBundle, FunctionName } from "../tools/build-functions";
import { lambdaTrust } from "./pipeline-iam";
import type { QueuePair } from "./queue-pair";

export type FunctionBundles = Record<FunctionName, FunctionBundle>;

// On globalThis, not in this module: the offline preview reloads the project's modules for every stack, and
// one build per process is enough (the bundles do not depend on the stack).
const BUILD = Symbol.for("agent-platform/pipeline-function-bundles");

/**
 * The process and vectorize bundles, built once per process with esbuild (deterministic: an unchanged function
 * gives the same bytes, so the same archive hash and no diff). The functions take the promise as their code,
 * so the build runs while the program runs and no resource is created inside an apply.
 */
export function functionBundles(): Promise<FunctionBundles> {
  const cache = globalThis as { [BUILD]?: Promise<FunctionBundles> };
  cache[BUILD] ??= buildFunctions().catch((error: unknown) => {
    delete cache[BUILD];
    throw new Error(`building the pipeline functions failed: ${(error as Error)?.message ?? String(error)}`);
  });
  return cache[BUILD];
}

/** What Lambda compares with its CodeSha256: the base64 SHA-256; here of the bundle, which the archive holds. */
export function codeHash(bundle: FunctionBundle): string {
  return Buffer.from(bundle.sha256, "hex").toString("base64");
}

export interface PipelineFunctionArgs {
  readonly description: string;
  /** Physical name: the log group's name and the key policy depend on it before the function exists. */
  readonly functionName: string;
  readonly settings: PipelineFunctionConfig;
  readonly batchWindowSeconds: number;
  readonly queue: QueuePair;
  readonly environment: Record<string, pulumi.Input<string>>;
  /** The role's statements, given the function's log group ARN. */
  readonly statements: (logGroupArn: pulumi.Output<string>) => pulumi.Input<object>[];
  readonly keyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  readonly bundle: Promise<FunctionBundle>;
  /** CloudWatch namespace and `service` dimension of the function's own (EMF) metrics. */
  readonly metrics: { readonly namespace: string; readonly service: string };
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** What must exist before messages flow (e.g. the secret's value). */
  readonly readyBefore?: pulumi.Resource[];
}

export interface PipelineFunction {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly eventSource: aws.lambda.EventSourceMapping;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
}

/**
 * One pipeline function: its log group, its role with exactly its statements, the function, the SQS event
 * source with partial batch responses, and its alarms.
 *
 * The functions run outside any VPC, in every stack: they call S3, SQS, Bedrock, Secrets Manager and Upstash
 * (on the internet) and reach nothing private, and dev's VPC has no NAT gateway to the internet.
 */
export function createPipelineFunction(
  parent: pulumi.Resource,
  name: string,
  args: PipelineFunctionArgs,
): PipelineFunction {
  const opts = { parent };
  const s = args.settings;
  // Created before the function, which would otherwise create it itself: unencrypted, kept forever.
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    {
      name: `/aws/lambda/${args.functionName}`,
      retentionInDays: args.logRetentionDays,
      kmsKeyId: args.keyArn,
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
      policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: args.statements(logGroup.arn) }),
    },
    opts,
  );
  const fn = new aws.lambda.Function(
    `${name}-fn`,
    {
      name: args.functionName,
      description: args.description,
      role: role.arn,
      runtime: aws.lambda.Runtime.NodeJS22dX,
      architectures: ["arm64"],
      handler: "index.handler",
      code: args.bundle.then((b) => new pulumi.asset.FileArchive(b.dir)),
      sourceCodeHash: args.bundle.then(codeHash),
      memorySize: s.memoryMb,
      timeout: s.timeoutSeconds,
      reservedConcurrentExecutions: s.reservedConcurrency,
      tracingConfig: { mode: "Active" },
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      environment: { variables: args.environment },
    },
    // The first invocation must find its permissions in place.
    { parent, dependsOn: [rolePolicy] },
  );
  const eventSource = new aws.lambda.EventSourceMapping(
    `${name}-events`,
    {
      eventSourceArn: args.queue.queue.arn,
      functionName: fn.arn,
      batchSize: s.batchSize,
      maximumBatchingWindowInSeconds: args.batchWindowSeconds,
      scalingConfig: { maximumConcurrency: s.maxConcurrency },
      // Failed records go back to the queue one by one (batchItemFailures), not the whole batch.
      functionResponseTypes: ["ReportBatchItemFailures"],
    },
    { parent, dependsOn: [rolePolicy, ...(args.readyBefore ?? [])] },
  );
  return {
    function: fn,
    role,
    logGroup,
    eventSource,
    alarms: functionAlarms(parent, name, args),
  };
}

/** Error rate, throttles, duration near the timeout, and failures the function itself counts. */
function functionAlarms(
  parent: pulumi.Resource,
  name: string,
  args: PipelineFunctionArgs,
): aws.cloudwatch.MetricAlarm[] {
  const opts = { parent };
  const actions = args.alarmTopicArn
    ? { alarmActions: [args.alarmTopicArn], okActions: [args.alarmTopicArn] }
    : {};
  const lambdaMetric = (id: string, metricName: string) => ({
    id,
    metric: {
      namespace: "AWS/Lambda",
      metricName,
      dimensions: { FunctionName: args.functionName },
      period: 300,
      stat: "Sum",
    },
    returnData: false,
  });
  const ownMetric = (id: string, metricName: string) => ({
    id,
    metric: {
      namespace: args.metrics.namespace,
      metricName,
      dimensions: { service: args.metrics.service },
      period: 300,
      stat: "Sum",
    },
    returnData: false,
  });
  const durationThresholdMs = Math.round(args.settings.timeoutSeconds * 1000 * 0.8);
  return [
    new aws.cloudwatch.MetricAlarm(
      `${name}-errors`,
      {
        alarmDescription: `More than 5 % of ${args.functionName} invocations failed (crash, timeout or bad configuration)`,
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
        alarmDescription: `${args.functionName} was throttled: at its reserved concurrency or the account's limit`,
        namespace: "AWS/Lambda",
        metricName: "Throttles",
        dimensions: { FunctionName: args.functionName },
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
        alarmDescription: `${args.functionName} invocations (p99) take more than 80 % of its ${args.settings.timeoutSeconds} s timeout`,
        namespace: "AWS/Lambda",
        metricName: "Duration",
        dimensions: { FunctionName: args.functionName },
        extendedStatistic: "p99",
        period: 300,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        threshold: durationThresholdMs,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...actions,
      },
      opts,
    ),
    new aws.cloudwatch.MetricAlarm(
      `${name}-failures`,
      {
        // Rejected records (bad input) are the clients' to fix and the DLQ alarm reports them; failures for any
        // other reason, for 15 minutes, mean a dependency (S3, Bedrock, Upstash) is failing.
        alarmDescription: `${args.functionName} failed records for reasons other than bad input for 15 minutes`,
        metricQueries: [
          ownMetric("failures", METRICS.failures),
          ownMetric("rejected", METRICS.rejected),
          {
            id: "retryable",
            expression: "FILL(failures, 0) - FILL(rejected, 0)",
            label: "Failed records (not rejected)",
            returnData: true,
          },
        ],
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...actions,
      },
      opts,
    ),
  ];
}
