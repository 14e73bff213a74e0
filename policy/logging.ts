import { isLogRetention, LOG_RETENTION_DAYS } from "../lib/rules";
import { at, joinWords, list, present } from "./lib/checks";
import { ofKind, refersTo, resourcePolicy, stackPolicy, who } from "./lib/framework";
import { K } from "./lib/kinds";
import { isUnknown, parseJsonish, unknownAt } from "./lib/values";

/*
 * Logging and retention: VPC flow logs (a stack policy relating VPCs to flow logs), log-group retention,
 * load balancer and API Gateway access logs, EKS control-plane logs.
 */

export const vpcFlowLogs = stackPolicy(
  {
    name: "vpc-flow-logs",
    description: "Every VPC has a flow log.",
    domain: "logging",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Create an aws.ec2.FlowLog with vpcId set to the VPC, trafficType ALL (or REJECT to save cost), delivered " +
      "to a log group with retention or to S3.",
    references: { checkov: ["CKV2_AWS_11"], cdkNag: ["AwsSolutions-VPC7"], cis: ["3.7"] },
    kinds: [K.vpc, K.flowLog],
  },
  (resources, { guard }, add) => {
    const flowLogs = ofKind(resources, K.flowLog);
    for (const vpc of ofKind(resources, K.vpc)) {
      guard(() => {
        if (!flowLogs.some((f) => refersTo(f, "vpcId", vpc))) add(vpc, `${who(vpc)} has no flow log.`);
      });
    }
  },
);

export const logGroupRetention = resourcePolicy<{ minimumDays: number }>(
  {
    name: "log-group-retention",
    description: "Log groups set a retention period CloudWatch accepts, of at least the configured minimum.",
    domain: "logging",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: `Set retentionInDays to one of ${LOG_RETENTION_DAYS.join(", ")} (the stack's logRetentionDays).`,
    references: {
      checkov: ["CKV_AWS_66", "CKV_AWS_338"],
      cdkNag: [
        "NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod",
        "Serverless-CloudWatchLogGroupRetentionPeriod",
      ],
    },
    kinds: [K.logGroup],
    config: {
      minimumDays: {
        type: "integer",
        minimum: 1,
        default: 1,
        description: "Shortest acceptable retention in days.",
      },
    },
  },
  (res, { config }, add) => {
    const days = res.props.retentionInDays;
    if (days === undefined || days === null || days === 0)
      add(`${who(res)} keeps logs forever (no retentionInDays).`);
    else if (!isLogRetention(days))
      add(`${who(res)} sets retentionInDays ${days}, which CloudWatch Logs rejects.`);
    else if (days < config.minimumDays)
      add(`${who(res)} keeps logs ${days} days, less than ${config.minimumDays}.`);
  },
);

export const lbAccessLogs = resourcePolicy(
  {
    name: "lb-access-logs",
    description: "Application load balancers write access logs.",
    domain: "logging",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Set accessLogs: { bucket, prefix, enabled: true } with an SSE-S3 bucket whose policy lets " +
      "logdelivery.elasticloadbalancing.amazonaws.com put objects.",
    references: {
      checkov: ["CKV_AWS_91"],
      cdkNag: ["AwsSolutions-ELB2"],
      awsguard: ["elb-logging-enabled"],
      pulumi: ["aws-lb-loadbalancer-enable-access-logging", "aws-alb-loadbalancer-enable-access-logging"],
    },
    kinds: [K.loadBalancer],
  },
  (res, _ctx, add) => {
    const type = res.props.loadBalancerType ?? "application";
    if (type !== "application") return;
    if (at(res.raw, "accessLogs.enabled") !== true || !present(at(res.raw, "accessLogs.bucket")))
      add(`${who(res)} does not write access logs (accessLogs.enabled with a bucket).`);
  },
);

export const apiGatewayAccessLogs = resourcePolicy(
  {
    name: "api-gateway-access-logs",
    description: "API Gateway stages (REST, HTTP and WebSocket) write access logs.",
    domain: "logging",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Set accessLogSettings: { destinationArn: <log group ARN>, format: <JSON format with requestId> }.",
    references: {
      checkov: ["CKV_AWS_76"],
      cdkNag: ["AwsSolutions-APIG1", "Serverless-APIGWAccessLogging"],
      pulumi: ["aws-apigatewayv2-stage-enable-access-logging"],
    },
    kinds: [K.restApiStage, K.httpApiStage],
  },
  (res, _ctx, add) => {
    if (
      !present(at(res.raw, "accessLogSettings.destinationArn")) ||
      !present(at(res.raw, "accessLogSettings.format"))
    )
      add(`${who(res)} writes no access logs (accessLogSettings with destinationArn and format).`);
  },
);

export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const eksControlPlaneLogs = resourcePolicy<{ requiredLogTypes: string[] }>(
  {
    name: "eks-control-plane-logs",
    description: "EKS clusters send their control-plane logs to CloudWatch.",
    domain: "logging",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: `Set enabledClusterLogTypes to ${JSON.stringify(EKS_LOG_TYPES)} and create the /aws/eks/<name>/cluster log group with retention.`,
    references: { checkov: ["CKV_AWS_37"], cdkNag: ["AwsSolutions-EKS2"] },
    kinds: [K.eksCluster],
    config: {
      requiredLogTypes: {
        type: "array",
        items: { type: "string", enum: EKS_LOG_TYPES },
        default: EKS_LOG_TYPES,
        description: "Control-plane log types every cluster must enable.",
      },
    },
  },
  (res, { config }, add) => {
    const raw = res.raw["enabledClusterLogTypes"];
    if (isUnknown(raw)) return;
    const enabled = list(raw);
    const missing = config.requiredLogTypes.filter((t) => !enabled.includes(t));
    if (missing.length > 0) add(`${who(res)} does not log ${joinWords(missing)}.`);
  },
);

export const ecsContainerLogging = resourcePolicy(
  {
    name: "ecs-container-logging",
    description: "Every container of an ECS task definition sends its logs somewhere.",
    domain: "logging",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      'Give each container definition logConfiguration { logDriver: "awslogs", options: { "awslogs-group", ' +
      '"awslogs-region", "awslogs-stream-prefix" } } pointing at a log group with retention.',
    references: { cdkNag: ["AwsSolutions-ECS7"] },
    kinds: [K.ecsTaskDefinition],
  },
  (res, _ctx, add) => {
    const defs = res.raw["containerDefinitions"];
    if (isUnknown(defs)) unknownAt("containerDefinitions", defs);
    const silent = list(parseJsonish(defs))
      .filter((c) => !present(at(c, "logConfiguration.logDriver")))
      .map((c) => `'${String(at(c, "name"))}'`);
    if (silent.length > 0) add(`${who(res)} container ${joinWords(silent)} has no logConfiguration.`);
  },
);

export const ecsContainerInsights = resourcePolicy(
  {
    name: "ecs-container-insights",
    description: "ECS clusters collect Container Insights metrics.",
    domain: "logging",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: 'Add settings: [{ name: "containerInsights", value: "enhanced" }] (or "enabled").',
    references: { checkov: ["CKV_AWS_65"], cdkNag: ["AwsSolutions-ECS4"] },
    kinds: [K.ecsCluster],
  },
  (res, _ctx, add) => {
    const on = list(res.raw["settings"]).some(
      (x) =>
        at(x, "name") === "containerInsights" && ["enabled", "enhanced"].includes(String(at(x, "value"))),
    );
    if (!on) add(`${who(res)} does not enable Container Insights.`);
  },
);

export const alarmHasActions = resourcePolicy(
  {
    name: "alarm-has-actions",
    description: "CloudWatch alarms notify someone when they fire.",
    domain: "logging",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set alarmActions to the alerts topic ARN and leave actionsEnabled at true.",
    references: { checkov: ["CKV_AWS_319"], cdkNag: ["NIST.800.53.R5-CloudWatchAlarmAction"] },
    kinds: [K.metricAlarm],
  },
  (res, _ctx, add) => {
    if (res.raw["actionsEnabled"] === false) add(`${who(res)} has its actions disabled.`);
    else if (!present(res.raw["alarmActions"])) add(`${who(res)} notifies no one (no alarmActions).`);
  },
);

export const loggingPolicies = [
  vpcFlowLogs,
  logGroupRetention,
  lbAccessLogs,
  apiGatewayAccessLogs,
  eksControlPlaneLogs,
  ecsContainerLogging,
  ecsContainerInsights,
  alarmHasActions,
];
