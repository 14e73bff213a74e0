/**
 * The connections table of the WebSocket API, shared by the WebSocketApi component (which creates the table),
 * the ws function (which records connections and subscriptions) and the status publisher (which finds the
 * subscribers of a project and forgets connections that are gone), so the key names cannot drift apart.
 *
 * Items (one partition per connection, so $disconnect removes everything of a connection with one query):
 *   pk = CONN#<connectionId>, sk = CONN               the connection: connectedAt, principal, clientId,
 *                                                     boundProjectId (ticket connections), expiresAt
 *   pk = CONN#<connectionId>, sk = SUB#<projectId>    a subscription: projectId, connectionId, expiresAt
 *   pk = CLIENT#<clientId>,   sk = ACK#<projectId>    the client's acknowledged message id: acked, expiresAt
 * The byProject index (sparse: only subscriptions carry projectId) lists a project's subscribers. Acknowledgements
 * outlive connections (a client that reconnects resumes after them) and expire with the message log.
 *
 * This module is imported by the infrastructure program: it must stay free of AWS SDK imports.
 */
export const CONNECTIONS_TABLE = {
  partition: "pk",
  sort: "sk",
  byProject: { name: "byProject", partition: "projectId", sort: "connectionId" },
  /** Epoch seconds; DynamoDB's TTL removes connections whose $disconnect never arrived. */
  ttl: "expiresAt",
} as const;

/**
 * API Gateway closes every WebSocket connection after 2 hours; an hour more covers DynamoDB's TTL sweep and
 * clock skew. A connection older than this is certainly gone.
 */
export const CONNECTION_TTL_SECONDS = 3 * 3600;

/** Subscriptions one connection may hold (each costs a write and a row in every status fan-out). */
export const MAX_SUBSCRIPTIONS = 50;

const CONNECTION_SK = "CONN";
export const connectionKey = (connectionId: string) => ({
  [CONNECTIONS_TABLE.partition]: `CONN#${connectionId}`,
  [CONNECTIONS_TABLE.sort]: CONNECTION_SK,
});
export const subscriptionKey = (connectionId: string, projectId: string) => ({
  [CONNECTIONS_TABLE.partition]: `CONN#${connectionId}`,
  [CONNECTIONS_TABLE.sort]: `SUB#${projectId}`,
});

export const ackKey = (clientId: string, projectId: string) => ({
  [CONNECTIONS_TABLE.partition]: `CLIENT#${clientId}`,
  [CONNECTIONS_TABLE.sort]: `ACK#${projectId}`,
});

/** Acknowledgements are kept as long as the messages they point into (functions/shared/project-log.ts). */
export const ACK_TTL_SECONDS = 7 * 24 * 3600;

export { WS_ENV } from "./env";
