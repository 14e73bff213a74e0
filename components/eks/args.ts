import { EKS_VERSIONS, EKS_VERSIONS_CHECKED } from "../../lib/eks-versions";
import { KeyNames, Problems } from "../../lib/problems";
import { parseCidr } from "../../lib/rules";

/*
 * What the EksCluster component is given, and the rules of it: versions EKS supports (lib/eks-versions.ts),
 * node groups EKS accepts, an API endpoint never open to the whole internet, and charts and images given by
 * exact version. config/ reads Pulumi config into these settings and reports each problem under its config key;
 * the constructor checks the same rules.
 */

/** The EKS add-ons the EksCluster component installs, by their EKS add-on name. */
export const EKS_ADDONS = [
  "vpc-cni",
  "kube-proxy",
  "coredns",
  "aws-ebs-csi-driver",
  "amazon-cloudwatch-observability",
  "metrics-server",
] as const;
export type EksAddonName = (typeof EKS_ADDONS)[number];

export type TaintEffect = "NO_SCHEDULE" | "NO_EXECUTE" | "PREFER_NO_SCHEDULE";

/** A node taint as the EKS node group API takes it. */
export interface EksTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
}

export interface EksNodeGroupSettings {
  /** EC2 instance types (medium or larger), all of one CPU architecture (the group's AMI type follows it). */
  readonly instanceTypes: readonly string[];
  /** Fewest nodes (0-450; at least 1 in the on-demand group, which runs the system pods). */
  readonly minSize: number;
  /** Nodes at creation (min <= desired <= max); the cluster autoscaler owns the count afterwards. */
  readonly desiredSize: number;
  /** Most nodes (1-450). */
  readonly maxSize: number;
}

const VERSION_PATTERN = /^1\.(\d{2})$/;
const INSTANCE_TYPE_PATTERN = /^([a-z]+)(\d+)([a-z-]*)\.(\w+(-\d+xl)?)$/;
/** Sizes below medium: t3.medium is the smallest node the platform runs. */
const TOO_SMALL = ["nano", "micro", "small"];
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
export const ADDON_VERSION_PATTERN = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;
const CHART_VERSION_PATTERN = /^\d+\.\d+\.\d+$/;
export const ACM_ARN_PATTERN = /^arn:aws(-[a-z]+)*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;
/** A Kubernetes label name (the part after an optional DNS-subdomain prefix) or value: 63 characters. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const TAINT_EFFECTS: Record<string, TaintEffect> = {
  NoSchedule: "NO_SCHEDULE",
  NoExecute: "NO_EXECUTE",
  PreferNoSchedule: "PREFER_NO_SCHEDULE",
};

/** The CPU architecture of an instance type: the Graviton families carry a "g" after the generation. */
export function instanceArchitecture(type: string): "arm64" | "x86_64" {
  const m = INSTANCE_TYPE_PATTERN.exec(type);
  return (m && m[3].includes("g")) || type.startsWith("a1.") ? "arm64" : "x86_64";
}

/** Why `type` is not an instance type a node may use, or undefined. */
export function instanceTypeProblem(type: string): string | undefined {
  const m = INSTANCE_TYPE_PATTERN.exec(type);
  if (!m) return "must be an EC2 instance type such as t3.medium";
  if (TOO_SMALL.includes(m[4]))
    return "must be medium or larger (t3.medium is the smallest node the platform supports)";
  return undefined;
}

/** Whether `key` is a valid Kubernetes label or taint key: [prefix/]name. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  return (
    LABEL_NAME.test(name) && (prefix === undefined || (prefix.length <= 253 && LABEL_PREFIX.test(prefix)))
  );
}

export const isLabelValue = (v: string) => v === "" || LABEL_NAME.test(v);

/** Parses `key=value:Effect` or `key:Effect`; returns the taint or why it is not one. */
export function parseTaint(text: string): EksTaint | string {
  const m = /^([^=:]+)(?:=([^:]*))?:(\w+)$/.exec(text);
  const allowed = "must be key=value:Effect or key:Effect (Effect: NoSchedule, NoExecute, PreferNoSchedule)";
  if (!m || !TAINT_EFFECTS[m[3]] || !isLabelKey(m[1]) || (m[2] !== undefined && !isLabelValue(m[2])))
    return allowed;
  return { key: m[1], ...(m[2] ? { value: m[2] } : {}), effect: TAINT_EFFECTS[m[3]] };
}

/** The on-demand node group: its sizes, and what every node gets. */
export interface EksNodesSettings extends EksNodeGroupSettings {
  /** Root volume size (GiB, 20-16384) of every node, encrypted gp3. */
  readonly diskSizeGib: number;
  /** Kubernetes labels of every node. Default: none. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Taints of every node. Default: none. */
  readonly taints?: readonly EksTaint[];
}

/** In-cluster resources, deployed through the Kubernetes provider (which must reach the API endpoint). */
export interface EksWorkloadsSettings {
  /** Chart version of aws-load-balancer-controller (https://aws.github.io/eks-charts), exact (1.2.3). */
  readonly loadBalancerControllerChartVersion: string;
  /** Chart version of cluster-autoscaler (https://kubernetes.github.io/autoscaler), exact (1.2.3). */
  readonly clusterAutoscalerChartVersion: string;
  /** The sample Deployment, Service, HPA and Ingress. Default: none. */
  readonly sampleApp?: EksSampleAppSettings;
}

/** The sample app: it needs a certificate for its Ingress, given or issued for a domain. */
export interface EksSampleAppSettings {
  /** Container image with a tag or digest; it must serve HTTP on port 8080 as a non-root user. */
  readonly image: string;
  /** An ACM certificate in the stack's region for the Ingress. Default: one issued for k8s.<domain.name>. */
  readonly certificateArn?: string;
  /** The zone a certificate is issued in when there is no certificateArn. Default: none. */
  readonly domain?: { readonly name: string; readonly hostedZoneId: string };
}

/** The cluster's settings (what config reads); the component adds its network and wiring. */
export interface EksSettings {
  /** Kubernetes version, major.minor (e.g. 1.35), one of lib/eks-versions.ts. No default. */
  readonly version: string;
  /** Networks (a /8 or narrower) allowed to reach the public endpoint. Default: none (private endpoint only). */
  readonly publicAccessCidrs?: readonly string[];
  /** IAM roles given cluster-admin through access entries. Default: none. */
  readonly adminRoleArns?: readonly string[];
  /** The on-demand node group that runs system pods and critical work. No default. */
  readonly nodes: EksNodesSettings;
  /** A Spot node group for interruptible work, tainted `spot=true:NoSchedule`. Default: none. */
  readonly spot?: EksNodeGroupSettings;
  /** Pinned add-on versions; an add-on not listed gets AWS's default for the version. Default: none. */
  readonly addonVersions?: Readonly<Partial<Record<EksAddonName, string>>>;
  /** In-cluster resources through the Kubernetes provider. Default: none. */
  readonly workloads?: EksWorkloadsSettings;
}

type GroupField = "InstanceTypes" | "MinSize" | "DesiredSize" | "MaxSize";

export type EksField =
  | "version"
  | "publicAccessCidrs"
  | "adminRoleArns"
  | `${"nodes" | "spot"}${GroupField}`
  | "diskSizeGib"
  | "loadBalancerControllerChartVersion"
  | "clusterAutoscalerChartVersion"
  | "sampleApp"
  | "sampleImage"
  | "sampleCertificateArn";

export const EKS_FIELDS: KeyNames<EksField> = {
  version: "version",
  publicAccessCidrs: "publicAccessCidrs",
  adminRoleArns: "adminRoleArns",
  nodesInstanceTypes: "nodes.instanceTypes",
  nodesMinSize: "nodes.minSize",
  nodesDesiredSize: "nodes.desiredSize",
  nodesMaxSize: "nodes.maxSize",
  spotInstanceTypes: "spot.instanceTypes",
  spotMinSize: "spot.minSize",
  spotDesiredSize: "spot.desiredSize",
  spotMaxSize: "spot.maxSize",
  diskSizeGib: "nodes.diskSizeGib",
  loadBalancerControllerChartVersion: "workloads.loadBalancerControllerChartVersion",
  clusterAutoscalerChartVersion: "workloads.clusterAutoscalerChartVersion",
  sampleApp: "workloads.sampleApp",
  sampleImage: "workloads.sampleApp.image",
  sampleCertificateArn: "workloads.sampleApp.certificateArn",
};

const SAMPLE_IMAGE = /^[\w.-]+(:\d+)?(\/[\w.-]+)+(:[\w.-]+|@sha256:[0-9a-f]{64})$/;

/** Every rule the cluster's settings break, each named by `keys`. */
export function eksProblems(s: EksSettings, keys: KeyNames<EksField> = EKS_FIELDS) {
  const p = new Problems(keys);
  const known = Object.keys(EKS_VERSIONS);
  if (!VERSION_PATTERN.test(s.version))
    p.add("version", s.version, "must be a Kubernetes version as major.minor, such as 1.35");
  else if (!known.includes(s.version))
    p.add(
      "version",
      s.version,
      `must be a version of the EKS support table lib/eks-versions.ts (${known[0]} to ${known.at(-1)}, ` +
        `checked ${EKS_VERSIONS_CHECKED}); add a newer version there with its dates from the EKS release calendar`,
    );
  (s.publicAccessCidrs ?? []).forEach((text, i) => {
    const cidr = parseCidr(text);
    if (typeof cidr === "string") p.add("publicAccessCidrs", text, cidr, i);
    else if (cidr.prefix < 8)
      p.add(
        "publicAccessCidrs",
        text,
        "must be the operators' networks (a /8 or narrower): the API endpoint is never open to the whole internet",
        i,
      );
  });
  (s.adminRoleArns ?? []).forEach((arn, i) => {
    if (!ROLE_ARN_PATTERN.test(arn))
      p.add("adminRoleArns", arn, "must be an IAM role ARN such as arn:aws:iam::123456789012:role/admin", i);
  });
  groupProblems(p, "nodes", s.nodes, 1);
  p.number("diskSizeGib", s.nodes.diskSizeGib, { min: 20, max: 16384 });
  if (s.spot) groupProblems(p, "spot", s.spot, 0);
  const w = s.workloads;
  if (w) {
    for (const field of ["loadBalancerControllerChartVersion", "clusterAutoscalerChartVersion"] as const)
      if (!CHART_VERSION_PATTERN.test(w[field]))
        p.add(field, w[field], "must be an exact chart version such as 1.2.3");
    const sample = w.sampleApp;
    if (sample) {
      if (!SAMPLE_IMAGE.test(sample.image))
        p.add(
          "sampleImage",
          sample.image,
          "must be an image reference with a tag or digest, such as registry/repo:1.0",
        );
      if (sample.certificateArn !== undefined && !ACM_ARN_PATTERN.test(sample.certificateArn))
        p.add("sampleCertificateArn", sample.certificateArn, "must be an ACM certificate ARN");
      if (sample.certificateArn === undefined && sample.domain === undefined)
        p.add(
          "sampleApp",
          true,
          `needs a certificate for the sample Ingress's HTTPS listener: a domain (k8s.<domain> is issued) or ${p.key("sampleCertificateArn")}`,
        );
    }
  }
  return p.list;
}

/** Instance types and sizes of one node group: min <= desired <= max. */
function groupProblems(
  p: Problems<EksField>,
  group: "nodes" | "spot",
  g: EksNodeGroupSettings,
  lowestMin: number,
): void {
  const field = (f: GroupField) => `${group}${f}` as const;
  if (g.instanceTypes.length === 0)
    p.add(field("InstanceTypes"), g.instanceTypes, "must list at least one instance type");
  g.instanceTypes.forEach((t, i) => {
    const problem = instanceTypeProblem(t);
    if (problem) p.add(field("InstanceTypes"), t, problem, i);
  });
  if (new Set(g.instanceTypes.map(instanceArchitecture)).size > 1)
    p.add(
      field("InstanceTypes"),
      g.instanceTypes,
      "must all be of one CPU architecture (x86_64 or arm64): a node group has one AMI type",
    );
  const minOk = p.number(field("MinSize"), g.minSize, { min: lowestMin, max: 450 });
  const desiredOk = p.number(field("DesiredSize"), g.desiredSize, { min: 0, max: 450 });
  const maxOk = p.number(field("MaxSize"), g.maxSize, { min: 1, max: 450 });
  if (minOk && maxOk && g.minSize > g.maxSize)
    p.add(field("MinSize"), g.minSize, `must not exceed ${p.key(field("MaxSize"))} (${g.maxSize})`);
  else if (minOk && maxOk && desiredOk && (g.desiredSize < g.minSize || g.desiredSize > g.maxSize))
    p.add(
      field("DesiredSize"),
      g.desiredSize,
      `must be between ${p.key(field("MinSize"))} (${g.minSize}) and ${p.key(field("MaxSize"))} (${g.maxSize})`,
    );
}
