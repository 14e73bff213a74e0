/**
 * The Frontend serving the web console: the console's build uploaded with its cache headers, the REST API
 * under the site's own /api/, config.json naming the site as the API and the WebSocket API, the CSP's
 * connect-src set to the site and the WebSocket API's origin only, and the invalidation covering config.json as
 * it covers the other non-hashed files.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildConsole } from "../../console/build";
import { Frontend, FrontendArgs } from "../../components/frontend/frontend";
import { apiOriginOf, SPA_ROUTES_CODE } from "../../components/frontend/routing";
import { IMMUTABLE, REVALIDATE } from "../../components/frontend/site";
import { evaluate, evaluateStack, named, ofType, REPO_ROOT } from "../helpers/offline";

const API = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/v1";
const WS = "wss://f6g7h8i9j0.execute-api.us-east-1.amazonaws.com/live";
const BASE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
  "frame-ancestors 'none'; upgrade-insecure-requests";
const args = (over: Partial<FrontendArgs> = {}): FrontendArgs => ({
  contentSecurityPolicy: BASE_CSP,
  endpoints: { apiUrl: API, wsUrl: WS },
  waf: { rateLimit: 2000, managedRules: ["AWSManagedRulesCommonRuleSet"] },
  region: "us-east-1",
  ...over,
});
const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
const csp = (resources: Awaited<ReturnType<typeof evaluate>>["resources"]) =>
  (
    named(resources, "fe-headers").inputs.securityHeadersConfig as {
      contentSecurityPolicy: { contentSecurityPolicy: string };
    }
  ).contentSecurityPolicy.contentSecurityPolicy;

describe("Frontend: the web console", () => {
  it("uploads the console's build by default: hashed assets immutable, index.html and favicon revalidated", async () => {
    const build = buildConsole();
    const { resources } = await evaluate(() => new Frontend("fe", args()));
    const uploads = ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2")
      .map((r) => [r.inputs.key, r.inputs.cacheControl, r.inputs.serverSideEncryption])
      .sort();
    assert.deepStrictEqual(
      uploads,
      [
        [build.script, IMMUTABLE, "aws:kms"],
        [build.stylesheet, IMMUTABLE, "aws:kms"],
        ["config.json", REVALIDATE, "aws:kms"],
        ["favicon.svg", REVALIDATE, "aws:kms"],
        ["index.html", REVALIDATE, "aws:kms"],
      ].sort(),
    );
    assert.match(build.script, /^assets\/app\.[0-9a-f]{16}\.js$/);
    const index = fs.readFileSync(path.join(build.dir, "index.html"), "utf8");
    assert.ok(index.includes(`src="/${build.script}"`) && index.includes(`href="/${build.stylesheet}"`));
  });

  it("writes config.json with the site itself as the API and the WebSocket URL, revalidated on every request", async () => {
    const { resources } = await evaluate(() => new Frontend("fe", args()));
    const site = `https://${named(resources, "fe-cdn").outputs.domainName}`;
    const config = named(resources, "fe-site/config.json").inputs;
    assert.deepStrictEqual(JSON.parse(config.content as string), { apiUrl: site, wsUrl: WS });
    assert.deepStrictEqual([config.contentType, config.cacheControl], ["application/json", REVALIDATE]);
    assert.strictEqual(config.kmsKeyId, named(resources, "fe-key").outputs.arn);
    // With a domain the site's name is the domain; without a WebSocket API the console polls.
    const domain = {
      name: "app.example.com",
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x",
    };
    const polling = await evaluate(() => new Frontend("fe", args({ endpoints: { apiUrl: API }, domain })));
    assert.deepStrictEqual(
      JSON.parse(named(polling.resources, "fe-site/config.json").inputs.content as string),
      { apiUrl: "https://app.example.com" },
    );
  });

  it("forwards /api/* to the API's stage: uncached, every method, every header but Host, TLS 1.2 only", async () => {
    const { resources } = await evaluate(() => new Frontend("fe", args()));
    const d = named(resources, "fe-cdn").inputs;
    const origins = d.origins as Array<Record<string, unknown>>;
    assert.deepStrictEqual(
      origins.find((o) => o.originId === "api"),
      {
        originId: "api",
        domainName: "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        originPath: "/v1",
        customOriginConfig: {
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: "https-only",
          originSslProtocols: ["TLSv1.2"],
        },
      },
    );
    const [api, ...others] = d.orderedCacheBehaviors as Array<Record<string, unknown>>;
    assert.deepStrictEqual(others, []);
    assert.strictEqual(api.pathPattern, "/api/*");
    assert.strictEqual(api.targetOriginId, "api");
    // A redirect would turn a POST into a GET: plain http is refused instead.
    assert.strictEqual(api.viewerProtocolPolicy, "https-only");
    assert.deepStrictEqual([...(api.allowedMethods as string[])].sort(), [
      "DELETE",
      "GET",
      "HEAD",
      "OPTIONS",
      "PATCH",
      "POST",
      "PUT",
    ]);
    // AWS's managed CachingDisabled and AllViewerExceptHostHeader policies, by their documented ids.
    assert.strictEqual(api.cachePolicyId, "4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
    assert.strictEqual(api.originRequestPolicyId, "b689b0a8-53d0-40ab-baf2-68738e2966ac");
    assert.strictEqual(api.responseHeadersPolicyId, named(resources, "fe-headers").id);
    // No custom error responses: they would replace the API's 403 (a wrong key) and 404 with index.html.
    assert.strictEqual(d.customErrorResponses, undefined);
    // Without endpoints the distribution has the site only.
    const plain = await evaluate(() => new Frontend("fe", args({ endpoints: undefined })));
    const p = named(plain.resources, "fe-cdn").inputs;
    assert.deepStrictEqual(
      (p.origins as Array<{ originId: string }>).map((o) => o.originId),
      ["site"],
    );
    assert.strictEqual(p.orderedCacheBehaviors, undefined);
  });

  it("takes the origin from an https stage URL only", () => {
    assert.deepStrictEqual(apiOriginOf("https://abc.execute-api.eu-west-1.amazonaws.com/v1/"), {
      domainName: "abc.execute-api.eu-west-1.amazonaws.com",
      originPath: "/v1",
    });
    assert.deepStrictEqual(apiOriginOf("https://api.example.com"), {
      domainName: "api.example.com",
      originPath: "",
    });
    for (const bad of ["http://abc.example.com/v1", "https://abc.example.com/v1?x=1", "not a url"])
      assert.throws(() => apiOriginOf(bad), /.+/, bad);
  });

  it("serves index.html for client-side routes and every file as itself (the function CloudFront runs)", async () => {
    const handler = new Function(`${SPA_ROUTES_CODE}; return handler;`)() as (e: {
      request: { uri: string };
    }) => { uri: string };
    const served = (uri: string) => handler({ request: { uri } }).uri;
    for (const route of ["/projects", "/projects/abc-123", "/agents/"])
      assert.strictEqual(served(route), route.endsWith("/") ? route : "/index.html", route);
    for (const file of [
      "/",
      "/index.html",
      "/config.json",
      "/assets/app.0123456789abcdef.js",
      "/favicon.svg",
    ])
      assert.strictEqual(served(file), file, file);
    const { resources } = await evaluate(() => new Frontend("fe", args()));
    const fn = named(resources, "fe-routes");
    assert.deepStrictEqual(
      [fn.inputs.runtime, fn.inputs.code, fn.inputs.publish],
      ["cloudfront-js-2.0", SPA_ROUTES_CODE, true],
    );
    const d = named(resources, "fe-cdn").inputs.defaultCacheBehavior as { functionAssociations: unknown };
    assert.deepStrictEqual(d.functionAssociations, [
      { eventType: "viewer-request", functionArn: fn.outputs.arn },
    ]);
  });

  it("lets the site connect to itself and exactly the WebSocket API's origin", async () => {
    const { resources } = await evaluate(() => new Frontend("fe", args()));
    const policy = csp(resources);
    assert.strictEqual(
      policy,
      `${BASE_CSP}; connect-src 'self' wss://f6g7h8i9j0.execute-api.us-east-1.amazonaws.com`,
    );
    assert.doesNotMatch(policy, /unsafe-inline/);
    // A connect-src in the base is replaced, not added to; without a WebSocket API only the site is named.
    const replaced = await evaluate(
      () =>
        new Frontend(
          "fe",
          args({ contentSecurityPolicy: `connect-src *; ${BASE_CSP}`, endpoints: { apiUrl: API } }),
        ),
    );
    assert.strictEqual(csp(replaced.resources), `${BASE_CSP}; connect-src 'self'`);
    // Without endpoints there is no config.json and the policy is the base.
    const plain = await evaluate(() => new Frontend("fe", args({ endpoints: undefined })));
    assert.strictEqual(csp(plain.resources), BASE_CSP);
    assert.ok(!plain.resources.some((r) => r.name === "fe-site/config.json"));
  });

  it("refuses a policy CloudFront would refuse, and a site folder with a config.json of its own", async () => {
    await assert.rejects(
      evaluate(
        () => new Frontend("fe", args({ contentSecurityPolicy: `default-src 'self'; ${"x".repeat(1740)}` })),
      ),
      /connect-src is 18\d\d characters, over CloudFront's 1783; shorten frontendContentSecurityPolicy/,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "site-"));
    try {
      fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html>");
      fs.writeFileSync(path.join(dir, "config.json"), "{}");
      assert.throws(
        () => new Frontend("fe", args({ siteDir: dir })),
        /Frontend fe: the site folder has a config\.json of its own/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("invalidation", () => {
    const input = async (endpoints: FrontendArgs["endpoints"]) => {
      const { resources } = await evaluate(
        () => new Frontend("fe", args({ endpoints, invalidation: { logRetentionDays: 7 } })),
      );
      return {
        site: `https://${named(resources, "fe-cdn").outputs.domainName}`,
        paths: (
          JSON.parse(named(resources, "fe-invalidate-run").inputs.input as string) as {
            paths: Record<string, string>;
          }
        ).paths,
      };
    };

    it("covers config.json by its content: the same endpoints invalidate nothing, new ones only config.json", async () => {
      const first = await input({ apiUrl: API, wsUrl: WS });
      assert.deepStrictEqual(Object.keys(first.paths).sort(), [
        "/config.json",
        "/favicon.svg",
        "/index.html",
      ]);
      assert.strictEqual(
        first.paths["/config.json"],
        sha256(`${JSON.stringify({ apiUrl: first.site, wsUrl: WS })}\n`),
      );
      assert.deepStrictEqual(await input({ apiUrl: API, wsUrl: WS }), first);
      const moved = await input({ apiUrl: API, wsUrl: WS.replace("f6g7h8i9j0", "k1l2m3n4o5") });
      assert.deepStrictEqual(
        Object.keys(moved.paths).filter((p) => moved.paths[p] !== first.paths[p]),
        ["/config.json"],
      );
      // The REST API moving changes where /api/* goes, not what the site says: nothing to invalidate.
      assert.deepStrictEqual(
        await input({ apiUrl: API.replace("a1b2c3d4e5", "k1l2m3n4o5"), wsUrl: WS }),
        first,
      );
    });
  });

  it("in every stack: the API under the site's /api/, config.json names the site and the WebSocket URL, which the CSP allows", async () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const { resources, outputs } = await evaluateStack(stack);
      const config = JSON.parse(named(resources, "frontend-site/config.json").inputs.content as string);
      // The site's own origin: no CORS needed, whether or not the stack has a domain.
      assert.strictEqual(config.apiUrl, outputs.frontendUrl, stack);
      const stage = ofType(resources, "aws:apigateway/stage:Stage")[0];
      const origins = named(resources, "frontend-cdn").inputs.origins as Array<Record<string, unknown>>;
      const api = origins.find((o) => o.originId === "api")!;
      assert.strictEqual(`https://${api.domainName}${api.originPath}`, stage.outputs.invokeUrl, stack);
      assert.match(config.wsUrl, /^wss:\/\/[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com\/live$/, stack);
      const policy = (
        named(resources, "frontend-headers").inputs.securityHeadersConfig as {
          contentSecurityPolicy: { contentSecurityPolicy: string };
        }
      ).contentSecurityPolicy.contentSecurityPolicy;
      const connect = policy.split("; ").find((d) => d.startsWith("connect-src"));
      assert.strictEqual(connect, `connect-src 'self' ${new URL(config.wsUrl).origin}`, stack);
      assert.doesNotMatch(policy, /unsafe-inline/, stack);
    }
    assert.ok(fs.existsSync(path.join(REPO_ROOT, "console", "src", "main.ts")));
  });
});
