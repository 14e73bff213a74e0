import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EksAddonName } from "./args";

/*
 * EKS managed add-ons. The cluster is created with `bootstrapSelfManagedAddons: false`, so EKS installs no
 * unmanaged copies of vpc-cni, kube-proxy and coredns for these to take over: every add-on is declared here,
 * at a version from config or, when none is pinned, AWS's default for the cluster's Kubernetes version.
 *
 * Order matters. Nodes become Ready only once the CNI runs, so vpc-cni and kube-proxy come before the node
 * groups; coredns, the EBS CSI driver, CloudWatch observability and metrics-server run as pods, so they come
 * after (an add-on whose pods cannot be scheduled stays DEGRADED and its creation times out).
 */

export interface AddonArgs {
  readonly clusterName: pulumi.Input<string>;
  /** Pinned versions; absent = AWS's default for the cluster version. */
  readonly versions: Readonly<Partial<Record<EksAddonName, string>>>;
  /** The IRSA role of the add-on's service account, for add-ons that call AWS. */
  readonly serviceAccountRoleArn?: pulumi.Input<string>;
  /** JSON configuration values (validated by EKS against the add-on's schema). */
  readonly configurationValues?: string;
  readonly dependsOn?: pulumi.Resource[];
}

/** One add-on, `<name>-<addon>`. Pulumi owns its configuration: conflicting fields are overwritten. */
export function createAddon(
  parent: pulumi.Resource,
  name: string,
  addonName: EksAddonName,
  args: AddonArgs,
): aws.eks.Addon {
  const version = args.versions[addonName];
  return new aws.eks.Addon(
    `${name}-${addonName}`,
    {
      clusterName: args.clusterName,
      addonName,
      ...(version !== undefined ? { addonVersion: version } : {}),
      ...(args.serviceAccountRoleArn !== undefined
        ? { serviceAccountRoleArn: args.serviceAccountRoleArn }
        : {}),
      ...(args.configurationValues !== undefined ? { configurationValues: args.configurationValues } : {}),
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
    },
    { parent, dependsOn: args.dependsOn ?? [] },
  );
}

/**
 * The VPC CNI's configuration: Kubernetes NetworkPolicy enforcement on (the add-on's network policy agent),
 * so namespaces can be isolated without another CNI.
 */
export const VPC_CNI_CONFIGURATION = JSON.stringify({ enableNetworkPolicy: "true" });
