import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { WafManagedRuleGroup, WafSettings } from "../shared/waf-args";
import { ORIGIN_VERIFY_HEADER } from "./alb";

/*
 * The public entry of the web service: a CloudFront distribution in front of the ALB, protected
 * by a WAF web ACL, answering on the stack's domain with a certificate Dns issued and validated (Dns also owns
 * the domain's Route 53 records, so failover routing can replace them without a clash).
 *
 * CloudFront only accepts web ACLs and certificates from us-east-1, whatever the stack's region, so the web
 * ACL is created with `usEast1Provider` (an explicit provider in us-east-1 with the stack's default tags), and
 * the certificate must come from Dns's `forCloudFront` request.
 */

/** AWS managed policies, by their documented, stable ids. */
export const MANAGED_ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
export const MANAGED_CACHE_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
export const MANAGED_RESPONSE_HEADERS_SECURITY = "67f7725c-6f97-4210-82d7-5512b31e9d03";
/** Paths served from CloudFront's cache for a day unless the origin says otherwise. */
export const DEFAULT_STATIC_PATHS = ["/static/*", "/assets/*"];

const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"];
const CACHED_METHODS = ["GET", "HEAD"];

/**
 * A cache policy for files: the origin's Cache-Control wins within 0 s - 1 year (a day when absent), one copy per
 * path whatever the cookies, headers or query strings, compressed with Brotli or Gzip.
 */
export function objectCachePolicy(
  logicalName: string,
  comment: string,
  opts: pulumi.CustomResourceOptions,
): aws.cloudfront.CachePolicy {
  return new aws.cloudfront.CachePolicy(
    logicalName,
    {
      comment,
      minTtl: 0,
      defaultTtl: 86400,
      maxTtl: 31536000,
      parametersInCacheKeyAndForwardedToOrigin: {
        cookiesConfig: { cookieBehavior: "none" },
        headersConfig: { headerBehavior: "none" },
        queryStringsConfig: { queryStringBehavior: "none" },
        enableAcceptEncodingBrotli: true,
        enableAcceptEncodingGzip: true,
      },
    },
    opts,
  );
}

/** A public name served by a CloudFront distribution, with its validated us-east-1 certificate (from Dns). */
export interface CdnDomain {
  /** The public name, an alternate domain name of the distribution. */
  readonly name: string;
  /** A validated ACM certificate for `name` in us-east-1 (Dns `certificateArns`, a `forCloudFront` request). */
  readonly certificateArn: pulumi.Input<string>;
}

/** The web service's public names and certificates, all issued and validated by Dns. */
export interface ServiceDomain extends CdnDomain {
  /** The ALB's own name (origin.<name>), which CloudFront reaches over HTTPS; Dns points it at the ALB. */
  readonly originName: string;
  /** A validated certificate for `originName` in the stack's region, for the ALB's HTTPS listener. */
  readonly originCertificateArn: pulumi.Input<string>;
}

export interface EdgeArgs {
  /** The ALB's DNS name, or the origin name its certificate covers (origin.<domain>). */
  readonly originDomainName: pulumi.Input<string>;
  /** https-only when the ALB has a certificate for `originDomainName`; http-only otherwise. */
  readonly originProtocol: "https-only" | "http-only";
  readonly originVerifySecret: pulumi.Input<string>;
  /** The distribution's public name and certificate; none: its cloudfront.net name and certificate. */
  readonly domain?: CdnDomain;
  /** The web ACL's rules. */
  readonly waf: WafSettings;
  readonly staticPaths: readonly string[];
  readonly usEast1Provider?: aws.Provider;
  /** The stack's region: without `usEast1Provider` it must be us-east-1. */
  readonly region: pulumi.Input<string>;
  /** Tags of the distribution (e.g. a reasoned policy exemption). */
  readonly tags?: Record<string, string>;
}

export interface Edge {
  readonly distribution: aws.cloudfront.Distribution;
  readonly webAcl: aws.wafv2.WebAcl;
}

/**
 * The viewer certificate of a distribution: the validated us-east-1 certificate of its public name (issued by
 * Dns), or without a name CloudFront's own *.cloudfront.net certificate, for which CloudFront fixes the viewer
 * security policy (it negotiates TLS 1.2 or 1.3 with current clients but cannot be told to refuse TLS 1.0);
 * TLSv1.2_2021 needs a certificate of our own, hence a domain.
 */
export function viewerCertificate(
  domain: CdnDomain | undefined,
): aws.types.input.cloudfront.DistributionViewerCertificate {
  return domain
    ? {
        acmCertificateArn: domain.certificateArn,
        sslSupportMethod: "sni-only",
        minimumProtocolVersion: "TLSv1.2_2021",
      }
    : { cloudfrontDefaultCertificate: true };
}

function visibility(metricName: string) {
  return { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

/**
 * WAF rules: the per-IP rate limit first (429 above it), then each managed group in the configured order,
 * blocking what the group's rules block.
 */
export function wafRules(name: string, rateLimit: number, groups: readonly WafManagedRuleGroup[]) {
  return [
    {
      name: "rate-limit-per-ip",
      priority: 0,
      action: { block: { customResponse: { responseCode: 429 } } },
      statement: {
        rateBasedStatement: { limit: rateLimit, aggregateKeyType: "IP", evaluationWindowSec: 300 },
      },
      visibilityConfig: visibility(`${name}-rate-limit`),
    },
    ...groups.map((group, i) => ({
      name: group,
      priority: i + 1,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
      visibilityConfig: visibility(`${name}-${group}`),
    })),
  ];
}

/** `<name>-waf`: a web ACL that allows by default and applies wafRules (rate limit, then the managed groups). */
export function createWebAcl(
  name: string,
  args: {
    readonly description: string;
    /** CLOUDFRONT (created in us-east-1) or REGIONAL. */
    readonly scope: pulumi.Input<string>;
    readonly waf: WafSettings;
  },
  opts: pulumi.CustomResourceOptions,
): aws.wafv2.WebAcl {
  return new aws.wafv2.WebAcl(
    `${name}-waf`,
    {
      description: args.description,
      scope: args.scope,
      defaultAction: { allow: {} },
      rules: wafRules(name, args.waf.rateLimit, args.waf.managedRules),
      visibilityConfig: visibility(`${name}-waf`),
    },
    opts,
  );
}

export function createEdge(parent: pulumi.Resource, name: string, args: EdgeArgs): Edge {
  const opts = { parent };
  const usEast1 = args.usEast1Provider ? { parent, provider: args.usEast1Provider } : { parent };

  const webAcl = createWebAcl(
    name,
    {
      description: `In front of the ${name} CloudFront distribution`,
      // Without a us-east-1 provider the component's own provider must be in us-east-1: checked here, at
      // preview, rather than failing in the CloudFront API halfway through `pulumi up`.
      scope: args.usEast1Provider
        ? "CLOUDFRONT"
        : pulumi.output(args.region).apply((region) => {
            if (region !== "us-east-1")
              throw new Error(
                `${name}: CloudFront takes web ACLs and certificates from us-east-1 only, and the stack is in ` +
                  `${region}; pass usEast1Provider`,
              );
            return "CLOUDFRONT";
          }),
      waf: args.waf,
    },
    usEast1,
  );

  // Static assets: cached a day by default (the origin's Cache-Control wins within 0 s - 1 year), one
  // copy per path whatever the cookies, headers or query strings, compressed with Brotli or Gzip.
  const staticPolicy = objectCachePolicy(`${name}-static`, `${name}: static assets`, opts);
  // The API and pages: never cached unless the origin says so (default TTL 0), and then per Authorization
  // header, cookie and query string, so one user's response never reaches another. Compression needs a
  // cacheable policy, hence a maximum TTL above 0 rather than CloudFront's CachingDisabled.
  const apiPolicy = new aws.cloudfront.CachePolicy(
    `${name}-api`,
    {
      comment: `${name}: API and pages`,
      minTtl: 0,
      defaultTtl: 0,
      maxTtl: 3600,
      parametersInCacheKeyAndForwardedToOrigin: {
        cookiesConfig: { cookieBehavior: "all" },
        headersConfig: { headerBehavior: "whitelist", headers: { items: ["Authorization"] } },
        queryStringsConfig: { queryStringBehavior: "all" },
        enableAcceptEncodingBrotli: true,
        enableAcceptEncodingGzip: true,
      },
    },
    opts,
  );

  const behavior = {
    targetOriginId: "alb",
    viewerProtocolPolicy: "https-only",
    compress: true,
    responseHeadersPolicyId: MANAGED_RESPONSE_HEADERS_SECURITY,
  };
  const distribution = new aws.cloudfront.Distribution(
    `${name}-cdn`,
    {
      enabled: true,
      comment: `${name}: CloudFront + WAF in front of the load balancer`,
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      // North America and Europe edges only: the cheapest price class; viewers elsewhere are served from
      // the nearest of those.
      priceClass: "PriceClass_100",
      webAclId: webAcl.arn,
      ...(args.domain ? { aliases: [args.domain.name] } : {}),
      origins: [
        {
          originId: "alb",
          domainName: args.originDomainName,
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: args.originProtocol,
            originSslProtocols: ["TLSv1.2"],
            originReadTimeout: 60,
            originKeepaliveTimeout: 5,
          },
          customHeaders: [{ name: ORIGIN_VERIFY_HEADER, value: args.originVerifySecret }],
        },
      ],
      defaultCacheBehavior: {
        ...behavior,
        allowedMethods: ALL_METHODS,
        cachedMethods: CACHED_METHODS,
        cachePolicyId: apiPolicy.id,
        // Every viewer header, cookie and query string except Host (the origin's own name must reach the
        // ALB, so TLS to it validates and its listener matches).
        originRequestPolicyId: MANAGED_ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST,
      },
      orderedCacheBehaviors: args.staticPaths.map((pathPattern) => ({
        ...behavior,
        pathPattern,
        allowedMethods: CACHED_METHODS,
        cachedMethods: CACHED_METHODS,
        cachePolicyId: staticPolicy.id,
      })),
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: viewerCertificate(args.domain),
      ...(args.tags ? { tags: args.tags } : {}),
    },
    opts,
  );
  return { distribution, webAcl };
}
