import {
  ACM_ARN_PATTERN,
  ADDON_VERSION_PATTERN,
  EKS_ADDONS,
  EksAddonName,
  EksField,
  EksNodeGroupSettings,
  EksSettings,
  eksProblems,
  EksTaint,
  isLabelKey,
  isLabelValue,
  parseTaint,
} from "../components/eks/args";
import type { NatStrategy } from "../components/network/args";
import type { KeyNames } from "../lib/problems";
import { ConfigReader } from "./reader";

/*
 * The EKS cluster: its keys, read into the component's own settings (components/eks/args.ts), whose rules name
 * the keys below; labels, taints and add-on pins are parsed here from their `key=value` forms.
 */

/** What the EKS rules need of the rest of the stack. */
export interface EksContext {
  readonly region: string;
  readonly natStrategy: NatStrategy;
  /**
   * The stack's domain in an existing zone: without eksCertificateArn, the sample Ingress's certificate is
   * issued for k8s.<name> in that zone.
   */
  readonly domain?: { readonly name: string; readonly hostedZoneId: string };
  /** domainName is set but its own keys were reported: the sample app's need of it is not reported again. */
  readonly domainReported: boolean;
}

const KEYS: KeyNames<EksField> = {
  version: "eksVersion",
  publicAccessCidrs: "eksPublicAccessCidrs",
  adminRoleArns: "eksAdminRoleArns",
  nodesInstanceTypes: "eksInstanceTypes",
  nodesMinSize: "eksMinNodes",
  nodesDesiredSize: "eksDesiredNodes",
  nodesMaxSize: "eksMaxNodes",
  spotInstanceTypes: "eksSpotInstanceTypes",
  spotMinSize: "eksSpotMinNodes",
  spotDesiredSize: "eksSpotDesiredNodes",
  spotMaxSize: "eksSpotMaxNodes",
  diskSizeGib: "eksNodeDiskGib",
  loadBalancerControllerChartVersion: "eksLoadBalancerControllerChartVersion",
  clusterAutoscalerChartVersion: "eksClusterAutoscalerChartVersion",
  sampleApp: "eksSampleAppEnabled",
  sampleImage: "eksSampleImage",
  sampleCertificateArn: "eksCertificateArn",
};

function readGroup(r: ConfigReader, prefix: string, typesKey: string): EksNodeGroupSettings {
  return {
    instanceTypes: r.stringList(typesKey),
    minSize: r.number(`${prefix}MinNodes`),
    desiredSize: r.number(`${prefix}DesiredNodes`),
    maxSize: r.number(`${prefix}MaxNodes`),
  };
}

/** The cluster, or undefined where eksEnabled is false. */
export function readEks(r: ConfigReader, ctx: EksContext): EksSettings | undefined {
  const enabled = r.boolean("eksEnabled");
  const labels: Record<string, string> = {};
  r.stringList("eksNodeLabels").forEach((text, i) => {
    const [key, value, extra] = text.split("=");
    if (extra !== undefined || value === undefined || !isLabelKey(key) || !isLabelValue(value))
      r.report(`eksNodeLabels[${i}]`, text, "must be key=value with a Kubernetes label key and value");
    else labels[key] = value;
  });
  const taints: EksTaint[] = [];
  r.stringList("eksNodeTaints").forEach((text, i) => {
    const taint = parseTaint(text);
    if (typeof taint === "string") r.report(`eksNodeTaints[${i}]`, text, taint);
    else taints.push(taint);
  });
  const addonVersions: Partial<Record<EksAddonName, string>> = {};
  r.stringList("eksAddonVersions").forEach((text, i) => {
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
  const nodes = {
    ...readGroup(r, "eks", "eksInstanceTypes"),
    diskSizeGib: r.number("eksNodeDiskGib"),
    labels,
    taints,
  };
  const spotEnabled = r.boolean("eksSpotEnabled");
  const spot = readGroup(r, "eksSpot", "eksSpotInstanceTypes");
  const workloadsEnabled = r.boolean("eksWorkloadsEnabled");
  const sampleAppEnabled = r.boolean("eksSampleAppEnabled");
  const certificateArn = r.optionalString("eksCertificateArn");
  const settings: EksSettings = {
    version: r.string("eksVersion"),
    publicAccessCidrs: r.stringList("eksPublicAccessCidrs"),
    adminRoleArns: r.stringList("eksAdminRoleArns"),
    nodes,
    ...(spotEnabled ? { spot } : {}),
    addonVersions,
    ...(workloadsEnabled
      ? {
          workloads: {
            loadBalancerControllerChartVersion: r.string("eksLoadBalancerControllerChartVersion"),
            clusterAutoscalerChartVersion: r.string("eksClusterAutoscalerChartVersion"),
            ...(sampleAppEnabled
              ? {
                  sampleApp: {
                    image: r.string("eksSampleImage"),
                    ...(certificateArn !== undefined ? { certificateArn } : {}),
                    ...(ctx.domain ? { domain: ctx.domain } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
  };
  // Keys of switched-off parts are still read (a stack file may keep them for later).
  if (!workloadsEnabled || !sampleAppEnabled) r.string("eksSampleImage");
  if (!workloadsEnabled) {
    r.string("eksLoadBalancerControllerChartVersion");
    r.string("eksClusterAutoscalerChartVersion");
  }
  if (!enabled) return undefined;
  r.reportAll(eksProblems(settings, KEYS).filter((p) => !(ctx.domainReported && p.key === KEYS.sampleApp)));
  const m = certificateArn !== undefined ? ACM_ARN_PATTERN.exec(certificateArn) : null;
  if (m && m[2] !== ctx.region)
    r.report(
      "eksCertificateArn",
      certificateArn,
      `must be a certificate in the stack's region (${ctx.region}): ALBs use regional certificates`,
    );
  if (ctx.natStrategy === "none")
    r.report(
      "eksEnabled",
      enabled,
      "needs natStrategy single or perAz: nodes join the cluster and pull images over the internet",
    );
  return settings;
}
