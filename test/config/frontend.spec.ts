import * as assert from "assert";
import { configIssues, K, loadStack } from "../helpers/config";

const load = loadStack;
const issuesWith = configIssues;

describe("frontend config", () => {
  it("is on in every stack, with app.<domainName> where the stack has a domain", () => {
    assert.notStrictEqual(load("dev").frontend, undefined);
    const staging = load("staging").frontend!;
    // No site folder: the web console, built from console/.
    assert.deepStrictEqual([staging.siteDir, staging.domainName], [undefined, undefined]);
    assert.strictEqual(load("dev", { [K("frontendSiteDir")]: "public" }).frontend?.siteDir, "public");
    assert.match(staging.contentSecurityPolicy, /^default-src 'self'; /);
    assert.strictEqual(load("prod").frontend?.domainName, "app.agents.example.com");
    assert.strictEqual(
      load("prod", { [K("frontendDomainName")]: "www.agents.example.com" }).frontend?.domainName,
      "www.agents.example.com",
    );
  });

  it("invalidates changed paths on deploy in every stack, and takes only a boolean", () => {
    assert.deepStrictEqual(
      ["dev", "staging", "prod"].map((stack) => load(stack).frontend?.invalidation),
      [true, true, true],
    );
    assert.strictEqual(load("dev", { [K("frontendInvalidation")]: "false" }).frontend?.invalidation, false);
    assert.deepStrictEqual(issuesWith("dev", { [K("frontendInvalidation")]: "yes" }), [
      'agent-platform:frontendInvalidation = "yes": must be true or false',
    ]);
  });

  it("rejects a CSP that is not a string, empty or malformed", () => {
    assert.deepStrictEqual(
      issuesWith("dev", { [K("frontendContentSecurityPolicy")]: '{"default-src":"self"}' }),
      [
        `agent-platform:frontendContentSecurityPolicy = "{\\"default-src\\":\\"self\\"}": must be a string: a Content-Security-Policy header value such as "default-src 'self'"`,
      ],
    );
    assert.deepStrictEqual(issuesWith("dev", { [K("frontendContentSecurityPolicy")]: "true" }), [
      `agent-platform:frontendContentSecurityPolicy = "true": must be a string: a Content-Security-Policy header value such as "default-src 'self'"`,
    ]);
    assert.deepStrictEqual(
      issuesWith("dev", { [K("frontendContentSecurityPolicy")]: "default-src 'self'; 'none'" }),
      [
        `agent-platform:frontendContentSecurityPolicy = "default-src 'self'; 'none'": must be directives separated by ';', each starting with a lower-case name; not: 'none'`,
      ],
    );
  });

  it("leaves connect-src to the program and refuses 'unsafe-inline'", () => {
    for (const stack of ["dev", "staging", "prod"])
      assert.doesNotMatch(load(stack).frontend!.contentSecurityPolicy, /connect-src|unsafe-inline/);
    assert.deepStrictEqual(
      issuesWith("dev", { [K("frontendContentSecurityPolicy")]: "default-src 'self'; connect-src https:" }),
      [
        `agent-platform:frontendContentSecurityPolicy = "default-src 'self'; connect-src https:": must not set connect-src: the program sets it to 'self' and the stack's API and WebSocket origins`,
      ],
    );
    assert.deepStrictEqual(
      issuesWith("dev", {
        [K("frontendContentSecurityPolicy")]: "default-src 'self'; style-src 'self' 'unsafe-inline'",
      }),
      [
        `agent-platform:frontendContentSecurityPolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'": must not allow 'unsafe-inline' (the console needs no inline script or style)`,
      ],
    );
  });

  it("adds no CORS origin for the console, which calls the API on its own origin", () => {
    assert.deepStrictEqual(load("prod").api.corsOrigins, []);
    assert.deepStrictEqual(
      load("prod", { [K("apiCorsOrigins")]: '["https://partner.example.com"]' }).api.corsOrigins,
      ["https://partner.example.com"],
    );
    assert.deepStrictEqual(load("dev").api.corsOrigins, ["http://localhost:3000"]);
  });

  it("rejects a frontend name without a domain, equal to domainName, and a site folder outside the project", () => {
    assert.deepStrictEqual(
      issuesWith("staging", { [K("frontendDomainName")]: "app.example.com", [K("frontendSiteDir")]: "../x" }),
      [
        'agent-platform:frontendSiteDir = "../x": must be a folder inside the project (no ..), such as public, or empty for the web console',
        'agent-platform:frontendDomainName = "app.example.com": needs domainName and hostedZoneId (the zone that holds it); set them or remove frontendDomainName',
      ],
    );
    assert.deepStrictEqual(issuesWith("prod", { [K("frontendDomainName")]: "agents.example.com" }), [
      `agent-platform:frontendDomainName = "agents.example.com": must differ from domainName, which the web service's CloudFront distribution and records own`,
    ]);
  });
});
