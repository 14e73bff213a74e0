import { MockTable, hex, uuid } from "./context";

export const EKS_OUTPUTS: MockTable = {
  "aws:eks/cluster:Cluster": (c) => {
    const { inputs, seed, physical, region } = c;
    return {
      id: physical,
      arn: c.arn("eks", `cluster/${physical}`),
      endpoint: `https://${hex(seed, 32).toUpperCase()}.gr7.${region}.eks.${c.dnsSuffix}`,
      certificateAuthority: { data: Buffer.from("offline-ca").toString("base64") },
      // EKS creates the cluster security group (control plane and managed nodes) and reports it here.
      vpcConfig: {
        ...(inputs.vpcConfig as Record<string, unknown>),
        clusterSecurityGroupId: `sg-${hex(seed + "cluster-sg", 17)}`,
      },
      identities: [
        {
          oidcs: [{ issuer: `https://oidc.eks.${region}.${c.dnsSuffix}/id/${hex(seed, 32).toUpperCase()}` }],
        },
      ],
      clusterId: uuid(seed),
    };
  },
  "aws:eks/nodeGroup:NodeGroup": (c) => {
    const { name, inputs, seed } = c;
    // The provider names a group it is not given a name for, as it does other auto-named resources.
    const groupName = String(inputs["nodeGroupName"] ?? `${name}-${hex(seed, 7)}`);
    const cluster = String(inputs["clusterName"]);
    return {
      id: `${cluster}:${groupName}`,
      nodeGroupName: groupName,
      arn: c.arn("eks", `nodegroup/${cluster}/${groupName}/${uuid(seed)}`),
      status: "ACTIVE",
      resources: [{ autoscalingGroups: [{ name: `eks-${groupName}-${uuid(seed)}` }] }],
    };
  },
  "aws:eks/addon:Addon": (c) => {
    const { inputs, seed } = c;
    return {
      id: `${String(inputs["clusterName"])}:${String(inputs["addonName"])}`,
      arn: c.arn(
        "eks",
        `addon/${String(inputs["clusterName"])}/${String(inputs["addonName"])}/${uuid(seed)}`,
      ),
      addonVersion: inputs["addonVersion"] ?? "v1.0.0-eksbuild.1",
    };
  },
};
