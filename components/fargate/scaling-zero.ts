import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MAX_STEPS } from "./args";
import type { ScaledService } from "./scaling";

/*
 * Scaling a queue worker from zero tasks: target tracking cannot (its backlog per running task divides by zero
 * and scales a zero capacity by a ratio), so two step-scaling policies set the task count outright from the
 * queue's backlog (messages waiting plus in flight): out as soon as there is work, to ceil(backlog /
 * backlogPerTask) up to the maximum; in to zero after the queue has been empty for a while. A task working on a
 * message protects itself from scale-in (the container's ECS task protection), so setting fewer tasks stops only
 * idle ones.
 */

export { MAX_STEPS };
/** Minutes the queue must be empty before the last tasks stop (a new task costs a cold start of a minute). */
export const IDLE_MINUTES_BEFORE_ZERO = 10;

/**
 * The step adjustments that set ceil(backlog / backlogPerTask) tasks, at most `max`, for an alarm whose threshold
 * is a backlog of 1 (bounds are relative to it). Pure, for the tests.
 */
export function backlogSteps(
  max: number,
  backlogPerTask: number,
): { metricIntervalLowerBound: string; metricIntervalUpperBound?: string; scalingAdjustment: number }[] {
  return Array.from({ length: max }, (_, i) => ({
    metricIntervalLowerBound: String(i * backlogPerTask),
    ...(i < max - 1 ? { metricIntervalUpperBound: String((i + 1) * backlogPerTask) } : {}),
    scalingAdjustment: i + 1,
  }));
}

/** The queue's backlog: visible and in-flight messages (SQS publishes nothing for an idle queue: 0). */
function backlogQueries(
  queueName: pulumi.Input<string>,
): aws.types.input.cloudwatch.MetricAlarmMetricQuery[] {
  const metric = (id: string, metricName: string) => ({
    id,
    metric: {
      namespace: "AWS/SQS",
      metricName,
      dimensions: { QueueName: queueName },
      stat: "Maximum",
      period: 60,
    },
  });
  return [
    metric("visible", "ApproximateNumberOfMessagesVisible"),
    metric("inflight", "ApproximateNumberOfMessagesNotVisible"),
    { id: "backlog", expression: "FILL(visible, 0) + FILL(inflight, 0)", label: "Backlog", returnData: true },
  ];
}

export function scaleFromZero(
  parent: pulumi.Resource,
  name: string,
  svc: ScaledService,
  args: { max: number; queueName: pulumi.Input<string>; backlogPerTask: number },
): { policies: aws.appautoscaling.Policy[]; alarms: aws.cloudwatch.MetricAlarm[] } {
  if (args.max < 1 || args.max > MAX_STEPS)
    throw new Error(`${name}: scaling from zero needs 1 to ${MAX_STEPS} tasks at most, got ${args.max}`);
  const target = new aws.appautoscaling.Target(
    `${name}-scaling`,
    {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: pulumi.interpolate`service/${svc.clusterName}/${svc.service.name}`,
      minCapacity: 0,
      maxCapacity: args.max,
    },
    { parent },
  );
  const policy = (
    suffix: string,
    cooldown: number,
    stepAdjustments: aws.types.input.appautoscaling.PolicyStepScalingPolicyConfigurationStepAdjustment[],
  ) =>
    new aws.appautoscaling.Policy(
      `${name}-${suffix}`,
      {
        policyType: "StepScaling",
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        stepScalingPolicyConfiguration: {
          adjustmentType: "ExactCapacity",
          cooldown,
          metricAggregationType: "Maximum",
          stepAdjustments,
        },
      },
      { parent },
    );
  const out = policy("scale-out", 60, backlogSteps(args.max, args.backlogPerTask));
  const zero = policy("scale-to-zero", 300, [{ metricIntervalUpperBound: "0", scalingAdjustment: 0 }]);
  // Auto Scaling alarms invoke their policy every minute while in ALARM, so the count follows the backlog.
  const alarm = (
    suffix: string,
    description: string,
    comparisonOperator: string,
    evaluationPeriods: number,
    treatMissingData: string,
    action: aws.appautoscaling.Policy,
  ) =>
    new aws.cloudwatch.MetricAlarm(
      `${name}-${suffix}`,
      {
        alarmDescription: `${name}: ${description} (scaling, not a page)`,
        metricQueries: backlogQueries(args.queueName),
        threshold: 1,
        comparisonOperator,
        evaluationPeriods,
        treatMissingData,
        alarmActions: [action.arn],
      },
      { parent },
    );
  return {
    policies: [out, zero],
    alarms: [
      alarm(
        "backlog",
        "messages waiting or in flight: run ceil(backlog / backlogPerTask) tasks",
        "GreaterThanOrEqualToThreshold",
        1,
        "notBreaching",
        out,
      ),
      alarm(
        "idle",
        `no message for ${IDLE_MINUTES_BEFORE_ZERO} minutes: stop the idle tasks`,
        "LessThanThreshold",
        IDLE_MINUTES_BEFORE_ZERO,
        "breaching",
        zero,
      ),
    ],
  };
}
