/**
 * WebSocket tickets (contracts/websocket.ts): `v1.<claims>.<signature>`, the claims base64url JSON
 * `{"p": projectId, "c": clientId, "exp": epochSeconds}`, the signature HMAC-SHA256 over `v1.<claims>` with the
 * stack's ticket key. The api-handler signs, the $connect authorizer verifies.
 *
 * The key lives in a Secrets Manager secret that rotates (functions/ticket-key-rotation): its value is 32
 * random bytes made by the rotation function, so it never passes through config, state or the environment.
 * Tickets are signed with the current version; a ticket signed with the previous one (issued just before a
 * rotation) still verifies, so a rotation refuses no client.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
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

/** Checks the signature (with any of `keys`) first, then the claims: expiry and the project the client asks for. */
export function verifyTicket(
  keys: Buffer | readonly Buffer[],
  ticket: string | undefined,
  expect: { projectId: string | undefined; nowSeconds: number },
): TicketCheck {
  if (!ticket) return { ok: false, reason: "no ticket" };
  const parts = ticket.split(".");
  if (parts.length !== 3 || parts[0] !== TICKET_VERSION) return { ok: false, reason: "not a v1 ticket" };
  // Compared as text: decoding would accept other spellings of the same bytes (padding, stray characters, the
  // last character's unused bits), and a ticket should have exactly one.
  const given = Buffer.from(parts[2]);
  const signedBy = (key: Buffer) => {
    const wanted = Buffer.from(b64(mac(key, `${parts[0]}.${parts[1]}`)));
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  };
  if (!(Array.isArray(keys) ? keys : [keys as Buffer]).some(signedBy))
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

/** How long keys read from Secrets Manager are used before they are read again (a rotated key takes over). */
export const KEY_CACHE_MS = 5 * 60_000;

/** The version a rotation function writes 32 random bytes into; the rotation moves AWSCURRENT to it. */
export const ROTATION_STAGES = {
  current: "AWSCURRENT",
  previous: "AWSPREVIOUS",
  pending: "AWSPENDING",
} as const;

const named = (error: unknown, ...names: string[]) => names.includes((error as Error)?.name);

export interface TicketKeys {
  /** What new tickets are signed with. */
  readonly current: Buffer;
  /** Current first, then the previous version where there is one: what tickets verify against. */
  readonly accepted: readonly Buffer[];
}

/** The ticket keys, read from `secretArn` and cached for KEY_CACHE_MS; a failed read is not cached. */
export function ticketKeySource(deps: {
  client: () => Promise<SecretsManagerClient> | SecretsManagerClient;
  secretArn: string;
  now?: () => number;
}): () => Promise<TicketKeys> {
  const now = deps.now ?? Date.now;
  let cached: { keys: Promise<TicketKeys>; until: number } | undefined;

  async function read(): Promise<TicketKeys> {
    const client = await deps.client();
    const version = async (stage: string) => {
      try {
        const out = await client.send(
          new GetSecretValueCommand({ SecretId: deps.secretArn, VersionStage: stage }),
        );
        return out.SecretString ? Buffer.from(out.SecretString, "base64") : undefined;
      } catch (error) {
        // A secret rotated once has no AWSPREVIOUS yet; one never rotated has no value at all.
        if (named(error, "ResourceNotFoundException")) return undefined;
        throw error;
      }
    };
    const [current, previous] = await Promise.all([
      version(ROTATION_STAGES.current),
      version(ROTATION_STAGES.previous),
    ]);
    if (!current)
      throw new Error(`secret ${deps.secretArn} has no current value yet (its first rotation makes it)`);
    return { current, accepted: previous ? [current, previous] : [current] };
  }

  return () => {
    if (!cached || cached.until <= now()) {
      const keys = read();
      cached = { keys, until: now() + KEY_CACHE_MS };
      keys.catch(() => {
        if (cached?.keys === keys) cached = undefined;
      });
    }
    return cached.keys;
  };
}
