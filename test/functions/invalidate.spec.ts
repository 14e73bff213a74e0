import * as assert from "assert";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import {
  createInvalidation,
  handler,
  invalidationRequest,
  MAX_PATHS,
  pathsToInvalidate,
} from "../../functions/invalidate";

const site = { distributionId: "E2EXAMPLE", paths: { "/index.html": "a1", "/favicon.svg": "b1" } };

describe("invalidate function", () => {
  it("invalidates every non-hashed path (and /) on create, nothing on delete", () => {
    assert.deepStrictEqual(pathsToInvalidate({ ...site, tf: { action: "create" } }), [
      "/",
      "/favicon.svg",
      "/index.html",
    ]);
    assert.deepStrictEqual(pathsToInvalidate({ ...site, tf: { action: "delete", prev_input: site } }), []);
  });

  it("on update, only the paths whose content changed or that were removed", () => {
    const prev = { ...site, paths: { ...site.paths, "/robots.txt": "c1" } };
    assert.deepStrictEqual(
      pathsToInvalidate({
        ...site,
        paths: { "/index.html": "a1", "/favicon.svg": "b2" },
        tf: { action: "update", prev_input: prev },
      }),
      ["/favicon.svg", "/robots.txt"],
    );
    // The provider's documented camelCase key works too; a changed index.html also drops "/".
    assert.deepStrictEqual(
      pathsToInvalidate({
        ...site,
        paths: { ...site.paths, "/index.html": "a2" },
        tf: { action: "update", prevInput: site },
      }),
      ["/", "/index.html"],
    );
    // A new distribution has cached nothing of ours: everything.
    assert.deepStrictEqual(
      pathsToInvalidate({
        ...site,
        tf: { action: "update", prev_input: { ...site, distributionId: "E2OTHER" } },
      }),
      ["/", "/favicon.svg", "/index.html"],
    );
  });

  it("uses one wildcard above MAX_PATHS paths", () => {
    const paths = Object.fromEntries(Array.from({ length: MAX_PATHS }, (_, i) => [`/p${i}.html`, "x"]));
    assert.deepStrictEqual(
      pathsToInvalidate({ distributionId: "E", paths: { ...paths, "/index.html": "y" } }),
      ["/*"],
    );
  });

  it("URL-encodes the paths CloudFront is given (RFC 1738 unsafe characters)", () => {
    assert.deepStrictEqual(invalidationRequest("E2EXAMPLE", ["/a b&c.html", "/ü.html"], "ref-1"), {
      DistributionId: "E2EXAMPLE",
      InvalidationBatch: {
        CallerReference: "ref-1",
        Paths: { Quantity: 2, Items: ["/a%20b&c.html", "/%C3%BC.html"] },
      },
    });
  });

  describe("the CloudFront request, against a loopback server that speaks CloudFront's REST-XML API", () => {
    let server: http.Server;
    let client: CloudFrontClient;
    let answer: { status: number; body: string };
    const requests: Array<{ method?: string; url?: string; body: string; auth?: string }> = [];
    before(async () => {
      server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
          requests.push({ method: req.method, url: req.url, body, auth: req.headers.authorization });
          res.writeHead(answer.status, { "content-type": "text/xml" }).end(answer.body);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      client = new CloudFrontClient({
        region: "us-east-1",
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
        maxAttempts: 1,
      });
    });
    after(() => server.close());
    beforeEach(() => (requests.length = 0));

    it("POSTs one signed CreateInvalidation with the paths and the caller reference", async () => {
      answer = {
        status: 201,
        body:
          '<?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">' +
          "<Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status></Invalidation>",
      };
      const id = await createInvalidation("E2EXAMPLE", ["/", "/index.html"], "ref-1", client);
      assert.strictEqual(id, "I2J0I21PCUYOIK");
      assert.strictEqual(requests.length, 1);
      const [req] = requests;
      assert.strictEqual(req.method, "POST");
      assert.strictEqual(req.url, "/2020-05-31/distribution/E2EXAMPLE/invalidation");
      assert.match(
        req.auth ?? "",
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/cloudfront\//,
      );
      assert.match(
        req.body,
        /<Paths><Quantity>2<\/Quantity><Items><Path>\/<\/Path><Path>\/index.html<\/Path><\/Items><\/Paths>/,
      );
      assert.match(req.body, /<CallerReference>ref-1<\/CallerReference>/);
    });

    it("fails with CloudFront's error", async () => {
      answer = {
        status: 403,
        body:
          '<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">' +
          "<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized</Message></Error>" +
          "</ErrorResponse>",
      };
      await assert.rejects(createInvalidation("E2EXAMPLE", ["/"], "r", client), {
        name: "AccessDenied",
        message: "User is not authorized",
      });
    });

    it("the handler calls CloudFront only when something is to be invalidated", async () => {
      assert.deepStrictEqual(await handler({ ...site, tf: { action: "update", prev_input: site } }), {
        invalidated: [],
      });
      assert.deepStrictEqual(await handler({ ...site, tf: { action: "delete" } }), { invalidated: [] });
      assert.strictEqual(requests.length, 0);
    });
  });
});
