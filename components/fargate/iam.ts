import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "../shared/aws-context";
import { serviceTrust } from "../shared/policy-statements";

/*
 * The two roles of a Fargate task, each allowed exactly its resources: the execution role (what ECS does
 * before the container starts) and the task role (what the application calls). Both trust only ECS tasks
 * of this account in this region.
 */

/** Lets ECS tasks of this account, and no one else's, assume a role (confused-deputy protection). */
function ecsTasksTrust(ctx: AwsContext) {
  return serviceTrust("ecs-tasks.amazonaws.com", {
    condition: {
      StringEquals: { "aws:SourceAccount": ctx.accountId },
      ArnLike: {
        "aws:SourceArn": pulumi.interpolate`arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:*`,
      },
    },
  });
}

export interface TaskRoles {
  readonly execution: aws.iam.Role;
  readonly task: aws.iam.Role;
  /** Policies the service must wait for: a task started before them cannot pull, log or read its secrets. */
  readonly policies: aws.iam.RolePolicy[];
}

/**
 * The execution role (what ECS does before the container starts: pull the image, create the log stream,
 * read the injected secrets) and the task role (what the application itself may call), each allowed exactly
 * its resources.
 */
export function createTaskRoles(
  parent: pulumi.Resource,
  name: string,
  ctx: AwsContext,
  args: {
    logGroup: aws.cloudwatch.LogGroup;
    /** The repository the image is pulled from, when it is the stack's own. */
    repository?: aws.ecr.Repository;
    secretArns: readonly string[];
    /** What the application calls (e.g. its queue). Default: nothing. */
    taskStatements?: pulumi.Input<Record<string, unknown>>[];
  },
): TaskRoles {
  const execution = new aws.iam.Role(
    `${name}-execution-role`,
    {
      description: `Starts the ${name} tasks: image pull, logs, secrets`,
      assumeRolePolicy: ecsTasksTrust(ctx),
    },
    { parent },
  );
  const statements: pulumi.Input<Record<string, unknown>>[] = [
    {
      Sid: "WriteTaskLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: pulumi.interpolate`${args.logGroup.arn}:log-stream:*`,
    },
  ];
  if (args.repository) {
    statements.push(
      {
        Sid: "PullTheImage",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        Resource: args.repository.arn,
      },
      {
        // GetAuthorizationToken has no resource-level permissions: AWS accepts only "*" for it.
        Sid: "RegistryLogin",
        Effect: "Allow",
        Action: "ecr:GetAuthorizationToken",
        Resource: "*",
      },
    );
  }
  if (args.secretArns.length > 0) {
    statements.push({
      Sid: "ReadInjectedSecrets",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: [...args.secretArns],
    });
  }
  const policies = [
    new aws.iam.RolePolicy(
      `${name}-execution-policy`,
      { role: execution.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) },
      { parent },
    ),
  ];

  const task = new aws.iam.Role(
    `${name}-task-role`,
    { description: `The ${name} application's own permissions`, assumeRolePolicy: ecsTasksTrust(ctx) },
    { parent },
  );
  if (args.taskStatements && args.taskStatements.length > 0) {
    policies.push(
      new aws.iam.RolePolicy(
        `${name}-task-policy`,
        {
          role: task.id,
          policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: args.taskStatements }),
        },
        { parent },
      ),
    );
  }
  return { execution, task, policies };
}
