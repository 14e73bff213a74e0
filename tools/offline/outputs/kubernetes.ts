import { MockTable, digits, hex } from "./context";

export const KUBERNETES_OUTPUTS: MockTable = {
  // Kubernetes objects echo their inputs; a Helm release and an ALB Ingress also report what the cluster
  // would: the release's status, and the load balancer the AWS Load Balancer Controller creates.
  "kubernetes:helm.sh/v3:Release": (c) => {
    const { name, inputs } = c;
    return {
      id: `${String(inputs["namespace"] ?? "default")}/${String(inputs["name"] ?? name)}`,
      status: {
        name: inputs["name"] ?? name,
        namespace: inputs["namespace"] ?? "default",
        chart: inputs["chart"],
        version: inputs["version"],
        revision: 1,
        status: "deployed",
      },
    };
  },
  "kubernetes:networking.k8s.io/v1:Ingress": (c) => {
    const { inputs, seed, region } = c;
    const meta = (inputs["metadata"] ?? {}) as Record<string, unknown>;
    return {
      status: {
        loadBalancer: {
          ingress: [
            {
              hostname: `k8s-${String(meta["namespace"])}-${String(meta["name"])}-${hex(seed, 10)}-${digits(seed, 10)}.${region}.elb.${c.dnsSuffix}`,
            },
          ],
        },
      },
    };
  },
};
