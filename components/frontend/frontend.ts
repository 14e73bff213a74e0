import * as crypto from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildConsole } from "../../console/build";
import { consoleConfigJson, consoleContentSecurityPolicy } from "../../console/site";
import { CONSOLE_CONFIG_FILE } from "../../contracts/console";
import { throwIfProblems } from "../../lib/problems";
import { FrontendSettings, frontendProblems, MAX_CSP_LENGTH } from "./args";
import type { WafSettings } from "../shared/waf-args";
import {
  CdnDomain,
  createWebAcl,
  MANAGED_CACHE_DISABLED,
  MANAGED_ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST,
  objectCachePolicy,
  viewerCertificate,
} from "../fargate/edge";
import { createSiteInvalidation, invalidationFunctionName, InvalidationArgs } from "./invalidation";
import { API_PATH_PATTERN, apiOriginOf, SPA_ROUTES_CODE } from "./routing";
import { contentTypeFor, REVALIDATE, siteFiles } from "./site";
import { accountAdministersKey, logsMayEncrypt } from "../shared/kms-statements";
import { denyInsecureTransport } from "../pipeline/bucket-rules";
import { configureBucket } from "../pipeline/storage";
import { PlatformComponent } from "../shared/tagging";

/*
 * `agent-platform:index:Frontend`: a single-page app in a private S3 bucket, served only by
 * CloudFront through Origin Access Control, behind WAF, with security headers.
 *
 * Caching: hashed assets get new names on every build (cached a year, immutable), and everything else
 * (index.html, favicon) is `Cache-Control: no-cache`, which CloudFront honours because the cache policy's
 * minimum TTL is 0: each request revalidates with S3 by ETag. The SPA fallback (403/404 -> index.html) is not
 * cached either (errorCachingMinTtl 0). On top of that, with `invalidation` (config frontendInvalidation), a
 * deploy that changes a non-hashed file invalidates exactly those paths (frontend/invalidation.ts): copies an
 * edge cached under other headers (an object uploaded by hand, a header changed later) are dropped at once,
 * and an unchanged site invalidates nothing.
 *
 * The site is the web console (console/) unless a folder is given. With `endpoints`, the distribution also
 * forwards /api/* to the REST API (frontend-routing.ts), and the component writes config.json next to
 * index.html (the API on the site's own origin, the WebSocket API's URL), so one build serves every stack; the
 * CSP's connect-src allows the site itself and the WebSocket API's origin only.
 */

/** Days old versions of site objects stay in the versioned bucket (a rollback is a re-deploy of the old build). */
export const NONCURRENT_VERSION_DAYS = 30;
/** HSTS for two years with subdomains and preload, as hstspreload.org asks. */
export const HSTS_MAX_AGE_SECONDS = 63072000;

/** The APIs the site calls (stack outputs). */
export interface FrontendEndpoints {
  /** The REST API's stage URL: the distribution forwards /api/* to it, so the site calls it on its own origin. */
  readonly apiUrl: pulumi.Input<string>;
  /** Named in config.json and the CSP's connect-src. Absent where the stack has no WebSocket API. */
  readonly wsUrl?: pulumi.Input<string>;
}

export interface FrontendArgs extends FrontendSettings {
  /** Absolute path of a built site folder (index.html at its top). Default: the web console (console/build.ts). */
  readonly siteDir?: string;
  /**
   * Routed under /api/ and written to config.json at the site's root (no-cache, invalidated when it changes);
   * the CSP's connect-src becomes 'self' and the WebSocket API's origin. Default: none.
   */
  readonly endpoints?: FrontendEndpoints;
  /**
   * The frontend's own name and its us-east-1 certificate from Dns (which also owns its A/AAAA records).
   * Default: none (the distribution's cloudfront.net name).
   */
  readonly domain?: CdnDomain;
  /** An existing CLOUDFRONT-scope web ACL to share (no second ACL at $5 + $1 a rule). Default: its own. */
  readonly webAclArn?: pulumi.Input<string>;
  /** Rules of its own web ACL (ignored with webAclArn). No default. */
  readonly waf: WafSettings;
  /** A provider in us-east-1 for its own web ACL. Default: the component's (must be us-east-1). */
  readonly usEast1Provider?: aws.Provider;
  /** The stack's region, checked when usEast1Provider is absent and something needs us-east-1. */
  readonly region: string;
  /** `protect` on the bucket (config protectStateful). Default: false. */
  readonly protect?: boolean;
  /** Invalidate changed non-hashed paths on deploy (a function and its log group). Default: none. */
  readonly invalidation?: InvalidationArgs;
}

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

export class Frontend extends PlatformComponent {
  readonly bucketName: pulumi.Output<string>;
  readonly distributionId: pulumi.Output<string>;
  readonly cloudfrontDomainName: pulumi.Output<string>;
  /** https://<domain> with a domain, else https://<distribution>.cloudfront.net. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: FrontendArgs, opts?: pulumi.ComponentResourceOptions) {
    // Guard clauses first: nothing is registered for a folder that cannot be served.
    throwIfProblems("Frontend", name, frontendProblems(args));
    const files = siteFiles(args.siteDir ?? buildConsole().dir);
    if (args.endpoints && files.some((f) => f.key === CONSOLE_CONFIG_FILE))
      throw new Error(
        `Frontend ${name}: the site folder has a ${CONSOLE_CONFIG_FILE} of its own, which the component ` +
          "writes from the stack's endpoints; remove it from the folder",
      );
    if (args.webAclArn === undefined && !args.usEast1Provider && args.region !== "us-east-1")
      throw new Error(
        `Frontend ${name}: CloudFront takes web ACLs from us-east-1 only, and the stack is in ` +
          `${args.region}; pass usEast1Provider`,
      );
    super("agent-platform:index:Frontend", name, "frontend", opts);
    const usEast1 = args.usEast1Provider
      ? { parent: this, provider: args.usEast1Provider }
      : { parent: this };

    const bucket = new aws.s3.Bucket(
      `${name}-site`,
      { forceDestroy: false },
      { parent: this, protect: args.protect },
    );

    const oac = new aws.cloudfront.OriginAccessControl(
      `${name}-oac`,
      {
        description: `CloudFront reads the ${name} site bucket`,
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      },
      { parent: this },
    );
    // Honours the objects' Cache-Control (0 s to a year; a day when absent), one cached copy per path whatever
    // the cookies, headers or query strings, compressed with Brotli or Gzip.
    const cachePolicy = objectCachePolicy(`${name}-cache`, `${name}: site objects, by their Cache-Control`, {
      parent: this,
    });
    const endpoints = args.endpoints && pulumi.output(args.endpoints);
    // The REST API is on the site's own origin ('self'); only the WebSocket API is elsewhere.
    const csp = endpoints
      ? endpoints.apply((e) => {
          const value = consoleContentSecurityPolicy(args.contentSecurityPolicy, [e.wsUrl]);
          // CloudFront refuses a longer value at `pulumi up`: fail here, naming the key that makes it long.
          if (value.length > MAX_CSP_LENGTH)
            throw new Error(
              `Frontend ${name}: the Content-Security-Policy with the WebSocket API's origin in connect-src is ` +
                `${value.length} characters, over CloudFront's ${MAX_CSP_LENGTH}; shorten frontendContentSecurityPolicy`,
            );
          return value;
        })
      : args.contentSecurityPolicy;
    const headers = new aws.cloudfront.ResponseHeadersPolicy(
      `${name}-headers`,
      {
        comment: `${name}: security headers`,
        securityHeadersConfig: {
          strictTransportSecurity: {
            accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
            includeSubdomains: true,
            preload: true,
            override: true,
          },
          contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: "DENY", override: true },
          referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
        },
      },
      { parent: this },
    );

    const webAclArn =
      args.webAclArn ??
      createWebAcl(
        name,
        {
          description: `In front of the ${name} CloudFront distribution`,
          scope: "CLOUDFRONT",
          waf: args.waf,
        },
        usEast1,
      ).arn;

    const spaRoutes = new aws.cloudfront.Function(
      `${name}-routes`,
      {
        runtime: "cloudfront-js-2.0",
        comment: `${name}: client-side routes are served index.html`,
        code: SPA_ROUTES_CODE,
        publish: true,
      },
      { parent: this },
    );
    const distribution = new aws.cloudfront.Distribution(
      `${name}-cdn`,
      {
        enabled: true,
        comment: `${name}: single-page app from a private S3 bucket`,
        isIpv6Enabled: true,
        httpVersion: "http2and3",
        priceClass: "PriceClass_100",
        defaultRootObject: "index.html",
        webAclId: webAclArn,
        ...(args.domain ? { aliases: [args.domain.name] } : {}),
        origins: [
          { originId: "site", domainName: bucket.bucketRegionalDomainName, originAccessControlId: oac.id },
          ...(endpoints
            ? [
                endpoints.apply((e) => ({
                  originId: "api",
                  ...apiOriginOf(e.apiUrl),
                  customOriginConfig: {
                    httpPort: 80,
                    httpsPort: 443,
                    originProtocolPolicy: "https-only",
                    originSslProtocols: ["TLSv1.2"],
                  },
                })),
              ]
            : []),
        ],
        defaultCacheBehavior: {
          targetOriginId: "site",
          viewerProtocolPolicy: "redirect-to-https",
          allowedMethods: ["GET", "HEAD", "OPTIONS"],
          cachedMethods: ["GET", "HEAD"],
          compress: true,
          cachePolicyId: cachePolicy.id,
          responseHeadersPolicyId: headers.id,
          functionAssociations: [{ eventType: "viewer-request", functionArn: spaRoutes.arn }],
        },
        // The API, uncached, with every viewer header but Host (API Gateway answers only to its own name);
        // https-only rather than a redirect, which would turn a POST into a GET.
        ...(endpoints
          ? {
              orderedCacheBehaviors: [
                {
                  pathPattern: API_PATH_PATTERN,
                  targetOriginId: "api",
                  viewerProtocolPolicy: "https-only",
                  allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                  cachedMethods: ["GET", "HEAD"],
                  compress: true,
                  cachePolicyId: MANAGED_CACHE_DISABLED,
                  originRequestPolicyId: MANAGED_ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST,
                  responseHeadersPolicyId: headers.id,
                },
              ],
            }
          : {}),
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: viewerCertificate(args.domain),
      },
      { parent: this },
    );

    // SSE-KMS with a key of its own: CloudFront may decrypt, and only for this distribution (OAC signs as
    // cloudfront.amazonaws.com). The account administers the key through IAM.
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const partitionInfo = aws.getPartitionOutput({}, { parent: this });
    const partition = partitionInfo.partition;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    // The invalidation function's log group is encrypted with the same key (no second $1 key).
    const invalidationLogGroupArn = pulumi.interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:/aws/lambda/${invalidationFunctionName(name)}`;
    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the ${name} site bucket`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            accountAdministersKey("AccountAdministers", partition, accountId),
            {
              Sid: "CloudFrontDecryptsForTheDistribution",
              Effect: "Allow",
              Principal: { Service: "cloudfront.amazonaws.com" },
              Action: "kms:Decrypt",
              Resource: "*",
              Condition: { StringEquals: { "AWS:SourceArn": distribution.arn } },
            },
            ...(args.invalidation
              ? [
                  logsMayEncrypt(
                    "LogsEncryptInvalidationLogs",
                    region,
                    partitionInfo.dnsSuffix,
                    invalidationLogGroupArn,
                  ),
                ]
              : []),
          ],
        }),
      },
      { parent: this },
    );
    configureBucket(this, `${name}-site`, bucket, {
      encryption: { kind: "kms", keyArn: key.arn },
      lifecycleRules: [
        {
          id: "expire-old-versions",
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
      statements: (bucketArn) => [
        {
          Sid: "CloudFrontReadsThroughOac",
          Effect: "Allow",
          Principal: { Service: "cloudfront.amazonaws.com" },
          Action: "s3:GetObject",
          Resource: pulumi.interpolate`${bucketArn}/*`,
          Condition: { StringEquals: { "AWS:SourceArn": distribution.arn } },
        },
        denyInsecureTransport(bucketArn),
      ],
    });

    const uploads = files.map(
      (file) =>
        new aws.s3.BucketObjectv2(
          `${name}-site/${file.key}`,
          {
            bucket: bucket.id,
            key: file.key,
            source: new pulumi.asset.FileAsset(file.absolutePath),
            contentType: file.contentType,
            cacheControl: file.cacheControl,
            serverSideEncryption: "aws:kms",
            kmsKeyId: key.arn,
            bucketKeyEnabled: true,
            // S3's ETag of an SSE-KMS object is not the content's MD5: the content hash tells Pulumi of changes.
            sourceHash: file.sha256,
          },
          { parent: this },
        ),
    );
    const url = args.domain
      ? pulumi.output(`https://${args.domain.name}`)
      : pulumi.interpolate`https://${distribution.domainName}`;
    // config.json: one build of the site serves every stack; this file tells it where the stack's APIs are.
    const configJson =
      endpoints && pulumi.all([url, endpoints]).apply(([siteUrl, e]) => consoleConfigJson(siteUrl, e.wsUrl));
    if (configJson)
      uploads.push(
        new aws.s3.BucketObjectv2(
          `${name}-site/${CONSOLE_CONFIG_FILE}`,
          {
            bucket: bucket.id,
            key: CONSOLE_CONFIG_FILE,
            content: configJson,
            contentType: contentTypeFor(CONSOLE_CONFIG_FILE),
            cacheControl: REVALIDATE,
            serverSideEncryption: "aws:kms",
            kmsKeyId: key.arn,
            bucketKeyEnabled: true,
          },
          { parent: this },
        ),
      );
    if (args.invalidation)
      createSiteInvalidation(this, name, {
        ...args.invalidation,
        files,
        generated: configJson?.apply((text) => ({ [`/${CONSOLE_CONFIG_FILE}`]: sha256(text) })),
        distribution,
        logKeyArn: key.arn,
        uploads,
      });

    this.bucketName = bucket.bucket;
    this.distributionId = distribution.id;
    this.cloudfrontDomainName = distribution.domainName;
    this.url = url;
    this.registerOutputs({ bucketName: this.bucketName, distributionId: this.distributionId, url: this.url });
  }
}
