import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  EksAddonName,
  EksNodeGroupConfig,
  EksTaint,
  instanceArchitecture,
  instanceTypeProblem,
} from "../config/eks";
import { parseCidr } from "../lib/rules";
import { createAddon, VPC_CNI_CONFIGURATION } from "./eks-addons";
import { createControlPlane, kubeconfigFor } from "./eks-control-plane";
import { createIrsaRoles } from "./eks-iam";
import { createNodeAlarms, createNodeGroup, createNodeLaunchTemplate, createNodeRole } from "./eks-nodes";
import { createSampleApp } from "./eks-sample-app";
import { createControllers } from "./eks-workloads";
import { PlatformComponent } from "./tagging";
import { awsContext } from "./aws-context";

export interface EksClusterArgs {
  readonly vpcId: pulumi.Input<string>;
  /** Private subnets in two or more zones: control-plane network interfaces and nodes go there. */
  readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Kubernetes version, major.minor. */
  readonly version: string;
  /** Physical cluster name. Default: `<project>-<stack>-<name>`. */
  readonly clusterName?: string;
  /** Networks allowed to reach the public endpoint. Default: none (private endpoint only). */
  readonly publicAccessCidrs?: readonly string[];
  /** IAM roles given cluster-admin through access entries. Default: none. */
  readonly adminRoleArns?: readonly string[];
  /** The on-demand node group. */
  readonly nodes: EksNodeGroupConfig & {
    readonly diskSizeGib: number;
    readonly labels?: Readonly<Record<string, string>>;
    readonly taints?: readonly EksTaint[];
  };
  /** A Spot node group for interruptible work, tainted `spot=true:NoSchedule`. Default: none. */
  readonly spot?: EksNodeGroupConfig;
  /** Pinned add-on versions. Default: AWS's default for `version`. */
  readonly addonVersions?: Readonly<Partial<Record<EksAddonName, string>>>;
  /** Retention of the control-plane log group, in days. */
  readonly logRetentionDays: number;
  /** Topic the cluster's alarms notify. */
  readonly alarmTopicArn: pulumi.Input<string>;
  /** Stack tags (Environment, Project, Owner) for what AWS creates beyond Pulumi: nodes, volumes, ALBs. */
  readonly tags: Readonly<Record<string, string>>;
  /** `protect` the cluster and its secrets key, and turn on its deletion protection. Default: false. */
  readonly protect?: boolean;
  /** In-cluster resources through the Kubernetes provider. Default: none. */
  readonly workloads?: {
    readonly loadBalancerControllerChartVersion: string;
    readonly clusterAutoscalerChartVersion: string;
    /** The sample app; needs a certificate (given, or issued for `domain.name` in `domain.hostedZoneId`). */
    readonly sampleApp?: {
      readonly image: string;
      readonly certificateArn?: string;
      readonly domain?: { readonly name: string; readonly hostedZoneId: string };
    };
  };
}

const FUNCTION_TAG = "eks";

/** Every problem with the arguments, as one message; undefined when they are valid. */
export function checkEksClusterArgs(
  name: string,
  args: EksClusterArgs,
  clusterName: string,
): string | undefined {
  const problems: string[] = [];
  if (!/^1\.\d{2}$/.test(args.version))
    problems.push(`version "${args.version}" must be a Kubernetes version as major.minor, such as 1.33`);
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(clusterName))
    problems.push(
      `cluster name "${clusterName}" must be 1-100 letters, digits, _ and -, starting alphanumeric`,
    );
  for (const text of args.publicAccessCidrs ?? []) {
    const cidr = parseCidr(text);
    if (typeof cidr === "string") problems.push(`public access CIDR "${text}" ${cidr}`);
    else if (cidr.prefix < 8)
      problems.push(`public access CIDR "${text}" would open the API endpoint to the whole internet`);
  }
  const groups: Array<[string, EksNodeGroupConfig | undefined]> = [
    ["nodes", args.nodes],
    ["spot", args.spot],
  ];
  for (const [group, g] of groups) {
    if (!g) continue;
    if (g.instanceTypes.length === 0) problems.push(`${group}: no instance types`);
    for (const t of g.instanceTypes) {
      const problem = instanceTypeProblem(t);
      if (problem) problems.push(`${group}: instance type "${t}" ${problem}`);
    }
    if (new Set(g.instanceTypes.map(instanceArchitecture)).size > 1)
      problems.push(`${group}: instance types mix CPU architectures`);
    if (!(g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize && g.maxSize >= 1))
      problems.push(
        `${group}: sizes must satisfy min <= desired <= max and max >= 1 (min ${g.minSize}, desired ${g.desiredSize}, max ${g.maxSize})`,
      );
  }
  if (args.nodes.minSize < 1)
    problems.push("nodes: minSize must be at least 1 (the group runs the system pods)");
  const sample = args.workloads?.sampleApp;
  if (sample && !sample.certificateArn && !sample.domain)
    problems.push("the sample app needs a certificateArn or a domain to issue one for");
  return problems.length > 0 ? `EksCluster ${name}: ${problems.join("; ")}` : undefined;
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
 * The pieces live in eks-control-plane.ts, eks-iam.ts, eks-nodes.ts, eks-addons.ts, eks-workloads.ts and
 * eks-sample-app.ts; this class wires them in order.
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
    const problem = checkEksClusterArgs(name, args, clusterName);
    if (problem) throw new Error(problem);
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
