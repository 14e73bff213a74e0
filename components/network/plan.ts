/*
 * The Network component's decisions as pure functions: the subnet layout, zone choice, NAT
 * count and network ACL rules. They are tested without mocks, and other components (EKS, database) may call
 * them to learn the layout without constructing anything.
 */
import { intToIp, parseCidr } from "../../lib/rules";
import { AZ_SLOTS, NatStrategy } from "./args";

// The reach rules belong to the network's settings (config checks them too); re-exported for the components.
export { privateReachProblem, privateServices } from "./args";

export const SUBNET_TIERS = ["public", "private", "isolated"] as const;
export type SubnetTier = (typeof SUBNET_TIERS)[number];

/**
 * Subnet layout, by prefix arithmetic on the VPC block: the VPC is cut into sixteen equal subnets
 * (/20 each for a /16, /28 each for a /24). Quarter 0 holds the public tier, quarter 1 the private tier,
 * quarter 2 the isolated tier and quarter 3 is kept free; within a quarter, zone i takes slot i. So
 * 10.10.0.0/16 gives public 10.10.0.0/20, 10.10.16.0/20, 10.10.32.0/20; private 10.10.64.0/20, ...;
 * isolated 10.10.128.0/20, ...; and 10.10.192.0/18 free. Adding a zone or switching the isolated tier on
 * adds subnets without moving any existing one (a moved CIDR would replace the subnet and all it holds).
 */
export function subnetCidr(vpcCidr: string, tier: SubnetTier, azIndex: number): string {
  const vpc = parseCidr(vpcCidr);
  if (typeof vpc === "string") throw new Error(`vpcCidr ${vpcCidr} ${vpc}`);
  if (!Number.isInteger(azIndex) || azIndex < 0 || azIndex >= AZ_SLOTS) {
    throw new Error(`azIndex ${azIndex} must be between 0 and ${AZ_SLOTS - 1}`);
  }
  const prefix = vpc.prefix + 4;
  const size = 2 ** (32 - prefix);
  const slot = SUBNET_TIERS.indexOf(tier) * AZ_SLOTS + azIndex;
  return `${intToIp(vpc.first + slot * size)}/${prefix}`;
}

export interface PlannedSubnet {
  readonly tier: SubnetTier;
  readonly azIndex: number;
  readonly cidr: string;
}

/** Every subnet of the VPC, tier by tier, zone by zone. */
export function subnetLayout(
  vpcCidr: string,
  azCount: number,
  tiers: readonly SubnetTier[],
): PlannedSubnet[] {
  return SUBNET_TIERS.filter((t) => tiers.includes(t)).flatMap((tier) =>
    Array.from({ length: azCount }, (_, azIndex) => ({
      tier,
      azIndex,
      cidr: subnetCidr(vpcCidr, tier, azIndex),
    })),
  );
}

/** NAT gateways a strategy needs: none, one shared, or one in each zone. */
export function natGatewayCount(strategy: NatStrategy, azCount: number): number {
  return strategy === "none" ? 0 : strategy === "single" ? 1 : azCount;
}

/**
 * The zones the VPC uses: the pinned ones (each must be available in the region) or the region's first
 * `azCount` available zones in name order. Throws a clear error when the region has too few.
 */
export function pickZones(
  name: string,
  region: string,
  available: readonly string[],
  azCount: number,
  pinned: readonly string[] = [],
): string[] {
  const sorted = [...available].sort();
  if (pinned.length > 0) {
    const missing = pinned.filter((z) => !sorted.includes(z));
    if (missing.length > 0) {
      throw new Error(
        `Network ${name}: availabilityZones ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not ` +
          `available in ${region} (available: ${sorted.join(", ")})`,
      );
    }
    return [...pinned];
  }
  if (sorted.length < azCount) {
    throw new Error(
      `Network ${name}: azCount is ${azCount} but ${region} has only ${sorted.length} available zone` +
        `${sorted.length === 1 ? "" : "s"} (${sorted.join(", ")}); lower azCount or use another region`,
    );
  }
  return sorted.slice(0, azCount);
}

export interface NaclRule {
  readonly ruleNo: number;
  readonly protocol: string;
  readonly action: "allow" | "deny";
  readonly cidrBlock: string;
  readonly fromPort: number;
  readonly toPort: number;
}

const ANYWHERE = "0.0.0.0/0";

/**
 * Return traffic from the internet arrives on ephemeral ports (NAT gateways use 1024-65535). The range is
 * split around 3389 so that no rule admits RDP from anywhere (Security Hub EC2.21 flags any NACL entry that
 * allows 22 or 3389 from 0.0.0.0/0, even inside an ephemeral range).
 */
function ephemeralFromAnywhere(firstRule: number): NaclRule[] {
  return [
    {
      ruleNo: firstRule,
      protocol: "tcp",
      action: "allow",
      cidrBlock: ANYWHERE,
      fromPort: 1024,
      toPort: 3388,
    },
    {
      ruleNo: firstRule + 10,
      protocol: "tcp",
      action: "allow",
      cidrBlock: ANYWHERE,
      fromPort: 3390,
      toPort: 65535,
    },
  ];
}

function allWithin(ruleNo: number, vpcCidr: string): NaclRule {
  return { ruleNo, protocol: "-1", action: "allow", cidrBlock: vpcCidr, fromPort: 0, toPort: 0 };
}

function tcpAnywhere(ruleNo: number, port: number): NaclRule {
  return { ruleNo, protocol: "tcp", action: "allow", cidrBlock: ANYWHERE, fromPort: port, toPort: port };
}

/**
 * Network ACL rules per tier (stateless, so each direction lists what it admits; anything else is denied):
 * - public: HTTPS and HTTP in from anywhere (load balancers), return traffic on ephemeral ports, anything
 *   from inside the VPC (NAT gateways forward private traffic); out: HTTPS, HTTP and ephemeral ports (replies
 *   to clients) to anywhere, anything to the VPC.
 * - private: anything from inside the VPC, return traffic on ephemeral ports (through NAT and the S3 and
 *   DynamoDB gateway endpoints, whose addresses are public); out: anything to the VPC, HTTPS and HTTP to
 *   anywhere. Other outbound ports need a rule here.
 * - isolated (data): only to and from the VPC; no route leaves the VPC either.
 */
export function naclRules(tier: SubnetTier, vpcCidr: string): { ingress: NaclRule[]; egress: NaclRule[] } {
  switch (tier) {
    case "public":
      return {
        ingress: [
          allWithin(100, vpcCidr),
          tcpAnywhere(110, 443),
          tcpAnywhere(120, 80),
          ...ephemeralFromAnywhere(130),
        ],
        egress: [
          allWithin(100, vpcCidr),
          tcpAnywhere(110, 443),
          tcpAnywhere(120, 80),
          {
            ruleNo: 130,
            protocol: "tcp",
            action: "allow",
            cidrBlock: ANYWHERE,
            fromPort: 1024,
            toPort: 65535,
          },
        ],
      };
    case "private":
      return {
        ingress: [allWithin(100, vpcCidr), ...ephemeralFromAnywhere(110)],
        egress: [allWithin(100, vpcCidr), tcpAnywhere(110, 443), tcpAnywhere(120, 80)],
      };
    case "isolated":
      return { ingress: [allWithin(100, vpcCidr)], egress: [allWithin(100, vpcCidr)] };
  }
}
