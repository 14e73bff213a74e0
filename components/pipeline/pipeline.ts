import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problem, throwIfProblems } from "../../lib/problems";
import { isLogRetention } from "../../lib/rules";
import { formatUpstashSecret, processEnvironment, vectorizeEnvironment } from "../../contracts/pipeline-env";
import { awsContext } from "../shared/aws-context";
import { foundationModelArnIn } from "../bedrock-access";
import { FunctionBundles, functionBundles, LAMBDA_NAME, stackScopedName } from "../lambda/function";
import { createPipelineFunction, deadLetterQueryName, PipelineFunction } from "./function";
import { createPipelineEvents } from "./events";
import { createUploader, PipelineRefs, processStatements, vectorizeStatements } from "./iam";
import { PipelineSettings, pipelineProblems } from "./args";
import { createPipelineStorage } from "./storage";
import { QueueRefs } from "../shared/queue-pair";
import { PlatformComponent } from "../shared/tagging";

export interface PipelineArgs extends PipelineSettings {
  /** Upstash Vector REST URL (a secret): stored in one Secrets Manager secret, never elsewhere. No default. */
  readonly upstashUrl: pulumi.Input<string>;
  /** Upstash Vector REST token (a secret), stored with the URL. No default. */
  readonly upstashToken: pulumi.Input<string>;
  /** Upstash namespace of the stack's vectors. Default: the stack name (letters, digits, - and _ kept). */
  readonly upstashNamespace?: string;
  /** Retention of the functions' log groups and of the access logs, in days (a CloudWatch Logs value). No default. */
  readonly logRetentionDays: number;
  /** The alerts topic; every alarm notifies it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** Sets `protect` on the buckets and the key. Default: false. */
  readonly protect?: boolean;
  /** The function bundles. Default: built from functions/ once per process (lib/build-functions.ts). */
  readonly bundles?: Promise<FunctionBundles>;
}

const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;

/** Physical names decided before anything exists: the key policy and the log groups need them. */
export function pipelineNames(name: string) {
  const base = stackScopedName(name);
  return {
    process: `${base}-process`,
    vectorize: `${base}-vectorize`,
    /** CloudWatch namespace of the functions' EMF metrics (`<project>-<stack>/<name>`). */
    metricsNamespace: `${pulumi.getProject()}-${pulumi.getStack()}/${name}`,
    upstashNamespace: pulumi.getStack().replace(/[^A-Za-z0-9_-]/g, "-"),
  };
}

/** Throws one Error naming the component and every bad argument. */
export function checkPipelineArgs(name: string, args: PipelineArgs): void {
  const problems: Problem[] = [...pipelineProblems(args)];
  if (!isLogRetention(args.logRetentionDays))
    problems.push({
      key: "logRetentionDays",
      value: args.logRetentionDays,
      allowed: "must be a CloudWatch Logs retention value",
    });
  const names = pipelineNames(name);
  for (const fn of [names.process, names.vectorize])
    if (!LAMBDA_NAME.test(fn))
      problems.push({
        key: "name",
        value: name,
        allowed: `gives the function name ${fn}, longer than Lambda's 64 characters`,
      });
  const namespace = args.upstashNamespace ?? names.upstashNamespace;
  if (!NAMESPACE.test(namespace))
    problems.push({
      key: "upstashNamespace",
      value: namespace,
      allowed: "must be 1-64 letters, digits, '-' or '_'",
    });
  throwIfProblems("Pipeline", name, problems);
}

/**
 * `agent-platform:index:Pipeline`: the ingestion pipeline.
 *
 * Clients upload to the raw bucket with pre-signed URLs signed by the uploader role (docs/uploads.md). S3 sends
 * each ObjectCreated event to the process queue; the process function writes a cleaned, chunked document to the
 * processed bucket, whose events go to the vectorize queue; the vectorize function embeds the chunks with
 * Bedrock and stores the vectors in Upstash Vector. One KMS key encrypts buckets, queues, secret and logs.
 */
export class Pipeline extends PlatformComponent {
  readonly rawBucketName: pulumi.Output<string>;
  readonly processedBucketName: pulumi.Output<string>;
  /** The access log bucket, when access logging is on. */
  readonly accessLogBucketName?: pulumi.Output<string>;
  readonly uploadPrefix: string;
  /** Where the process function writes processed documents in the processed bucket. */
  readonly processedPrefix: string;
  /** The Upstash namespace of the stack's vectors. */
  readonly vectorNamespace: string;
  readonly queues: { readonly process: QueueRefs; readonly vectorize: QueueRefs };
  readonly functionNames: {
    readonly process: pulumi.Output<string>;
    readonly vectorize: pulumi.Output<string>;
  };
  /** The Secrets Manager secret with the Upstash credentials (the functions get only this ARN). */
  readonly upstashSecretArn: pulumi.Output<string>;
  /** The role a backend assumes to sign upload URLs. */
  readonly uploaderRoleArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  /** Every alarm: queues (DLQ depth, oldest message) and functions (errors, throttles, duration, failures). */
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: PipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    checkPipelineArgs(name, args);
    super("agent-platform:index:Pipeline", name, "pipeline", opts);
    const ctx = awsContext(this);
    const protect = args.protect ?? false;
    const names = pipelineNames(name);
    this.vectorNamespace = args.upstashNamespace ?? names.upstashNamespace;
    const logGroupArn = (fn: string) =>
      pulumi.interpolate`arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:/aws/lambda/${fn}`;

    const { raw, processed, logs, key } = createPipelineStorage(this, name, {
      ctx,
      settings: args,
      logGroupArns: [logGroupArn(names.process), logGroupArn(names.vectorize)],
      logRetentionDays: args.logRetentionDays,
      protect,
    });
    const queues = createPipelineEvents(this, name, {
      ctx,
      settings: args,
      raw,
      processed,
      keyArn: key.arn,
      ...(args.alarmTopicArn ? { alarmTopicArn: args.alarmTopicArn } : {}),
      deadLetterQueries: {
        process: deadLetterQueryName(names.process),
        vectorize: deadLetterQueryName(names.vectorize),
      },
    });

    // The only place the Upstash credentials go; the vectorize function gets the secret's ARN.
    const secret = new aws.secretsmanager.Secret(
      `${name}-upstash`,
      {
        description: "Upstash Vector REST URL and token of the pipeline (JSON: url, token)",
        kmsKeyId: key.arn,
        // Upstash issues the token: it is rotated there and written here from config, never by Secrets Manager.
        tags: {
          "policy-exempt:secret-rotation":
            "an Upstash token AWS cannot rotate: reset it in the Upstash console - set upstashVectorToken in ESC - " +
            "pulumi up. See docs/security.md: Secret rotation",
        },
      },
      { parent: this },
    );
    const secretValue = new aws.secretsmanager.SecretVersion(
      `${name}-upstash-credentials`,
      {
        secretId: secret.id,
        secretString: pulumi.secret(
          pulumi
            .all([args.upstashUrl, args.upstashToken])
            .apply(([url, token]) => formatUpstashSecret({ url, token })),
        ),
      },
      { parent: this },
    );

    const refs: PipelineRefs = {
      ctx,
      rawBucketArn: raw.arn,
      processedBucketArn: processed.arn,
      uploadPrefix: args.uploadPrefix,
      processedPrefix: args.processedPrefix,
      keyArn: key.arn,
      kmsBuckets: args.bucketEncryption === "kms",
    };
    const bundles = args.bundles ?? functionBundles();
    const common = {
      batchWindowSeconds: args.batchWindowSeconds,
      keyArn: key.arn,
      logRetentionDays: args.logRetentionDays,
      ...(args.alarmTopicArn ? { alarmTopicArn: args.alarmTopicArn } : {}),
    };
    const processFn: PipelineFunction = createPipelineFunction(this, `${name}-process`, {
      ...common,
      description: "Cleans and chunks raw uploads into processed documents",
      functionName: names.process,
      settings: args.process,
      queue: queues.process,
      environment: processEnvironment<pulumi.Output<string>>({
        serviceName: names.process,
        metricsNamespace: names.metricsNamespace,
        maxReceiveCount: args.maxReceiveCount,
        rawBucket: raw.bucket,
        rawPrefix: args.uploadPrefix,
        processedBucket: processed.bucket,
        processedPrefix: args.processedPrefix,
      }),
      statements: processStatements(refs, { queueArn: queues.process.queue.arn }),
      bundle: bundles.then((b) => b.process),
      metrics: { namespace: names.metricsNamespace, service: names.process },
    });
    const modelArn = foundationModelArnIn(ctx, ctx.region, args.embeddingModelId);
    const vectorizeFn = createPipelineFunction(this, `${name}-vectorize`, {
      ...common,
      description: "Embeds processed documents with Bedrock and indexes them in Upstash Vector",
      functionName: names.vectorize,
      settings: args.vectorize,
      queue: queues.vectorize,
      environment: vectorizeEnvironment<pulumi.Output<string>>({
        serviceName: names.vectorize,
        metricsNamespace: names.metricsNamespace,
        maxReceiveCount: args.maxReceiveCount,
        rawBucket: raw.bucket,
        processedBucket: processed.bucket,
        processedPrefix: args.processedPrefix,
        embeddingModelId: args.embeddingModelId,
        embeddingDimensions: args.embeddingDimensions,
        upstashSecretArn: secret.arn,
        upstashNamespace: this.vectorNamespace,
      }),
      statements: vectorizeStatements(refs, {
        queueArn: queues.vectorize.queue.arn,
        modelArn,
        secretArn: secret.arn,
      }),
      bundle: bundles.then((b) => b.vectorize),
      metrics: { namespace: names.metricsNamespace, service: names.vectorize },
      readyBefore: [secretValue],
    });
    const uploader = createUploader(this, name, refs, args.uploaderPrincipalArns);

    this.rawBucketName = raw.bucket;
    this.processedBucketName = processed.bucket;
    this.accessLogBucketName = logs?.bucket;
    this.uploadPrefix = args.uploadPrefix;
    this.processedPrefix = args.processedPrefix;
    this.queues = { process: queues.process.refs, vectorize: queues.vectorize.refs };
    this.functionNames = { process: processFn.function.name, vectorize: vectorizeFn.function.name };
    this.upstashSecretArn = secret.arn;
    this.uploaderRoleArn = uploader.role.arn;
    this.kmsKeyArn = key.arn;
    this.alarms = [
      ...queues.process.alarms,
      ...processFn.alarms,
      ...queues.vectorize.alarms,
      ...vectorizeFn.alarms,
    ];
    this.registerOutputs({
      rawBucketName: this.rawBucketName,
      processedBucketName: this.processedBucketName,
      accessLogBucketName: this.accessLogBucketName,
      queues: this.queues,
      functionNames: this.functionNames,
      upstashSecretArn: this.upstashSecretArn,
      uploaderRoleArn: this.uploaderRoleArn,
    });
  }
}
