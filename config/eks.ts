import { EKS_VERSIONS, EKS_VERSIONS_CHECKED } from "../lib/eks-versions";
import { NatStrategy } from "./network";
import { ConfigReader } from "./reader";
import { parseCidr } from "../lib/rules";

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

export interface EksNodeGroupConfig {
  /** EC2 instance types, all of one CPU architecture (the group's AMI type follows it). */
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
}

export interface EksWorkloadsConfig {
  /** Whether in-cluster resources are deployed through the Kubernetes provider (needs reach to the API). */
  readonly enabled: boolean;
  /** Chart version of aws-load-balancer-controller (https://aws.github.io/eks-charts). */
  readonly loadBalancerControllerChartVersion: string;
  /** Chart version of cluster-autoscaler (https://kubernetes.github.io/autoscaler). */
  readonly clusterAutoscalerChartVersion: string;
  /** Whether the sample Deployment, Service, HPA and Ingress are deployed. */
  readonly sampleApp: boolean;
  /** Container image of the sample app (serves HTTP on 8080 as a non-root user). */
  readonly sampleImage: string;
  /** An ACM certificate for the sample Ingress; undefined = one is issued for k8s.<domainName>. */
  readonly certificateArn?: string;
}

export interface EksConfig {
  /** Whether the cluster exists at all (the control plane alone is about $73 a month). */
  readonly enabled: boolean;
  /** Kubernetes version, major.minor (e.g. 1.35), one of lib/eks-versions.ts. */
  readonly version: string;
  /** CIDR blocks allowed to reach the public API endpoint; empty = private endpoint only. */
  readonly publicAccessCidrs: readonly string[];
  /** IAM roles given cluster-admin through access entries. */
  readonly adminRoleArns: readonly string[];
  /** The on-demand node group that runs system pods and critical work. */
  readonly nodes: EksNodeGroupConfig & {
    /** Root volume size (GiB) of every node, encrypted gp3. */
    readonly diskSizeGib: number;
    readonly labels: Readonly<Record<string, string>>;
    readonly taints: readonly EksTaint[];
  };
  /** The optional Spot group for interruptible work (tainted; pods opt in); undefined when off. */
  readonly spot?: EksNodeGroupConfig;
  /** Pinned add-on versions; an add-on not listed gets AWS's default for the cluster version. */
  readonly addonVersions: Readonly<Partial<Record<EksAddonName, string>>>;
  readonly workloads: EksWorkloadsConfig;
}

/** What the EKS rules need to know of the rest of the stack. */
export interface EksContext {
  readonly region: string;
  readonly natStrategy: NatStrategy;
  /** Whether domainName is set (a certificate for the sample Ingress can then be issued). */
  readonly hasDomain: boolean;
}

const VERSION_PATTERN = /^1\.(\d{2})$/;
const INSTANCE_TYPE_PATTERN = /^([a-z]+)(\d+)([a-z-]*)\.(\w+(-\d+xl)?)$/;
/** Sizes below medium: seed 004 sets t3.medium as the smallest node. */
const TOO_SMALL = ["nano", "micro", "small"];
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ADDON_VERSION_PATTERN = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;
const CHART_VERSION_PATTERN = /^\d+\.\d+\.\d+$/;
const ACM_ARN_PATTERN = /^arn:aws(-[a-z]+)*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;
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
  if (TOO_SMALL.includes(m[4])) return "must be medium or larger (seed 004: nodes are at least t3.medium)";
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

const isLabelValue = (v: string) => v === "" || LABEL_NAME.test(v);

/** Parses `key=value:Effect` or `key:Effect`; returns the taint or why it is not one. */
export function parseTaint(text: string): EksTaint | string {
  const m = /^([^=:]+)(?:=([^:]*))?:(\w+)$/.exec(text);
  const allowed = "must be key=value:Effect or key:Effect (Effect: NoSchedule, NoExecute, PreferNoSchedule)";
  if (!m || !TAINT_EFFECTS[m[3]] || !isLabelKey(m[1]) || (m[2] !== undefined && !isLabelValue(m[2])))
    return allowed;
  return { key: m[1], ...(m[2] ? { value: m[2] } : {}), effect: TAINT_EFFECTS[m[3]] };
}

/** Reads and validates the `eks*` keys. Cross-key rules apply only when the cluster is enabled. */
export function readEks(r: ConfigReader, ctx: EksContext): EksConfig {
  const enabled = r.boolean("eksEnabled", false);

  const version = r.string("eksVersion", "1.35");
  const known = Object.keys(EKS_VERSIONS);
  if (!VERSION_PATTERN.test(version))
    r.report("eksVersion", version, "must be a Kubernetes version as major.minor, such as 1.35");
  else if (!known.includes(version))
    r.report(
      "eksVersion",
      version,
      `must be a version of the EKS support table lib/eks-versions.ts (${known[0]} to ${known.at(-1)}, ` +
        `checked ${EKS_VERSIONS_CHECKED}); add a newer version there with its dates from the EKS release calendar`,
    );

  const publicAccessCidrs = r.stringList("eksPublicAccessCidrs", []);
  publicAccessCidrs.forEach((text, i) => {
    const cidr = parseCidr(text);
    if (typeof cidr === "string") r.report(`eksPublicAccessCidrs[${i}]`, text, cidr);
    else if (cidr.prefix < 8)
      r.report(
        `eksPublicAccessCidrs[${i}]`,
        text,
        "must be the operators' networks (a /8 or narrower): the API endpoint is never open to the whole internet",
      );
  });

  const adminRoleArns = r.stringList("eksAdminRoleArns", []);
  adminRoleArns.forEach((arn, i) => {
    if (!ROLE_ARN_PATTERN.test(arn))
      r.report(
        `eksAdminRoleArns[${i}]`,
        arn,
        "must be an IAM role ARN such as arn:aws:iam::123456789012:role/admin",
      );
  });

  const nodes = readGroup(r, "eks", "eksInstanceTypes", ["t3.medium"], 1);
  const diskSizeGib = r.number("eksNodeDiskGib", { min: 20, max: 16384 }, 20);
  const labels: Record<string, string> = {};
  r.stringList("eksNodeLabels", []).forEach((text, i) => {
    const [key, value, extra] = text.split("=");
    if (extra !== undefined || value === undefined || !isLabelKey(key) || !isLabelValue(value))
      r.report(`eksNodeLabels[${i}]`, text, "must be key=value with a Kubernetes label key and value");
    else labels[key] = value;
  });
  const taints: EksTaint[] = [];
  r.stringList("eksNodeTaints", []).forEach((text, i) => {
    const taint = parseTaint(text);
    if (typeof taint === "string") r.report(`eksNodeTaints[${i}]`, text, taint);
    else taints.push(taint);
  });

  const spotEnabled = r.boolean("eksSpotEnabled", false);
  const spot = readGroup(r, "eksSpot", "eksSpotInstanceTypes", ["t3.medium", "t3a.medium"], 0);

  const addonVersions: Partial<Record<EksAddonName, string>> = {};
  r.stringList("eksAddonVersions", []).forEach((text, i) => {
    const [name, v] = text.split("=");
    if (!(EKS_ADDONS as readonly string[]).includes(name))
      r.report(`eksAddonVersions[${i}]`, text, `must name one of ${EKS_ADDONS.join(", ")} (name=version)`);
    else if (v === undefined || !ADDON_VERSION_PATTERN.test(v))
      r.report(
        `eksAddonVersions[${i}]`,
        text,
        "must be name=version with an EKS add-on version such as v1.19.2-eksbuild.1",
      );
    else if (addonVersions[name as EksAddonName] !== undefined)
      r.report(`eksAddonVersions[${i}]`, text, `must not pin ${name} twice`);
    else addonVersions[name as EksAddonName] = v;
  });

  const chart = (key: string, fallback: string) => {
    const v = r.string(key, fallback);
    if (!CHART_VERSION_PATTERN.test(v)) r.report(key, v, "must be an exact chart version such as 1.2.3");
    return v;
  };
  const workloadsEnabled = r.boolean("eksWorkloadsEnabled", true);
  const loadBalancerControllerChartVersion = chart("eksLoadBalancerControllerChartVersion", "1.13.0");
  const clusterAutoscalerChartVersion = chart("eksClusterAutoscalerChartVersion", "9.46.0");
  const sampleApp = r.boolean("eksSampleAppEnabled", true);
  const sampleImage = r.string("eksSampleImage", "");
  if (!/^[\w.-]+(:\d+)?(\/[\w.-]+)+(:[\w.-]+|@sha256:[0-9a-f]{64})$/.test(sampleImage))
    r.report(
      "eksSampleImage",
      sampleImage,
      "must be an image reference with a tag or digest, such as registry/repo:1.0",
    );
  const certificateArn = r.optionalString("eksCertificateArn");
  if (certificateArn !== undefined) {
    const m = ACM_ARN_PATTERN.exec(certificateArn);
    if (!m) r.report("eksCertificateArn", certificateArn, "must be an ACM certificate ARN");
    else if (m[2] !== ctx.region)
      r.report(
        "eksCertificateArn",
        certificateArn,
        `must be a certificate in the stack's region (${ctx.region}): ALBs use regional certificates`,
      );
  }

  if (enabled) {
    if (ctx.natStrategy === "none")
      r.report(
        "eksEnabled",
        enabled,
        "needs natStrategy single or perAz: nodes join the cluster and pull images over the internet",
      );
    if (workloadsEnabled && sampleApp && certificateArn === undefined && !ctx.hasDomain)
      r.report(
        "eksSampleAppEnabled",
        sampleApp,
        "needs a certificate for the sample Ingress's HTTPS listener: set domainName (k8s.<domainName> is issued) or eksCertificateArn",
      );
  }

  return {
    enabled,
    version,
    publicAccessCidrs,
    adminRoleArns,
    nodes: { ...nodes, diskSizeGib, labels, taints },
    ...(spotEnabled ? { spot } : {}),
    addonVersions,
    workloads: {
      enabled: workloadsEnabled,
      loadBalancerControllerChartVersion,
      clusterAutoscalerChartVersion,
      sampleApp,
      sampleImage,
      ...(certificateArn !== undefined ? { certificateArn } : {}),
    },
  };
}

/** Instance types and sizes of one node group, keys `<prefix>MinNodes` etc.; min <= desired <= max. */
function readGroup(
  r: ConfigReader,
  prefix: string,
  typesKey: string,
  fallbackTypes: string[],
  lowestMin: number,
): EksNodeGroupConfig {
  const instanceTypes = r.stringList(typesKey, fallbackTypes);
  if (instanceTypes.length === 0) r.report(typesKey, instanceTypes, "must list at least one instance type");
  instanceTypes.forEach((t, i) => {
    const problem = instanceTypeProblem(t);
    if (problem) r.report(`${typesKey}[${i}]`, t, problem);
  });
  const architectures = [...new Set(instanceTypes.map(instanceArchitecture))];
  if (architectures.length > 1)
    r.report(
      typesKey,
      instanceTypes,
      "must all be of one CPU architecture (x86_64 or arm64): a node group has one AMI type",
    );

  const minSize = r.number(`${prefix}MinNodes`, { min: lowestMin, max: 450 }, lowestMin);
  const desiredSize = r.number(`${prefix}DesiredNodes`, { min: 0, max: 450 }, 1);
  const maxSize = r.number(`${prefix}MaxNodes`, { min: 1, max: 450 }, 3);
  if (minSize > maxSize)
    r.report(`${prefix}MinNodes`, minSize, `must not exceed ${prefix}MaxNodes (${maxSize})`);
  else if (desiredSize < minSize || desiredSize > maxSize)
    r.report(
      `${prefix}DesiredNodes`,
      desiredSize,
      `must be between ${prefix}MinNodes (${minSize}) and ${prefix}MaxNodes (${maxSize})`,
    );
  return { instanceTypes, minSize, desiredSize, maxSize };
}
