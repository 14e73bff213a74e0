import { ConfigReader } from "./reader";
import { isDomainName } from "../lib/rules";

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
  /** Failover routing of domainName to a standby; undefined when off (dnsFailoverEnabled). */
  readonly failover?: DnsFailoverConfig;
}

/**
 * The SECONDARY alias target of domainName's failover pair: a standby that serves domainName over HTTPS itself
 * (a load balancer or API Gateway regional custom domain in another region, with its own certificate).
 */
export interface DnsFailoverConfig {
  /** The standby's DNS name, e.g. dualstack.standby-123.us-west-2.elb.amazonaws.com. */
  readonly secondaryTarget: string;
  /** The standby's own hosted zone id for alias records (a load balancer's canonicalHostedZoneId). */
  readonly secondaryZoneId: string;
}

/** CloudFront's hosted zone for alias records (the same for every distribution). */
export const CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2";

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
  const failoverEnabled = r.boolean("dnsFailoverEnabled", false);
  const secondaryTarget = r.optionalString("dnsFailoverSecondaryTarget");
  const secondaryZoneId = r.optionalString("dnsFailoverSecondaryZoneId");

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
    if (failoverEnabled)
      r.report("dnsFailoverEnabled", failoverEnabled, "needs domainName (the name whose records fail over)");
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
  const failover = readFailover(r, {
    enabled: failoverEnabled,
    secondaryTarget,
    secondaryZoneId,
    healthCheckEnabled,
    existingZone: hostedZoneId !== undefined && !createZone,
  });
  if (!ok) return { domainName };

  const dns: DnsConfig = {
    zoneName: zoneName!,
    ...(hostedZoneId !== undefined ? { existingZoneId: hostedZoneId } : {}),
    createZone,
    domainName,
    ...(healthCheckEnabled ? { healthCheck: { path, failureThreshold, regions } } : {}),
    ...(failover ? { failover } : {}),
  };
  return hostedZoneId !== undefined
    ? { domainName, domain: { name: domainName, hostedZoneId }, dns }
    : { domainName, dns };
}

/**
 * The failover keys. Route 53 pairs a PRIMARY and a SECONDARY record of the same name and type: the primary is
 * an alias A/AAAA to the web distribution (domainName may be the zone's apex, where a CNAME is not allowed, and
 * a CNAME cannot share a name with other records), so the secondary is an alias too, and needs its target's
 * hosted zone id. It cannot be a CloudFront distribution: domainName is an alternate name of the web
 * distribution, and CloudFront gives a name to one distribution only, so another one could not serve it.
 */
function readFailover(
  r: ConfigReader,
  k: {
    enabled: boolean;
    secondaryTarget?: string;
    secondaryZoneId?: string;
    healthCheckEnabled: boolean;
    existingZone: boolean;
  },
): DnsFailoverConfig | undefined {
  if (!k.enabled) {
    if (k.secondaryTarget !== undefined)
      r.report("dnsFailoverSecondaryTarget", k.secondaryTarget, "is only used with dnsFailoverEnabled");
    if (k.secondaryZoneId !== undefined)
      r.report("dnsFailoverSecondaryZoneId", k.secondaryZoneId, "is only used with dnsFailoverEnabled");
    return undefined;
  }
  let ok = true;
  const problem = (name: string, value: unknown, allowed: string) => {
    r.report(name, value, allowed);
    ok = false;
  };
  if (!k.healthCheckEnabled)
    problem(
      "dnsFailoverEnabled",
      true,
      "needs dnsHealthCheckEnabled (the health check decides when the SECONDARY answers)",
    );
  if (!k.existingZone)
    problem(
      "dnsFailoverEnabled",
      true,
      "needs hostedZoneId (an existing zone): with createHostedZone the web service has no certificate or records until the zone is delegated",
    );
  if (k.secondaryTarget === undefined)
    problem(
      "dnsFailoverSecondaryTarget",
      undefined,
      "is required when dnsFailoverEnabled is true (the standby's DNS name, e.g. a load balancer in another region)",
    );
  else if (!isDomainName(k.secondaryTarget))
    problem(
      "dnsFailoverSecondaryTarget",
      k.secondaryTarget,
      "must be a DNS name such as dualstack.standby-123.us-west-2.elb.amazonaws.com",
    );
  if (k.secondaryZoneId === undefined)
    problem(
      "dnsFailoverSecondaryZoneId",
      undefined,
      "is required when dnsFailoverEnabled is true (the standby's alias hosted zone id, e.g. a load balancer's canonicalHostedZoneId)",
    );
  else if (!HOSTED_ZONE_ID.test(k.secondaryZoneId))
    problem(
      "dnsFailoverSecondaryZoneId",
      k.secondaryZoneId,
      "must be a Route 53 hosted zone id such as Z1H1FL5HABSF5",
    );
  else if (k.secondaryZoneId === CLOUDFRONT_ZONE_ID)
    problem(
      "dnsFailoverSecondaryZoneId",
      k.secondaryZoneId,
      "must not be CloudFront's: domainName belongs to the web distribution and CloudFront serves a name from one distribution only; use a load balancer or API Gateway regional endpoint that has a certificate for domainName",
    );
  return ok ? { secondaryTarget: k.secondaryTarget!, secondaryZoneId: k.secondaryZoneId! } : undefined;
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
