import * as pulumi from "@pulumi/pulumi";
import { CONNECTIONS_TABLE } from "../functions/ws/schema";
import { AwsContext, viaService } from "./aws-context";

/*
 * What one agent worker may do, each statement on exact ARNs (X-Ray's write actions take no resource). Read
 * functions/agent-worker/task-store.ts for the table calls (GetItem, PutItem, UpdateItem on the table only),
 * worker.ts for SendMessage (continuations to its own queue), secrets.ts for GetSecretValue, and
 * functions/shared/status-push.ts for the status push (Query on the byProject index, Query and BatchWriteItem
 * to forget a gone connection, PostToConnection), bedrock-runner.ts for Converse (bedrock:InvokeModel on the
 * agents' one model).
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
  readonly queueArn: pulumi.Input<string>;
  readonly queueKmsKeyArn?: pulumi.Input<string>;
  readonly tableArn: pulumi.Input<string>;
  /** The Data key: the table's, and the provider secrets'. */
  readonly dataKeyArn: pulumi.Input<string>;
  readonly secretArns: pulumi.Input<string>[];
  /** The agents' model: its foundation-model ARN (or a profile's ARN and its models' ARNs). */
  readonly modelArns: pulumi.Input<string>[];
  readonly statusPush?: StatusPushRefs;
}

/** The DynamoDB actions task-store.ts uses. */
export const TASK_TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"];

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
    ...(push
      ? [
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
        ]
      : []),
  ];
}
