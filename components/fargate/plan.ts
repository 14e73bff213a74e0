import * as pulumi from "@pulumi/pulumi";
import type { Problem } from "../../lib/problems";
import type { ImageSource } from "./args";
import type { InterfaceEndpointService, NatStrategy } from "../network/args";
import { privateReachProblem } from "../network/plan";

/*
 * Pure decisions of the Fargate components (names, placement, health checks, log delivery), kept apart from
 * resource code so they are tested without mocks and read the same in the service and the worker.
 */

/** What the Fargate components need of the Network component (which satisfies it). */
export interface FargateNetwork {
  readonly vpcId: pulumi.Input<string>;
  readonly publicSubnetIds: pulumi.Input<string[]>;
  readonly privateSubnetIds: pulumi.Input<string[]>;
  readonly natStrategy: NatStrategy;
  readonly interfaceEndpoints: readonly InterfaceEndpointService[];
}

/** Pulumi's auto-names append `-` and 7 hex digits to the logical name. */
export const AUTONAME_SUFFIX = 8;
/** ALB and target group names: at most 32 characters (ELBv2 CreateLoadBalancer / CreateTargetGroup). */
export const ELB_NAME_MAX = 32;
/** Suffixes of the logical names whose generated physical names have AWS length limits. */
export const LOAD_BALANCER_SUFFIX = "-alb";
export const TARGET_GROUP_SUFFIX = "-tg";

/**
 * Why `name` cannot be a Fargate component's name, or undefined. It is the stem of the ALB, target group and
 * ECR repository names, so it must give names ELBv2 and ECR accept once Pulumi appends its suffix.
 */
export function componentNameProblem(name: string): string | undefined {
  if (!/^[a-z](?:[a-z0-9-]*[a-z0-9])?$/.test(name))
    return `name "${name}" must be lower-case letters, digits and inner hyphens, starting with a letter (it names the ECR repository and load balancer)`;
  const longest = name.length + LOAD_BALANCER_SUFFIX.length + AUTONAME_SUFFIX;
  if (longest > ELB_NAME_MAX)
    return (
      `name "${name}" gives a load balancer name of ${longest} characters ` +
      `(name + "${LOAD_BALANCER_SUFFIX}" + ${AUTONAME_SUFFIX}); ELBv2 allows at most ${ELB_NAME_MAX}`
    );
  return undefined;
}

/** The component's name as a problem of its arguments (see componentNameProblem). */
export function nameProblems(name: string): Problem[] {
  const problem = componentNameProblem(name);
  return problem ? [{ key: "name", value: name, allowed: problem }] : [];
}

/** Where tasks run, and why (the reason goes into the code's comments and the docs, not the resources). */
export interface Placement {
  tier: "private" | "public";
  assignPublicIp: boolean;
}

/**
 * AWS services a task reaches before its container starts: the image registry and CloudWatch Logs, and
 * Secrets Manager when secrets are injected. An image outside the stack's ECR repository needs the internet.
 */
export function startupServices(image: ImageSource, hasSecrets: boolean): string[] {
  const services = image.kind === "repository" ? ["ecr.api", "ecr.dkr", "s3"] : ["internet"];
  return [...services, "logs", ...(hasSecrets ? ["secretsmanager"] : [])];
}

/**
 * Private subnets when the tasks reach every service they need from there (a NAT gateway, or interface
 * endpoints for all of them). Otherwise, and only when the stack has no NAT gateway at all (natStrategy
 * none), the public subnets with a public IP: that is what lets a task pull its image and write its logs
 * without a NAT gateway (about $33 a month) or interface endpoints (about $15 each in two zones). The task's
 * security group still admits nothing from the internet.
 */
export function placeTasks(
  natStrategy: NatStrategy,
  interfaceEndpoints: readonly InterfaceEndpointService[],
  services: readonly string[],
): Placement {
  return privateReachProblem(natStrategy, interfaceEndpoints, services) === undefined
    ? { tier: "private", assignPublicIp: false }
    : { tier: "public", assignPublicIp: true };
}

/**
 * What every ECS service here shares: its network placement (`placeTasks`), deployments that keep the old tasks
 * until the new ones are healthy and roll back when they never become healthy, ECS-managed tags propagated
 * from the service, no ECS Exec (no shell into a task), and `pulumi up` not waiting for a steady state. A
 * public IP is allowed only with the policy exemption `publicIpReason` explains.
 */
export function ecsServiceSettings(
  network: FargateNetwork,
  placement: Placement,
  securityGroupId: pulumi.Input<string>,
  publicIpReason: string,
) {
  return {
    platformVersion: "LATEST",
    networkConfiguration: {
      subnets: placement.tier === "private" ? network.privateSubnetIds : network.publicSubnetIds,
      securityGroups: [securityGroupId],
      assignPublicIp: placement.assignPublicIp,
    },
    deploymentCircuitBreaker: { enable: true, rollback: true },
    deploymentMinimumHealthyPercent: 100,
    deploymentMaximumPercent: 200,
    enableEcsManagedTags: true,
    propagateTags: "SERVICE",
    enableExecuteCommand: false,
    waitForSteadyState: false,
    ...(placement.assignPublicIp ? { tags: { "policy-exempt:no-public-ip": publicIpReason } } : {}),
  };
}

/**
 * The container health check: a request to the health check path on localhost with the image's `wget`
 * (BusyBox or GNU). The path was validated to hold no quote or shell character, so it is safe in single quotes.
 */
export function containerHealthCheckCommand(port: number, path: string): string[] {
  if (!/^\/[A-Za-z0-9._~/?=&%-]*$/.test(path)) throw new Error(`health check path ${path} is not allowed`);
  return ["CMD-SHELL", `wget -q -O /dev/null 'http://127.0.0.1:${port}${path}' || exit 1`];
}

/**
 * Accounts through which Elastic Load Balancing delivers access logs in the regions that existed before
 * August 2022 (AWS: "Enable access logs for your Application Load Balancer"). Regions opened since then use
 * the service principal logdelivery.elasticloadbalancing.amazonaws.com instead.
 */
export const ELB_LOG_ACCOUNTS: Record<string, string> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-southeast-3": "589379963580",
  "ap-south-1": "718504428378",
  "ap-northeast-3": "383597477331",
  "ap-northeast-2": "600734575887",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-northeast-1": "582318560864",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-south-1": "635631232127",
  "eu-west-3": "009996457667",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
  "us-gov-west-1": "048591011584",
  "us-gov-east-1": "190560391635",
  "cn-north-1": "638102146993",
  "cn-northwest-1": "037604701340",
};

/**
 * The bucket policy statement that lets the region's load balancers write access logs under
 * `<bucketArn>/<prefix>/AWSLogs/<account>/`: the regional ELB account where there is one, else the log
 * delivery service principal, held to this account's load balancers.
 */
export function elbLogDeliveryStatement(
  region: string,
  partition: string,
  accountId: string,
  bucketArn: string,
  prefix: string,
): Record<string, unknown> {
  const resource = `${bucketArn}/${prefix}/AWSLogs/${accountId}/*`;
  const elbAccount = ELB_LOG_ACCOUNTS[region];
  if (elbAccount)
    return {
      Sid: "ElbWritesAccessLogs",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${elbAccount}:root` },
      Action: "s3:PutObject",
      Resource: resource,
    };
  return {
    Sid: "ElbWritesAccessLogs",
    Effect: "Allow",
    Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: resource,
    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
  };
}
