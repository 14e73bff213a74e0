import { ConfigReader } from "./reader";
import { cidrsOverlap, parseCidr } from "../lib/rules";

export const NAT_STRATEGIES = ["none", "single", "perAz"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

/**
 * Interface endpoints the Network component can create, by the service's short name (the last part of
 * `com.amazonaws.<region>.<service>`): what private Lambdas, Fargate tasks and EKS nodes call when there is
 * no NAT gateway. S3 and DynamoDB are not listed: their gateway endpoints are free and always created.
 */
export const INTERFACE_ENDPOINT_SERVICES = [
  "sqs",
  "secretsmanager",
  "ecr.api",
  "ecr.dkr",
  "logs",
  "bedrock-runtime",
  "sts",
] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

export interface NetworkConfig {
  /** The VPC's IPv4 block. */
  readonly vpcCidr: string;
  /** Availability zones the VPC spans (2 or 3). */
  readonly azCount: number;
  /**
   * Zone names to use, pinned (e.g. us-east-1a, us-east-1b); empty = the region's first `azCount` available
   * zones. When set, there are exactly `azCount` of them, all in the stack's region.
   */
  readonly availabilityZones: readonly string[];
  /** How private subnets reach the internet: not at all, one shared NAT gateway, or one per AZ. */
  readonly natStrategy: NatStrategy;
  /** Interface endpoints in the private subnets (about $7.30 per endpoint per AZ per month). */
  readonly interfaceEndpoints: readonly InterfaceEndpointService[];
  /** Networks the VPC must not overlap (peered VPCs, VPN, on-premises), so routing to them stays possible. */
  readonly reservedCidrs: readonly string[];
  /** Retention of the VPC flow log group, in days. */
  readonly flowLogRetentionDays: number;
}

export function readNetwork(
  r: ConfigReader,
  logRetention: (name: string) => number,
  region: string,
): NetworkConfig {
  const vpcCidr = r.string("vpcCidr", "10.0.0.0/16");
  const reservedCidrs = r.stringList("reservedCidrs", []);
  const vpc = parseCidr(vpcCidr);
  if (typeof vpc === "string") {
    r.report("vpcCidr", vpcCidr, vpc);
  } else if (vpc.prefix < 16 || vpc.prefix > 24) {
    // AWS accepts /16 to /28 for a VPC; below /24 there is no room for three tiers in three AZs.
    r.report("vpcCidr", vpcCidr, "must have a prefix between /16 and /24");
  }
  reservedCidrs.forEach((text, i) => {
    const other = parseCidr(text);
    if (typeof other === "string") {
      r.report(`reservedCidrs[${i}]`, text, other);
    } else if (typeof vpc !== "string" && cidrsOverlap(vpc, other)) {
      r.report("vpcCidr", vpcCidr, `must not overlap reservedCidrs[${i}] (${text})`);
    }
  });

  const azCount = r.number("azCount", { min: 2, max: 3 }, 2);
  const availabilityZones = r.stringList("availabilityZones", []);
  if (availabilityZones.length > 0 && availabilityZones.length !== azCount) {
    r.report(
      "availabilityZones",
      availabilityZones,
      `must list exactly azCount (${azCount}) zones, or be empty to use the region's first ${azCount}`,
    );
  }
  availabilityZones.forEach((zone, i) => {
    if (!isZoneOf(zone, region)) {
      r.report(`availabilityZones[${i}]`, zone, `must be a zone of the stack's region, such as ${region}a`);
    } else if (availabilityZones.indexOf(zone) !== i) {
      r.report(`availabilityZones[${i}]`, zone, "must not repeat a zone");
    }
  });

  const interfaceEndpoints = r.stringList("interfaceEndpoints", []);
  interfaceEndpoints.forEach((service, i) => {
    if (!(INTERFACE_ENDPOINT_SERVICES as readonly string[]).includes(service)) {
      r.report(
        `interfaceEndpoints[${i}]`,
        service,
        `must be one of ${INTERFACE_ENDPOINT_SERVICES.join(", ")}`,
      );
    } else if (interfaceEndpoints.indexOf(service) !== i) {
      r.report(`interfaceEndpoints[${i}]`, service, "must not repeat a service");
    }
  });

  return {
    vpcCidr,
    azCount,
    availabilityZones,
    natStrategy: r.oneOf("natStrategy", NAT_STRATEGIES, "single"),
    interfaceEndpoints: interfaceEndpoints as InterfaceEndpointService[],
    reservedCidrs,
    flowLogRetentionDays: logRetention("flowLogRetentionDays"),
  };
}

/** A zone name of `region`: the region's name followed by one letter (us-east-1a). Local Zones do not match. */
export function isZoneOf(zone: string, region: string): boolean {
  return zone.length === region.length + 1 && zone.startsWith(region) && /[a-z]$/.test(zone);
}
