import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "../../lib/problems";
import {
  AGENT_CONTAINER_HEALTH,
  AGENT_CONTAINER_STOP_TIMEOUT_SECONDS,
} from "../../contracts/agent-container";
import { AGENT_CONTAINER_SERVICES, capacityProviderStrategy, WorkerSettings, workerProblems } from "./args";
import { agentContainer, FargateAgentArgs, pushAgentImage } from "./agent";
import { ecsServiceSettings, FargateNetwork, nameProblems, placeTasks, startupServices } from "./plan";
import { scaleOnBacklog, utilizationAlarms } from "./scaling";
import { scaleFromZero } from "./scaling-zero";
import { ClusterRef, createCluster, createLogGroup, createRepository, createTaskDefinition } from "./task";
import { createTaskRoles } from "./iam";
import { QueuePair } from "../shared/queue-pair";
import { httpsOut } from "../shared/security-group-rules";
import { PlatformComponent } from "../shared/tagging";
import { awsContext } from "../shared/aws-context";

export interface FargateWorkerArgs extends WorkerSettings {
  /** The subnets and NAT the tasks use (the Network component). No default. */
  readonly network: FargateNetwork;
  /** The queue the worker consumes (`Queues.pairs[name]`). No default. */
  readonly queue: QueuePair;
  /** The KMS key encrypting the queue (`Queues.kmsKeyArn`), when there is one: the worker needs kms:Decrypt. */
  readonly queueKmsKeyArn?: pulumi.Input<string>;
  /** The cluster to run in (the web service's). Default: a cluster of the worker's own. */
  readonly cluster?: ClusterRef;
  /** Retention of the task log group, in days. No default. */
  readonly logRetentionDays: number;
  /** The key of the task log group: the stack's operations key (Observability.logsKeyArn). No default. */
  readonly logKeyArn: pulumi.Input<string>;
  /** The alerts topic; alarms notify it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** Images the worker's ECR repository keeps. Default: 10. */
  readonly imagesKept?: number;
  /** What else the agent calls (e.g. bedrock:InvokeModel on one model). Default: only its queue. */
  readonly taskStatements?: pulumi.Input<Record<string, unknown>>[];
  /**
   * Run this agent's container (containers/agent), built and pushed to the worker's repository, with the Lambda
   * agent's grants and environment (agent.ts). Default: the configured image, consuming the queue.
   */
  readonly agent?: FargateAgentArgs;
}

/** Every problem with `args`, as one Error naming the component. */
export function checkFargateWorkerArgs(name: string, args: FargateWorkerArgs): void {
  throwIfProblems("FargateWorker", name, [...nameProblems(name), ...workerProblems(args)]);
}

/**
 * `agent-platform:index:FargateWorker` (SQS -> ECS Fargate agents): an ECS service without a load
 * balancer whose tasks consume one agent queue, scaled on the queue's backlog per running task, with only
 * the queue permissions a consumer needs. Tasks run on Fargate Spot above `onDemandBase`: a task interrupted
 * mid-message leaves the message to reappear after the visibility timeout, which is the queue's contract.
 */
export class FargateWorker extends PlatformComponent {
  readonly serviceName: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly repositoryUrl: pulumi.Output<string>;
  /**
   * The tasks' security group: give it to a server's `clients` (Database, Cache) to let the agent reach it;
   * the server adds the egress rule on this group.
   */
  readonly tasksSecurityGroupId: pulumi.Output<string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: FargateWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    checkFargateWorkerArgs(name, args);
    super("agent-platform:index:FargateWorker", name, "agent-worker", opts);
    const ctx = awsContext(this);
    const capacity = { onDemandBase: args.onDemandBase, onDemandWeight: 0, spotWeight: 1 };
    let cluster: ClusterRef;
    const dependsOn: pulumi.Resource[] = [];
    if (args.cluster) {
      cluster = args.cluster;
      if (args.cluster.capacityProviders) dependsOn.push(args.cluster.capacityProviders);
    } else {
      const own = createCluster(this, name, {
        containerInsights: args.containerInsights,
        capacity,
      });
      cluster = own.cluster;
      dependsOn.push(own.capacityProviders);
    }

    const repository = createRepository(this, `${name}-images`, args.imagesKept ?? 10);
    const fromRepository = args.image.kind === "repository";
    const logGroup = createLogGroup(this, name, args.logRetentionDays, args.logKeyArn);
    const queueArn = args.queue.queue.arn;
    const agent =
      args.agent &&
      agentContainer(this, name, ctx, args.agent, args.queue, args.queueKmsKeyArn, cluster.name);
    const roles = createTaskRoles(this, name, ctx, {
      logGroup,
      repository: fromRepository ? repository : undefined,
      secretArns: args.secrets.map((s) => s.secretArn),
      taskStatements: agent?.statements ?? [
        {
          Sid: "ConsumeTheQueue",
          Effect: "Allow",
          Action: [
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
          ],
          Resource: queueArn,
        },
        ...(args.queueKmsKeyArn
          ? [
              {
                Sid: "DecryptTheQueue",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: args.queueKmsKeyArn,
              },
            ]
          : []),
        ...(args.taskStatements ?? []),
      ],
    });
    // The agent's image by the digest its push produced: a task never runs anything but what was pushed.
    const image = args.agent
      ? pushAgentImage(this, name, repository, args.agent.build, args.architecture).imageUri
      : args.image.kind === "uri"
        ? args.image.uri
        : pulumi.interpolate`${repository.repositoryUrl}:${args.image.tag}`;
    const taskDefinition = createTaskDefinition(this, name, roles, {
      task: args,
      image,
      logGroup,
      region: ctx.region,
      environment: agent?.environment ?? {
        QUEUE_URL: args.queue.queue.url,
        // How long the agent may work on one message before SQS hands it to another consumer.
        CONSUMER_TIMEOUT_SECONDS: String(args.queue.consumerTimeoutSeconds),
      },
      ...(agent ? { port: AGENT_CONTAINER_HEALTH.port, healthCheckPath: AGENT_CONTAINER_HEALTH.path } : {}),
      readOnlyRootFilesystem: true,
      // Fargate's maximum, the length of a Spot interruption notice: time to finish or release a message.
      stopTimeout: AGENT_CONTAINER_STOP_TIMEOUT_SECONDS,
    });

    const placement = placeTasks(
      args.network.natStrategy,
      args.network.interfaceEndpoints,
      agent
        ? [...AGENT_CONTAINER_SERVICES]
        : [...startupServices(args.image, args.secrets.length > 0), "sqs"],
    );
    // No inbound rule; out over HTTPS (image pulls, logs, secrets, SQS). Standalone rules only (servers add
    // their own rule out to them; see shared/security-group-rules.ts).
    const tasksSg = new aws.ec2.SecurityGroup(
      `${name}-tasks-sg`,
      {
        vpcId: args.network.vpcId,
        description: `Tasks of ${name}: no inbound traffic (standalone rules)`,
        tags: { Name: `${name}-tasks-sg` },
      },
      { parent: this },
    );
    httpsOut(this, `${name}-tasks-https`, tasksSg.id);
    const settings = ecsServiceSettings(
      args.network,
      placement,
      tasksSg.id,
      "natStrategy none: without NAT or endpoints the tasks reach ECR and SQS through a public IP - " +
        "their security group admits no inbound traffic",
    );
    const service = new aws.ecs.Service(
      name,
      {
        cluster: cluster.arn,
        taskDefinition: taskDefinition.arn,
        desiredCount: args.minTasks,
        capacityProviderStrategies: capacityProviderStrategy(capacity),
        // As for the web service: private subnets, or public with a public IP only without a NAT gateway when
        // the private subnets lack endpoints for the registry, logs and SQS.
        ...settings,
        ...(args.minTasks === 0
          ? {
              tags: {
                ...settings.tags,
                "policy-exempt:multi-az":
                  "a queue worker scaling from zero keeps no standing task to lose in a zone failure - its tasks " +
                  "start in private subnets of every zone and the message of a lost task returns to the queue",
              },
            }
          : {}),
      },
      {
        parent: this,
        dependsOn: [...dependsOn, ...roles.policies, ...(agent ? [agent.secretVersion] : [])],
        ignoreChanges: ["desiredCount"],
      },
    );

    const scaled = { clusterName: cluster.name, service };
    if (args.minTasks === 0)
      scaleFromZero(this, name, scaled, {
        max: args.maxTasks,
        queueName: args.queue.queue.name,
        backlogPerTask: args.backlogPerTask,
      });
    else
      scaleOnBacklog(this, name, scaled, {
        min: args.minTasks,
        max: args.maxTasks,
        queueName: args.queue.queue.name,
        backlogPerTask: args.backlogPerTask,
      });
    this.alarms = utilizationAlarms(this, name, scaled, args.alarmTopicArn);

    this.serviceName = service.name;
    this.clusterName = pulumi.output(cluster.name);
    this.repositoryUrl = repository.repositoryUrl;
    this.tasksSecurityGroupId = tasksSg.id;
    this.registerOutputs({
      serviceName: this.serviceName,
      clusterName: this.clusterName,
      repositoryUrl: this.repositoryUrl,
      tasksSecurityGroupId: this.tasksSecurityGroupId,
    });
  }
}
