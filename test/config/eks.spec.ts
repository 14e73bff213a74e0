import * as assert from "assert";
import { instanceArchitecture, instanceTypeProblem, isLabelKey, parseTaint } from "../../components/eks/args";
import { configIssues, K, loadStack } from "../helpers/config";

const load = loadStack;
const issuesWith = configIssues;

/** A deployer inside the VPC (config/deployer.ts), for stacks that switch EKS on with its workloads. */
const IN_VPC = { [K("deployRunnerLabel")]: "vpc-runner" };

/** prod with EKS on: the stack where cross-key rules apply. */
const prodIssues = (changes: Record<string, string>) => issuesWith("prod", changes);

describe("eks config", () => {
  it("has no cluster in dev or staging, and one in prod with three nodes and a Spot group", () => {
    assert.strictEqual(load("dev").eks, undefined);
    assert.strictEqual(load("staging").eks, undefined);
    const prod = load("prod").eks;
    assert.deepStrictEqual(prod, {
      version: "1.35",
      publicAccessCidrs: [],
      adminRoleArns: [],
      nodes: {
        instanceTypes: ["t3.medium"],
        minSize: 2,
        desiredSize: 3,
        maxSize: 6,
        diskSizeGib: 20,
        labels: {},
        taints: [],
      },
      spot: { instanceTypes: ["t3.medium", "t3a.medium"], minSize: 0, desiredSize: 1, maxSize: 3 },
      addonVersions: {},
      workloads: {
        loadBalancerControllerChartVersion: "1.13.0",
        clusterAutoscalerChartVersion: "9.46.0",
        sampleApp: {
          image: "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine",
          domain: { name: "agents.example.com", hostedZoneId: "Z0123456789EXAMPLE0AB" },
        },
      },
    });
  });

  it("leaves the Spot group out unless eksSpotEnabled", () => {
    assert.strictEqual(load("prod", { [K("eksSpotEnabled")]: "false" }).eks!.spot, undefined);
  });

  it("reads labels, taints, add-on pins, admin roles, public CIDRs and a certificate", () => {
    const eks = load("prod", {
      [K("eksNodeLabels")]: '["team=agents","example.com/tier=web"]',
      [K("eksNodeTaints")]: '["dedicated=agents:NoSchedule","gpu:PreferNoSchedule"]',
      [K("eksAddonVersions")]: '["vpc-cni=v1.19.2-eksbuild.1","coredns=v1.11.4-eksbuild.2"]',
      [K("eksAdminRoleArns")]: '["arn:aws:iam::123456789012:role/platform-admin"]',
      [K("eksPublicAccessCidrs")]: '["203.0.113.0/24"]',
      [K("eksCertificateArn")]:
        "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    }).eks!;
    assert.deepStrictEqual(eks.nodes.labels, { team: "agents", "example.com/tier": "web" });
    assert.deepStrictEqual(eks.nodes.taints, [
      { key: "dedicated", value: "agents", effect: "NO_SCHEDULE" },
      { key: "gpu", effect: "PREFER_NO_SCHEDULE" },
    ]);
    assert.deepStrictEqual(eks.addonVersions, {
      "vpc-cni": "v1.19.2-eksbuild.1",
      coredns: "v1.11.4-eksbuild.2",
    });
    assert.deepStrictEqual(eks.adminRoleArns, ["arn:aws:iam::123456789012:role/platform-admin"]);
    assert.deepStrictEqual(eks.publicAccessCidrs, ["203.0.113.0/24"]);
    assert.strictEqual(
      eks.workloads?.sampleApp?.certificateArn,
      "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    );
  });

  it("rejects a Kubernetes version that is not major.minor", () => {
    for (const v of ["1.33.1", "v1.33", "latest", "1.9"]) {
      assert.deepStrictEqual(prodIssues({ [K("eksVersion")]: v }), [
        `agent-platform:eksVersion = "${v}": must be a Kubernetes version as major.minor, such as 1.35`,
      ]);
    }
  });

  it("takes only versions the dated support table knows (the pack judges their support window)", () => {
    assert.deepStrictEqual(prodIssues({ [K("eksVersion")]: "1.33" }), []);
    for (const v of ["1.28", "1.36"]) {
      assert.deepStrictEqual(prodIssues({ [K("eksVersion")]: v }), [
        `agent-platform:eksVersion = "${v}": must be a version of the EKS support table lib/eks-versions.ts ` +
          "(1.29 to 1.35, checked 2026-12-06); add a newer version there with its dates from the EKS release calendar",
      ]);
    }
  });

  it("rejects a public endpoint open to the internet, and CIDRs that are not CIDRs", () => {
    assert.deepStrictEqual(prodIssues({ [K("eksPublicAccessCidrs")]: '["0.0.0.0/0","10.0.0.1/16"]' }), [
      'agent-platform:eksPublicAccessCidrs[0] = "0.0.0.0/0": must be the operators\' networks (a /8 or ' +
        "narrower): the API endpoint is never open to the whole internet",
      'agent-platform:eksPublicAccessCidrs[1] = "10.0.0.1/16": has host bits set; the network address is 10.0.0.0/16',
    ]);
  });

  it("rejects node group sizes out of order", () => {
    assert.deepStrictEqual(prodIssues({ [K("eksMinNodes")]: "5", [K("eksMaxNodes")]: "4" }), [
      "agent-platform:eksMinNodes = 5: must not exceed eksMaxNodes (4)",
    ]);
    assert.deepStrictEqual(prodIssues({ [K("eksDesiredNodes")]: "7" }), [
      "agent-platform:eksDesiredNodes = 7: must be between eksMinNodes (2) and eksMaxNodes (6)",
    ]);
    assert.deepStrictEqual(prodIssues({ [K("eksSpotMinNodes")]: "2", [K("eksSpotDesiredNodes")]: "1" }), [
      "agent-platform:eksSpotDesiredNodes = 1: must be between eksSpotMinNodes (2) and eksSpotMaxNodes (3)",
    ]);
    assert.deepStrictEqual(prodIssues({ [K("eksMinNodes")]: "0", [K("eksDesiredNodes")]: "1" }), [
      "agent-platform:eksMinNodes = 0: must be between 1 and 450",
    ]);
  });

  it("rejects instance types smaller than t3.medium, malformed, or of mixed architectures", () => {
    assert.deepStrictEqual(prodIssues({ [K("eksInstanceTypes")]: '["t3.small","large"]' }), [
      'agent-platform:eksInstanceTypes[0] = "t3.small": must be medium or larger (t3.medium is the smallest node the platform supports)',
      'agent-platform:eksInstanceTypes[1] = "large": must be an EC2 instance type such as t3.medium',
    ]);
    assert.deepStrictEqual(prodIssues({ [K("eksSpotInstanceTypes")]: '["t3.medium","t4g.medium"]' }), [
      'agent-platform:eksSpotInstanceTypes = ["t3.medium","t4g.medium"]: must all be of one CPU architecture ' +
        "(x86_64 or arm64): a node group has one AMI type",
    ]);
    assert.deepStrictEqual(prodIssues({ [K("eksInstanceTypes")]: "[]" }), [
      "agent-platform:eksInstanceTypes = []: must list at least one instance type",
    ]);
  });

  it("rejects bad labels, taints, add-on pins, chart versions, role ARNs and images", () => {
    assert.deepStrictEqual(
      prodIssues({
        [K("eksNodeLabels")]: '["team","a=b=c","-bad=x"]',
        [K("eksNodeTaints")]: '["dedicated=agents:Never","=x:NoSchedule"]',
        [K("eksAddonVersions")]:
          '["flannel=v1.0.0-eksbuild.1","coredns=1.11","coredns=v1.11.4-eksbuild.2","coredns=v1.11.4-eksbuild.3"]',
        [K("eksLoadBalancerControllerChartVersion")]: "latest",
        [K("eksAdminRoleArns")]: '["arn:aws:iam::123456789012:user/alice"]',
        [K("eksSampleImage")]: "nginx",
      }),
      [
        'agent-platform:eksNodeLabels[0] = "team": must be key=value with a Kubernetes label key and value',
        'agent-platform:eksNodeLabels[1] = "a=b=c": must be key=value with a Kubernetes label key and value',
        'agent-platform:eksNodeLabels[2] = "-bad=x": must be key=value with a Kubernetes label key and value',
        'agent-platform:eksNodeTaints[0] = "dedicated=agents:Never": must be key=value:Effect or key:Effect (Effect: NoSchedule, NoExecute, PreferNoSchedule)',
        'agent-platform:eksNodeTaints[1] = "=x:NoSchedule": must be key=value:Effect or key:Effect (Effect: NoSchedule, NoExecute, PreferNoSchedule)',
        'agent-platform:eksAddonVersions[0] = "flannel=v1.0.0-eksbuild.1": must name one of vpc-cni, kube-proxy, coredns, aws-ebs-csi-driver, amazon-cloudwatch-observability, metrics-server (name=version)',
        'agent-platform:eksAddonVersions[1] = "coredns=1.11": must be name=version with an EKS add-on version such as v1.19.2-eksbuild.1',
        'agent-platform:eksAddonVersions[3] = "coredns=v1.11.4-eksbuild.3": must not pin coredns twice',
        'agent-platform:eksAdminRoleArns[0] = "arn:aws:iam::123456789012:user/alice": must be an IAM role ARN such as arn:aws:iam::123456789012:role/admin',
        'agent-platform:eksLoadBalancerControllerChartVersion = "latest": must be an exact chart version such as 1.2.3',
        'agent-platform:eksSampleImage = "nginx": must be an image reference with a tag or digest, such as registry/repo:1.0',
      ],
    );
  });

  it("needs a NAT gateway for the nodes: EKS cannot be switched on in dev as it is", () => {
    assert.deepStrictEqual(
      issuesWith("dev", { ...IN_VPC, [K("eksEnabled")]: "true", [K("eksSampleAppEnabled")]: "false" }),
      [
        "agent-platform:eksEnabled = true: needs natStrategy single or perAz: nodes join the cluster and pull images over the internet",
      ],
    );
  });

  it("needs a certificate for the sample app's HTTPS Ingress, in the stack's region", () => {
    assert.deepStrictEqual(issuesWith("staging", { ...IN_VPC, [K("eksEnabled")]: "true" }), [
      "agent-platform:eksSampleAppEnabled = true: needs a certificate for the sample Ingress's HTTPS listener: " +
        "a domain (k8s.<domain> is issued) or eksCertificateArn",
    ]);
    assert.deepStrictEqual(
      issuesWith("staging", { ...IN_VPC, [K("eksEnabled")]: "true", [K("eksSampleAppEnabled")]: "false" }),
      [],
    );
    assert.deepStrictEqual(
      issuesWith("staging", { [K("eksEnabled")]: "true", [K("eksWorkloadsEnabled")]: "false" }),
      [],
    );
    const elsewhere = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    assert.deepStrictEqual(
      issuesWith("staging", { ...IN_VPC, [K("eksEnabled")]: "true", [K("eksCertificateArn")]: elsewhere }),
      [
        `agent-platform:eksCertificateArn = "${elsewhere}": must be a certificate in the stack's region (us-east-1): ALBs use regional certificates`,
      ],
    );
  });

  describe("pure rules", () => {
    it("knows the CPU architecture of an instance type", () => {
      assert.deepStrictEqual(
        [
          "t3.medium",
          "t3a.large",
          "m7i-flex.large",
          "t4g.medium",
          "m7g.xlarge",
          "c6gn.large",
          "g5.xlarge",
          "a1.large",
        ].map(instanceArchitecture),
        ["x86_64", "x86_64", "x86_64", "arm64", "arm64", "arm64", "x86_64", "arm64"],
      );
    });

    it("accepts medium and larger sizes only", () => {
      assert.deepStrictEqual(
        ["t3.medium", "m7i.24xlarge", "c7g.metal", "t3.micro", "t3"].map(instanceTypeProblem),
        [
          undefined,
          undefined,
          undefined,
          "must be medium or larger (t3.medium is the smallest node the platform supports)",
          "must be an EC2 instance type such as t3.medium",
        ],
      );
    });

    it("parses taints and label keys as Kubernetes does", () => {
      assert.deepStrictEqual(parseTaint("spot=true:NoSchedule"), {
        key: "spot",
        value: "true",
        effect: "NO_SCHEDULE",
      });
      assert.deepStrictEqual(parseTaint("example.com/drain:NoExecute"), {
        key: "example.com/drain",
        effect: "NO_EXECUTE",
      });
      assert.strictEqual(typeof parseTaint("spot=true"), "string");
      assert.deepStrictEqual(
        ["app", "example.com/app", "a/b/c", "Example.com/app", "x".repeat(64)].map(isLabelKey),
        [true, true, false, false, false],
      );
    });
  });
});
