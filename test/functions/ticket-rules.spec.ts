import { strict as assert } from "node:assert";
import { createHmac, randomBytes } from "node:crypto";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { KEY_CACHE_MS, signTicket, ticketKeySource, verifyTicket } from "../../functions/shared/ticket";

/*
 * Each check of a WebSocket ticket on both sides, with tickets written from the documented format
 * (`v1.<base64url claims>.<base64url HMAC-SHA256 of "v1.<claims>">`), and the key cache's timing with a held clock
 * and a scripted Secrets Manager.
 */

const KEY = randomBytes(32);
const OLD = randomBytes(32);
const NOW = 1_800_000_000;
const CLIENT = "client_0123456789";

/** A ticket whose claims are `body` (any JSON text), signed with `key`. */
function ticketOf(body: string, key = KEY, version = "v1"): string {
  const claims = Buffer.from(body).toString("base64url");
  const sig = createHmac("sha256", key).update(`${version}.${claims}`).digest("base64url");
  return `${version}.${claims}.${sig}`;
}
const claimsOf = (c: Record<string, unknown>) => ticketOf(JSON.stringify(c));
const reason = (
  ticket: string | undefined,
  keys: Buffer | Buffer[] = KEY,
  projectId: string | undefined = "p1",
  now = NOW,
) => {
  const r = verifyTicket(keys, ticket, { projectId, nowSeconds: now });
  return r.ok ? "ok" : r.reason;
};

describe("WebSocket ticket checks, both sides", () => {
  it("accepts exactly the well-formed ticket and says why it refuses the others", () => {
    const good = { p: "p1", c: CLIENT, exp: NOW + 1 };
    const cases: Array<[string, string | undefined, string]> = [
      ["a good ticket", claimsOf(good), "ok"],
      ["no ticket", undefined, "no ticket"],
      ["an empty ticket", "", "no ticket"],
      ["two parts", claimsOf(good).split(".").slice(0, 2).join("."), "not a v1 ticket"],
      ["four parts", `${claimsOf(good)}.x`, "not a v1 ticket"],
      ["another version", ticketOf(JSON.stringify(good), KEY, "v2"), "not a v1 ticket"],
      ["claims that are not JSON", ticketOf("{not json"), "unreadable claims"],
      ["no project", claimsOf({ c: CLIENT, exp: NOW + 1 }), "incomplete claims"],
      ["a numeric client", claimsOf({ p: "p1", c: 12345678, exp: NOW + 1 }), "incomplete claims"],
      ["an expiry in text", claimsOf({ p: "p1", c: CLIENT, exp: String(NOW + 1) }), "incomplete claims"],
      ["a short client id", claimsOf({ ...good, c: "short" }), "bad client id"],
      ["a client id with a dot", claimsOf({ ...good, c: "client.0123456789" }), "bad client id"],
      ["a 64-character client id", claimsOf({ ...good, c: "c".repeat(64) }), "ok"],
      ["a 65-character client id", claimsOf({ ...good, c: "c".repeat(65) }), "bad client id"],
      ["an expiry of now", claimsOf({ ...good, exp: NOW }), "expired"],
      ["an expiry a second ago", claimsOf({ ...good, exp: NOW - 1 }), "expired"],
      ["another project", claimsOf({ ...good, p: "p2" }), "ticket is for another project"],
      ["a key we do not hold", ticketOf(JSON.stringify(good), randomBytes(32)), "bad signature"],
      ["a shortened signature", claimsOf(good).slice(0, -2), "bad signature"],
    ];
    for (const [name, ticket, expected] of cases) assert.equal(reason(ticket), expected, name);
  });

  it("checks the signature before reading the claims", () => {
    assert.equal(reason(ticketOf("{not json", randomBytes(32))), "bad signature");
    assert.equal(reason(ticketOf(JSON.stringify({ p: "p1" }), randomBytes(32))), "bad signature");
  });

  it("verifies against any accepted key, and only those", () => {
    const byOld = ticketOf(JSON.stringify({ p: "p1", c: CLIENT, exp: NOW + 60 }), OLD);
    assert.equal(reason(byOld, [KEY, OLD]), "ok");
    assert.equal(reason(byOld, [OLD]), "ok");
    assert.equal(reason(byOld, OLD), "ok");
    assert.equal(reason(byOld, [KEY]), "bad signature");
    assert.equal(reason(byOld, KEY), "bad signature");
    assert.equal(reason(byOld, []), "bad signature");
  });

  it("refuses a ticket when the client asks for no project", () => {
    const ticket = claimsOf({ p: "p1", c: CLIENT, exp: NOW + 1 });
    assert.deepEqual(verifyTicket(KEY, ticket, { projectId: undefined, nowSeconds: NOW }), {
      ok: false,
      reason: "ticket is for another project",
    });
  });

  it("signs what it verifies, returning the claims it signed", () => {
    const claims = { projectId: "p1", clientId: CLIENT, expiresAt: NOW + 30 };
    const ticket = signTicket(KEY, claims);
    assert.match(ticket, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(JSON.parse(Buffer.from(ticket.split(".")[1], "base64url").toString()), {
      p: "p1",
      c: CLIENT,
      exp: NOW + 30,
    });
    assert.deepEqual(verifyTicket(KEY, ticket, { projectId: "p1", nowSeconds: NOW }), { ok: true, claims });
  });
});

/** A Secrets Manager that answers from `stages` (base64 values; an Error is thrown), counting reads. */
function scriptedSecrets(stages: Record<string, string | undefined | Error>) {
  const reads: string[] = [];
  const client = {
    async send(command: { input: { SecretId: string; VersionStage: string } }) {
      reads.push(command.input.VersionStage);
      const v = stages[command.input.VersionStage];
      if (v instanceof Error) throw v;
      if (v === undefined)
        throw Object.assign(new Error("no such version"), { name: "ResourceNotFoundException" });
      return { SecretString: v };
    },
  } as unknown as SecretsManagerClient;
  return { client, reads };
}

describe("ticket key source, both sides", () => {
  const b64 = (k: Buffer) => k.toString("base64");

  it("accepts the current key alone, or current then previous", async () => {
    for (const previous of [undefined, OLD]) {
      const { client } = scriptedSecrets({ AWSCURRENT: b64(KEY), AWSPREVIOUS: previous && b64(previous) });
      const keys = await ticketKeySource({ client: () => client, secretArn: "arn:s" })();
      assert.deepEqual(keys.current, KEY);
      assert.deepEqual(keys.accepted, previous ? [KEY, previous] : [KEY]);
    }
  });

  it("asks for the ARN it was given, at the current and previous stages", async () => {
    const seen: unknown[] = [];
    const client = {
      async send(command: { input: unknown }) {
        seen.push(command.input);
        return { SecretString: b64(KEY) };
      },
    } as unknown as SecretsManagerClient;
    await ticketKeySource({ client: async () => client, secretArn: "arn:the-secret" })();
    assert.deepEqual(
      seen.map((i) => JSON.stringify(i)).sort(),
      [
        { SecretId: "arn:the-secret", VersionStage: "AWSCURRENT" },
        { SecretId: "arn:the-secret", VersionStage: "AWSPREVIOUS" },
      ].map((i) => JSON.stringify(i)),
    );
  });

  it("fails, naming the secret, while the secret has no current value; passes other errors on", async () => {
    const none = scriptedSecrets({});
    await assert.rejects(
      ticketKeySource({ client: () => none.client, secretArn: "arn:s" })(),
      /secret arn:s has no current value/,
    );
    const empty = scriptedSecrets({ AWSCURRENT: "" });
    await assert.rejects(
      ticketKeySource({ client: () => empty.client, secretArn: "arn:s" })(),
      /no current value/,
    );
    const denied = scriptedSecrets({
      AWSCURRENT: b64(KEY),
      AWSPREVIOUS: Object.assign(new Error("denied"), { name: "AccessDeniedException" }),
    });
    await assert.rejects(ticketKeySource({ client: () => denied.client, secretArn: "arn:s" })(), /denied/);
  });

  it("reads again only once the cache time has passed, and never caches a failure", async () => {
    let now = 0;
    const stages: Record<string, string | undefined | Error> = { AWSCURRENT: b64(KEY) };
    const { client, reads } = scriptedSecrets(stages);
    const keys = ticketKeySource({ client: () => client, secretArn: "arn:s", now: () => now });
    await keys();
    const first = reads.length;
    now = KEY_CACHE_MS - 1;
    await keys();
    assert.equal(reads.length, first, "cached just before the time is up");
    now = KEY_CACHE_MS;
    await keys();
    assert.equal(reads.length, 2 * first, "read again when the time is up");

    stages.AWSCURRENT = undefined;
    now = 3 * KEY_CACHE_MS;
    await assert.rejects(keys());
    stages.AWSCURRENT = b64(OLD);
    assert.deepEqual((await keys()).current, OLD, "a failed read is read again at once");
    assert.ok(KEY_CACHE_MS >= 60_000 && KEY_CACHE_MS <= 15 * 60_000, "minutes, not milliseconds or hours");
  });
});
