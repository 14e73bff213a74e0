/**
 * How a client connects to the WebSocket API: `<wsUrl>?project_id=<id>&ticket=<t>`, the ticket from
 * `POST /api/projects/{id}/ws-ticket` (API key required). A ticket is bound to one project and one client id
 * and expires in minutes; the $connect route's REQUEST authorizer refuses (403) any connection whose ticket is
 * missing, expired, tampered with or for another project, before the ws function runs. IAM authorization
 * (SigV4-signed $connect) is the other mode, for server-side clients.
 */

/** Query string parameters of the connect URL. */
export const WS_QUERY = {
  projectId: "project_id",
  ticket: "ticket",
  /** IAM mode only: the client id that acknowledgements and replays are kept under (default: the connection). */
  clientId: "client_id",
} as const;

export const WS_AUTHORIZATION_MODES = ["ticket", "iam"] as const;
export type WsAuthorizationMode = (typeof WS_AUTHORIZATION_MODES)[number];

/** A ticket's lifetime: long enough to open a socket (and reconnect at once), short enough to be worthless if it leaks. */
export const TICKET_TTL_SECONDS = 300;

/**
 * A client id: the key acknowledgements are kept under, so a client that reconnects (with a new ticket for
 * the same client id) resumes where it acknowledged. The API makes one when the ticket request names none.
 */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** Tickets start with this version tag; the rest is opaque to clients. */
export const TICKET_VERSION = "v1";
