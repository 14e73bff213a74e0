import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EksNodeGroupSettings, EksTaint, instanceArchitecture } from "./args";
import { awsManagedPolicy, serviceTrust } from "../shared/policy-statements";

/** The launch template every node group of the cluster uses. */
export interface NodeLaunchTemplateArgs {
  /** Root volume size in GiB. */
  readonly diskSizeGib: number;
  /**
   * Tags for the instances and volumes the node groups launch: EKS does not copy node group tags to them and
   * the provider's defaultTags do not reach a launch template's tag specifications.
   */
  readonly instanceTags: Record<string, string>;
}

/**
 * `<name>-node-template`: IMDSv2 only with a hop limit of 1, so pods (one network hop further than the
 * node) cannot reach the instance metadata service and borrow the node role; each pod gets its own role
 * through IRSA instead. The root volume (/dev/xvda on Amazon Linux 2023) is gp3 and encrypted with the
 * account's aws/ebs key; a customer managed key would also need grants for the Auto Scaling service-linked
 * role. No AMI and no instance type: the node group picks both, and EKS keeps the AMI current.
 */
export function createNodeLaunchTemplate(
  parent: pulumi.Resource,
  name: string,
  args: NodeLaunchTemplateArgs,
): aws.ec2.LaunchTemplate {
  return new aws.ec2.LaunchTemplate(
    `${name}-node-template`,
    {
      description: "EKS nodes: IMDSv2 only (hop limit 1), encrypted gp3 root volume",
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: "disabled",
      },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: {
            volumeSize: args.diskSizeGib,
            volumeType: "gp3",
            encrypted: "true",
            deleteOnTermination: "true",
          },
        },
      ],
      tagSpecifications: ["instance", "volume"].map((resourceType) => ({
        resourceType,
        tags: { ...args.instanceTags, Name: `${name}-node` },
      })),
      tags: { Name: `${name}-node-template` },
    },
    { parent },
  );
}

export interface NodeGroupArgs {
  readonly clusterName: pulumi.Input<string>;
  /** Kubernetes version of the kubelet; follows the control plane's. */
  readonly version: pulumi.Input<string>;
  readonly nodeRoleArn: pulumi.Input<string>;
  /** Private subnets, one per zone. */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  readonly launchTemplate: aws.ec2.LaunchTemplate;
  readonly capacityType: "ON_DEMAND" | "SPOT";
  readonly sizes: EksNodeGroupSettings;
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly EksTaint[];
  /** Resources the nodes need before they can join (the CNI and kube-proxy add-ons, the role's policies). */
  readonly dependsOn: pulumi.Resource[];
}

/** The AMI type for the group's instance types: Amazon Linux 2023 of their CPU architecture. */
export function amiTypeFor(instanceTypes: readonly string[]): string {
  return instanceArchitecture(instanceTypes[0]) === "arm64"
    ? "AL2023_ARM_64_STANDARD"
    : "AL2023_x86_64_STANDARD";
}

/**
 * A managed node group in the private subnets. Its physical name is left to the provider, so a change that
 * replaces the group (instance types, capacity type) creates the new group before deleting the old one.
 * `desiredSize` is ignored after creation: the cluster autoscaler owns it, and `pulumi up` must not undo its
 * decisions.
 */
export function createNodeGroup(
  parent: pulumi.Resource,
  name: string,
  args: NodeGroupArgs,
): aws.eks.NodeGroup {
  return new aws.eks.NodeGroup(
    name,
    {
      clusterName: args.clusterName,
      version: args.version,
      nodeRoleArn: args.nodeRoleArn,
      subnetIds: args.subnetIds,
      capacityType: args.capacityType,
      amiType: amiTypeFor(args.sizes.instanceTypes),
      instanceTypes: [...args.sizes.instanceTypes],
      scalingConfig: {
        minSize: args.sizes.minSize,
        desiredSize: args.sizes.desiredSize,
        maxSize: args.sizes.maxSize,
      },
      launchTemplate: {
        id: args.launchTemplate.id,
        version: pulumi.interpolate`${args.launchTemplate.latestVersion}`,
      },
      updateConfig: { maxUnavailable: 1 },
      nodeRepairConfig: { enabled: true },
      labels: { ...(args.labels ?? {}) },
      taints: (args.taints ?? []).map((t) => ({ ...t })),
      tags: { Name: name },
    },
    { parent, dependsOn: args.dependsOn, ignoreChanges: ["scalingConfig.desiredSize"] },
  );
}

/**
 * The nodes' role (`<name>-node-role`): what the kubelet needs to join and pull images, nothing more. The
 * CNI's permissions are on its own IRSA role, and the ECR policy is the pull-only one.
 */
export function createNodeRole(
  parent: pulumi.Resource,
  name: string,
  partition: pulumi.Input<string>,
  clusterName: string,
): { role: aws.iam.Role; attachments: aws.iam.RolePolicyAttachment[] } {
  const role = new aws.iam.Role(
    `${name}-node-role`,
    {
      description: `EKS nodes of ${clusterName}`,
      assumeRolePolicy: serviceTrust("ec2.amazonaws.com", { actions: ["sts:AssumeRole"] }),
    },
    { parent },
  );
  const attachments = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"].map(
    (policy, i) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-node-role-${i}`,
        { role: role.name, policyArn: awsManagedPolicy(partition, policy) },
        { parent },
      ),
  );
  return { role, attachments };
}

/** The Container Insights alarms: metric, statistic, threshold and 5-minute periods. */
export const NODE_ALARMS = [
  {
    suffix: "failed-nodes",
    metric: "cluster_failed_node_count",
    statistic: "Maximum",
    threshold: 0,
    periods: 2,
  },
  { suffix: "node-cpu", metric: "node_cpu_utilization", statistic: "Average", threshold: 80, periods: 3 },
  {
    suffix: "node-memory",
    metric: "node_memory_utilization",
    statistic: "Average",
    threshold: 85,
    periods: 3,
  },
];

/**
 * Alarms on the metrics the CloudWatch observability add-on publishes: a node that failed, and nodes running
 * hot on CPU or memory for 15 minutes (time to scale out, or a runaway pod). `<name>-<suffix>`.
 */
export function createNodeAlarms(
  parent: pulumi.Resource,
  name: string,
  clusterName: string,
  topic: pulumi.Input<string>,
): aws.cloudwatch.MetricAlarm[] {
  return NODE_ALARMS.map(
    (s) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${s.suffix}`,
        {
          alarmDescription: `${clusterName}: ${s.metric} ${s.statistic.toLowerCase()} above ${s.threshold} for ${s.periods * 5} minutes`,
          namespace: "ContainerInsights",
          metricName: s.metric,
          dimensions: { ClusterName: clusterName },
          statistic: s.statistic,
          period: 300,
          evaluationPeriods: s.periods,
          threshold: s.threshold,
          comparisonOperator: "GreaterThanThreshold",
          // No data means no node reporting at all; the node groups' own health shows that.
          treatMissingData: "notBreaching",
          alarmActions: [topic],
          okActions: [topic],
        },
        { parent },
      ),
  );
}
