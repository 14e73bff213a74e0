import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_ACCOUNTS } from "./iam";

/*
 * The platform's controllers inside the cluster, through a Kubernetes provider built from the cluster's own
 * outputs: the AWS Load Balancer Controller and the cluster autoscaler (Helm), the `alb` IngressClass and an
 * encrypted gp3 default StorageClass. Every object is an ordinary registration under mocks, so the tests and
 * the offline preview see it. Helm's `atomic` rolls a failed upgrade back instead of leaving it half applied.
 */

export interface ControllersArgs {
  readonly clusterName: string;
  readonly region: pulumi.Input<string>;
  readonly vpcId: pulumi.Input<string>;
  /** Kubernetes version (major.minor); the cluster autoscaler's image must match its minor version. */
  readonly kubernetesVersion: string;
  readonly loadBalancerControllerChartVersion: string;
  readonly clusterAutoscalerChartVersion: string;
  readonly loadBalancerControllerRoleArn: pulumi.Input<string>;
  readonly clusterAutoscalerRoleArn: pulumi.Input<string>;
  /** Tags the controller puts on every load balancer, target group and security group it creates. */
  readonly awsTags: Record<string, string>;
  /** What must exist before pods can run: node groups, coredns. */
  readonly dependsOn: pulumi.Resource[];
}

export interface Controllers {
  readonly loadBalancerController: k8s.helm.v3.Release;
  readonly clusterAutoscaler: k8s.helm.v3.Release;
  readonly ingressClass: k8s.networking.v1.IngressClass;
}

const roleAnnotation = (arn: pulumi.Input<string>) => ({ "eks.amazonaws.com/role-arn": arn });

/**
 * The cluster autoscaler's image tag for a cluster version: each autoscaler minor supports the Kubernetes
 * minor it was released with, so the tag moves with eksVersion (1.35 -> v1.35.0).
 */
export function clusterAutoscalerImageTag(kubernetesVersion: string): string {
  return `v${kubernetesVersion}.0`;
}

export function createControllers(
  parent: pulumi.Resource,
  name: string,
  provider: k8s.Provider,
  args: ControllersArgs,
): Controllers {
  const opts = { parent, provider };
  const lbc = SERVICE_ACCOUNTS.loadBalancerController;
  const loadBalancerController = new k8s.helm.v3.Release(
    `${name}-aws-load-balancer-controller`,
    {
      name: "aws-load-balancer-controller",
      chart: "aws-load-balancer-controller",
      version: args.loadBalancerControllerChartVersion,
      repositoryOpts: { repo: "https://aws.github.io/eks-charts" },
      namespace: lbc.namespace,
      atomic: true,
      values: {
        clusterName: args.clusterName,
        // Region and VPC given, so the controller never asks the instance metadata service (hop limit 1).
        region: args.region,
        vpcId: args.vpcId,
        replicaCount: 2,
        serviceAccount: {
          create: true,
          name: lbc.name,
          annotations: roleAnnotation(args.loadBalancerControllerRoleArn),
        },
        // The IngressClass is declared below, where the platform owns it.
        createIngressClassResource: false,
        // WAF Classic is retired and Shield Advanced is not subscribed; their permissions are not granted.
        enableShield: false,
        enableWaf: false,
        enableWafv2: true,
        defaultTags: args.awsTags,
      },
    },
    { ...opts, dependsOn: args.dependsOn },
  );

  const ca = SERVICE_ACCOUNTS.clusterAutoscaler;
  const clusterAutoscaler = new k8s.helm.v3.Release(
    `${name}-cluster-autoscaler`,
    {
      name: "cluster-autoscaler",
      chart: "cluster-autoscaler",
      version: args.clusterAutoscalerChartVersion,
      repositoryOpts: { repo: "https://kubernetes.github.io/autoscaler" },
      namespace: ca.namespace,
      atomic: true,
      values: {
        cloudProvider: "aws",
        awsRegion: args.region,
        // Finds the node groups' Auto Scaling groups by the tags EKS puts on them.
        autoDiscovery: { clusterName: args.clusterName },
        image: { tag: clusterAutoscalerImageTag(args.kubernetesVersion) },
        rbac: {
          serviceAccount: {
            create: true,
            name: ca.name,
            annotations: roleAnnotation(args.clusterAutoscalerRoleArn),
          },
        },
        extraArgs: { "balance-similar-node-groups": true, expander: "least-waste" },
      },
    },
    { ...opts, dependsOn: args.dependsOn },
  );

  const ingressClass = new k8s.networking.v1.IngressClass(
    `${name}-alb`,
    {
      metadata: { name: "alb", annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } },
      spec: { controller: "ingress.k8s.aws/alb" },
    },
    { ...opts, dependsOn: [loadBalancerController] },
  );

  // EKS 1.30 and later create no default StorageClass; this one encrypts every volume it provisions and tags
  // it like the rest of the stack (the EBS CSI driver's tagSpecification_<n> parameters).
  new k8s.storage.v1.StorageClass(
    `${name}-gp3`,
    {
      metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "ebs.csi.aws.com",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      parameters: {
        type: "gp3",
        encrypted: "true",
        ...Object.fromEntries(
          Object.entries(args.awsTags).map(([k, v], i) => [`tagSpecification_${i + 1}`, `${k}=${v}`]),
        ),
      },
    },
    opts,
  );

  return { loadBalancerController, clusterAutoscaler, ingressClass };
}
