import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { capacityProviderStrategy, ContainerInsightsMode, FargateCapacity, TaskSettings } from "./args";
import type { TaskRoles } from "./iam";
import { containerHealthCheckCommand } from "./plan";

/*
 * The parts the web service and the agent worker share: cluster, image repository, an encrypted log group
 * and the task definition (the roles are in fargate/iam.ts). Children go under `parent` with names
 * derived from `name`.
 */

/** An ECS cluster's identity, as a service placed in it needs it. */
export interface ClusterRef {
  readonly arn: pulumi.Input<string>;
  readonly name: pulumi.Input<string>;
  /** The association of the Fargate capacity providers: services using them wait for it. */
  readonly capacityProviders?: pulumi.Resource;
}

/**
 * An ECS cluster with Container Insights and both Fargate capacity providers; `capacity` is the default
 * strategy (each service also sets its own, so the default only applies to tasks run by hand).
 */
export function createCluster(
  parent: pulumi.Resource,
  name: string,
  args: { containerInsights: ContainerInsightsMode; capacity: FargateCapacity },
): { cluster: aws.ecs.Cluster; capacityProviders: aws.ecs.ClusterCapacityProviders } {
  const cluster = new aws.ecs.Cluster(
    `${name}-cluster`,
    { settings: [{ name: "containerInsights", value: args.containerInsights }] },
    { parent },
  );
  const capacityProviders = new aws.ecs.ClusterCapacityProviders(
    `${name}-capacity`,
    {
      clusterName: cluster.name,
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
      defaultCapacityProviderStrategies: capacityProviderStrategy(args.capacity),
    },
    { parent },
  );
  return { cluster, capacityProviders };
}

/**
 * A private ECR repository: pushes are scanned, tags are immutable (a tag always names the image that was
 * tested), and only the newest `imagesKept` images are kept.
 */
export function createRepository(
  parent: pulumi.Resource,
  name: string,
  imagesKept: number,
): aws.ecr.Repository {
  const repository = new aws.ecr.Repository(
    name,
    {
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfigurations: [{ encryptionType: "AES256" }],
      forceDelete: false,
    },
    { parent },
  );
  new aws.ecr.LifecyclePolicy(
    `${name}-lifecycle`,
    {
      repository: repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Keep the newest ${imagesKept} images`,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: imagesKept },
            action: { type: "expire" },
          },
        ],
      }),
    },
    { parent },
  );
  return repository;
}

/**
 * The task's log group, encrypted with the stack's operations key (Observability.logsKeyArn), whose policy
 * admits CloudWatch Logs for `/ecs/<project>-<stack>/*`: hence the fixed name, unique per account and region.
 */
export function createLogGroup(
  parent: pulumi.Resource,
  name: string,
  retentionInDays: number,
  keyArn: pulumi.Input<string>,
): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { name: `/ecs/${pulumi.getProject()}-${pulumi.getStack()}/${name}`, retentionInDays, kmsKeyId: keyArn },
    { parent },
  );
}

export interface ContainerArgs {
  readonly task: TaskSettings;
  readonly image: pulumi.Input<string>;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly region: pulumi.Input<string>;
  readonly environment?: Record<string, pulumi.Input<string>>;
  /** Port the container listens on; with `healthCheckPath` it gets a container health check. */
  readonly port?: number;
  readonly healthCheckPath?: string;
  /** Read-only root file system with an ephemeral volume on /tmp. */
  readonly readOnlyRootFilesystem: boolean;
  /** Seconds between SIGTERM and SIGKILL (Fargate allows 120 at most, the Spot interruption notice). */
  readonly stopTimeout: number;
}

/** The name of the single container in each task definition (the ALB forwards to it by this name). */
export const CONTAINER_NAME = "app";
/** The ephemeral volume mounted on /tmp when the root file system is read-only. */
export const TMP_VOLUME = "tmp";

/** A Fargate task definition with one hardened container. */
export function createTaskDefinition(
  parent: pulumi.Resource,
  name: string,
  roles: TaskRoles,
  args: ContainerArgs,
): aws.ecs.TaskDefinition {
  const env = Object.entries(args.environment ?? {}).map(([k, v]) => ({ name: k, value: v }));
  const container = {
    name: CONTAINER_NAME,
    image: args.image,
    essential: true,
    user: args.task.user,
    readonlyRootFilesystem: args.readOnlyRootFilesystem,
    ...(args.readOnlyRootFilesystem
      ? { mountPoints: [{ sourceVolume: TMP_VOLUME, containerPath: "/tmp", readOnly: false }] }
      : {}),
    ...(args.port !== undefined
      ? { portMappings: [{ name: "http", containerPort: args.port, protocol: "tcp" }] }
      : {}),
    ...(args.port !== undefined && args.healthCheckPath !== undefined
      ? {
          healthCheck: {
            command: containerHealthCheckCommand(args.port, args.healthCheckPath),
            interval: 30,
            timeout: 5,
            retries: 3,
            startPeriod: 30,
          },
        }
      : {}),
    environment: env,
    secrets: args.task.secrets.map((s) => ({ name: s.name, valueFrom: s.valueFrom })),
    // No Linux capabilities at all (a non-root process on a port above 1024 needs none), and an init process
    // that reaps zombies and forwards SIGTERM.
    linuxParameters: { initProcessEnabled: true, capabilities: { add: [], drop: ["ALL"] } },
    stopTimeout: args.stopTimeout,
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": args.logGroup.name,
        "awslogs-region": args.region,
        "awslogs-stream-prefix": name,
        // A full log buffer must not block the application; 25 MB absorbs bursts.
        mode: "non-blocking",
        "max-buffer-size": "25m",
      },
    },
  };
  return new aws.ecs.TaskDefinition(
    `${name}-taskdef`,
    {
      family: `${pulumi.getProject()}-${pulumi.getStack()}-${name}`,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(args.task.cpu),
      memory: String(args.task.memory),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.task.architecture },
      executionRoleArn: roles.execution.arn,
      taskRoleArn: roles.task.arn,
      volumes: args.readOnlyRootFilesystem ? [{ name: TMP_VOLUME }] : [],
      containerDefinitions: pulumi.jsonStringify([container]),
    },
    { parent },
  );
}
