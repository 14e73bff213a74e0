import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/*
 * Autoscaling and alarms of the Fargate services: target tracking on CPU and memory (web) or on the queue's
 * backlog per task (worker), and alarms that notify the alerts topic. Children go under `parent`.
 */

/** The ECS service autoscaling acts on. */
export interface ScaledService {
  readonly clusterName: pulumi.Input<string>;
  readonly service: aws.ecs.Service;
}

function scalableTarget(parent: pulumi.Resource, name: string, svc: ScaledService, min: number, max: number) {
  return new aws.appautoscaling.Target(
    `${name}-scaling`,
    {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: pulumi.interpolate`service/${svc.clusterName}/${svc.service.name}`,
      minCapacity: min,
      maxCapacity: max,
    },
    { parent },
  );
}

function targetTracking(
  parent: pulumi.Resource,
  name: string,
  target: aws.appautoscaling.Target,
  configuration: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration,
) {
  return new aws.appautoscaling.Policy(
    name,
    {
      policyType: "TargetTrackingScaling",
      serviceNamespace: target.serviceNamespace,
      scalableDimension: target.scalableDimension,
      resourceId: target.resourceId,
      targetTrackingScalingPolicyConfiguration: configuration,
    },
    { parent },
  );
}

/** Target tracking on average CPU and memory between `min` and `max` tasks. */
export function scaleOnUtilization(
  parent: pulumi.Resource,
  name: string,
  svc: ScaledService,
  args: { min: number; max: number; cpuPercent: number; memoryPercent: number },
): void {
  const target = scalableTarget(parent, name, svc, args.min, args.max);
  const metrics = [
    ["cpu", "ECSServiceAverageCPUUtilization", args.cpuPercent],
    ["memory", "ECSServiceAverageMemoryUtilization", args.memoryPercent],
  ] as const;
  for (const [short, metric, targetValue] of metrics) {
    targetTracking(parent, `${name}-${short}-scaling`, target, {
      predefinedMetricSpecification: { predefinedMetricType: metric },
      targetValue,
      // Out fast, in slowly: a burst of agent traffic should not wait, and flapping costs cold starts.
      scaleOutCooldown: 60,
      scaleInCooldown: 300,
    });
  }
}

/**
 * Target tracking on visible messages per running task (AWS's recommended SQS metric for ECS): the queue's
 * ApproximateNumberOfMessagesVisible divided by Container Insights' RunningTaskCount, aiming at
 * `backlogPerTask`. SQS stops publishing for an idle queue, so a missing backlog counts as 0. The minimum is
 * at least one task: the division needs a running task.
 */
export function scaleOnBacklog(
  parent: pulumi.Resource,
  name: string,
  svc: ScaledService,
  args: { min: number; max: number; queueName: pulumi.Input<string>; backlogPerTask: number },
): void {
  const target = scalableTarget(parent, name, svc, args.min, args.max);
  targetTracking(parent, `${name}-backlog-scaling`, target, {
    targetValue: args.backlogPerTask,
    scaleOutCooldown: 60,
    // Agent messages take minutes: scale in slowly so a task is not stopped in the middle of one.
    scaleInCooldown: 600,
    customizedMetricSpecification: {
      metrics: [
        {
          id: "visible",
          returnData: false,
          metricStat: {
            metric: {
              namespace: "AWS/SQS",
              metricName: "ApproximateNumberOfMessagesVisible",
              dimensions: [{ name: "QueueName", value: args.queueName }],
            },
            stat: "Average",
          },
        },
        {
          id: "running",
          returnData: false,
          metricStat: {
            metric: {
              namespace: "ECS/ContainerInsights",
              metricName: "RunningTaskCount",
              dimensions: [
                { name: "ClusterName", value: svc.clusterName },
                { name: "ServiceName", value: svc.service.name },
              ],
            },
            stat: "Average",
          },
        },
        {
          id: "backlogPerTask",
          expression: "FILL(visible, 0) / running",
          label: "Messages per task",
          returnData: true,
        },
      ],
    },
  });
}

function alarmActions(topic: pulumi.Input<string> | undefined) {
  return topic ? { alarmActions: [topic], okActions: [topic] } : {};
}

/** CPU and memory above 90 % for 15 minutes: autoscaling is at its maximum or cannot keep up. */
export function utilizationAlarms(
  parent: pulumi.Resource,
  name: string,
  svc: ScaledService,
  topic: pulumi.Input<string> | undefined,
): aws.cloudwatch.MetricAlarm[] {
  return (
    [
      ["cpu", "CPUUtilization"],
      ["memory", "MemoryUtilization"],
    ] as const
  ).map(
    ([short, metricName]) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${short}-high`,
        {
          alarmDescription: `${name}: ${metricName} above 90% for 15 minutes - autoscaling is at its maximum or cannot keep up`,
          namespace: "AWS/ECS",
          metricName,
          dimensions: { ClusterName: svc.clusterName, ServiceName: svc.service.name },
          statistic: "Average",
          period: 300,
          evaluationPeriods: 3,
          threshold: 90,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          ...alarmActions(topic),
        },
        { parent },
      ),
  );
}

/** 5xx responses (from the tasks or from the load balancer itself) and targets failing health checks. */
export function loadBalancerAlarms(
  parent: pulumi.Resource,
  name: string,
  lb: { loadBalancer: aws.lb.LoadBalancer; targetGroup: aws.lb.TargetGroup },
  topic: pulumi.Input<string> | undefined,
): aws.cloudwatch.MetricAlarm[] {
  const dims = { LoadBalancer: lb.loadBalancer.arnSuffix, TargetGroup: lb.targetGroup.arnSuffix };
  const count = (id: string, metricName: string, dimensions: Record<string, pulumi.Input<string>>) => ({
    id,
    metric: { namespace: "AWS/ApplicationELB", metricName, dimensions, stat: "Sum", period: 300 },
  });
  return [
    new aws.cloudwatch.MetricAlarm(
      `${name}-5xx`,
      {
        alarmDescription: `${name}: more than 10 5xx responses in 5 minutes (from the tasks or from the load balancer)`,
        metricQueries: [
          count("target", "HTTPCode_Target_5XX_Count", dims),
          count("elb", "HTTPCode_ELB_5XX_Count", { LoadBalancer: lb.loadBalancer.arnSuffix }),
          {
            id: "total",
            expression: "FILL(target, 0) + FILL(elb, 0)",
            label: "5xx responses",
            returnData: true,
          },
        ],
        evaluationPeriods: 1,
        threshold: 10,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...alarmActions(topic),
      },
      { parent },
    ),
    new aws.cloudwatch.MetricAlarm(
      `${name}-unhealthy-hosts`,
      {
        alarmDescription: `${name}: a target failed its health checks for 3 minutes`,
        namespace: "AWS/ApplicationELB",
        metricName: "UnHealthyHostCount",
        dimensions: dims,
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 3,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...alarmActions(topic),
      },
      { parent },
    ),
  ];
}
