import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Problem, throwIfProblems } from "../../lib/problems";
import { EksSettings, eksProblems } from "./args";
import { createAddon, VPC_CNI_CONFIGURATION } from "./addons";
import { createControlPlane, kubeconfigFor } from "./control-plane";
import { createIrsaRoles } from "./iam";
import { createNodeAlarms, createNodeGroup, createNodeLaunchTemplate, createNodeRole } from "./nodes";
import { createSampleApp } from "./sample-app";
import { createControllers } from "./workloads";
import { PlatformComponent } from "../shared/tagging";
import { awsContext } from "../shared/aws-context";

export interface EksClusterArgs extends EksSettings {
  /** The VPC of the private subnets. No default. */
  readonly vpcId: pulumi.Input<string>;
  /** Private subnets in two or more zones: control-plane network interfaces and nodes go there. No default. */
  readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Physical cluster name. Default: `<project>-<stack>-<name>`. */
  readonly clusterName?: string;
  /** Retention of the control-plane log group, in days. No default. */
  readonly logRetentionDays: number;
  /** Topic the cluster's alarms notify. No default. */
  readonly alarmTopicArn: pulumi.Input<string>;
  /** Stack tags (Environment, Project, Owner) for what AWS creates beyond Pulumi: nodes, volumes, ALBs. No default. */
  readonly tags: Readonly<Record<string, string>>;
  /** `protect` the cluster and its secrets key, and turn on its deletion protection. Default: false. */
  readonly protect?: boolean;
}

const FUNCTION_TAG = "eks";

/** Every problem with the arguments, as one Error naming the component; checked before anything is registered. */
export function checkEksClusterArgs(name: string, args: EksClusterArgs, clusterName: string): void {
  const problems: Problem[] = [...eksProblems(args)];
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(clusterName))
    problems.push({
      key: "clusterName",
      value: clusterName,
      allowed: "must be 1-100 letters, digits, _ and -, starting alphanumeric",
    });
  throwIfProblems("EksCluster", name, problems);
}

/**
 * `agent-platform:index:EksCluster`: an EKS cluster with a private API endpoint, secrets envelope-encrypted
 * with its own KMS key, all control-plane logs, access entries (authentication mode API), managed node groups
 * in the private subnets (IMDSv2 with hop limit 1, encrypted gp3 volumes), IRSA roles for the controllers,
 * the managed add-ons, Container Insights alarms, and, through a Kubernetes provider built from the cluster,
 * the AWS Load Balancer Controller, the cluster autoscaler and the sample app.
 *
 * Built from plain aws.eks resources rather than @pulumi/eks: its Cluster and node groups are remote
 * components, one opaque registration under mocks, so neither the tests nor the policy pack could see the
 * endpoint settings, encryption, log types, launch template, node role or IRSA trust policies they judge.
 * The pieces live in eks/control-plane.ts, eks/iam.ts, eks/nodes.ts, eks/addons.ts, eks/workloads.ts and
 * eks/sample-app.ts; this class wires them in order.
 */
export class EksCluster extends PlatformComponent {
  readonly clusterName: pulumi.Output<string>;
  readonly clusterArn: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  /** The security group EKS creates for the control plane and nodes. */
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly nodeRoleArn: pulumi.Output<string>;
  /** A kubeconfig using `aws eks get-token`; a secret. */
  readonly kubeconfig: pulumi.Output<string>;
  /** Alarm name -> ARN. */
  readonly alarms: pulumi.Output<Record<string, string>>;
  /** DNS name of the sample app's load balancer, once the controller made it; undefined without the app. */
  readonly sampleAppHostname?: pulumi.Output<string>;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const clusterName = args.clusterName ?? `${pulumi.getProject()}-${pulumi.getStack()}-${name}`;
    checkEksClusterArgs(name, args, clusterName);
    super("agent-platform:index:EksCluster", name, FUNCTION_TAG, opts);
    const ctx = awsContext(this);
    const awsTags = { ...args.tags, Function: FUNCTION_TAG };

    const cluster = createControlPlane(this, name, ctx, {
      clusterName,
      version: args.version,
      privateSubnetIds: args.privateSubnetIds,
      publicAccessCidrs: args.publicAccessCidrs ?? [],
      adminRoleArns: args.adminRoleArns ?? [],
      logRetentionDays: args.logRetentionDays,
      protect: args.protect ?? false,
    });
    const roles = createIrsaRoles(this, name, ctx, cluster, { clusterName, vpcId: args.vpcId });

    // Nodes become Ready only once the CNI (and kube-proxy) run: those add-ons come first.
    const addonArgs = { clusterName: cluster.name, versions: args.addonVersions ?? {} };
    const vpcCni = createAddon(this, name, "vpc-cni", {
      ...addonArgs,
      serviceAccountRoleArn: roles.vpcCni.arn,
      configurationValues: VPC_CNI_CONFIGURATION,
    });
    const kubeProxy = createAddon(this, name, "kube-proxy", addonArgs);

    const nodeRole = createNodeRole(this, name, ctx.partition, clusterName);
    const groupArgs = {
      clusterName: cluster.name,
      version: cluster.version,
      nodeRoleArn: nodeRole.role.arn,
      subnetIds: args.privateSubnetIds,
      launchTemplate: createNodeLaunchTemplate(this, name, {
        diskSizeGib: args.nodes.diskSizeGib,
        instanceTags: awsTags,
      }),
      dependsOn: [vpcCni, kubeProxy, ...nodeRole.attachments],
    };
    const nodeGroups = [
      createNodeGroup(this, `${name}-nodes`, {
        ...groupArgs,
        capacityType: "ON_DEMAND",
        sizes: args.nodes,
        labels: args.nodes.labels,
        taints: args.nodes.taints,
      }),
    ];
    if (args.spot) {
      nodeGroups.push(
        createNodeGroup(this, `${name}-spot`, {
          ...groupArgs,
          capacityType: "SPOT",
          sizes: args.spot,
          labels: { "workload-class": "interruptible" },
          taints: [{ key: "spot", value: "true", effect: "NO_SCHEDULE" }],
        }),
      );
    }

    // Add-ons that run as pods come after the nodes: one whose pods cannot be scheduled never turns ACTIVE.
    const afterNodes = { ...addonArgs, dependsOn: nodeGroups };
    const coredns = createAddon(this, name, "coredns", afterNodes);
    createAddon(this, name, "aws-ebs-csi-driver", { ...afterNodes, serviceAccountRoleArn: roles.ebsCsi.arn });
    createAddon(this, name, "amazon-cloudwatch-observability", {
      ...afterNodes,
      serviceAccountRoleArn: roles.cloudWatch.arn,
    });
    // The HorizontalPodAutoscaler reads CPU use from the metrics API, which EKS does not serve by itself.
    const metricsServer = createAddon(this, name, "metrics-server", afterNodes);

    const alarms = createNodeAlarms(this, name, clusterName, args.alarmTopicArn);
    this.kubeconfig = kubeconfigFor(cluster, clusterName, ctx.region);

    if (args.workloads) {
      // Children take `{ parent: this }` only; Kubernetes objects also name this provider, built from the
      // cluster's own outputs (the stack's AWS provider cannot reach inside the cluster).
      const provider = new k8s.Provider(
        `${name}-k8s`,
        { kubeconfig: this.kubeconfig, enableServerSideApply: true },
        { parent: this },
      );
      const controllers = createControllers(this, name, provider, {
        clusterName,
        region: ctx.region,
        vpcId: args.vpcId,
        kubernetesVersion: args.version,
        loadBalancerControllerChartVersion: args.workloads.loadBalancerControllerChartVersion,
        clusterAutoscalerChartVersion: args.workloads.clusterAutoscalerChartVersion,
        loadBalancerControllerRoleArn: roles.loadBalancerController.arn,
        clusterAutoscalerRoleArn: roles.clusterAutoscaler.arn,
        awsTags,
        dependsOn: [...nodeGroups, coredns],
      });
      if (args.workloads.sampleApp) {
        this.sampleAppHostname = createSampleApp(this, name, provider, {
          ...args.workloads.sampleApp,
          ingressClass: controllers.ingressClass,
          dependsOn: [controllers.loadBalancerController, metricsServer],
        });
      }
    }

    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.endpoint = cluster.endpoint;
    this.clusterSecurityGroupId = cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId ?? "");
    this.oidcProviderArn = roles.oidcProvider.arn;
    this.nodeRoleArn = nodeRole.role.arn;
    this.alarms = pulumi
      .all(alarms.map((a) => pulumi.all([a.name, a.arn])))
      .apply((pairs) => Object.fromEntries(pairs));
    this.registerOutputs({
      clusterName: this.clusterName,
      clusterArn: this.clusterArn,
      endpoint: this.endpoint,
      clusterSecurityGroupId: this.clusterSecurityGroupId,
      oidcProviderArn: this.oidcProviderArn,
      nodeRoleArn: this.nodeRoleArn,
      kubeconfig: this.kubeconfig,
      alarms: this.alarms,
    });
  }
}
