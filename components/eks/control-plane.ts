import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "../shared/aws-context";
import { clusterKeyPolicy } from "./iam";
import { awsManagedPolicy, serviceTrust } from "../shared/policy-statements";
import { accountAdministersKey, logsMayEncrypt } from "../shared/kms-statements";

/** Control-plane log types: all five (the policy pack's eks-control-plane-logs requires them). */
export const CLUSTER_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export interface ControlPlaneArgs {
  readonly clusterName: string;
  readonly version: string;
  readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Empty: private endpoint only. */
  readonly publicAccessCidrs: readonly string[];
  readonly adminRoleArns: readonly string[];
  readonly logRetentionDays: number;
  readonly protect: boolean;
}

/**
 * The control plane: its role, the KMS key for secrets and logs, the log group, the cluster, and access
 * entries for the admin roles. Children: `<name>-cluster-role` (+ `-0`, `-kms`), `<name>-key`,
 * `<name>-control-plane-logs`, `<name>-cluster`, `<name>-admin-<i>` (+ `-policy`).
 */
export function createControlPlane(
  parent: pulumi.Resource,
  name: string,
  ctx: AwsContext,
  args: ControlPlaneArgs,
): aws.eks.Cluster {
  const { clusterName, protect } = args;
  const role = new aws.iam.Role(
    `${name}-cluster-role`,
    {
      description: `EKS control plane of ${clusterName}`,
      // Only EKS acting for this cluster, in this account (the EKS guide's confused-deputy conditions).
      assumeRolePolicy: serviceTrust("eks.amazonaws.com", {
        actions: ["sts:AssumeRole", "sts:TagSession"],
        condition: {
          StringEquals: { "aws:SourceAccount": ctx.accountId },
          ArnLike: {
            "aws:SourceArn": pulumi.interpolate`arn:${ctx.partition}:eks:${ctx.region}:${ctx.accountId}:cluster/${clusterName}`,
          },
        },
      }),
    },
    { parent },
  );
  const rolePolicy = new aws.iam.RolePolicyAttachment(
    `${name}-cluster-role-0`,
    { role: role.name, policyArn: awsManagedPolicy(ctx.partition, "AmazonEKSClusterPolicy") },
    { parent },
  );

  // The log group's name is fixed by EKS, so the key policy can name its ARN before either exists.
  const logGroupName = `/aws/eks/${clusterName}/cluster`;
  const logGroupArn = pulumi.interpolate`arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:${logGroupName}`;
  const key = new aws.kms.Key(
    `${name}-key`,
    {
      description: `Encrypts the Kubernetes secrets and control-plane logs of ${clusterName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          // IAM policies of the account decide who uses the key (the cluster role's, below).
          accountAdministersKey("AccountAdministers", ctx.partition, ctx.accountId),
          logsMayEncrypt("CloudWatchLogsEncryptsTheClusterLogs", ctx.region, ctx.dnsSuffix, logGroupArn),
        ],
      }),
    },
    // Losing the key loses every secret of the cluster.
    { parent, protect },
  );
  const keyPolicy = new aws.iam.RolePolicy(
    `${name}-cluster-role-kms`,
    { role: role.id, policy: clusterKeyPolicy(key.arn) },
    { parent },
  );
  // Created before the cluster, which would otherwise create it itself: unencrypted, logs kept forever.
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-control-plane-logs`,
    { name: logGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: key.arn },
    { parent },
  );

  const publicCidrs = [...args.publicAccessCidrs];
  const cluster = new aws.eks.Cluster(
    `${name}-cluster`,
    {
      name: clusterName,
      version: args.version,
      roleArn: role.arn,
      vpcConfig: {
        subnetIds: args.privateSubnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: publicCidrs.length > 0,
        ...(publicCidrs.length > 0 ? { publicAccessCidrs: publicCidrs } : {}),
      },
      // Access entries only, no aws-auth ConfigMap. The creator keeps cluster-admin (settable only at
      // creation): it is the identity `pulumi up` uses for the in-cluster resources.
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
      // Every add-on is a managed add-on (eks/addons.ts): no unmanaged copies for them to take over.
      bootstrapSelfManagedAddons: false,
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
      enabledClusterLogTypes: CLUSTER_LOG_TYPES,
      // At the end of standard support AWS upgrades the cluster rather than bill extended support (six
      // times the control plane's price).
      upgradePolicy: { supportType: "STANDARD" },
      deletionProtection: protect,
      tags: { Name: clusterName },
    },
    { parent, protect, dependsOn: [rolePolicy, keyPolicy, logGroup] },
  );

  args.adminRoleArns.forEach((principalArn, i) => {
    const entry = new aws.eks.AccessEntry(
      `${name}-admin-${i}`,
      { clusterName: cluster.name, principalArn, type: "STANDARD" },
      { parent },
    );
    new aws.eks.AccessPolicyAssociation(
      `${name}-admin-${i}-policy`,
      {
        clusterName: cluster.name,
        principalArn,
        policyArn: pulumi.interpolate`arn:${ctx.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: "cluster" },
      },
      { parent, dependsOn: [entry] },
    );
  });
  return cluster;
}

/**
 * A kubeconfig that authenticates with `aws eks get-token` (the caller's own AWS credentials, mapped to
 * Kubernetes permissions by the cluster's access entries), as a secret: it names the endpoint and CA.
 */
export function kubeconfigFor(cluster: aws.eks.Cluster, clusterName: string, region: pulumi.Input<string>) {
  const name = clusterName;
  return pulumi.secret(
    pulumi.jsonStringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name,
          cluster: {
            server: cluster.endpoint,
            "certificate-authority-data": cluster.certificateAuthority.apply((ca) => ca?.data ?? ""),
          },
        },
      ],
      contexts: [{ name, context: { cluster: name, user: name } }],
      "current-context": name,
      users: [
        {
          name,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "aws",
              args: ["eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"],
            },
          },
        },
      ],
    }),
  );
}
