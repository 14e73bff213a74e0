import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { nested, throwIfProblems } from "../../lib/problems";
import { capacityProviderStrategy, WebServiceSettings, webServiceProblems } from "./args";
import { createAlb, ORIGIN_VERIFY_HEADER } from "./alb";
import { createEdge, DEFAULT_STATIC_PATHS, ServiceDomain } from "./edge";
import { ecsServiceSettings, FargateNetwork, nameProblems, placeTasks, startupServices } from "./plan";
import { loadBalancerAlarms, scaleOnUtilization, utilizationAlarms } from "./scaling";
import {
  ClusterRef,
  CONTAINER_NAME,
  createCluster,
  createLogGroup,
  createRepository,
  createTaskDefinition,
} from "./task";
import { createTaskRoles } from "./iam";
import { egressToGroup, httpsOut, ingressFromGroup } from "../shared/security-group-rules";
import { PlatformComponent } from "../shared/tagging";
import { awsContext } from "../shared/aws-context";
import { WAF_FIELDS, WafSettings, wafProblems } from "../shared/waf-args";

export { FargateNetwork } from "./plan";

export interface FargateServiceArgs extends WebServiceSettings {
  /** The subnets and NAT the tasks and the load balancer use (the Network component). No default. */
  readonly network: FargateNetwork;
  /** The CloudFront web ACL's rate limit and AWS managed rule groups. No default. */
  readonly waf: WafSettings;
  /** The header value CloudFront sends and the ALB requires (config `originVerifySecret`). No default. */
  readonly originVerifySecret: pulumi.Input<string>;
  /** Retention of the task log group and of the ALB access logs, in days. No default. */
  readonly logRetentionDays: number;
  /** The key of the task log group: the stack's operations key (Observability.logsKeyArn). No default. */
  readonly logKeyArn: pulumi.Input<string>;
  /**
   * The public name and the origin's, with their certificates from Dns (which also owns their Route 53
   * records): CloudFront answers on the name and reaches the ALB over HTTPS. Default: none (cloudfront.net).
   */
  readonly domain?: ServiceDomain;
  /** The alerts topic; alarms notify it on ALARM and OK. Default: none. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /**
   * An AWS provider in us-east-1, where CloudFront's web ACL and certificate must live. Default: the
   * component's provider, which is only right when the stack itself is in us-east-1.
   */
  readonly usEast1Provider?: aws.Provider;
  /** `protect` on the access log bucket (config `protectStateful`). Default: false. */
  readonly protectStateful?: boolean;
  /** Path patterns CloudFront caches as static assets. Default: /static/* and /assets/*. */
  readonly staticPaths?: readonly string[];
}

/** Every problem with `args`, as one Error naming the component; checked before anything is registered. */
export function checkFargateServiceArgs(name: string, args: FargateServiceArgs): void {
  throwIfProblems("FargateService", name, [
    ...nameProblems(name),
    ...webServiceProblems(args),
    ...wafProblems(args.waf, nested(WAF_FIELDS, "waf")),
  ]);
}

/**
 * `agent-platform:index:FargateService`: a containerized web service on ECS Fargate (Spot where config says
 * so) behind an ALB that only CloudFront can use, CloudFront with WAF in front, autoscaled on CPU and memory,
 * with alarms on CPU, memory, 5xx responses and unhealthy targets.
 *
 * Built from plain @pulumi/aws resources (not awsx.ecs.FargateService, a remote component whose children the
 * tests and the policy pack could not see).
 */
export class FargateService extends PlatformComponent {
  /** The ECS cluster, for other services (the agent worker) to run in. */
  readonly cluster: ClusterRef;
  readonly clusterName: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly albDnsName: pulumi.Output<string>;
  /** The ALB's hosted zone id, for alias records to it (Dns points origin.<domain> at it). */
  readonly albZoneId: pulumi.Output<string>;
  readonly cloudfrontDomainName: pulumi.Output<string>;
  /** Its CLOUDFRONT-scope WAF web ACL, for other distributions to share (the frontend's). */
  readonly webAclArn: pulumi.Output<string>;
  /** https://<domain> with a domain, else https://<distribution>.cloudfront.net. */
  readonly url: pulumi.Output<string>;
  readonly repositoryUrl: pulumi.Output<string>;
  /** The tasks' security group, for data stores that admit the service (the database, the cache). */
  readonly tasksSecurityGroupId: pulumi.Output<string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: FargateServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    checkFargateServiceArgs(name, args);
    super("agent-platform:index:FargateService", name, "web-service", opts);
    const ctx = awsContext(this);
    const { cluster, capacityProviders } = createCluster(this, name, {
      containerInsights: args.containerInsights,
      capacity: args.capacity,
    });

    // The repository exists whatever the image: it is where CI pushes the application (the repositoryUrl
    // output), and switching serviceImage to "" then runs serviceImageTag from it.
    const repository = createRepository(this, `${name}-images`, args.imagesKept);
    const fromRepository = args.image.kind === "repository";
    const logGroup = createLogGroup(this, name, args.logRetentionDays, args.logKeyArn);
    const roles = createTaskRoles(this, name, ctx, {
      logGroup,
      repository: fromRepository ? repository : undefined,
      secretArns: args.secrets.map((s) => s.secretArn),
    });
    const taskDefinition = createTaskDefinition(this, name, roles, {
      task: args,
      image:
        args.image.kind === "uri"
          ? args.image.uri
          : pulumi.interpolate`${repository.repositoryUrl}:${args.image.tag}`,
      logGroup,
      region: ctx.region,
      environment: { PORT: String(args.containerPort) },
      port: args.containerPort,
      healthCheckPath: args.healthCheckPath,
      readOnlyRootFilesystem: args.readOnlyRootFilesystem,
      // Spot gives two minutes' notice; the ALB drains in 30 s, then the app has the rest to finish requests.
      stopTimeout: 90,
    });

    const alb = createAlb(this, name, {
      vpcId: args.network.vpcId,
      publicSubnetIds: args.network.publicSubnetIds,
      containerPort: args.containerPort,
      healthCheckPath: args.healthCheckPath,
      originVerifySecret: args.originVerifySecret,
      certificateArn: args.domain?.originCertificateArn,
      accessLogDays: args.albAccessLogs ? args.logRetentionDays : undefined,
      protectLogs: args.protectStateful ?? false,
      ctx,
    });

    const placement = placeTasks(
      args.network.natStrategy,
      args.network.interfaceEndpoints,
      startupServices(args.image, args.secrets.length > 0),
    );
    // Standalone rules only (shared/security-group-rules.ts): a server the tasks use (database, cache) adds its own
    // rule out to it, which inline rules on this group would revoke at the next refresh and update.
    const tasksSg = new aws.ec2.SecurityGroup(
      `${name}-tasks-sg`,
      {
        vpcId: args.network.vpcId,
        description: `Tasks of ${name}: the load balancer only (standalone rules)`,
        tags: { Name: `${name}-tasks-sg` },
      },
      { parent: this },
    );
    ingressFromGroup(this, `${name}-tasks-from-alb`, {
      to: tasksSg.id,
      from: alb.securityGroup.id,
      port: args.containerPort,
      description: "From the load balancer",
    });
    // Image pulls, logs, secrets and the AWS APIs the application calls, all over HTTPS.
    httpsOut(this, `${name}-tasks-https`, tasksSg.id);
    egressToGroup(this, `${name}-alb-to-tasks`, {
      from: alb.securityGroup.id,
      to: tasksSg.id,
      port: args.containerPort,
      description: "To the tasks",
    });

    const service = new aws.ecs.Service(
      name,
      {
        cluster: cluster.arn,
        taskDefinition: taskDefinition.arn,
        desiredCount: args.desiredTasks,
        capacityProviderStrategies: capacityProviderStrategy(args.capacity),
        // Private subnets, unless the stack has no NAT gateway (natStrategy none) and the private subnets lack
        // endpoints for the image registry and CloudWatch Logs: then the public subnets with a public IP, so the
        // task can pull its image and ship logs; its security group still admits the ALB only.
        ...ecsServiceSettings(
          args.network,
          placement,
          tasksSg.id,
          "natStrategy none: without NAT or endpoints the tasks pull images and ship logs through a " +
            "public IP - their security group admits only the load balancer",
        ),
        loadBalancers: [
          {
            targetGroupArn: alb.targetGroup.arn,
            containerName: CONTAINER_NAME,
            containerPort: args.containerPort,
          },
        ],
        healthCheckGracePeriodSeconds: 60,
      },
      {
        parent: this,
        // The target group must belong to a listener, and the roles must work, before tasks start.
        dependsOn: [alb.forwardRule, capacityProviders, ...roles.policies],
        // Autoscaling owns the task count after creation; `pulumi up` must not reset it.
        ignoreChanges: ["desiredCount"],
      },
    );

    const edge = createEdge(this, name, {
      originDomainName: args.domain?.originName ?? alb.loadBalancer.dnsName,
      originProtocol: args.domain ? "https-only" : "http-only",
      originVerifySecret: args.originVerifySecret,
      domain: args.domain,
      waf: args.waf,
      staticPaths: args.staticPaths ?? DEFAULT_STATIC_PATHS,
      usEast1Provider: args.usEast1Provider,
      region: ctx.region,
      ...(args.domain
        ? {}
        : {
            tags: {
              "policy-exempt:cloudfront-origin-tls":
                "no domain so the ALB has no certificate CloudFront could validate: the origin is http-only - " +
                `reachable only from the CloudFront prefix list and refused without the ${ORIGIN_VERIFY_HEADER} header`,
            },
          }),
    });
    const scaled = { clusterName: cluster.name, service };
    scaleOnUtilization(this, name, scaled, {
      min: args.minTasks,
      max: args.maxTasks,
      cpuPercent: args.targetCpuPercent,
      memoryPercent: args.targetMemoryPercent,
    });
    this.alarms = [
      ...utilizationAlarms(this, name, scaled, args.alarmTopicArn),
      ...loadBalancerAlarms(this, name, alb, args.alarmTopicArn),
    ];

    this.cluster = { arn: cluster.arn, name: cluster.name, capacityProviders };
    this.clusterName = cluster.name;
    this.serviceName = service.name;
    this.albDnsName = alb.loadBalancer.dnsName;
    this.albZoneId = alb.loadBalancer.zoneId;
    this.cloudfrontDomainName = edge.distribution.domainName;
    this.webAclArn = edge.webAcl.arn;
    this.url = args.domain
      ? pulumi.output(`https://${args.domain.name}`)
      : pulumi.interpolate`https://${edge.distribution.domainName}`;
    this.repositoryUrl = repository.repositoryUrl;
    this.tasksSecurityGroupId = tasksSg.id;
    this.registerOutputs({
      clusterName: this.clusterName,
      serviceName: this.serviceName,
      albDnsName: this.albDnsName,
      cloudfrontDomainName: this.cloudfrontDomainName,
      url: this.url,
      repositoryUrl: this.repositoryUrl,
      tasksSecurityGroupId: this.tasksSecurityGroupId,
    });
  }
}
