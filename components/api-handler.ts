import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ARTIFACT_PREFIXES, TABLE_KEYS } from "../functions/api/lib/table-schema";
import { AwsContext, viaService } from "./aws-context";
import { alarmActions } from "./lambda-function";

/*
 * What the api-handler may do, and the API's own alarms. Read functions/api/lib/store.ts for the DynamoDB calls
 * (Get, Put, Update, Delete, Query on the table and both indexes, BatchWrite when a project is deleted),
 * functions/api/index.ts for SQS SendMessage and the pre-signed S3 GetObject URLs.
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
      Sid: "ReadProjectArtifacts",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: pulumi.interpolate`${r.bucketArn}/${ARTIFACT_PREFIXES.projects}*`,
    },
    {
      Sid: "DecryptProjectArtifacts",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: r.dataKeyArn,
      Condition: { StringEquals: { "kms:ViaService": viaService(r.ctx, "s3") } },
    },
  ];
}

export interface ApiAlarmArgs {
  readonly apiName: pulumi.Input<string>;
  readonly stageName: pulumi.Input<string>;
  readonly errorRatePercent: number;
  readonly latencyP95Ms: number;
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/**
 * 5XXError's Average is the share of requests that ended in a 5XX (each request counts 0 or 1), so the
 * rate needs no metric math; Latency p95 against seed 003's target.
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
