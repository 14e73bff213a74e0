import * as assert from "assert";
import { EksCluster, EksClusterArgs } from "../../components/eks/cluster";
import { SAMPLE_SCALING } from "../../components/eks/sample-app";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { evaluate, named, ofType } from "../helpers/offline";
import { stackEvaluation } from "../helpers/stacks";

const T = {
  provider: "pulumi:providers:kubernetes",
  release: "kubernetes:helm.sh/v3:Release",
  ingressClass: "kubernetes:networking.k8s.io/v1:IngressClass",
  storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
  namespace: "kubernetes:core/v1:Namespace",
  deployment: "kubernetes:apps/v1:Deployment",
  service: "kubernetes:core/v1:Service",
  hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  certificate: "aws:acm/certificate:Certificate",
  record: "aws:route53/record:Record",
};
const ACCOUNT = "123456789012";
const CERT = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`;
const IMAGE = "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine";

function args(workloads: EksClusterArgs["workloads"]): EksClusterArgs {
  return {
    vpcId: "vpc-0a1b2c3d4e5f60718",
    privateSubnetIds: ["subnet-a", "subnet-b"],
    version: "1.32",
    nodes: { instanceTypes: ["t3.medium"], minSize: 1, desiredSize: 2, maxSize: 4, diskSizeGib: 20 },
    logRetentionDays: 30,
    alarmTopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`,
    tags: { Environment: "test", Project: "agent-platform", Owner: "platform-team" },
    workloads,
  };
}

async function componentOf(a: EksClusterArgs) {
  const { resources } = await evaluate(() => {
    new EksCluster("eks", a);
  });
  return resources;
}

/** The one resource of `type` named `name` (Kubernetes objects of one app share their logical name). */
function one(resources: RegisteredResource[], type: string, name: string): RegisteredResource {
  const found = ofType(resources, type).filter((r) => r.name === name);
  assert.strictEqual(found.length, 1, `${type} ${name}`);
  return found[0];
}

const urnsOf = (resources: RegisteredResource[], ...names: string[]) =>
  names.map((n) => resources.find((r) => r.name === n && !r.type.startsWith("aws:iam/"))!.urn);

describe("EksCluster workloads", function () {
  this.timeout(60000);

  describe("prod", () => {
    let resources: RegisteredResource[];
    before(async () => ({ resources } = await stackEvaluation("prod")));

    it("reaches the cluster through one provider built from its endpoint, CA and aws eks get-token", () => {
      const providers = ofType(resources, T.provider);
      assert.deepStrictEqual(
        providers.map((p) => p.name),
        ["eks-k8s"],
      );
      const kubeconfig = providers[0].inputs.kubeconfig as Record<string, string>;
      // Serialized as a secret: the engine's secret signature and the value.
      assert.strictEqual(kubeconfig["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270");
      const parsed = JSON.parse(kubeconfig.value);
      assert.strictEqual(parsed.clusters[0].cluster.server, named(resources, "eks-cluster").outputs.endpoint);
      assert.deepStrictEqual(parsed.users[0].user.exec.args, [
        "eks",
        "get-token",
        "--cluster-name",
        "agent-platform-prod-eks",
        "--region",
        "us-east-1",
        "--output",
        "json",
      ]);
      assert.strictEqual(providers[0].inputs.enableServerSideApply, "true");
      const k8sObjects = resources.filter((r) => r.type.startsWith("kubernetes:"));
      assert.strictEqual(k8sObjects.length, 10);
      for (const r of k8sObjects) assert.strictEqual(r.provider?.split("::")[3], "eks-k8s", r.name);
    });

    it("installs the AWS Load Balancer Controller with its IRSA role, region and VPC (no IMDS lookups)", () => {
      const release = one(resources, T.release, "eks-aws-load-balancer-controller");
      assert.deepStrictEqual(
        [release.inputs.name, release.inputs.chart, release.inputs.version, release.inputs.namespace],
        ["aws-load-balancer-controller", "aws-load-balancer-controller", "1.13.0", "kube-system"],
      );
      assert.deepStrictEqual(release.inputs.repositoryOpts, { repo: "https://aws.github.io/eks-charts" });
      assert.strictEqual(release.inputs.atomic, true);
      assert.deepStrictEqual(release.inputs.values, {
        clusterName: "agent-platform-prod-eks",
        region: "us-east-1",
        vpcId: named(resources, "network-vpc").id,
        replicaCount: 2,
        serviceAccount: {
          create: true,
          name: "aws-load-balancer-controller",
          annotations: {
            "eks.amazonaws.com/role-arn": named(resources, "eks-load-balancer-controller-role").outputs.arn,
          },
        },
        createIngressClassResource: false,
        enableShield: false,
        enableWaf: false,
        enableWafv2: true,
        defaultTags: {
          Environment: "prod",
          Project: "agent-platform",
          Owner: "platform-team",
          Function: "eks",
        },
      });
    });

    it("installs the cluster autoscaler for this cluster's node groups, at the cluster's minor version", () => {
      const release = one(resources, T.release, "eks-cluster-autoscaler");
      assert.deepStrictEqual(
        [release.inputs.name, release.inputs.chart, release.inputs.version, release.inputs.namespace],
        ["cluster-autoscaler", "cluster-autoscaler", "9.46.0", "kube-system"],
      );
      assert.deepStrictEqual(release.inputs.repositoryOpts, {
        repo: "https://kubernetes.github.io/autoscaler",
      });
      assert.deepStrictEqual(release.inputs.values, {
        cloudProvider: "aws",
        awsRegion: "us-east-1",
        autoDiscovery: { clusterName: "agent-platform-prod-eks" },
        image: { tag: "v1.35.0" },
        rbac: {
          serviceAccount: {
            create: true,
            name: "cluster-autoscaler",
            annotations: {
              "eks.amazonaws.com/role-arn": named(resources, "eks-cluster-autoscaler-role").outputs.arn,
            },
          },
        },
        extraArgs: { "balance-similar-node-groups": true, expander: "least-waste" },
      });
    });

    it("starts the controllers once nodes and DNS run", () => {
      const waitFor = urnsOf(resources, "eks-nodes", "eks-spot", "eks-coredns");
      for (const name of ["eks-aws-load-balancer-controller", "eks-cluster-autoscaler"]) {
        const release = one(resources, T.release, name);
        for (const urn of waitFor) assert.ok(release.dependencies.includes(urn), `${name} waits for ${urn}`);
      }
    });

    it("declares the alb IngressClass and an encrypted, tagged gp3 default StorageClass", () => {
      const ingressClass = one(resources, T.ingressClass, "eks-alb");
      assert.deepStrictEqual(
        [ingressClass.inputs.metadata, ingressClass.inputs.spec],
        [
          { name: "alb", annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } },
          { controller: "ingress.k8s.aws/alb" },
        ],
      );
      const storage = one(resources, T.storageClass, "eks-gp3");
      assert.deepStrictEqual(
        [storage.inputs.provisioner, storage.inputs.volumeBindingMode, storage.inputs.parameters],
        [
          "ebs.csi.aws.com",
          "WaitForFirstConsumer",
          {
            type: "gp3",
            encrypted: "true",
            tagSpecification_1: "Environment=prod",
            tagSpecification_2: "Project=agent-platform",
            tagSpecification_3: "Owner=platform-team",
            tagSpecification_4: "Function=eks",
          },
        ],
      );
    });

    it("runs the sample app non-root, spread over zones, scaled by an HPA at 70 % CPU", () => {
      const deployment = one(resources, T.deployment, "eks-sample-web");
      const spec = deployment.inputs.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.strictEqual(spec.replicas, undefined, "the HPA owns the replica count");
      const container = spec.template.spec.containers[0];
      assert.deepStrictEqual(
        [container.image, container.ports, container.resources],
        [
          IMAGE,
          [{ name: "http", containerPort: 8080 }],
          { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        ],
      );
      assert.deepStrictEqual(container.securityContext, {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      assert.deepStrictEqual(spec.template.spec.securityContext, {
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      assert.strictEqual(
        spec.template.spec.topologySpreadConstraints[0].topologyKey,
        "topology.kubernetes.io/zone",
      );

      const hpa = one(resources, T.hpa, "eks-sample-web");
      assert.deepStrictEqual(hpa.inputs.spec, {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
        minReplicas: 2,
        maxReplicas: 6,
        metrics: [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
          },
        ],
      });
      assert.deepStrictEqual(SAMPLE_SCALING, { minReplicas: 2, maxReplicas: 6, cpuPercent: 70 });
      assert.deepStrictEqual(one(resources, T.pdb, "eks-sample-web").inputs.spec, {
        minAvailable: 1,
        selector: { matchLabels: { app: "web" } },
      });
      assert.deepStrictEqual(one(resources, T.service, "eks-sample-web").inputs.spec, {
        type: "ClusterIP",
        selector: { app: "web" },
        ports: [{ name: "http", port: 80, targetPort: "http" }],
      });
      // Its namespace waits for the controller (whose webhooks admit Services) and metrics-server (the HPA).
      const ns = one(resources, T.namespace, "eks-sample");
      for (const urn of urnsOf(resources, "eks-aws-load-balancer-controller", "eks-metrics-server"))
        assert.ok(ns.dependencies.includes(urn), urn);
    });

    it("serves it over HTTPS on k8s.<domain> with an issued certificate, redirecting HTTP to HTTPS", () => {
      const cert = one(resources, T.certificate, "eks-sample-cert");
      assert.deepStrictEqual(
        [cert.inputs.domainName, cert.inputs.validationMethod],
        ["k8s.agents.example.com", "DNS"],
      );
      const validation = one(resources, T.record, "eks-sample-cert-validation");
      assert.strictEqual(validation.inputs.zoneId, "Z0123456789EXAMPLE0AB");
      const issued = one(
        resources,
        "aws:acm/certificateValidation:CertificateValidation",
        "eks-sample-cert-issued",
      );
      assert.deepStrictEqual(issued.inputs.validationRecordFqdns, [validation.outputs.fqdn]);

      const ingress = one(resources, T.ingress, "eks-sample-web");
      assert.deepStrictEqual((ingress.inputs.metadata as Record<string, unknown>).annotations, {
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/certificate-arn": cert.outputs.arn,
        "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "alb.ingress.kubernetes.io/healthcheck-path": "/",
        "alb.ingress.kubernetes.io/load-balancer-attributes":
          "routing.http.drop_invalid_header_fields.enabled=true",
      });
      assert.deepStrictEqual(ingress.inputs.spec, {
        ingressClassName: "alb",
        tls: [{ hosts: ["k8s.agents.example.com"] }],
        rules: [
          {
            host: "k8s.agents.example.com",
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: "web", port: { name: "http" } } },
                },
              ],
            },
          },
        ],
      });
      // The name points at the ALB the controller reports in the Ingress's status.
      const dns = one(resources, T.record, "eks-sample-dns");
      const hostname = (ingress.outputs.status as { loadBalancer: { ingress: Array<{ hostname: string }> } })
        .loadBalancer.ingress[0].hostname;
      assert.deepStrictEqual(
        [dns.inputs.name, dns.inputs.type, dns.inputs.records, dns.inputs.zoneId],
        ["k8s.agents.example.com", "CNAME", [hostname], "Z0123456789EXAMPLE0AB"],
      );
    });
  });

  it("uses a given certificate and answers on any host without a domain", async () => {
    const resources = await componentOf(
      args({
        loadBalancerControllerChartVersion: "1.12.0",
        clusterAutoscalerChartVersion: "9.43.0",
        sampleApp: { image: IMAGE, certificateArn: CERT },
      }),
    );
    assert.deepStrictEqual(ofType(resources, T.certificate), []);
    assert.deepStrictEqual(ofType(resources, T.record), []);
    const ingress = one(resources, T.ingress, "eks-sample-web");
    const annotations = (ingress.inputs.metadata as { annotations: Record<string, string> }).annotations;
    assert.strictEqual(annotations["alb.ingress.kubernetes.io/certificate-arn"], CERT);
    assert.deepStrictEqual((ingress.inputs.spec as { rules: unknown[]; tls?: unknown }).tls, undefined);
    assert.deepStrictEqual(
      ofType(resources, T.release)
        .map((r) => [r.name, r.inputs.version])
        .sort(),
      [
        ["eks-aws-load-balancer-controller", "1.12.0"],
        ["eks-cluster-autoscaler", "9.43.0"],
      ],
    );
    assert.deepStrictEqual(
      (one(resources, T.release, "eks-cluster-autoscaler").inputs.values as { image: unknown }).image,
      { tag: "v1.32.0" },
    );
  });

  it("deploys the controllers without the sample app, and nothing in the cluster without workloads", async () => {
    const controllersOnly = await componentOf(
      args({ loadBalancerControllerChartVersion: "1.13.0", clusterAutoscalerChartVersion: "9.46.0" }),
    );
    assert.deepStrictEqual(
      controllersOnly
        .filter((r) => r.type.startsWith("kubernetes:"))
        .map((r) => r.type)
        .sort(),
      [T.release, T.release, T.ingressClass, T.storageClass].sort(),
    );
    const none = await componentOf(args(undefined));
    assert.deepStrictEqual(
      none.filter((r) => r.type.startsWith("kubernetes:") || r.type === T.provider),
      [],
    );
  });
});
