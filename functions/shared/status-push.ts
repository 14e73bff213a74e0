/**
 * Pushes frames to WebSocket clients: to every connection subscribed to a project (the project's messages,
 * contracts/messages.ts), or to one connection (a replay). Finds a project's subscribers in the connections
 * table (byProject index), posts through the API Gateway management API with bounded concurrency and retries of
 * throttling and 5xx answers, and forgets connections that answer 410 Gone (the client left without a
 * $disconnect reaching us).
 *
 * Callers get CONNECTIONS_TABLE and WEBSOCKET_ENDPOINT (https://<api-id>.execute-api.<region>.amazonaws.com/<stage>)
 * and execute-api:ManageConnections on the API's POST @connections ARN from the WebSocketApi component.
 */
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { removeConnection } from "./connections";
import { CONNECTIONS_TABLE } from "../../contracts/connections";
import { Limiter } from "./concurrency";
import { Retryability, RetryPolicy, withRetry } from "./retry";

export interface Pusher {
  /** Posts `frame` to every subscriber of `projectId`. */
  push(projectId: string, frame: object): Promise<{ delivered: number; stale: number }>;
  /** Posts `frames` to one connection, in order; false when the connection is gone (and was forgotten). */
  postTo(connectionId: string, frames: readonly object[]): Promise<boolean>;
}

/** Posts in flight per publish (API Gateway's management API allows about 100 per second per account). */
export const PUSH_CONCURRENCY = 10;
/** Short waits: a status that arrives seconds late is worth less than a worker that moves on. */
export const PUSH_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 1000 };

/** Thrown after every subscriber was tried when some posts failed for good (not 410 Gone). */
export class StatusPushError extends Error {
  constructor(
    readonly delivered: number,
    readonly stale: number,
    readonly failed: number,
    cause: unknown,
  ) {
    super(`status push: ${failed} of ${delivered + stale + failed} connections failed`, { cause });
    this.name = "StatusPushError";
  }
}

interface SdkError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

const status = (error: unknown) => (error as SdkError)?.$metadata?.httpStatusCode;

export function isGone(error: unknown): boolean {
  return (error as SdkError)?.name === "GoneException" || status(error) === 410;
}

/** Throttling (429) and server errors (5xx) are retried, and so are network errors (no HTTP status). */
export function classifyPushError(error: unknown): Retryability {
  const code = status(error);
  if (code === undefined) return { retryable: !isGone(error) };
  return { retryable: code === 429 || code >= 500 };
}

export function createPusher(deps: {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  endpoint: string;
  management?: ApiGatewayManagementApiClient;
}): Pusher {
  // One attempt per SDK call: the retries are ours (bounded, jittered, 410 never retried).
  const management =
    deps.management ?? new ApiGatewayManagementApiClient({ endpoint: deps.endpoint, maxAttempts: 1 });
  const limiter = new Limiter(PUSH_CONCURRENCY);

  async function subscribers(projectId: string): Promise<string[]> {
    const ids = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await deps.ddb.send(
        new QueryCommand({
          TableName: deps.tableName,
          IndexName: CONNECTIONS_TABLE.byProject.name,
          KeyConditionExpression: "#project = :project",
          ExpressionAttributeNames: { "#project": CONNECTIONS_TABLE.byProject.partition },
          ExpressionAttributeValues: { ":project": projectId },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) ids.add(String(item[CONNECTIONS_TABLE.byProject.sort]));
      start = page.LastEvaluatedKey;
    } while (start);
    return [...ids];
  }

  /** "delivered", "stale" (410: forgotten) or the error of a post that failed for good. */
  async function post(
    connectionId: string,
    data: Uint8Array,
  ): Promise<"delivered" | "stale" | { error: unknown }> {
    try {
      await withRetry(
        () => management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data })),
        { policy: PUSH_RETRY_POLICY, classify: classifyPushError },
      );
      return "delivered";
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause ?? error;
      if (!isGone(cause)) return { error: cause };
      await removeConnection(deps.ddb, deps.tableName, connectionId);
      return "stale";
    }
  }

  return {
    async push(projectId, frame) {
      const data = Buffer.from(JSON.stringify(frame), "utf8");
      const outcomes = await Promise.all(
        (await subscribers(projectId)).map((connectionId) => limiter.run(() => post(connectionId, data))),
      );
      const delivered = outcomes.filter((o) => o === "delivered").length;
      const stale = outcomes.filter((o) => o === "stale").length;
      const failures = outcomes.filter((o): o is { error: unknown } => typeof o === "object");
      if (failures.length > 0)
        throw new StatusPushError(delivered, stale, failures.length, failures[0].error);
      return { delivered, stale };
    },
    async postTo(connectionId, frames) {
      for (const frame of frames) {
        const outcome = await post(connectionId, Buffer.from(JSON.stringify(frame), "utf8"));
        if (outcome === "stale") return false;
        if (typeof outcome === "object") throw new StatusPushError(0, 0, 1, outcome.error);
      }
      return true;
    },
  };
}
