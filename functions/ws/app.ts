/**
 * The ws function's logic, one function for the three routes of the WebSocket API, dispatched on
 * requestContext.routeKey: $connect records the connection (with a TTL), $disconnect removes it and its
 * subscriptions, $default handles `{"action":"subscribe"|"unsubscribe","projectId":"..."}`. A bad frame gets
 * an error frame back (the $default route's route response sends the body to the client); it never throws.
 */
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import { removeConnection } from "./connections";
import {
  CONNECTION_TTL_SECONDS,
  CONNECTIONS_TABLE,
  connectionKey,
  MAX_SUBSCRIPTIONS,
  subscriptionKey,
} from "./schema";

/** The fields of API Gateway's WebSocket proxy event this function reads. */
export interface WsEvent {
  readonly requestContext: {
    readonly routeKey: string;
    readonly connectionId: string;
    readonly requestId?: string;
    /** Set by AWS_IAM authorization on $connect: the signing principal. */
    readonly identity?: { readonly userArn?: string | null; readonly caller?: string | null };
  };
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

export interface WsResult {
  readonly statusCode: number;
  readonly body?: string;
}

export type ErrorCode =
  "BAD_JSON" | "UNKNOWN_ACTION" | "VALIDATION_ERROR" | "NOT_CONNECTED" | "LIMIT_EXCEEDED";

/** What the client receives on $default. */
export type Frame =
  | { type: "subscribed" | "unsubscribed"; projectId: string }
  | { type: "error"; error: { code: ErrorCode; message: string; details?: Record<string, unknown> } };

export const ACTIONS = ["subscribe", "unsubscribe"] as const;
/** Project ids as the REST API makes them (proj_<hex>), and any id of the same alphabet. */
export const PROJECT_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Frames larger than this are refused before parsing (API Gateway allows 128 KB; ours are tiny). */
export const MAX_FRAME_BYTES = 4096;

export interface WsDeps {
  readonly ddb: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
  readonly logError?: (error: unknown, requestId: string | undefined) => void;
}

const ok = (frame?: Frame): WsResult =>
  frame ? { statusCode: 200, body: JSON.stringify(frame) } : { statusCode: 200 };
const errorFrame = (code: ErrorCode, message: string, details?: Record<string, unknown>): WsResult =>
  ok({ type: "error", error: { code, message, ...(details ? { details } : {}) } });

export function createWsApp(deps: WsDeps) {
  const now = deps.now ?? (() => new Date());
  const table = deps.tableName;

  async function connect(event: WsEvent): Promise<WsResult> {
    const { connectionId, identity } = event.requestContext;
    const at = now();
    await deps.ddb.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...connectionKey(connectionId),
          connectionId,
          connectedAt: at.toISOString(),
          principal: identity?.userArn ?? identity?.caller ?? "unknown",
          [CONNECTIONS_TABLE.ttl]: Math.floor(at.getTime() / 1000) + CONNECTION_TTL_SECONDS,
        },
      }),
    );
    return ok();
  }

  async function subscribe(connectionId: string, projectId: string): Promise<WsResult> {
    const connection = await deps.ddb.send(
      new GetCommand({ TableName: table, Key: connectionKey(connectionId), ConsistentRead: true }),
    );
    if (!connection.Item) return errorFrame("NOT_CONNECTED", "the connection is not registered; reconnect");
    const existing = await deps.ddb.send(
      new GetCommand({
        TableName: table,
        Key: subscriptionKey(connectionId, projectId),
        ConsistentRead: true,
      }),
    );
    if (existing.Item) return ok({ type: "subscribed", projectId }); // idempotent
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
    await deps.ddb.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...subscriptionKey(connectionId, projectId),
          [CONNECTIONS_TABLE.byProject.partition]: projectId,
          [CONNECTIONS_TABLE.byProject.sort]: connectionId,
          subscribedAt: now().toISOString(),
          // A subscription ends with its connection.
          [CONNECTIONS_TABLE.ttl]: connection.Item[CONNECTIONS_TABLE.ttl] as number,
        },
      }),
    );
    return ok({ type: "subscribed", projectId });
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
    const { action, projectId } = parsed as { action?: unknown; projectId?: unknown };
    if (!(ACTIONS as readonly unknown[]).includes(action))
      return errorFrame("UNKNOWN_ACTION", `action must be one of ${ACTIONS.join(", ")}`, {
        field: "action",
        allowed_values: [...ACTIONS],
      });
    if (typeof projectId !== "string" || !PROJECT_ID.test(projectId))
      return errorFrame("VALIDATION_ERROR", "projectId must be 1-128 letters, digits, '-' or '_'", {
        field: "projectId",
      });
    const { connectionId } = event.requestContext;
    if (action === "subscribe") return subscribe(connectionId, projectId);
    await deps.ddb.send(
      new DeleteCommand({ TableName: table, Key: subscriptionKey(connectionId, projectId) }),
    );
    return ok({ type: "unsubscribed", projectId });
  }

  return async function handle(event: WsEvent): Promise<WsResult> {
    const { routeKey, connectionId, requestId } = event.requestContext;
    try {
      switch (routeKey) {
        case "$connect":
          return await connect(event);
        case "$disconnect":
          await removeConnection(deps.ddb, table, connectionId);
          return ok();
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
