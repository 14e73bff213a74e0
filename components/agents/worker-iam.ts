import * as pulumi from "@pulumi/pulumi";
import type { AgentName } from "../../contracts/agents";
import { AGENT_ARTIFACTS, ARTIFACT_PREFIXES } from "../../contracts/artifacts";
import { DETAIL_TYPES, EVENT_SOURCE } from "../../contracts/events";
import { CONNECTIONS_TABLE } from "../../contracts/connections";
import { AwsContext, viaService } from "../shared/aws-context";

/*
 * What one agent worker may do, each statement on exact ARNs (X-Ray's write actions take no resource). Read
 * functions/agent-worker/task-store.ts for the table calls (GetItem, PutItem, UpdateItem on the table only),
 * worker.ts for SendMessage (continuations to its own queue), secrets.ts for GetSecretValue, and
 * functions/shared/status-push.ts for the status push (Query on the byProject index, Query and BatchWriteItem
 * to forget a gone connection, PostToConnection), bedrock-runner.ts for Converse (bedrock:InvokeModel on the
 * agents' one model), workflow.ts for the bus and the artifacts (functions/shared/artifact-store.ts).
 */

type Statement = Record<string, unknown>;

/** The WebSocket API's side of the status push (the WebSocketApi component's outputs). */
export interface StatusPushRefs {
  readonly connectionsTableName: pulumi.Input<string>;
  readonly connectionsTableArn: pulumi.Input<string>;
  /** https://<api-id>.execute-api.<region>.amazonaws.com/<stage> */
  readonly managementEndpoint: pulumi.Input<string>;
  /** arn:<partition>:execute-api:<region>:<account>:<api-id>/<stage>/POST/@connections/* */
  readonly manageConnectionsArn: pulumi.Input<string>;
}

export interface AgentWorkerRefs {
  readonly ctx: AwsContext;
  readonly agent: AgentName;
  readonly queueArn: pulumi.Input<string>;
  readonly queueKmsKeyArn?: pulumi.Input<string>;
  readonly tableArn: pulumi.Input<string>;
  /** The Data key: the table's, and the provider secrets'. */
  readonly dataKeyArn: pulumi.Input<string>;
  readonly secretArns: pulumi.Input<string>[];
  /** The agents' model: its foundation-model ARN (or a profile's ARN and its models' ARNs). */
  readonly modelArns: pulumi.Input<string>[];
  readonly statusPush?: StatusPushRefs;
  readonly workflow?: WorkflowRefs;
}

/**
 * The DynamoDB actions task-store.ts and records.ts use, and the project log's appends (functions/shared/
 * project-log.ts: Query for the newest id, a conditional PutItem).
 */
export const TASK_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:Query",
];

/** The WebSocket push (functions/shared/status-push.ts): find a project's subscribers, forget gone ones, post. */
export function pushStatements(push: StatusPushRefs): Statement[] {
  return [
    {
      Sid: "FindAndForgetSubscribers",
      Effect: "Allow",
      Action: ["dynamodb:Query", "dynamodb:BatchWriteItem"],
      Resource: [
        push.connectionsTableArn,
        pulumi.interpolate`${push.connectionsTableArn}/index/${CONNECTIONS_TABLE.byProject.name}`,
      ],
    },
    {
      Sid: "PushStatusToSubscribers",
      Effect: "Allow",
      Action: "execute-api:ManageConnections",
      Resource: push.manageConnectionsArn,
    },
  ];
}

export function agentWorkerStatements(r: AgentWorkerRefs): Statement[] {
  const via = (...services: string[]) => services.map((s) => viaService(r.ctx, s));
  const push = r.statusPush;
  return [
    {
      Sid: "ConsumeItsQueue",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:SendMessage"],
      Resource: r.queueArn,
    },
    ...(r.queueKmsKeyArn
      ? [
          {
            Sid: "UseTheQueueKey",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: r.queueKmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": via("sqs") } },
          },
        ]
      : []),
    { Sid: "RecordTaskStatus", Effect: "Allow", Action: TASK_TABLE_ACTIONS, Resource: r.tableArn },
    {
      Sid: "ReadTheProviderSecrets",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: r.secretArns,
    },
    // Converse is authorised as bedrock:InvokeModel; the runner does not stream.
    {
      Sid: "ConverseWithTheAgentModel",
      Effect: "Allow",
      Action: "bedrock:InvokeModel",
      Resource: r.modelArns,
    },
    {
      Sid: "DecryptWithTheDataKey",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: r.dataKeyArn,
      Condition: { StringEquals: { "kms:ViaService": via("dynamodb", "secretsmanager") } },
    },
    ...(push ? pushStatements(push) : []),
    ...(r.workflow ? workflowStatements(r.ctx, r.agent, r.workflow) : []),
  ];
}

/** The workflow's side of an agent: the bus, and the artifacts bucket. */
export interface WorkflowRefs {
  /** The bus completion events go to. */
  readonly busArn: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  /** The bucket's key (the Data key). */
  readonly bucketKeyArn: pulumi.Input<string>;
}

/**
 * An agent writes its artifacts under its one prefix and reads the prefixes its steps need
 * (contracts/artifacts.ts AGENT_ARTIFACTS), lists project files only, and puts only completion events, from the
 * agents' source, on the bus.
 */
export function workflowStatements(ctx: AwsContext, agent: AgentName, w: WorkflowRefs): Statement[] {
  const { writes, reads } = AGENT_ARTIFACTS[agent];
  return [
    {
      Sid: "PublishCompletionEvents",
      Effect: "Allow",
      Action: "events:PutEvents",
      Resource: w.busArn,
      Condition: {
        StringEquals: { "events:source": EVENT_SOURCE, "events:detail-type": DETAIL_TYPES.taskCompleted },
      },
    },
    {
      Sid: "WriteItsArtifacts",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: pulumi.interpolate`${w.bucketArn}/${writes}*`,
    },
    {
      Sid: "ReadTheArtifactsItNeeds",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: reads.map((prefix) => pulumi.interpolate`${w.bucketArn}/${prefix}*`),
    },
    {
      Sid: "ListProjectFiles",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: w.bucketArn,
      Condition: { StringLike: { "s3:prefix": `${ARTIFACT_PREFIXES.projects}*` } },
    },
    {
      Sid: "UseTheBucketKeyThroughS3",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: w.bucketKeyArn,
      Condition: { StringEquals: { "kms:ViaService": viaService(ctx, "s3") } },
    },
  ];
}
