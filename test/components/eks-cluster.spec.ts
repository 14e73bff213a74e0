import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { checkEksClusterArgs, EksCluster, EksClusterArgs } from "../../components/eks/cluster";
import { CLUSTER_LOG_TYPES } from "../../components/eks/control-plane";
import { amiTypeFor, NODE_ALARMS } from "../../components/eks/nodes";
import { estimateCost } from "../../cost/estimate";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { check, evaluate, evaluateStack, named, ofType, policyDocument } from "../helpers/offline";
import { EKS_VERSIONS_CHECKED } from "../../lib/eks-versions";
import { eksVersionStandardSupport, eksVersionSupportEnding } from "../../policy/lifecycle";

const T = {
  component: "agent-platform:index:EksCluster",
  cluster: "aws:eks/cluster:Cluster",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  addon: "aws:eks/addon:Addon",
  accessEntry: "aws:eks/accessEntry:AccessEntry",
  accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  subnet: "aws:ec2/subnet:Subnet",
};

/** Evaluates the whole program (index.ts) for one of the project's stacks, as the offline preview does. */
const programOf = evaluateStack;

/** Arguments as index.ts builds them for prod, on fixed network ids. */
function baseArgs(overrides: Partial<EksClusterArgs> = {}): EksClusterArgs {
  return {
    vpcId: "vpc-0a1b2c3d4e5f60718",
    privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
    version: "1.33",
    nodes: { instanceTypes: ["t3.medium"], minSize: 2, desiredSize: 3, maxSize: 6, diskSizeGib: 20 },
    logRetentionDays: 30,
    alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:alerts",
    tags: { Environment: "test", Project: "agent-platform", Owner: "platform-team" },
    ...overrides,
  };
}

async function componentOf(args: EksClusterArgs) {
  let cluster: EksCluster | undefined;
  const { resources } = await evaluate(() => {
    cluster = new EksCluster("eks", args);
  });
  return { resources, cluster: cluster! };
}

const nameOf = (resources: RegisteredResource[], urn: string) => resources.find((r) => r.urn === urn)?.name;
const dependencyNames = (resources: RegisteredResource[], r: RegisteredResource) =>
  r.dependencies.map((d) => nameOf(resources, d)).sort();
const resolve = <T>(o: pulumi.Output<T>) => new Promise<T>((ok) => o.apply(ok));

describe("EksCluster", function () {
  this.timeout(60000);

  for (const stack of ["dev", "staging"]) {
    it(`${stack}: has no cluster by default (eksEnabled is off), and no EKS cost`, async () => {
      const { resources } = await programOf(stack);
      const eks = resources.filter(
        (r) => r.type === T.component || r.type.startsWith("aws:eks/") || r.type.startsWith("kubernetes:"),
      );
      assert.deepStrictEqual(eks, []);
      const items = estimateCost(resources).items.map((i) => i.description);
      assert.ok(!items.some((d) => /EKS|t3\.medium/.test(d)), items.join("; "));
    });
  }

  describe("prod", () => {
    let resources: RegisteredResource[];
    before(async () => ({ resources } = await programOf("prod")));
    const one = (type: string, name: string) => {
      const found = ofType(resources, type).filter((r) => r.name === name);
      assert.strictEqual(found.length, 1, `${type} ${name}`);
      return found[0];
    };

    it("runs one cluster, a private endpoint only, in the three private subnets", () => {
      assert.strictEqual(ofType(resources, T.component).length, 1);
      const cluster = one(T.cluster, "eks-cluster");
      const privateSubnets = ofType(resources, T.subnet)
        .filter((s) => (s.inputs.tags as Record<string, string>).Tier === "private")
        .map((s) => s.id);
      assert.strictEqual(privateSubnets.length, 3);
      assert.deepStrictEqual(cluster.inputs.vpcConfig, {
        subnetIds: privateSubnets,
        endpointPrivateAccess: true,
        endpointPublicAccess: false,
      });
      assert.strictEqual(cluster.inputs.name, "agent-platform-prod-eks");
      assert.strictEqual(cluster.inputs.version, "1.35");
    });

    it("runs a version in standard support, more than 90 days from its end, on the day the table was checked", async () => {
      const cluster = one(T.cluster, "eks-cluster");
      assert.deepStrictEqual(cluster.inputs.upgradePolicy, { supportType: "STANDARD" });
      const asOf = { asOf: EKS_VERSIONS_CHECKED };
      const found = await check([eksVersionStandardSupport, eksVersionSupportEnding], [cluster], {
        "eks-version-standard-support": asOf,
        "eks-version-support-ending": asOf,
      });
      assert.deepStrictEqual(
        found.map((v) => v.message),
        [],
      );
      // The autoscaler's image follows the cluster's minor version.
      const autoscaler = one("kubernetes:helm.sh/v3:Release", "eks-cluster-autoscaler");
      assert.deepStrictEqual((autoscaler.inputs.values as { image: unknown }).image, { tag: "v1.35.0" });
    });

    it("encrypts secrets with its own rotated, protected key and logs every control-plane log type", () => {
      const cluster = one(T.cluster, "eks-cluster");
      const key = one("aws:kms/key:Key", "eks-key");
      assert.deepStrictEqual(cluster.inputs.encryptionConfig, {
        resources: ["secrets"],
        provider: { keyArn: key.outputs.arn },
      });
      assert.strictEqual(key.inputs.enableKeyRotation, true);
      assert.deepStrictEqual(cluster.inputs.enabledClusterLogTypes, [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
      ]);
      assert.deepStrictEqual(CLUSTER_LOG_TYPES, cluster.inputs.enabledClusterLogTypes);
      // The log group exists first, with the stack's retention and the same key, which admits CloudWatch
      // Logs for this group alone.
      const group = one("aws:cloudwatch/logGroup:LogGroup", "eks-control-plane-logs");
      assert.deepStrictEqual(
        [group.inputs.name, group.inputs.retentionInDays, group.inputs.kmsKeyId],
        ["/aws/eks/agent-platform-prod-eks/cluster", 90, key.outputs.arn],
      );
      assert.ok(cluster.dependencies.includes(group.urn));
      assert.deepStrictEqual(policyDocument(key).Statement[1], {
        Sid: "CloudWatchLogsEncryptsTheClusterLogs",
        Effect: "Allow",
        Principal: { Service: "logs.us-east-1.amazonaws.com" },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnEquals: {
            "kms:EncryptionContext:aws:logs:arn":
              "arn:aws:logs:us-east-1:991551400024:log-group:/aws/eks/agent-platform-prod-eks/cluster",
          },
        },
      });
      // The control plane's role may use that key for its grants, and nothing else of KMS.
      assert.deepStrictEqual(policyDocument(one("aws:iam/rolePolicy:RolePolicy", "eks-cluster-role-kms")), {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "EnvelopeEncryptionOfSecrets",
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
            Resource: key.outputs.arn,
          },
        ],
      });
    });

    it("uses access entries only, installs no unmanaged add-ons, and is protected (protectStateful)", () => {
      const cluster = one(T.cluster, "eks-cluster");
      assert.deepStrictEqual(cluster.inputs.accessConfig, {
        authenticationMode: "API",
        bootstrapClusterCreatorAdminPermissions: true,
      });
      assert.strictEqual(cluster.inputs.bootstrapSelfManagedAddons, false);
      assert.deepStrictEqual(cluster.inputs.upgradePolicy, { supportType: "STANDARD" });
      assert.strictEqual(cluster.inputs.deletionProtection, true);
      assert.strictEqual(cluster.options.protect, true);
      assert.strictEqual(one("aws:kms/key:Key", "eks-key").options.protect, true);
      assert.deepStrictEqual(ofType(resources, T.accessEntry), []);
    });

    it("enforces IMDSv2 with hop limit 1 and an encrypted gp3 root volume in the nodes' launch template", () => {
      const lt = one(T.launchTemplate, "eks-node-template");
      assert.deepStrictEqual(lt.inputs.metadataOptions, {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: "disabled",
      });
      assert.deepStrictEqual(lt.inputs.blockDeviceMappings, [
        {
          deviceName: "/dev/xvda",
          ebs: { volumeSize: 20, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
      ]);
      const tags = {
        Environment: "prod",
        Project: "agent-platform",
        Owner: "platform-team",
        Function: "eks",
        Name: "eks-node",
      };
      assert.deepStrictEqual(lt.inputs.tagSpecifications, [
        { resourceType: "instance", tags },
        { resourceType: "volume", tags },
      ]);
      assert.strictEqual(lt.inputs.imageId, undefined);
      assert.strictEqual(lt.inputs.instanceType, undefined);
    });

    it("runs an on-demand group (2/3/6) and a tainted Spot group (0/1/3) in the private subnets", () => {
      const cluster = one(T.cluster, "eks-cluster");
      const lt = one(T.launchTemplate, "eks-node-template");
      const groups = ofType(resources, T.nodeGroup);
      assert.deepStrictEqual(
        groups.map((g) => g.name),
        ["eks-nodes", "eks-spot"],
      );
      const common = {
        clusterName: "agent-platform-prod-eks",
        nodeRoleArn: one("aws:iam/role:Role", "eks-node-role").outputs.arn,
        subnetIds: (cluster.inputs.vpcConfig as { subnetIds: string[] }).subnetIds,
        amiType: "AL2023_x86_64_STANDARD",
        launchTemplate: { id: lt.id, version: "1" },
        updateConfig: { maxUnavailable: 1 },
        nodeRepairConfig: { enabled: true },
      };
      const pick = (g: RegisteredResource) =>
        Object.fromEntries(
          Object.keys({
            ...common,
            capacityType: 0,
            instanceTypes: 0,
            scalingConfig: 0,
            labels: 0,
            taints: 0,
          }).map((k) => [k, g.inputs[k]]),
        );
      assert.deepStrictEqual(pick(groups[0]), {
        ...common,
        capacityType: "ON_DEMAND",
        instanceTypes: ["t3.medium"],
        scalingConfig: { minSize: 2, desiredSize: 3, maxSize: 6 },
        labels: {},
        taints: [],
      });
      assert.deepStrictEqual(pick(groups[1]), {
        ...common,
        capacityType: "SPOT",
        instanceTypes: ["t3.medium", "t3a.medium"],
        scalingConfig: { minSize: 0, desiredSize: 1, maxSize: 3 },
        labels: { "workload-class": "interruptible" },
        taints: [{ key: "spot", value: "true", effect: "NO_SCHEDULE" }],
      });
      for (const g of groups) {
        // The cluster autoscaler owns the desired size after creation.
        assert.deepStrictEqual(g.options.ignoreChanges, ["scalingConfig.desiredSize"]);
        assert.strictEqual(g.inputs.diskSize, undefined);
        const needs = [
          one(T.addon, "eks-vpc-cni"),
          one(T.addon, "eks-kube-proxy"),
          one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "eks-node-role-0"),
          one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "eks-node-role-1"),
        ];
        for (const n of needs) assert.ok(g.dependencies.includes(n.urn), `${g.name} waits for ${n.name}`);
      }
    });

    it("gives nodes only the worker and pull-only ECR policies (the CNI has its own role)", () => {
      const role = one("aws:iam/role:Role", "eks-node-role");
      assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy as string), {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: ["sts:AssumeRole"] },
        ],
      });
      assert.deepStrictEqual(
        ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
          .filter((a) => a.inputs.role === role.id)
          .map((a) => a.inputs.policyArn),
        [
          "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
          "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
        ],
      );
    });

    it("installs the six add-ons at AWS's default versions, CNI first and pod add-ons after the nodes", () => {
      const addons = ofType(resources, T.addon);
      const byName = Object.fromEntries(addons.map((a) => [a.inputs.addonName as string, a]));
      assert.deepStrictEqual(Object.keys(byName).sort(), [
        "amazon-cloudwatch-observability",
        "aws-ebs-csi-driver",
        "coredns",
        "kube-proxy",
        "metrics-server",
        "vpc-cni",
      ]);
      const role = (n: string) => one("aws:iam/role:Role", n).outputs.arn;
      for (const a of addons) {
        assert.strictEqual(a.inputs.addonVersion, undefined, a.name);
        assert.deepStrictEqual(
          [a.inputs.clusterName, a.inputs.resolveConflictsOnCreate, a.inputs.resolveConflictsOnUpdate],
          ["agent-platform-prod-eks", "OVERWRITE", "OVERWRITE"],
        );
      }
      // Registration order follows output resolution; the pairs are what matter.
      assert.deepStrictEqual(
        Object.fromEntries(
          addons
            .filter((a) => a.inputs.serviceAccountRoleArn)
            .map((a) => [a.inputs.addonName, a.inputs.serviceAccountRoleArn]),
        ),
        {
          "vpc-cni": role("eks-vpc-cni-role"),
          "aws-ebs-csi-driver": role("eks-ebs-csi-role"),
          "amazon-cloudwatch-observability": role("eks-cloudwatch-role"),
        },
      );
      assert.strictEqual(byName["vpc-cni"].inputs.configurationValues, '{"enableNetworkPolicy":"true"}');
      for (const n of ["vpc-cni", "kube-proxy"])
        assert.ok(!dependencyNames(resources, byName[n]).includes("eks-nodes"), n);
      for (const n of ["coredns", "aws-ebs-csi-driver", "amazon-cloudwatch-observability", "metrics-server"])
        assert.ok(
          ["eks-nodes", "eks-spot"].every((g) => dependencyNames(resources, byName[n]).includes(g)),
          n,
        );
    });

    it("alarms on failed nodes and hot nodes from Container Insights, to the alerts topic", () => {
      const topic = named(resources, "observability-alerts").outputs.arn;
      const alarms = ofType(resources, T.alarm).filter((a) => a.name.startsWith("eks-"));
      assert.deepStrictEqual(
        alarms.map((a) => [
          a.name,
          a.inputs.namespace,
          a.inputs.metricName,
          a.inputs.statistic,
          a.inputs.threshold,
          a.inputs.evaluationPeriods,
        ]),
        [
          ["eks-failed-nodes", "ContainerInsights", "cluster_failed_node_count", "Maximum", 0, 2],
          ["eks-node-cpu", "ContainerInsights", "node_cpu_utilization", "Average", 80, 3],
          ["eks-node-memory", "ContainerInsights", "node_memory_utilization", "Average", 85, 3],
        ],
      );
      assert.strictEqual(alarms.length, NODE_ALARMS.length);
      for (const a of alarms) {
        assert.deepStrictEqual(a.inputs.dimensions, { ClusterName: "agent-platform-prod-eks" });
        assert.deepStrictEqual([a.inputs.alarmActions, a.inputs.okActions], [[topic], [topic]]);
        assert.strictEqual(a.inputs.period, 300);
      }
    });

    it("estimates the control plane ($73), the nodes with their volumes, the Ingress's ALB and Container Insights", () => {
      const items = estimateCost(resources).items.filter((i) => i.urn.includes("EksCluster"));
      const rows = (list: Array<[string, number, number]>) => list.map((r) => r.join(" | ")).sort();
      assert.deepStrictEqual(
        rows(items.map((i) => [i.name, i.minMonthlyUsd, i.maxMonthlyUsd])),
        rows([
          ["eks-cluster", 73, 73],
          // 3 x (0.0416 x 730 + 20 x 0.08); 1 x (0.0416 x 730 x 0.35 + 20 x 0.08).
          ["eks-nodes", 95.9, 95.9],
          ["eks-spot", 12.23, 12.23],
          // 0.0225 x 730 + 3 public IPv4 x 0.005 x 730.
          ["eks-sample-web", 27.38, 27.38],
          // Enhanced observability, 2 to 9 nodes (test/offline/cost.spec.ts works the series out).
          ["eks-amazon-cloudwatch-observability", 6.22, 69.4],
          // $1 a month, $3 after its second yearly rotation.
          ["eks-key", 1, 3],
          ["eks-failed-nodes", 0.1, 0.1],
          ["eks-node-cpu", 0.1, 0.1],
          ["eks-node-memory", 0.1, 0.1],
        ]),
      );
    });
  });

  describe("arguments", () => {
    it("opens the public endpoint only to the listed networks", async () => {
      const { resources } = await componentOf(baseArgs({ publicAccessCidrs: ["203.0.113.0/24"] }));
      assert.deepStrictEqual(named(resources, "eks-cluster").inputs.vpcConfig, {
        subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: ["203.0.113.0/24"],
      });
    });

    it("gives each admin role an access entry with the cluster-admin access policy", async () => {
      const admin = "arn:aws:iam::123456789012:role/platform-admin";
      const { resources } = await componentOf(baseArgs({ adminRoleArns: [admin] }));
      assert.deepStrictEqual(
        ofType(resources, T.accessEntry).map((e) => [
          e.name,
          e.inputs.clusterName,
          e.inputs.principalArn,
          e.inputs.type,
        ]),
        [["eks-admin-0", "agent-platform-test-eks", admin, "STANDARD"]],
      );
      const association = named(resources, "eks-admin-0-policy");
      assert.deepStrictEqual(
        [association.inputs.principalArn, association.inputs.policyArn, association.inputs.accessScope],
        [admin, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", { type: "cluster" }],
      );
      assert.deepStrictEqual(dependencyNames(resources, association), ["eks-admin-0", "eks-cluster"]);
    });

    it("is unprotected by default, pins add-on versions, and builds Graviton groups on the ARM AMI", async () => {
      const { resources } = await componentOf(
        baseArgs({
          addonVersions: { coredns: "v1.11.4-eksbuild.2" },
          nodes: { instanceTypes: ["t4g.medium"], minSize: 1, desiredSize: 1, maxSize: 2, diskSizeGib: 40 },
        }),
      );
      const cluster = named(resources, "eks-cluster");
      assert.deepStrictEqual([cluster.options.protect, cluster.inputs.deletionProtection], [false, false]);
      assert.strictEqual(named(resources, "eks-coredns").inputs.addonVersion, "v1.11.4-eksbuild.2");
      assert.strictEqual(named(resources, "eks-kube-proxy").inputs.addonVersion, undefined);
      const group = ofType(resources, T.nodeGroup);
      assert.deepStrictEqual(
        group.map((g) => [g.name, g.inputs.amiType]),
        [["eks-nodes", "AL2023_ARM_64_STANDARD"]],
      );
      assert.strictEqual(
        (
          named(resources, "eks-node-template").inputs.blockDeviceMappings as Array<{
            ebs: { volumeSize: number };
          }>
        )[0].ebs.volumeSize,
        40,
      );
      assert.deepStrictEqual(ofType(resources, "pulumi:providers:kubernetes"), []);
      assert.deepStrictEqual(
        [amiTypeFor(["m7i.large"]), amiTypeFor(["c7g.large"])],
        ["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD"],
      );
    });

    it("outputs a secret kubeconfig that authenticates with aws eks get-token", async () => {
      const { resources, cluster } = await componentOf(baseArgs());
      const eks = named(resources, "eks-cluster");
      assert.strictEqual(
        await (cluster.kubeconfig as unknown as { isSecret: Promise<boolean> }).isSecret,
        true,
      );
      const kubeconfig = JSON.parse(await resolve(cluster.kubeconfig));
      assert.deepStrictEqual(kubeconfig.clusters, [
        {
          name: "agent-platform-test-eks",
          cluster: {
            server: eks.outputs.endpoint,
            "certificate-authority-data": (eks.outputs.certificateAuthority as { data: string }).data,
          },
        },
      ]);
      assert.strictEqual(kubeconfig["current-context"], "agent-platform-test-eks");
      assert.deepStrictEqual(kubeconfig.users[0].user.exec, {
        apiVersion: "client.authentication.k8s.io/v1beta1",
        command: "aws",
        args: [
          "eks",
          "get-token",
          "--cluster-name",
          "agent-platform-test-eks",
          "--region",
          "us-east-1",
          "--output",
          "json",
        ],
      });
      assert.deepStrictEqual(
        Object.keys(await resolve(cluster.alarms)),
        NODE_ALARMS.map((a) => named(resources, `eks-${a.suffix}`).inputs.name),
      );
    });

    it("refuses an unsupported version format, an endpoint open to the internet and min > max nodes", () => {
      const bad = baseArgs({
        version: "1.33.0",
        publicAccessCidrs: ["0.0.0.0/0"],
        nodes: { instanceTypes: ["t3.medium"], minSize: 3, desiredSize: 3, maxSize: 2, diskSizeGib: 20 },
      });
      const message =
        'EksCluster eks: version = "1.33.0": must be a Kubernetes version as major.minor, such as 1.35; ' +
        'publicAccessCidrs[0] = "0.0.0.0/0": must be the operators\' networks (a /8 or narrower): the API ' +
        "endpoint is never open to the whole internet; nodes.minSize = 3: must not exceed nodes.maxSize (2)";
      assert.throws(() => checkEksClusterArgs("eks", bad, "agent-platform-test-eks"), { message });
      assert.throws(() => new EksCluster("eks", bad), { message });
      assert.doesNotThrow(() => checkEksClusterArgs("eks", baseArgs(), "agent-platform-test-eks"));
    });

    it("refuses small or mixed instance types, an empty on-demand group and a sample app without a certificate", () => {
      assert.throws(
        () =>
          checkEksClusterArgs(
            "eks",
            baseArgs({
              nodes: {
                instanceTypes: ["t3.micro", "t4g.medium"],
                minSize: 0,
                desiredSize: 0,
                maxSize: 1,
                diskSizeGib: 20,
              },
              spot: { instanceTypes: [], minSize: 0, desiredSize: 0, maxSize: 0 },
              workloads: {
                loadBalancerControllerChartVersion: "1.13.0",
                clusterAutoscalerChartVersion: "9.46.0",
                sampleApp: { image: "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine" },
              },
            }),
            "bad name!",
          ),
        {
          message:
            'EksCluster eks: nodes.instanceTypes[0] = "t3.micro": must be medium or larger (t3.medium is the smallest node the ' +
            'platform supports); nodes.instanceTypes = ["t3.micro","t4g.medium"]: must all be of one CPU ' +
            "architecture (x86_64 or arm64): a node group has one AMI type; nodes.minSize = 0: must be between 1 " +
            "and 450; spot.instanceTypes = []: must list at least one instance type; spot.maxSize = 0: must be " +
            "between 1 and 450; workloads.sampleApp = true: needs a certificate for the sample Ingress's HTTPS " +
            "listener: a domain (k8s.<domain> is issued) or workloads.sampleApp.certificateArn; clusterName = " +
            '"bad name!": must be 1-100 letters, digits, _ and -, starting alphanumeric',
        },
      );
    });
  });
});
