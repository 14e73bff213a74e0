import { ConfigReader } from "./reader";
import { isDomainName } from "./rules";

/*
 * The stack's public DNS (issue 10): the Route 53 hosted zone (an existing one, or one the stack creates and
 * whose name servers the parent domain delegates to), the zone's apex so a name outside it is refused here
 * rather than by Route 53 halfway through `pulumi up`, and the optional health check of the web endpoint.
 */

/** The public name of the web service and the Route 53 hosted zone that holds it (existing zones only). */
export interface DomainConfig {
  /** The public name, e.g. agents.example.com. */
  readonly name: string;
  /** The Route 53 hosted zone that holds `name`. */
  readonly hostedZoneId: string;
}

/** Regions Route 53 health checkers run in (the Route 53 HealthCheck `regions` values). */
export const HEALTH_CHECK_REGIONS = [
  "us-east-1",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "sa-east-1",
] as const;

export interface DnsHealthCheckConfig {
  /** Path requested over HTTPS on port 443, e.g. /health. */
  readonly path: string;
  /** Consecutive failed checks before Route 53 declares the endpoint unhealthy (1-10). */
  readonly failureThreshold: number;
  /** Checker regions (at least 3); empty for Route 53's default set. */
  readonly regions: readonly string[];
}

export interface DnsConfig {
  /** The zone's apex, e.g. example.com; every public name of the stack must be it or under it. */
  readonly zoneName: string;
  /** The existing zone's id; undefined when the stack creates the zone. */
  readonly existingZoneId?: string;
  /** Create the zone (its name servers are exported for delegation) instead of using `existingZoneId`. */
  readonly createZone: boolean;
  /** The web service's public name (domainName). */
  readonly domainName: string;
  /** A Route 53 health check of the web service's endpoint; undefined when off. */
  readonly healthCheck?: DnsHealthCheckConfig;
}

export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

/** Whether `name` is `zone` itself or a name under it. */
export function isUnderZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/**
 * Reads the DNS keys. `domain` is set only for an existing zone (its id is known before deployment), which is
 * what the web service and the frontend take today; `dns` is set whenever domainName is.
 */
export function readDns(r: ConfigReader): { domainName?: string; domain?: DomainConfig; dns?: DnsConfig } {
  const domainName = r.optionalString("domainName");
  const hostedZoneId = r.optionalString("hostedZoneId");
  const zoneName = r.optionalString("hostedZoneName");
  const createZone = r.boolean("createHostedZone", false);
  const healthCheckEnabled = r.boolean("dnsHealthCheckEnabled", false);
  const path = r.string("dnsHealthCheckPath", "/");
  const failureThreshold = r.number("dnsHealthCheckFailureThreshold", { min: 1, max: 10 }, 3);
  const regions = r.stringList("dnsHealthCheckRegions", []);

  if (!/^\/[\x21-\x7e]*$/.test(path) || path.length > 255)
    r.report(
      "dnsHealthCheckPath",
      path,
      "must be a path starting with / (at most 255 characters, no spaces)",
    );
  regions.forEach((region, i) => {
    if (!(HEALTH_CHECK_REGIONS as readonly string[]).includes(region))
      r.report(`dnsHealthCheckRegions[${i}]`, region, `must be one of ${HEALTH_CHECK_REGIONS.join(", ")}`);
  });
  if (regions.length > 0 && regions.length < 3)
    r.report(
      "dnsHealthCheckRegions",
      regions,
      "must name at least 3 regions (or none for Route 53's default)",
    );

  if (domainName === undefined) {
    if (hostedZoneId !== undefined)
      r.report("hostedZoneId", hostedZoneId, "is only used with domainName; set domainName or remove it");
    if (zoneName !== undefined)
      r.report("hostedZoneName", zoneName, "is only used with domainName; set domainName or remove it");
    if (createZone) r.report("createHostedZone", createZone, "needs domainName (the name the zone holds)");
    if (healthCheckEnabled)
      r.report("dnsHealthCheckEnabled", healthCheckEnabled, "needs domainName (the endpoint it checks)");
    return {};
  }

  let ok = true;
  const problem = (name: string, value: unknown, allowed: string) => {
    r.report(name, value, allowed);
    ok = false;
  };
  if (!isDomainName(domainName))
    problem("domainName", domainName, "must be a DNS name such as agents.example.com");
  if (zoneName === undefined)
    problem(
      "hostedZoneName",
      undefined,
      "is required when domainName is set (the apex of the zone, e.g. example.com)",
    );
  else if (!isDomainName(zoneName))
    problem("hostedZoneName", zoneName, "must be a DNS name such as example.com");
  else if (!isUnderZone(domainName, zoneName))
    problem("domainName", domainName, `must be ${zoneName} or a name under it (hostedZoneName)`);

  if (createZone) {
    if (hostedZoneId !== undefined)
      problem(
        "hostedZoneId",
        hostedZoneId,
        "must be empty when createHostedZone is true (the stack creates the zone)",
      );
  } else if (hostedZoneId === undefined) {
    problem(
      "hostedZoneId",
      undefined,
      "is required when domainName is set (the zone that holds the name), unless createHostedZone is true",
    );
  } else if (!HOSTED_ZONE_ID.test(hostedZoneId)) {
    problem("hostedZoneId", hostedZoneId, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ");
  }
  if (!ok) return { domainName };

  const dns: DnsConfig = {
    zoneName: zoneName!,
    ...(hostedZoneId !== undefined ? { existingZoneId: hostedZoneId } : {}),
    createZone,
    domainName,
    ...(healthCheckEnabled ? { healthCheck: { path, failureThreshold, regions } } : {}),
  };
  return hostedZoneId !== undefined
    ? { domainName, domain: { name: domainName, hostedZoneId }, dns }
    : { domainName, dns };
}

/** Reports `name` (another public name of the stack, such as frontendDomainName) when it is outside the zone. */
export function checkUnderZone(
  r: ConfigReader,
  key: string,
  name: string | undefined,
  dns: DnsConfig | undefined,
) {
  if (name !== undefined && dns !== undefined && !isUnderZone(name, dns.zoneName))
    r.report(key, name, `must be ${dns.zoneName} or a name under it (hostedZoneName)`);
}
