import {
  InterfaceEndpointService,
  NAT_STRATEGIES,
  NETWORK_FIELDS,
  NetworkSettings,
  networkProblems,
} from "../components/network/args";
import { cidrsOverlap, parseCidr } from "../lib/rules";
import { ConfigReader } from "./reader";

/** The network's keys: the component's settings (components/network/args.ts) and the stack's own rules. */
export interface NetworkConfig extends NetworkSettings {
  readonly availabilityZones: readonly string[];
  readonly interfaceEndpoints: readonly InterfaceEndpointService[];
  /** Networks the VPC must not overlap (peered VPCs, VPN, on-premises), so routing to them stays possible. */
  readonly reservedCidrs: readonly string[];
}

export function readNetwork(r: ConfigReader, region: string): NetworkConfig {
  const network: NetworkConfig = {
    vpcCidr: r.string("vpcCidr"),
    // The stack's rule: two or three zones (the component builds one to four).
    azCount: r.number("azCount", { min: 2, max: 3 }),
    availabilityZones: r.stringList("availabilityZones"),
    natStrategy: r.oneOf("natStrategy", NAT_STRATEGIES),
    interfaceEndpoints: r.stringList("interfaceEndpoints") as InterfaceEndpointService[],
    reservedCidrs: r.stringList("reservedCidrs"),
    flowLogRetentionDays: r.number("flowLogRetentionDays"),
  };
  // The keys are the fields' own names.
  r.reportAll(networkProblems(network, NETWORK_FIELDS));

  const vpc = parseCidr(network.vpcCidr);
  network.reservedCidrs.forEach((text, i) => {
    const other = parseCidr(text);
    if (typeof other === "string") {
      r.report(`reservedCidrs[${i}]`, text, other);
    } else if (typeof vpc !== "string" && cidrsOverlap(vpc, other)) {
      r.report("vpcCidr", network.vpcCidr, `must not overlap reservedCidrs[${i}] (${text})`);
    }
  });
  network.availabilityZones.forEach((zone, i) => {
    if (!isZoneOf(zone, region))
      r.report(`availabilityZones[${i}]`, zone, `must be a zone of the stack's region, such as ${region}a`);
  });
  return network;
}

/** A zone name of `region`: the region's name followed by one letter (us-east-1a). Local Zones do not match. */
export function isZoneOf(zone: string, region: string): boolean {
  return zone.length === region.length + 1 && zone.startsWith(region) && /[a-z]$/.test(zone);
}
