import { ConfigReader } from "./reader";
import { cidrsOverlap, parseCidr } from "./rules";

export const NAT_STRATEGIES = ["none", "single", "perAz"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

export interface NetworkConfig {
  /** The VPC's IPv4 block. */
  readonly vpcCidr: string;
  /** Availability zones the VPC spans (2 or 3). */
  readonly azCount: number;
  /** How private subnets reach the internet: not at all, one shared NAT gateway, or one per AZ. */
  readonly natStrategy: NatStrategy;
  /** Networks the VPC must not overlap (peered VPCs, VPN, on-premises), so routing to them stays possible. */
  readonly reservedCidrs: readonly string[];
  /** Retention of the VPC flow log group, in days. */
  readonly flowLogRetentionDays: number;
}

export function readNetwork(r: ConfigReader, logRetention: (name: string) => number): NetworkConfig {
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
  return {
    vpcCidr,
    azCount: r.number("azCount", { min: 2, max: 3 }, 2),
    natStrategy: r.oneOf("natStrategy", NAT_STRATEGIES, "single"),
    reservedCidrs,
    flowLogRetentionDays: logRetention("flowLogRetentionDays"),
  };
}
