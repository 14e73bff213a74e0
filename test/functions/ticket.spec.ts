import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createRotation, KEY_BYTES, RotationEvent } from "../../functions/ticket-key-rotation/app";
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
    // One ticket has one spelling: base64url decoding ignores padding, stray characters and the unused low bits
    // of the last character, so the signature is compared as the text the signer wrote.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(sig[sig.length - 1]);
    const sibling = `${sig.slice(0, -1)}${alphabet[last ^ 1]}`;
    assert.deepEqual(Buffer.from(sibling, "base64url"), Buffer.from(sig, "base64url"));
    for (const respelled of [sibling, `${sig}=`, `${sig}!`, ` ${sig}`])
      assert.equal(no(`${v}.${body}.${respelled}`, "proj_1"), "bad signature", respelled);
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

    it("is made by the rotation function and rotated without refusing a ticket signed just before", async () => {
      sm.declare(ARN);
      const keys = () => ticketKeySource({ client: () => client, secretArn: ARN })();
      await assert.rejects(keys(), /has no current value yet \(its first rotation makes it\)/);
      const rotate = createRotation(client);
      await sm.rotate(ARN, (event) => rotate(event as RotationEvent));
      const first = await keys();
      assert.equal(first.current.length, KEY_BYTES);
      assert.deepEqual(first.accepted, [first.current]);
      const before = signTicket(first.current, claims);

      await sm.rotate(ARN, (event) => rotate(event as RotationEvent));
      const second = await keys();
      assert.notDeepEqual(second.current, first.current);
      assert.deepEqual(second.accepted, [second.current, first.current]);
      // The ticket signed with the previous key still connects; new tickets are signed with the new one.
      assert.equal(verifyTicket(second.accepted, before, { projectId: "proj_1", nowSeconds: NOW }).ok, true);
      assert.equal(
        verifyTicket([second.current], before, { projectId: "proj_1", nowSeconds: NOW }).ok,
        false,
      );
    });

    it("repeats any rotation step safely (Secrets Manager retries a failed one)", async () => {
      const arn = `${ARN}-retry`;
      sm.declare(arn);
      const rotate = createRotation(client);
      const calls: string[] = [];
      await sm.rotate(arn, async (event) => {
        calls.push((event as RotationEvent).Step);
        await rotate(event as RotationEvent);
        await rotate(event as RotationEvent);
      });
      assert.deepEqual(calls, ["createSecret", "setSecret", "testSecret", "finishSecret"]);
      assert.equal(Buffer.from(sm.value(arn)!, "base64").length, KEY_BYTES);
      await assert.rejects(
        rotate({ SecretId: arn, ClientRequestToken: "unknown", Step: "createSecret" }),
        /has no version unknown/,
      );
    });

    it("lets a valid ticket connect with its project and client, and denies every other (403 at $connect)", async () => {
      const key = (await ticketKeySource({ client: () => client, secretArn: ARN })()).current;
      const decisions: Record<string, unknown>[] = [];
      const authorize = createAuthorizer({
        keys: async () => ({ accepted: [key] }),
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
        keys: async () => {
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
