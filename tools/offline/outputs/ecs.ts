import { MockTable, hex, uuid } from "./context";

export const ECS_OUTPUTS: MockTable = {
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (c) => {
    const { inputs } = c;
    return { id: String(inputs["clusterName"]) };
  },
  "aws:appautoscaling/target:Target": (c) => {
    const { inputs, seed } = c;
    return {
      id: String(inputs["resourceId"]),
      arn: c.arn("application-autoscaling", `scalable-target/${hex(seed, 32)}`),
    };
  },
  "aws:appautoscaling/policy:Policy": (c) => {
    const { inputs, seed, physical } = c;
    return {
      id: physical,
      arn: c.arn(
        "autoscaling",
        `scalingPolicy:${uuid(seed)}:resource/${String(inputs["resourceId"])}:policyName/${physical}`,
      ),
      alarmArns: [],
    };
  },
  "aws:ecs/cluster:Cluster": (c) => {
    const { physical } = c;
    return { id: c.arn("ecs", `cluster/${physical}`), arn: c.arn("ecs", `cluster/${physical}`) };
  },
  "aws:ecs/service:Service": (c) => {
    const { physical } = c;
    return { id: c.arn("ecs", `service/${physical}`) };
  },
  "aws:ecs/taskDefinition:TaskDefinition": (c) => {
    const { inputs, physical } = c;
    const family = String(inputs["family"] ?? physical);
    return {
      id: family,
      arn: c.arn("ecs", `task-definition/${family}:1`),
      revision: 1,
      arnWithoutRevision: c.arn("ecs", `task-definition/${family}`),
    };
  },
};
