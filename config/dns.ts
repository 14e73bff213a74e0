import {
  CLOUDFRONT_ZONE_ID,
  DnsFailoverSettings,
  DnsHealthCheckSettings,
  healthCheckProblems,
  HOSTED_ZONE_ID,
  isUnderZone,
} from "../components/dns-args";
import { isDomainName } from "../lib/rules";
import { ConfigReader } from "./reader";

/*
 * The stack's public DNS: the Route 53 hosted zone (an existing one, or one the stack creates and
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
  readonly healthCheck?: DnsHealthCheckSettings;
  /** Failover routing of domainName to a standby; undefined when off (dnsFailoverEnabled). */
  readonly failover?: DnsFailoverSettings;
}

/**
 * Reads the DNS keys. `domain` is set only for an existing zone (its id is known before deployment), which is
 * what the web service and the frontend take today; `dns` is set whenever domainName is.
 */
export function readDns(r: ConfigReader): { domainName?: string; domain?: DomainConfig; dns?: DnsConfig } {
  const domainName = r.optionalString("domainName");
  const hostedZoneId = r.optionalString("hostedZoneId");
  const zoneName = r.optionalString("hostedZoneName");
  const createZone = r.boolean("createHostedZone");
  const healthCheckEnabled = r.boolean("dnsHealthCheckEnabled");
  const healthCheck: DnsHealthCheckSettings = {
    path: r.string("dnsHealthCheckPath"),
    failureThreshold: r.number("dnsHealthCheckFailureThreshold"),
    regions: r.stringList("dnsHealthCheckRegions"),
  };
  const failoverEnabled = r.boolean("dnsFailoverEnabled");
  const secondaryTarget = r.optionalString("dnsFailoverSecondaryTarget");
  const secondaryZoneId = r.optionalString("dnsFailoverSecondaryZoneId");

  if (healthCheckEnabled)
    r.reportAll(
      healthCheckProblems(healthCheck, {
        path: "dnsHealthCheckPath",
        failureThreshold: "dnsHealthCheckFailureThreshold",
        regions: "dnsHealthCheckRegions",
      }),
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
    ...(healthCheckEnabled ? { healthCheck } : {}),
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
): DnsFailoverSettings | undefined {
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
