/**
 * The ws function's logic, one function for the three routes of the WebSocket API, dispatched on
 * requestContext.routeKey:
 *  - $connect records the connection (with a TTL) and subscribes it to its project: the project its ticket is
 *    bound to (the REQUEST authorizer's context), or, with IAM authorization, the `project_id` query parameter;
 *  - $disconnect removes the connection and its subscriptions;
 *  - $default handles the client's frames (contracts/messages.ts): subscribe, unsubscribe, ack (keeps the
 *    client's acknowledged message id) and resume (sends again, in order, every message of the project's log
 *    after what the client acknowledged).
 * A bad frame gets an error frame back (the $default route's route response sends the body); it never throws.
 */
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { ID_PATTERN } from "../../contracts/agents";
import { CLIENT_ACTIONS, ControlErrorCode, ControlFrame, isMessageId } from "../../contracts/messages";
import { CLIENT_ID_PATTERN, WS_QUERY } from "../../contracts/websocket";
import type { ProjectLog } from "../shared/project-log";
import type { Pusher } from "../shared/status-push";
import { removeConnection } from "../shared/connections";
import {
  ACK_TTL_SECONDS,
  ackKey,
  CONNECTION_TTL_SECONDS,
  CONNECTIONS_TABLE,
  connectionKey,
  MAX_SUBSCRIPTIONS,
  subscriptionKey,
} from "../../contracts/connections";

/** The fields of API Gateway's WebSocket proxy event this function reads. */
export interface WsEvent {
  readonly requestContext: {
    readonly routeKey: string;
    readonly connectionId: string;
    readonly requestId?: string;
    /** Set by AWS_IAM authorization on $connect: the signing principal. */
    readonly identity?: { readonly userArn?: string | null; readonly caller?: string | null };
    /** Set by the REQUEST authorizer on $connect: its principal and context (ticket connections). */
    readonly authorizer?: {
      readonly principalId?: string;
      readonly projectId?: string;
      readonly clientId?: string;
    } | null;
  };
  readonly queryStringParameters?: Record<string, string | undefined> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

export interface WsResult {
  readonly statusCode: number;
  readonly body?: string;
}

/** Frames larger than this are refused before parsing (API Gateway allows 128 KB; ours are tiny). */
export const MAX_FRAME_BYTES = 4096;
/** Messages one `resume` sends; the reply says when there are more. */
export const RESUME_LIMIT = 200;

export interface WsDeps {
  readonly ddb: DynamoDBDocumentClient;
  /** The connections table. */
  readonly tableName: string;
  /** The projects' message logs, which `resume` reads. */
  readonly log: ProjectLog;
  /** Posts replayed messages to the connection that asked. */
  readonly pusher: Pusher;
  readonly now?: () => Date;
  readonly logError?: (error: unknown, requestId: string | undefined) => void;
}

const reply = (frame?: ControlFrame): WsResult =>
  frame ? { statusCode: 200, body: JSON.stringify(frame) } : { statusCode: 200 };
const errorFrame = (code: ControlErrorCode, message: string, details?: Record<string, unknown>): WsResult =>
  reply({ type: "error", error: { code, message, ...(details ? { details } : {}) } });

interface Connection {
  readonly clientId: string;
  readonly boundProjectId?: string;
  readonly expiresAt: number;
}

export function createWsApp(deps: WsDeps) {
  const now = deps.now ?? (() => new Date());
  const table = deps.tableName;
  const epoch = () => Math.floor(now().getTime() / 1000);

  async function subscribe(connectionId: string, projectId: string, expiresAt: number): Promise<void> {
    await deps.ddb.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...subscriptionKey(connectionId, projectId),
          [CONNECTIONS_TABLE.byProject.partition]: projectId,
          [CONNECTIONS_TABLE.byProject.sort]: connectionId,
          subscribedAt: now().toISOString(),
          // A subscription ends with its connection.
          [CONNECTIONS_TABLE.ttl]: expiresAt,
        },
      }),
    );
  }

  /** Ticket connections come with their project and client id; IAM ones name them in the query string. */
  async function connect(event: WsEvent): Promise<WsResult> {
    const { connectionId, identity, authorizer } = event.requestContext;
    const query = event.queryStringParameters ?? {};
    let projectId: string | undefined;
    let clientId = connectionId;
    let bound = false;
    if (authorizer?.projectId && authorizer.clientId) {
      projectId = authorizer.projectId;
      clientId = authorizer.clientId;
      bound = true;
    } else {
      projectId = query[WS_QUERY.projectId] || undefined;
      const asked = query[WS_QUERY.clientId];
      if (projectId !== undefined && !ID_PATTERN.test(projectId)) return { statusCode: 400 };
      if (asked !== undefined && !CLIENT_ID_PATTERN.test(asked)) return { statusCode: 400 };
      clientId = asked ?? connectionId;
    }
    const at = now();
    const expiresAt = Math.floor(at.getTime() / 1000) + CONNECTION_TTL_SECONDS;
    await deps.ddb.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...connectionKey(connectionId),
          connectionId,
          connectedAt: at.toISOString(),
          principal: bound ? `ticket:${clientId}` : (identity?.userArn ?? identity?.caller ?? "unknown"),
          clientId,
          ...(bound ? { boundProjectId: projectId } : {}),
          [CONNECTIONS_TABLE.ttl]: expiresAt,
        },
      }),
    );
    if (projectId) await subscribe(connectionId, projectId, expiresAt);
    return reply();
  }

  async function connection(connectionId: string): Promise<Connection | undefined> {
    const out = await deps.ddb.send(
      new GetCommand({ TableName: table, Key: connectionKey(connectionId), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return {
      clientId: (out.Item.clientId as string | undefined) ?? connectionId,
      boundProjectId: out.Item.boundProjectId as string | undefined,
      expiresAt: out.Item[CONNECTIONS_TABLE.ttl] as number,
    };
  }

  async function subscribeFrame(
    connectionId: string,
    conn: Connection,
    projectId: string,
  ): Promise<WsResult> {
    const existing = await deps.ddb.send(
      new GetCommand({
        TableName: table,
        Key: subscriptionKey(connectionId, projectId),
        ConsistentRead: true,
      }),
    );
    if (existing.Item) return reply({ type: "subscribed", project_id: projectId }); // idempotent
    const count = await deps.ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :sub)",
        ExpressionAttributeNames: { "#pk": CONNECTIONS_TABLE.partition, "#sk": CONNECTIONS_TABLE.sort },
        ExpressionAttributeValues: { ":pk": `CONN#${connectionId}`, ":sub": "SUB#" },
        Select: "COUNT",
        ConsistentRead: true,
      }),
    );
    if ((count.Count ?? 0) >= MAX_SUBSCRIPTIONS)
      return errorFrame(
        "LIMIT_EXCEEDED",
        `a connection may subscribe to at most ${MAX_SUBSCRIPTIONS} projects`,
        {
          limit: MAX_SUBSCRIPTIONS,
        },
      );
    await subscribe(connectionId, projectId, conn.expiresAt);
    return reply({ type: "subscribed", project_id: projectId });
  }

  /** Keeps the highest id the client acknowledged (an older ack changes nothing). */
  async function ack(conn: Connection, projectId: string, id: string): Promise<WsResult> {
    try {
      await deps.ddb.send(
        new UpdateCommand({
          TableName: table,
          Key: ackKey(conn.clientId, projectId),
          UpdateExpression: "SET acked = :id, #ttl = :ttl",
          ConditionExpression: "attribute_not_exists(acked) OR acked < :id",
          ExpressionAttributeNames: { "#ttl": CONNECTIONS_TABLE.ttl },
          ExpressionAttributeValues: { ":id": id, ":ttl": epoch() + ACK_TTL_SECONDS },
        }),
      );
    } catch (error) {
      if ((error as Error)?.name !== "ConditionalCheckFailedException") throw error;
    }
    return reply();
  }

  /** Sends the project's messages after max(acknowledged, after) to this connection, oldest first. */
  async function resume(connectionId: string, conn: Connection, projectId: string, after?: string) {
    const stored = await deps.ddb.send(
      new GetCommand({ TableName: table, Key: ackKey(conn.clientId, projectId), ConsistentRead: true }),
    );
    const acked = stored.Item?.acked as string | undefined;
    const from = [acked, after]
      .filter((v): v is string => v !== undefined)
      .sort()
      .pop();
    const page = await deps.log.after(projectId, from, RESUME_LIMIT);
    const open = await deps.pusher.postTo(connectionId, page.items);
    if (!open) return reply();
    return reply({
      type: "resumed",
      project_id: projectId,
      replayed: page.items.length,
      last_id: page.items[page.items.length - 1]?.id ?? from ?? null,
      more: page.more,
    });
  }

  async function message(event: WsEvent): Promise<WsResult> {
    const raw = event.isBase64Encoded
      ? Buffer.from(event.body ?? "", "base64").toString("utf8")
      : (event.body ?? "");
    if (Buffer.byteLength(raw, "utf8") > MAX_FRAME_BYTES)
      return errorFrame("VALIDATION_ERROR", `frames are limited to ${MAX_FRAME_BYTES} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return errorFrame("BAD_JSON", "the frame is not valid JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return errorFrame("BAD_JSON", "the frame must be a JSON object");
    const frame = parsed as { action?: unknown; project_id?: unknown; id?: unknown; after?: unknown };
    if (!(CLIENT_ACTIONS as readonly unknown[]).includes(frame.action))
      return errorFrame("UNKNOWN_ACTION", `action must be one of ${CLIENT_ACTIONS.join(", ")}`, {
        field: "action",
        allowed_values: [...CLIENT_ACTIONS],
      });
    const { connectionId } = event.requestContext;
    const conn = await connection(connectionId);
    if (!conn) return errorFrame("NOT_CONNECTED", "the connection is not registered; reconnect");
    const projectId = frame.project_id ?? conn.boundProjectId;
    if (typeof projectId !== "string" || !ID_PATTERN.test(projectId))
      return errorFrame(
        "VALIDATION_ERROR",
        "project_id must be 1-100 letters, digits, '-' or '_' (a ticket connection may leave it out)",
        { field: "project_id" },
      );
    if (conn.boundProjectId !== undefined && projectId !== conn.boundProjectId)
      return errorFrame("FORBIDDEN", `this connection's ticket is for project ${conn.boundProjectId}`, {
        field: "project_id",
      });
    switch (frame.action) {
      case "subscribe":
        return subscribeFrame(connectionId, conn, projectId);
      case "unsubscribe":
        await deps.ddb.send(
          new DeleteCommand({ TableName: table, Key: subscriptionKey(connectionId, projectId) }),
        );
        return reply({ type: "unsubscribed", project_id: projectId });
      case "ack":
        if (!isMessageId(frame.id))
          return errorFrame("VALIDATION_ERROR", "id must be a message id (12 digits)", { field: "id" });
        return ack(conn, projectId, frame.id);
      default:
        if (frame.after !== undefined && !isMessageId(frame.after))
          return errorFrame("VALIDATION_ERROR", "after must be a message id (12 digits)", { field: "after" });
        return resume(connectionId, conn, projectId, frame.after as string | undefined);
    }
  }

  return async function handle(event: WsEvent): Promise<WsResult> {
    const { routeKey, connectionId, requestId } = event.requestContext;
    try {
      switch (routeKey) {
        case "$connect":
          return await connect(event);
        case "$disconnect":
          await removeConnection(deps.ddb, table, connectionId);
          return reply();
        case "$default":
          return await message(event);
        default:
          return { statusCode: 400, body: JSON.stringify({ message: `unknown route ${routeKey}` }) };
      }
    } catch (error) {
      deps.logError?.(error, requestId);
      // $connect refuses the connection; on $default the client gets an error frame; either way it is logged
      // and counted (the function's error alarm does not see handled errors, so log at ERROR).
      return routeKey === "$default"
        ? {
            statusCode: 500,
            body: JSON.stringify({ type: "error", error: { code: "INTERNAL", message: "try again" } }),
          }
        : { statusCode: 500 };
    }
  };
}
