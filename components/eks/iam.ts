import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "../shared/aws-context";
import { awsManagedPolicy } from "../shared/policy-statements";

/*
 * IAM of the EKS cluster: trust and permission documents, and one IAM role per service account (IRSA) for
 * the add-ons and controllers that call AWS.
 *
 * Why IRSA (an IAM OIDC provider) rather than EKS Pod Identity: an IRSA role's trust policy names the exact
 * service account (`<issuer>:sub = system:serviceaccount:<namespace>:<name>`), so the binding is in the role
 * itself where a reviewer, the tests and the policy pack's iam-trust-policy can see it. A Pod Identity role
 * trusts the `pods.eks.amazonaws.com` service (narrowed at most to an account or cluster by conditions), and
 * its binding to a service account lives in a separate association. IRSA also needs no extra agent DaemonSet, and every component here supports it (the
 * add-ons through `serviceAccountRoleArn`, the Helm charts through the service account annotation). Neither
 * needs the instance metadata service, which the nodes' hop limit of 1 keeps away from pods.
 */

/** The cluster's IAM OIDC provider, as IRSA trust policies need it. */
export interface OidcProvider {
  readonly arn: pulumi.Input<string>;
  /** The issuer without `https://` (oidc.eks.<region>.amazonaws.com/id/<ID>), prefix of the claim keys. */
  readonly issuerHost: pulumi.Input<string>;
}

/** A Kubernetes service account, the only principal an IRSA role admits. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/** Trust policy admitting tokens of `account` alone, issued for STS, through the cluster's OIDC provider. */
export function irsaTrustPolicy(oidc: OidcProvider, account: ServiceAccountRef): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: oidc.arn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: pulumi.output(oidc.issuerHost).apply((host) => ({
            [`${host}:sub`]: `system:serviceaccount:${account.namespace}:${account.name}`,
            [`${host}:aud`]: "sts.amazonaws.com",
          })),
        },
      },
    ],
  });
}

export interface IrsaRoleArgs {
  readonly oidc: OidcProvider;
  readonly serviceAccount: ServiceAccountRef;
  readonly description: string;
  /** AWS managed policies attached by ARN. */
  readonly managedPolicyArns?: pulumi.Input<string>[];
  /** An inline policy document (JSON), for permissions AWS publishes as a document rather than a policy. */
  readonly inlinePolicy?: pulumi.Input<string>;
}

/** A role for one service account: `<name>`, its attachments `<name>-<i>`, its inline `<name>-policy`. */
export function irsaRole(parent: pulumi.Resource, name: string, args: IrsaRoleArgs): aws.iam.Role {
  const role = new aws.iam.Role(
    name,
    {
      description: args.description,
      assumeRolePolicy: irsaTrustPolicy(args.oidc, args.serviceAccount),
    },
    { parent },
  );
  (args.managedPolicyArns ?? []).forEach((policyArn, i) => {
    new aws.iam.RolePolicyAttachment(`${name}-${i}`, { role: role.name, policyArn }, { parent });
  });
  if (args.inlinePolicy !== undefined) {
    new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: args.inlinePolicy }, { parent });
  }
  return role;
}

/** Values substituted into the policy documents kept as JSON files. */
export interface PolicyVariables {
  readonly Partition: pulumi.Input<string>;
  readonly Region: pulumi.Input<string>;
  readonly AccountId: pulumi.Input<string>;
  readonly ClusterName: pulumi.Input<string>;
  readonly VpcId: pulumi.Input<string>;
}

/** Replaces `${Name}` in every string and key of `doc`; an unknown placeholder is an error. */
export function fillPlaceholders(doc: unknown, values: Record<string, string>): unknown {
  const fill = (s: string) =>
    s.replace(/\$\{(\w+)\}/g, (_, k: string) => {
      if (values[k] === undefined) throw new Error(`policy template: no value for \${${k}}`);
      return values[k];
    });
  if (typeof doc === "string") return fill(doc);
  if (Array.isArray(doc)) return doc.map((d) => fillPlaceholders(d, values));
  if (doc !== null && typeof doc === "object")
    return Object.fromEntries(Object.entries(doc).map(([k, v]) => [fill(k), fillPlaceholders(v, values)]));
  return doc;
}

/**
 * The AWS Load Balancer Controller's policy (components/eks/policies/aws-load-balancer-controller.json, which
 * says which upstream version it reflects and how it was narrowed), for this cluster and VPC.
 */
export function loadBalancerControllerPolicy(vars: PolicyVariables): pulumi.Output<string> {
  const file = require("./policies/aws-load-balancer-controller.json") as { policy: unknown };
  return pulumi
    .all(vars as unknown as Record<string, pulumi.Input<string>>)
    .apply((values) => JSON.stringify(fillPlaceholders(file.policy, values)));
}

/**
 * The cluster autoscaler's policy (its AWS cloud provider README), scaled down to managed node groups:
 * - it may change the size of, and terminate instances in, only the Auto Scaling groups EKS created for this
 *   cluster's node groups (named eks-*, tagged `k8s.io/cluster-autoscaler/<cluster>: owned` by EKS);
 * - the Describe calls stay on Resource "*": AWS does not support resource-level permissions for them;
 * - eks:DescribeNodegroup names this cluster's node groups;
 * - ec2:GetInstanceTypesFromInstanceRequirements is left out: only attribute-based mixed-instance groups use
 *   it, which managed node groups are not, and it takes no resource scoping either.
 */
export function clusterAutoscalerPolicy(vars: Omit<PolicyVariables, "VpcId">): pulumi.Output<string> {
  const { Partition: p, Region: r, AccountId: a, ClusterName: cluster } = vars;
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ScaleThisClustersNodeGroups",
        Effect: "Allow",
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Resource: pulumi.interpolate`arn:${p}:autoscaling:${r}:${a}:autoScalingGroup:*:autoScalingGroupName/eks-*`,
        Condition: {
          StringEquals: pulumi
            .output(cluster)
            .apply((c) => ({ [`aws:ResourceTag/k8s.io/cluster-autoscaler/${c}`]: "owned" })),
        },
      },
      {
        Sid: "DescribeGroupsAndInstanceTypes",
        Effect: "Allow",
        Action: [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
        ],
        Resource: "*",
      },
      {
        Sid: "DescribeThisClustersNodeGroups",
        Effect: "Allow",
        Action: "eks:DescribeNodegroup",
        Resource: pulumi.interpolate`arn:${p}:eks:${r}:${a}:nodegroup/${cluster}/*/*`,
      },
    ],
  });
}

/**
 * What the control plane needs of the secrets key (the grants EKS creates for envelope encryption), on that
 * key alone: the same four actions terraform-aws-eks gives its cluster role.
 */
export function clusterKeyPolicy(keyArn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EnvelopeEncryptionOfSecrets",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
        Resource: keyArn,
      },
    ],
  });
}

/** Service accounts that call AWS; each role trusts exactly its own. */
export const SERVICE_ACCOUNTS = {
  vpcCni: { namespace: "kube-system", name: "aws-node" },
  ebsCsi: { namespace: "kube-system", name: "ebs-csi-controller-sa" },
  cloudWatch: { namespace: "amazon-cloudwatch", name: "cloudwatch-agent" },
  loadBalancerController: { namespace: "kube-system", name: "aws-load-balancer-controller" },
  clusterAutoscaler: { namespace: "kube-system", name: "cluster-autoscaler" },
} satisfies Record<string, ServiceAccountRef>;

export interface IrsaRoles {
  readonly oidcProvider: aws.iam.OpenIdConnectProvider;
  readonly vpcCni: aws.iam.Role;
  readonly ebsCsi: aws.iam.Role;
  readonly cloudWatch: aws.iam.Role;
  readonly loadBalancerController: aws.iam.Role;
  readonly clusterAutoscaler: aws.iam.Role;
}

/**
 * The cluster's OIDC issuer as an IAM identity provider (`<name>-oidc`) and one role per service account
 * (`<name>-<vpc-cni|ebs-csi|cloudwatch|load-balancer-controller|cluster-autoscaler>-role`).
 */
export function createIrsaRoles(
  parent: pulumi.Resource,
  name: string,
  ctx: AwsContext,
  cluster: aws.eks.Cluster,
  args: { readonly clusterName: string; readonly vpcId: pulumi.Input<string> },
): IrsaRoles {
  const issuer = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
  const oidcProvider = new aws.iam.OpenIdConnectProvider(
    `${name}-oidc`,
    // No thumbprint: IAM checks the EKS issuer's certificate against its own library of trusted CAs.
    { url: issuer, clientIdLists: ["sts.amazonaws.com"] },
    { parent },
  );
  const oidc = { arn: oidcProvider.arn, issuerHost: issuer.apply((u) => u.replace(/^https:\/\//, "")) };
  const managed = (policy: string) => [awsManagedPolicy(ctx.partition, policy)];
  const vars: PolicyVariables = {
    Partition: ctx.partition,
    Region: ctx.region,
    AccountId: ctx.accountId,
    ClusterName: args.clusterName,
    VpcId: args.vpcId,
  };
  return {
    oidcProvider,
    // The CNI's permissions go to its own service account, not to the node role that every pod's node shares.
    vpcCni: irsaRole(parent, `${name}-vpc-cni-role`, {
      oidc,
      serviceAccount: SERVICE_ACCOUNTS.vpcCni,
      description: "VPC CNI (aws-node): manages the pods' network interfaces",
      managedPolicyArns: managed("AmazonEKS_CNI_Policy"),
    }),
    ebsCsi: irsaRole(parent, `${name}-ebs-csi-role`, {
      oidc,
      serviceAccount: SERVICE_ACCOUNTS.ebsCsi,
      description: "EBS CSI driver controller: creates, attaches and deletes the cluster's volumes",
      // AWS's policy for the driver, kept in step with it by AWS; it scopes volume and snapshot deletion by
      // the tags the driver sets.
      managedPolicyArns: managed("service-role/AmazonEBSCSIDriverPolicy"),
    }),
    cloudWatch: irsaRole(parent, `${name}-cloudwatch-role`, {
      oidc,
      serviceAccount: SERVICE_ACCOUNTS.cloudWatch,
      description: "CloudWatch agent and Fluent Bit: Container Insights metrics and logs",
      managedPolicyArns: managed("CloudWatchAgentServerPolicy"),
    }),
    loadBalancerController: irsaRole(parent, `${name}-load-balancer-controller-role`, {
      oidc,
      serviceAccount: SERVICE_ACCOUNTS.loadBalancerController,
      description: "AWS Load Balancer Controller: ALBs and NLBs for this cluster's Ingresses and Services",
      inlinePolicy: loadBalancerControllerPolicy(vars),
    }),
    clusterAutoscaler: irsaRole(parent, `${name}-cluster-autoscaler-role`, {
      oidc,
      serviceAccount: SERVICE_ACCOUNTS.clusterAutoscaler,
      description: "Cluster autoscaler: resizes this cluster's node groups",
      inlinePolicy: clusterAutoscalerPolicy(vars),
    }),
  };
}
