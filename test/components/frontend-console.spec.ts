/**
 * The Frontend serving the web console: the console's build uploaded with its cache headers, config.json
 * written from the stack's endpoints, the CSP's connect-src set to exactly those origins, and the invalidation
 * covering config.json as it covers the other non-hashed files.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildConsole } from "../../console/build";
import { Frontend, FrontendArgs } from "../../components/frontend/frontend";
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

  it("writes config.json from the endpoints, as JSON, revalidated on every request", async () => {
    const { resources } = await evaluate(() => new Frontend("fe", args()));
    const config = named(resources, "fe-site/config.json").inputs;
    assert.deepStrictEqual(JSON.parse(config.content as string), { apiUrl: API, wsUrl: WS });
    assert.deepStrictEqual([config.contentType, config.cacheControl], ["application/json", REVALIDATE]);
    assert.strictEqual(config.kmsKeyId, named(resources, "fe-key").outputs.arn);
    const polling = await evaluate(() => new Frontend("fe", args({ endpoints: { apiUrl: `${API}/` } })));
    assert.deepStrictEqual(
      JSON.parse(named(polling.resources, "fe-site/config.json").inputs.content as string),
      {
        apiUrl: API,
      },
    );
  });

  it("lets the site connect to itself and exactly the API's and the WebSocket API's origins", async () => {
    const { resources } = await evaluate(() => new Frontend("fe", args()));
    const policy = csp(resources);
    assert.strictEqual(
      policy,
      `${BASE_CSP}; connect-src 'self' https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com ` +
        "wss://f6g7h8i9j0.execute-api.us-east-1.amazonaws.com",
    );
    assert.doesNotMatch(policy, /unsafe-inline/);
    // A connect-src in the base is replaced, not added to; without a WebSocket API only the REST API is named.
    const replaced = await evaluate(
      () =>
        new Frontend(
          "fe",
          args({ contentSecurityPolicy: `connect-src *; ${BASE_CSP}`, endpoints: { apiUrl: API } }),
        ),
    );
    assert.strictEqual(
      csp(replaced.resources),
      `${BASE_CSP}; connect-src 'self' https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com`,
    );
    // Without endpoints there is no config.json and the policy is the base.
    const plain = await evaluate(() => new Frontend("fe", args({ endpoints: undefined })));
    assert.strictEqual(csp(plain.resources), BASE_CSP);
    assert.ok(!plain.resources.some((r) => r.name === "fe-site/config.json"));
  });

  it("refuses a policy CloudFront would refuse, and a site folder with a config.json of its own", async () => {
    await assert.rejects(
      evaluate(
        () => new Frontend("fe", args({ contentSecurityPolicy: `default-src 'self'; ${"x".repeat(1700)}` })),
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
      return JSON.parse(named(resources, "fe-invalidate-run").inputs.input as string) as {
        paths: Record<string, string>;
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
        sha256(`${JSON.stringify({ apiUrl: API, wsUrl: WS })}\n`),
      );
      assert.deepStrictEqual(await input({ apiUrl: API, wsUrl: WS }), first);
      const moved = await input({ apiUrl: API.replace("a1b2c3d4e5", "k1l2m3n4o5"), wsUrl: WS });
      assert.deepStrictEqual(
        Object.keys(moved.paths).filter((p) => moved.paths[p] !== first.paths[p]),
        ["/config.json"],
      );
    });
  });

  it("in every stack: config.json names the stack's API and WebSocket URLs, which the CSP allows", async () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const { resources } = await evaluateStack(stack);
      const config = JSON.parse(named(resources, "frontend-site/config.json").inputs.content as string);
      const stage = ofType(resources, "aws:apigateway/stage:Stage")[0];
      assert.strictEqual(config.apiUrl, stage.outputs.invokeUrl, stack);
      assert.match(config.wsUrl, /^wss:\/\/[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com\/live$/, stack);
      const policy = (
        named(resources, "frontend-headers").inputs.securityHeadersConfig as {
          contentSecurityPolicy: { contentSecurityPolicy: string };
        }
      ).contentSecurityPolicy.contentSecurityPolicy;
      const connect = policy.split("; ").find((d) => d.startsWith("connect-src"));
      assert.strictEqual(
        connect,
        `connect-src 'self' ${new URL(config.apiUrl).origin} ${new URL(config.wsUrl).origin}`,
        stack,
      );
      assert.doesNotMatch(policy, /unsafe-inline/, stack);
    }
    assert.ok(fs.existsSync(path.join(REPO_ROOT, "console", "src", "main.ts")));
  });
});
