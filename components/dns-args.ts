import { KeyNames, Problems, selfNamed } from "../lib/problems";

/*
 * What the Dns component is given that config reads (the web name's health check and its failover standby), the
 * rules of it, and the Route 53 facts both sides use.
 */

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

/** CloudFront's hosted zone for alias records (the same for every distribution). */
export const CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2";

export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

/** Whether `name` is `zone` itself or a name under it. */
export function isUnderZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** A Route 53 HTTPS health check of an endpoint. No field has a default. */
export interface DnsHealthCheckSettings {
  /** Path requested over HTTPS on port 443, e.g. /health (at most 255 characters, no spaces). */
  readonly path: string;
  /** Consecutive failed checks before Route 53 declares the endpoint unhealthy (1-10). */
  readonly failureThreshold: number;
  /** Checker regions (at least 3 of HEALTH_CHECK_REGIONS); empty for Route 53's default set. */
  readonly regions: readonly string[];
}

/**
 * The SECONDARY alias target of a failover pair: a standby that serves the name over HTTPS itself (a load
 * balancer or API Gateway regional custom domain in another region, with its own certificate). No default.
 */
export interface DnsFailoverSettings {
  /** The standby's DNS name, e.g. dualstack.standby-123.us-west-2.elb.amazonaws.com. */
  readonly secondaryTarget: string;
  /** The standby's own hosted zone id for alias records (a load balancer's canonicalHostedZoneId). */
  readonly secondaryZoneId: string;
}

export type HealthCheckField = "path" | "failureThreshold" | "regions";

export const HEALTH_CHECK_FIELDS: KeyNames<HealthCheckField> = selfNamed([
  "path",
  "failureThreshold",
  "regions",
] as const);

/** Every rule a health check breaks, each named by `keys`. */
export function healthCheckProblems(
  hc: DnsHealthCheckSettings,
  keys: KeyNames<HealthCheckField> = HEALTH_CHECK_FIELDS,
) {
  const p = new Problems(keys);
  if (!/^\/[\x21-\x7e]*$/.test(hc.path) || hc.path.length > 255)
    p.add("path", hc.path, "must be a path starting with / (at most 255 characters, no spaces)");
  p.number("failureThreshold", hc.failureThreshold, { min: 1, max: 10 });
  hc.regions.forEach((region, i) => {
    if (!(HEALTH_CHECK_REGIONS as readonly string[]).includes(region))
      p.add("regions", region, `must be one of ${HEALTH_CHECK_REGIONS.join(", ")}`, i);
  });
  if (hc.regions.length > 0 && hc.regions.length < 3)
    p.add("regions", hc.regions, "must name at least 3 regions (or none for Route 53's default)");
  return p.list;
}
