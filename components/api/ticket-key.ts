import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "../shared/aws-context";
import { viaService } from "../shared/aws-context";
import { createPlatformFunction, functionBundles, stackScopedName } from "../lambda/function";

/*
 * The WebSocket ticket key (functions/shared/ticket.ts): a Secrets Manager secret whose value only its rotation
 * function writes (32 random bytes, functions/ticket-key-rotation), so the key never passes through config,
 * state or logs. Rotation runs once when it is set up (the first value) and then every ROTATION_DAYS; verifiers
 * accept the previous version too, so a rotation refuses no ticket.
 */

/** Days between rotations (the pack's secret-rotation policy allows at most 90). */
export const TICKET_KEY_ROTATION_DAYS = 30;

export interface TicketKeyArgs {
  readonly ctx: AwsContext;
  /** Encrypts the secret (the Data key). */
  readonly keyArn: pulumi.Input<string>;
  readonly logKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** The rotation function's standard alarms. */
  readonly functionAlarms: boolean;
}

export interface TicketKey {
  readonly secret: aws.secretsmanager.Secret;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
}

export function createTicketKey(parent: pulumi.Resource, name: string, args: TicketKeyArgs): TicketKey {
  const secret = new aws.secretsmanager.Secret(
    `${name}-ws-ticket-key`,
    { description: "Signs WebSocket tickets; written only by its rotation function", kmsKeyId: args.keyArn },
    { parent },
  );
  const fn = createPlatformFunction(parent, `${name}-ticket-key-rotation`, {
    description: "Rotates the WebSocket ticket key (32 random bytes)",
    functionName: stackScopedName(`${name}-ticket-key-rotation`),
    sizing: { memoryMb: 128, timeoutSeconds: 30, reservedConcurrency: -1 },
    environment: {},
    statements: [
      {
        Sid: "RotateTheTicketKey",
        Effect: "Allow",
        Action: [
          "secretsmanager:DescribeSecret",
          "secretsmanager:GetSecretValue",
          "secretsmanager:PutSecretValue",
          "secretsmanager:UpdateSecretVersionStage",
        ],
        Resource: secret.arn,
      },
      {
        Sid: "UseTheSecretsKeyThroughSecretsManager",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: args.keyArn,
        Condition: { StringEquals: { "kms:ViaService": viaService(args.ctx, "secretsmanager") } },
      },
    ],
    logKeyArn: args.logKeyArn,
    logRetentionDays: args.logRetentionDays,
    bundle: functionBundles().then((b) => b["ticket-key-rotation"]),
    alarmTopicArn: args.alarmTopicArn,
    alarms: args.functionAlarms,
  });
  // Secrets Manager may invoke it for this secret only.
  const permission = new aws.lambda.Permission(
    `${name}-ticket-key-rotation-invoke`,
    {
      action: "lambda:InvokeFunction",
      function: fn.function.name,
      principal: "secretsmanager.amazonaws.com",
      sourceArn: secret.arn,
    },
    { parent },
  );
  new aws.secretsmanager.SecretRotation(
    `${name}-ws-ticket-key-rotation`,
    {
      secretId: secret.id,
      rotationLambdaArn: fn.function.arn,
      rotationRules: { automaticallyAfterDays: TICKET_KEY_ROTATION_DAYS },
    },
    { parent, dependsOn: [permission, fn.rolePolicy] },
  );
  return { secret, alarms: fn.alarms };
}
