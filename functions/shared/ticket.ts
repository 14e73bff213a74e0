/**
 * WebSocket tickets (contracts/websocket.ts): `v1.<claims>.<signature>`, the claims base64url JSON
 * `{"p": projectId, "c": clientId, "exp": epochSeconds}`, the signature HMAC-SHA256 over `v1.<claims>` with the
 * stack's ticket key. The api-handler signs, the $connect authorizer verifies.
 *
 * The key lives in a Secrets Manager secret the program creates without a value: the api-handler, the only
 * writer, puts 32 random bytes there on first use (PutSecretValue with a fixed request token, so two racing
 * first uses agree on one value), and the key never passes through config, state or the environment.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { CLIENT_ID_PATTERN, TICKET_VERSION } from "../../contracts/websocket";

export interface TicketClaims {
  readonly projectId: string;
  readonly clientId: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

const b64 = (data: Buffer | string) => Buffer.from(data).toString("base64url");
const mac = (key: Buffer, signed: string) => createHmac("sha256", key).update(signed).digest();

export function signTicket(key: Buffer, claims: TicketClaims): string {
  const body = b64(JSON.stringify({ p: claims.projectId, c: claims.clientId, exp: claims.expiresAt }));
  const signed = `${TICKET_VERSION}.${body}`;
  return `${signed}.${b64(mac(key, signed))}`;
}

export type TicketCheck = { ok: true; claims: TicketClaims } | { ok: false; reason: string };

/** Checks the signature first, then the claims: expiry and the project the client asks for. */
export function verifyTicket(
  key: Buffer,
  ticket: string | undefined,
  expect: { projectId: string | undefined; nowSeconds: number },
): TicketCheck {
  if (!ticket) return { ok: false, reason: "no ticket" };
  const parts = ticket.split(".");
  if (parts.length !== 3 || parts[0] !== TICKET_VERSION) return { ok: false, reason: "not a v1 ticket" };
  const given = Buffer.from(parts[2], "base64url");
  const wanted = mac(key, `${parts[0]}.${parts[1]}`);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    return { ok: false, reason: "bad signature" };
  let claims: { p?: unknown; c?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "unreadable claims" };
  }
  if (typeof claims.p !== "string" || typeof claims.c !== "string" || typeof claims.exp !== "number")
    return { ok: false, reason: "incomplete claims" };
  if (!CLIENT_ID_PATTERN.test(claims.c)) return { ok: false, reason: "bad client id" };
  if (claims.exp <= expect.nowSeconds) return { ok: false, reason: "expired" };
  if (claims.p !== expect.projectId) return { ok: false, reason: "ticket is for another project" };
  return { ok: true, claims: { projectId: claims.p, clientId: claims.c, expiresAt: claims.exp } };
}

/** A fixed token: every first writer sends the same one, and Secrets Manager keeps exactly one first value. */
export const FIRST_KEY_REQUEST_TOKEN = "ticket-signing-key-initial-version-0001";
/** How long a key read from Secrets Manager is used before it is read again (a rotated key takes over). */
export const KEY_CACHE_MS = 5 * 60_000;

const named = (error: unknown, ...names: string[]) => names.includes((error as Error)?.name);

/**
 * The ticket key, read from `secretArn` and cached for KEY_CACHE_MS. With `create`, a secret without a value
 * gets one (api-handler); without, it is an error (authorizer: no ticket can exist yet).
 */
export function ticketKeySource(deps: {
  client: () => Promise<SecretsManagerClient> | SecretsManagerClient;
  secretArn: string;
  create: boolean;
  now?: () => number;
}): () => Promise<Buffer> {
  const now = deps.now ?? Date.now;
  let cached: { key: Promise<Buffer>; until: number } | undefined;

  async function read(): Promise<Buffer> {
    const client = await deps.client();
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: deps.secretArn }));
      if (!out.SecretString) throw new Error(`secret ${deps.secretArn} has no SecretString`);
      return Buffer.from(out.SecretString, "base64");
    } catch (error) {
      if (!deps.create || !named(error, "ResourceNotFoundException")) throw error;
    }
    try {
      await client.send(
        new PutSecretValueCommand({
          SecretId: deps.secretArn,
          SecretString: randomBytes(32).toString("base64"),
          ClientRequestToken: FIRST_KEY_REQUEST_TOKEN,
        }),
      );
    } catch (error) {
      // Another first use won the race with another value: read the one that was kept.
      if (!named(error, "ResourceExistsException")) throw error;
    }
    const out = await client.send(new GetSecretValueCommand({ SecretId: deps.secretArn }));
    return Buffer.from(out.SecretString ?? "", "base64");
  }

  return () => {
    if (!cached || cached.until <= now()) {
      const key = read();
      cached = { key, until: now() + KEY_CACHE_MS };
      // A failed read is not kept: the next call tries again.
      key.catch(() => {
        if (cached?.key === key) cached = undefined;
      });
    }
    return cached.key;
  };
}
