import { KeyNames, Problems, selfNamed } from "../../lib/problems";
import { isLogRetention, LOG_RETENTION_DAYS, parseCidr } from "../../lib/rules";

/*
 * What the Network component is given, and the rules of it: a layout it can cut into subnets, zones and
 * endpoints it can create. config/ reads Pulumi config into these settings and reports each problem under its
 * config key; the constructor checks the same rules.
 */

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

/** AZ slots per tier: the layout has room for four zones, whatever azCount is today. */
export const AZ_SLOTS = 4;

/** The network's layout (what config reads); the component adds its wiring. */
export interface NetworkSettings {
  /** The VPC's IPv4 block, /16 to /24; each subnet is a sixteenth of it (layout: network/plan.ts). No default. */
  readonly vpcCidr: string;
  /** Availability zones the VPC spans (1-4; the stack config allows 2 or 3). No default. */
  readonly azCount: number;
  /** Pinned zone names, exactly `azCount` of them, each once. Default: the region's first `azCount` available zones. */
  readonly availabilityZones?: readonly string[];
  /** `none`: private subnets reach only VPC endpoints; `single`: one shared NAT gateway; `perAz`: one per zone. No default. */
  readonly natStrategy: NatStrategy;
  /** Interface endpoints created in every private subnet, each once. Default: none (S3 and DynamoDB gateways always). */
  readonly interfaceEndpoints?: readonly InterfaceEndpointService[];
  /** Retention of the flow log group, in days (a CloudWatch Logs retention value). No default. */
  readonly flowLogRetentionDays: number;
  /** Adds the public tier with its internet gateway; NAT gateways need it. Default: true. */
  readonly publicSubnets?: boolean;
}

export type NetworkField =
  "vpcCidr" | "azCount" | "availabilityZones" | "natStrategy" | "interfaceEndpoints" | "flowLogRetentionDays";

export const NETWORK_FIELDS: KeyNames<NetworkField> = selfNamed([
  "vpcCidr",
  "azCount",
  "availabilityZones",
  "natStrategy",
  "interfaceEndpoints",
  "flowLogRetentionDays",
] as const);

/** Every rule the network's settings break, each named by `keys`. */
export function networkProblems(s: NetworkSettings, keys: KeyNames<NetworkField> = NETWORK_FIELDS) {
  const p = new Problems(keys);
  const vpc = parseCidr(s.vpcCidr);
  if (typeof vpc === "string") {
    p.add("vpcCidr", s.vpcCidr, vpc);
  } else if (vpc.prefix < 16 || vpc.prefix > 24) {
    // AWS accepts /16 to /28 for a VPC; below /24 there is no room for three tiers in three AZs.
    p.add("vpcCidr", s.vpcCidr, "must have a prefix between /16 and /24");
  }
  const azCountOk = p.number("azCount", s.azCount, { min: 1, max: AZ_SLOTS });
  const zones = s.availabilityZones ?? [];
  if (azCountOk && zones.length > 0 && zones.length !== s.azCount)
    p.add(
      "availabilityZones",
      zones,
      `must list exactly ${p.key("azCount")} (${s.azCount}) zones, or be empty to use the region's first ${s.azCount}`,
    );
  zones.forEach((zone, i) => {
    if (zones.indexOf(zone) !== i) p.add("availabilityZones", zone, "must not repeat a zone", i);
  });
  if (s.natStrategy !== undefined && !(NAT_STRATEGIES as readonly string[]).includes(s.natStrategy))
    p.add("natStrategy", s.natStrategy, `must be one of ${NAT_STRATEGIES.join(", ")}`);
  else if (s.natStrategy !== "none" && s.publicSubnets === false)
    p.add(
      "natStrategy",
      s.natStrategy,
      "needs public subnets (a NAT gateway sits in a public subnet and leaves through the internet gateway); " +
        "enable publicSubnets or use natStrategy none",
    );
  const endpoints = s.interfaceEndpoints ?? [];
  endpoints.forEach((service, i) => {
    if (!(INTERFACE_ENDPOINT_SERVICES as readonly string[]).includes(service))
      p.add("interfaceEndpoints", service, `must be one of ${INTERFACE_ENDPOINT_SERVICES.join(", ")}`, i);
    else if (endpoints.indexOf(service) !== i)
      p.add("interfaceEndpoints", service, "must not repeat a service", i);
  });
  if (!Number.isNaN(s.flowLogRetentionDays) && !isLogRetention(s.flowLogRetentionDays))
    p.add(
      "flowLogRetentionDays",
      s.flowLogRetentionDays,
      `must be a CloudWatch Logs retention value: ${LOG_RETENTION_DAYS.join(", ")}`,
    );
  return p.list;
}

/** Services private subnets reach without a NAT gateway: the gateway endpoints and the interface endpoints. */
export function privateServices(interfaceEndpoints: readonly InterfaceEndpointService[]): string[] {
  return ["s3", "dynamodb", ...interfaceEndpoints];
}

/**
 * Why a workload in the private subnets could not reach `services` (AWS service short names such as
 * bedrock-runtime, or "internet"), or undefined when it can. With a NAT gateway everything is reachable.
 */
export function privateReachProblem(
  natStrategy: NatStrategy,
  interfaceEndpoints: readonly InterfaceEndpointService[],
  services: readonly string[],
): string | undefined {
  if (natStrategy !== "none") return undefined;
  const reachable = privateServices(interfaceEndpoints);
  const missing = services.filter((s) => !reachable.includes(s));
  if (missing.length === 0) return undefined;
  return (
    `private subnets have no NAT gateway (natStrategy none) and no endpoint for ${missing.join(", ")}; ` +
    `they reach only ${reachable.join(", ")}. Add the services to interfaceEndpoints, set natStrategy, ` +
    "or run the workload outside the VPC"
  );
}
