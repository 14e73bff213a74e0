import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Frontend, FrontendArgs } from "../../components/frontend/frontend";
import { invalidationPaths } from "../../components/frontend/invalidation";
import { IMMUTABLE, REVALIDATE, siteFiles } from "../../components/frontend/site";
import { evaluate, named, ofType, policyDocument, REPO_ROOT } from "../helpers/offline";

/** A small built site (hashed assets, index.html, favicon) that stays the same whatever the console does. */
const SITE_DIR = path.join(REPO_ROOT, "test", "fixtures", "site");
const base: FrontendArgs = {
  siteDir: SITE_DIR,
  contentSecurityPolicy: "default-src 'self'",
  waf: { rateLimit: 2000, managedRules: ["AWSManagedRulesCommonRuleSet"] },
  region: "us-east-1",
};

describe("Frontend", () => {
  it("lets only the distribution's OAC read the bucket, over TLS only", async () => {
    const { resources } = await evaluate(() => new Frontend("fe", base));
    const distributionArn = named(resources, "fe-cdn").outputs.arn;
    const bucketArn = named(resources, "fe-site").outputs.arn;
    const [allow, deny] = policyDocument(named(resources, "fe-site-policy")).Statement;
    assert.deepStrictEqual(allow, {
      Sid: "CloudFrontReadsThroughOac",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "s3:GetObject",
      Resource: `${bucketArn}/*`,
      Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
    });
    assert.strictEqual(deny.Effect, "Deny");
    assert.deepStrictEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
    assert.deepStrictEqual(named(resources, "fe-site-pab").inputs.restrictPublicBuckets, true);
    const key = policyDocument(named(resources, "fe-key")).Statement[1];
    assert.deepStrictEqual(key.Condition, { StringEquals: { "AWS:SourceArn": distributionArn } });
    const oac = named(resources, "fe-oac").inputs;
    assert.deepStrictEqual(
      [oac.originAccessControlOriginType, oac.signingBehavior, oac.signingProtocol],
      ["s3", "always", "sigv4"],
    );
  });

  it("serves the app from S3 with SPA routing, compression, headers and its own WAF", async () => {
    const { resources } = await evaluate(() => new Frontend("fe", base));
    const d = named(resources, "fe-cdn").inputs;
    assert.strictEqual(d.defaultRootObject, "index.html");
    assert.deepStrictEqual(d.origins, [
      {
        originId: "site",
        domainName: named(resources, "fe-site").outputs.bucketRegionalDomainName,
        originAccessControlId: named(resources, "fe-oac").id,
      },
    ]);
    assert.deepStrictEqual(d.defaultCacheBehavior, {
      targetOriginId: "site",
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["GET", "HEAD", "OPTIONS"],
      cachedMethods: ["GET", "HEAD"],
      compress: true,
      cachePolicyId: named(resources, "fe-cache").id,
      responseHeadersPolicyId: named(resources, "fe-headers").id,
      // Client-side routes are rewritten to /index.html before the cache (frontend-console.spec.ts runs the code).
      functionAssociations: [
        { eventType: "viewer-request", functionArn: named(resources, "fe-routes").outputs.arn },
      ],
    });
    assert.strictEqual(d.webAclId, named(resources, "fe-waf").outputs.arn);
    assert.deepStrictEqual(d.viewerCertificate, { cloudfrontDefaultCertificate: true });
    assert.strictEqual(named(resources, "fe-cache").inputs.minTtl, 0);
    const h = named(resources, "fe-headers").inputs.securityHeadersConfig as Record<string, unknown>;
    assert.deepStrictEqual(h, {
      strictTransportSecurity: {
        accessControlMaxAgeSec: 63072000,
        includeSubdomains: true,
        preload: true,
        override: true,
      },
      contentSecurityPolicy: { contentSecurityPolicy: "default-src 'self'", override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: "DENY", override: true },
      referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
    });
  });

  it("uploads every site file with its content type, cache header and content hash", async () => {
    const { resources } = await evaluate(() => new Frontend("fe", base));
    const objects = ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2").map((o) => [
      o.name,
      o.inputs.key,
      o.inputs.contentType,
      o.inputs.cacheControl,
    ]);
    assert.deepStrictEqual(objects, [
      ["fe-site/assets/app.5d41402a.css", "assets/app.5d41402a.css", "text/css; charset=utf-8", IMMUTABLE],
      [
        "fe-site/assets/app.7c9e2f1b.js",
        "assets/app.7c9e2f1b.js",
        "text/javascript; charset=utf-8",
        IMMUTABLE,
      ],
      ["fe-site/favicon.svg", "favicon.svg", "image/svg+xml", REVALIDATE],
      ["fe-site/index.html", "index.html", "text/html; charset=utf-8", "no-cache"],
    ]);
    const index = named(resources, "fe-site/index.html").inputs;
    assert.strictEqual(index.sourceHash, siteFiles(SITE_DIR).find((f) => f.key === "index.html")!.sha256);
    assert.strictEqual(index.serverSideEncryption, "aws:kms");
  });

  it("shares a given web ACL, and serves its domain with the given certificate, TLSv1.2_2021, no records", async () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/frontend-0123";
    const { resources } = await evaluate(
      () =>
        new Frontend("fe", {
          ...base,
          webAclArn: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/web/abc",
          domain: { name: "app.example.com", certificateArn },
        }),
    );
    assert.strictEqual(ofType(resources, "aws:wafv2/webAcl:WebAcl").length, 0);
    const d = named(resources, "fe-cdn").inputs;
    assert.strictEqual(d.webAclId, "arn:aws:wafv2:us-east-1:123456789012:global/webacl/web/abc");
    assert.deepStrictEqual(d.aliases, ["app.example.com"]);
    assert.deepStrictEqual(d.viewerCertificate, {
      acmCertificateArn: certificateArn,
      sslSupportMethod: "sni-only",
      minimumProtocolVersion: "TLSv1.2_2021",
    });
    // Dns issues the certificate and owns the A/AAAA records (test/components/dns.spec.ts).
    assert.deepStrictEqual(
      resources.filter((r) => /^aws:(acm|route53)\//.test(r.type)).map((r) => r.name),
      [],
    );
  });

  it("refuses a folder without index.html and a non-us-east-1 stack without the us-east-1 provider", () => {
    assert.throws(
      () => siteFiles(path.join(SITE_DIR, "assets")),
      new RegExp(
        `^Error: the site folder .*assets has no index.html \\(build the site, or set frontendSiteDir\\)$`,
      ),
    );
    assert.throws(() => new Frontend("fe", { ...base, region: "eu-west-1" }), {
      message:
        "Frontend fe: CloudFront takes web ACLs from us-east-1 only, and the stack is in eu-west-1; pass usEast1Provider",
    });
    // A shared web ACL and a certificate from Dns: nothing of its own in us-east-1, so no provider is needed.
    assert.doesNotThrow(
      () =>
        new Frontend("fe", {
          ...base,
          region: "eu-west-1",
          webAclArn: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/web/abc",
        }),
    );
  });

  describe("invalidation", () => {
    const withInvalidation = (siteDir = SITE_DIR): FrontendArgs => ({
      ...base,
      siteDir,
      invalidation: { logRetentionDays: 14 },
    });
    const copies: string[] = [];
    after(() => copies.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
    /** A copy of the site in a temporary folder, changed by `change`. */
    const siteCopy = (change: (dir: string) => void) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "site-"));
      copies.push(dir);
      fs.cpSync(SITE_DIR, dir, { recursive: true });
      change(dir);
      return dir;
    };
    const invocationInput = async (siteDir: string) => {
      const { resources } = await evaluate(() => new Frontend("fe", withInvalidation(siteDir)));
      return JSON.parse(named(resources, "fe-invalidate-run").inputs.input as string);
    };

    it("sends the non-hashed paths' content hashes, after the uploads, to a function allowed only this distribution", async () => {
      const { resources } = await evaluate(() => new Frontend("fe", withInvalidation()));
      const files = siteFiles(SITE_DIR);
      const run = named(resources, "fe-invalidate-run");
      assert.deepStrictEqual(JSON.parse(run.inputs.input as string), {
        distributionId: named(resources, "fe-cdn").id,
        paths: {
          "/favicon.svg": files.find((f) => f.key === "favicon.svg")!.sha256,
          "/index.html": files.find((f) => f.key === "index.html")!.sha256,
        },
      });
      assert.strictEqual(run.inputs.lifecycleScope, "CRUD");
      assert.strictEqual(run.inputs.functionName, named(resources, "fe-invalidate-fn").outputs.name);
      for (const upload of ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2"))
        assert.ok(run.dependencies.includes(upload.urn), `the invocation waits for ${upload.name}`);
      assert.ok(run.dependencies.includes(named(resources, "fe-invalidate-role-policy").urn));

      const statements = policyDocument(named(resources, "fe-invalidate-role-policy")).Statement;
      assert.deepStrictEqual(statements[0], {
        Sid: "InvalidateThisDistribution",
        Effect: "Allow",
        Action: "cloudfront:CreateInvalidation",
        Resource: named(resources, "fe-cdn").outputs.arn,
      });
      assert.deepStrictEqual(
        statements.map((s) => s.Action),
        [
          "cloudfront:CreateInvalidation",
          ["logs:CreateLogStream", "logs:PutLogEvents"],
          ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        ],
      );
      const fn = named(resources, "fe-invalidate-fn").inputs;
      assert.deepStrictEqual(
        [fn.name, fn.memorySize, fn.timeout, (fn.tracingConfig as { mode: string }).mode],
        ["agent-platform-test-fe-invalidate", 128, 30, "Active"],
      );
      const logs = named(resources, "fe-invalidate-logs").inputs;
      assert.deepStrictEqual(
        [logs.name, logs.retentionInDays, logs.kmsKeyId],
        ["/aws/lambda/agent-platform-test-fe-invalidate", 14, named(resources, "fe-key").outputs.arn],
      );
      // The site key lets CloudWatch Logs encrypt exactly that log group.
      assert.deepStrictEqual(policyDocument(named(resources, "fe-key")).Statement[2].Condition, {
        ArnEquals: {
          "kms:EncryptionContext:aws:logs:arn":
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/agent-platform-test-fe-invalidate",
        },
      });
      // No alarms: a failed invalidation fails `pulumi up` itself (synchronous Invocation).
      assert.deepStrictEqual(ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm"), []);
    });

    it("gives an unchanged site the same input (no invalidation) and a changed file a new one", async () => {
      const original = await invocationInput(SITE_DIR);
      assert.deepStrictEqual(await invocationInput(siteCopy(() => undefined)), original);
      // A new build's hashed asset is a new name: not a path to invalidate, so the input stays the same.
      const newAsset = siteCopy((dir) => fs.writeFileSync(path.join(dir, "assets", "app.0123abcd.js"), "x"));
      assert.deepStrictEqual(await invocationInput(newAsset), original);
      const edited = siteCopy((dir) => fs.appendFileSync(path.join(dir, "index.html"), "<!-- v2 -->"));
      const changed = await invocationInput(edited);
      assert.notDeepStrictEqual(changed, original);
      assert.deepStrictEqual(changed.paths, {
        ...original.paths,
        "/index.html": siteFiles(edited).find((f) => f.key === "index.html")!.sha256,
      });
    });

    it("keys only the files that keep their name across builds", () => {
      const files = siteFiles(SITE_DIR);
      assert.deepStrictEqual(Object.keys(invalidationPaths(files)), ["/favicon.svg", "/index.html"]);
    });

    it("without invalidation: no function, no invocation and no logs statement in the key", async () => {
      const { resources } = await evaluate(() => new Frontend("fe", base));
      assert.deepStrictEqual(
        resources.filter((r) => r.name.startsWith("fe-invalidate")).map((r) => r.name),
        [],
      );
      assert.strictEqual(policyDocument(named(resources, "fe-key")).Statement.length, 2);
    });
  });
});
