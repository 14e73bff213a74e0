import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createAuthorizer } from "../../functions/ws-authorizer/app";
import { signTicket, ticketKeySource, verifyTicket } from "../../functions/shared/ticket";
import { LocalSecretsManager } from "../../tools/local/secrets-manager";

const KEY = randomBytes(32);
const NOW = 1_800_000_000;
const claims = { projectId: "proj_1", clientId: "client_0123456789", expiresAt: NOW + 300 };

describe("WebSocket tickets", function () {
  this.timeout(20_000);

  it("verifies a ticket only for its project, before it expires, signed with the key", () => {
    const ticket = signTicket(KEY, claims);
    assert.deepEqual(verifyTicket(KEY, ticket, { projectId: "proj_1", nowSeconds: NOW }), {
      ok: true,
      claims,
    });
    const no = (t: string | undefined, projectId: string | undefined, now = NOW) =>
      (verifyTicket(KEY, t, { projectId, nowSeconds: now }) as { reason: string }).reason;
    assert.equal(no(ticket, "proj_2"), "ticket is for another project");
    assert.equal(no(ticket, undefined), "ticket is for another project");
    assert.equal(no(ticket, "proj_1", NOW + 300), "expired");
    assert.equal(no(undefined, "proj_1"), "no ticket");
    assert.equal(no(signTicket(randomBytes(32), claims), "proj_1"), "bad signature");
    const [v, body, sig] = ticket.split(".");
    const forged = Buffer.from(JSON.stringify({ p: "proj_2", c: claims.clientId, exp: NOW + 300 })).toString(
      "base64url",
    );
    assert.equal(no(`${v}.${forged}.${sig}`, "proj_2"), "bad signature");
    assert.equal(no(`v2.${body}.${sig}`, "proj_1"), "not a v1 ticket");
  });

  describe("the key in Secrets Manager, and the $connect authorizer", () => {
    let sm: LocalSecretsManager;
    let client: SecretsManagerClient;
    const ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:ticket-key";
    before(async () => {
      sm = await new LocalSecretsManager().start();
      client = new SecretsManagerClient({
        endpoint: sm.endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "x", secretAccessKey: "y" },
      });
    });
    after(async () => {
      client.destroy();
      await sm.close();
    });

    it("is created on first use by the issuer, once, even when two first uses race", async () => {
      sm.declare(ARN);
      const verifier = ticketKeySource({ client: () => client, secretArn: ARN, create: false });
      await assert.rejects(verifier(), { name: "ResourceNotFoundException" });
      const [a, b] = await Promise.all([
        ticketKeySource({ client: () => client, secretArn: ARN, create: true })(),
        ticketKeySource({ client: () => client, secretArn: ARN, create: true })(),
      ]);
      assert.equal(a.length, 32);
      assert.deepEqual(a, b);
      // A failed read was not cached: the verifier reads the key now.
      assert.deepEqual(await verifier(), a);
    });

    it("lets a valid ticket connect with its project and client, and denies every other (403 at $connect)", async () => {
      const key = await ticketKeySource({ client: () => client, secretArn: ARN, create: false })();
      const decisions: Record<string, unknown>[] = [];
      const authorize = createAuthorizer({
        key: async () => key,
        now: () => NOW * 1000,
        log: (d) => decisions.push(d),
      });
      const methodArn = "arn:aws:execute-api:us-east-1:000000000000:abc123/live/$connect";
      const event = (query: Record<string, string>) => ({ methodArn, queryStringParameters: query });
      const ticket = signTicket(key, claims);
      assert.deepEqual(await authorize(event({ project_id: "proj_1", ticket })), {
        principalId: `ticket:${claims.clientId}`,
        policyDocument: {
          Version: "2012-10-17",
          Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: methodArn }],
        },
        context: { projectId: "proj_1", clientId: claims.clientId },
      });
      for (const query of [{ project_id: "proj_1" }, { project_id: "proj_2", ticket }, {}] as Record<
        string,
        string
      >[]) {
        const out = await authorize(event(query));
        assert.equal(out.policyDocument.Statement[0].Effect, "Deny");
        assert.equal(out.context, undefined);
      }
      assert.deepEqual(
        decisions.map((d) => d.reason ?? "allowed"),
        ["allowed", "no ticket", "ticket is for another project", "no ticket"],
      );
      const keyless = createAuthorizer({
        key: async () => {
          throw Object.assign(new Error("no value"), { name: "ResourceNotFoundException" });
        },
      });
      assert.equal(
        (await keyless(event({ project_id: "proj_1", ticket }))).policyDocument.Statement[0].Effect,
        "Deny",
      );
    });
  });
});
