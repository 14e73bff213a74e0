import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ARTIFACT_PREFIXES } from "../../contracts/artifacts";
import { TABLE_KEYS } from "../../contracts/table";
import { AwsContext, viaService } from "../shared/aws-context";
import { alarmActions } from "../lambda/function";

/*
 * What the api-handler may do, and the API's own alarms. Read functions/api/lib/store.ts for the DynamoDB calls
 * (Get, Put, Update, Delete, Query on the table and both indexes, BatchWrite when a project is deleted),
 * functions/api/index.ts for SQS SendMessage, functions/shared/artifact-store.ts for S3 (list the project and
 * template prefixes, read templates and project files, write project files, pre-signed GETs of every
 * artifact), functions/shared/ticket.ts for the ticket key (read only: its rotation function writes it).
 */

type Statement = Record<string, unknown>;

export interface ApiHandlerRefs {
  readonly ctx: AwsContext;
  readonly tableArn: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  /** The Data key: the bucket's SSE-KMS key (a pre-signed GET decrypts with the signer's permissions). */
  readonly dataKeyArn: pulumi.Input<string>;
  /** The first agent's queue (contracts/agents.ts FIRST_AGENT): a modification's first step goes there. */
  readonly firstAgentQueueArn: pulumi.Input<string>;
  /** The agent queues' key, where they use one: sending encrypts with it. */
  readonly queueKmsKeyArn?: pulumi.Input<string>;
  /** The WebSocket ticket key's secret (ticket authorization), encrypted with the Data key. */
  readonly ticketKeySecretArn?: pulumi.Input<string>;
}

/** The DynamoDB actions store.ts uses. */
export const TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:Query",
  "dynamodb:BatchWriteItem",
];

export function apiHandlerStatements(r: ApiHandlerRefs): Statement[] {
  return [
    {
      Sid: "UseTheTable",
      Effect: "Allow",
      Action: TABLE_ACTIONS,
      Resource: [
        r.tableArn,
        pulumi.interpolate`${r.tableArn}/index/${TABLE_KEYS.gsi1.name}`,
        pulumi.interpolate`${r.tableArn}/index/${TABLE_KEYS.gsi2.name}`,
      ],
    },
    {
      Sid: "SendToTheFirstAgentQueue",
      Effect: "Allow",
      Action: "sqs:SendMessage",
      Resource: r.firstAgentQueueArn,
    },
    ...(r.queueKmsKeyArn
      ? [
          {
            Sid: "EncryptForTheFirstAgentQueue",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: r.queueKmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": viaService(r.ctx, "sqs") } },
          },
        ]
      : []),
    {
      // Pre-signed links (files, docs, the agents' documents) act with these rights; templates are copied.
      Sid: "ReadArtifacts",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: READ_PREFIXES.map((prefix) => pulumi.interpolate`${r.bucketArn}/${prefix}*`),
    },
    {
      Sid: "WriteProjectFiles",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: pulumi.interpolate`${r.bucketArn}/${ARTIFACT_PREFIXES.projects}*`,
    },
    {
      Sid: "ListProjectAndTemplateFiles",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: r.bucketArn,
      Condition: {
        StringLike: { "s3:prefix": [`${ARTIFACT_PREFIXES.projects}*`, `${ARTIFACT_PREFIXES.templates}*`] },
      },
    },
    {
      Sid: "UseTheArtifactsKeyThroughS3",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: r.dataKeyArn,
      Condition: { StringEquals: { "kms:ViaService": viaService(r.ctx, "s3") } },
    },
    ...(r.ticketKeySecretArn
      ? [
          {
            Sid: "ReadTheTicketKey",
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: r.ticketKeySecretArn,
          },
          {
            Sid: "DecryptTheTicketKeyThroughSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: r.dataKeyArn,
            Condition: { StringEquals: { "kms:ViaService": viaService(r.ctx, "secretsmanager") } },
          },
        ]
      : []),
  ];
}

/** Every prefix the API reads: projects and templates, and the agents' plans, reports and manifests it links. */
const READ_PREFIXES = [
  ARTIFACT_PREFIXES.projects,
  ARTIFACT_PREFIXES.templates,
  ARTIFACT_PREFIXES.plans,
  ARTIFACT_PREFIXES.reports,
  ARTIFACT_PREFIXES.deployments,
];

export interface ApiAlarmArgs {
  readonly apiName: pulumi.Input<string>;
  readonly stageName: pulumi.Input<string>;
  readonly errorRatePercent: number;
  readonly latencyP95Ms: number;
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/**
 * 5XXError's Average is the share of requests that ended in a 5XX (each request counts 0 or 1), so the
 * rate needs no metric math; Latency p95 against the target.
 */
export function apiAlarms(
  parent: pulumi.Resource,
  name: string,
  a: ApiAlarmArgs,
): aws.cloudwatch.MetricAlarm[] {
  const common = {
    namespace: "AWS/ApiGateway",
    dimensions: { ApiName: a.apiName, Stage: a.stageName },
    period: 300,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    ...alarmActions(a.alarmTopicArn),
  };
  return [
    new aws.cloudwatch.MetricAlarm(
      `${name}-5xx-rate`,
      {
        ...common,
        alarmDescription: `More than ${a.errorRatePercent} % of ${name} API requests ended in a 5XX in 5 minutes`,
        metricName: "5XXError",
        statistic: "Average",
        evaluationPeriods: 1,
        threshold: a.errorRatePercent / 100,
      },
      { parent },
    ),
    new aws.cloudwatch.MetricAlarm(
      `${name}-latency-p95`,
      {
        ...common,
        alarmDescription: `${name} API p95 latency above ${a.latencyP95Ms} ms in 2 of 3 5-minute periods`,
        metricName: "Latency",
        extendedStatistic: "p95",
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        threshold: a.latencyP95Ms,
      },
      { parent },
    ),
  ];
}
