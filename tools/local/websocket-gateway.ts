/**
 * The WebSocket API on loopback, as API Gateway runs it (WebSocket package `ws` for the sockets):
 *  - an upgrade request is first shown to the $connect REQUEST authorizer (functions/ws-authorizer): a Deny
 *    answers 403, a thrown "Unauthorized" 401, a failure 500, and the socket is never opened; then the ws
 *    function's $connect must answer 2xx, or its status is the answer;
 *  - every frame goes to the $default route (the ws function), whose reply body is sent back (route response);
 *    a closed socket is a $disconnect;
 *  - the management API (`POST|GET|DELETE /<stage>/@connections/{id}`, what @aws-sdk/client-apigatewaymanagementapi
 *    sends to WEBSOCKET_ENDPOINT) posts to a socket, or answers 410 GoneException for one that is not open.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import type { FunctionHost } from "./function-host";
import { closeServer, listenOnLoopback } from "./loopback";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "./sqs";

export const LOCAL_WS_STAGE = "live";

interface Connection {
  readonly socket: WebSocket;
  readonly connectedAt: number;
  readonly sourceIp: string;
  /** Frames are handled one after another, so replies keep the order of the frames. */
  queue: Promise<void>;
}

interface WsResult {
  statusCode?: number;
  body?: string;
}

function refuse(socket: Duplex, status: number, message: string) {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${message}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export class LocalWebSocketGateway {
  private server: Server | undefined;
  /** Closing: sockets that close now are not a $disconnect, frames reach no function. */
  private closing = false;
  /** $disconnect invocations in flight: closing waits for them, as a stack would finish them. */
  private readonly disconnecting = new Set<Promise<unknown>>();
  private readonly wss = new WebSocketServer({ noServer: true });
  readonly connections = new Map<string, Connection>();
  url = "";
  /** The management API's endpoint (WEBSOCKET_ENDPOINT). */
  managementEndpoint = "";

  private fnHost: FunctionHost | undefined;
  /** The REQUEST authorizer; absent: IAM mode, which the local runner does not sign-check. */
  private authorizer: FunctionHost | undefined;

  constructor(private readonly onError: (message: string, error: unknown) => void = () => undefined) {}

  /**
   * The functions behind the routes. Attached after `listen`: the functions' environment names the
   * management endpoint, which exists once the server listens.
   */
  attach(fn: FunctionHost, authorizer: FunctionHost | undefined): void {
    this.fnHost = fn;
    this.authorizer = authorizer;
  }

  private get fn(): FunctionHost {
    if (!this.fnHost) throw new Error("the WebSocket gateway has no function attached yet");
    return this.fnHost;
  }

  async listen(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.management(req, res));
    this.server.on(
      "upgrade",
      (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head),
    );
    const listening = await listenOnLoopback(this.server, port);
    this.url = `ws://127.0.0.1:${listening}`;
    this.managementEndpoint = `http://127.0.0.1:${listening}/${LOCAL_WS_STAGE}`;
    return this;
  }

  private requestContext(routeKey: string, connectionId: string, sourceIp: string) {
    return {
      routeKey,
      eventType: routeKey === "$connect" ? "CONNECT" : routeKey === "$disconnect" ? "DISCONNECT" : "MESSAGE",
      connectionId,
      requestId: randomUUID(),
      messageId: routeKey === "$default" ? randomBytes(8).toString("base64url") : undefined,
      apiId: "local",
      stage: LOCAL_WS_STAGE,
      domainName: "127.0.0.1",
      connectedAt: Date.now(),
      requestTimeEpoch: Date.now(),
      identity: {
        sourceIp,
        ...(this.authorizer ? {} : { userArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/local` }),
      },
    };
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null;
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : (v ?? "")]),
    );
    const connectionId =
      randomBytes(10)
        .toString("base64")
        .replace(/[^A-Za-z0-9]/g, "")
        .slice(0, 12) + "=";
    const sourceIp = req.socket.remoteAddress ?? "127.0.0.1";
    const requestContext = this.requestContext("$connect", connectionId, sourceIp);
    let authorizer: Record<string, unknown> | undefined;
    if (this.authorizer) {
      const methodArn = `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:local/${LOCAL_WS_STAGE}/$connect`;
      let decision: {
        principalId?: string;
        policyDocument?: { Statement?: { Effect?: string; Resource?: string | string[] }[] };
        context?: Record<string, unknown>;
      };
      try {
        decision = (await this.authorizer.invoke({
          type: "REQUEST",
          methodArn,
          headers,
          queryStringParameters: query,
          requestContext,
        })) as typeof decision;
      } catch (error) {
        if ((error as Error).message.endsWith("Unauthorized")) return refuse(socket, 401, "Unauthorized");
        this.onError("the $connect authorizer failed", error);
        return refuse(socket, 500, "Internal Server Error");
      }
      const allowed = (decision.policyDocument?.Statement ?? []).some(
        (s) => s.Effect === "Allow" && [s.Resource].flat().some((r) => r === methodArn || r === "*"),
      );
      const denied = (decision.policyDocument?.Statement ?? []).some((s) => s.Effect === "Deny");
      if (!allowed || denied) return refuse(socket, 403, "Forbidden");
      authorizer = { principalId: decision.principalId, ...(decision.context ?? {}) };
    }
    let result: WsResult;
    try {
      result = (await this.fn.invoke({
        requestContext: { ...requestContext, ...(authorizer ? { authorizer } : {}) },
        headers,
        queryStringParameters: query,
        isBase64Encoded: false,
      })) as WsResult;
    } catch (error) {
      this.onError("$connect failed", error);
      return refuse(socket, 500, "Internal Server Error");
    }
    const status = result?.statusCode ?? 200;
    if (status < 200 || status > 299) return refuse(socket, status, "Connection refused");
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, connectionId, sourceIp));
  }

  private open(socket: WebSocket, connectionId: string, sourceIp: string) {
    const connection: Connection = { socket, connectedAt: Date.now(), sourceIp, queue: Promise.resolve() };
    this.connections.set(connectionId, connection);
    socket.on("message", (data, isBinary) => {
      connection.queue = connection.queue.then(() =>
        this.frame(connectionId, connection, data as Buffer, isBinary),
      );
    });
    socket.on("close", () => {
      this.connections.delete(connectionId);
      if (this.closing) return;
      const done = this.fn
        .invoke({ requestContext: this.requestContext("$disconnect", connectionId, sourceIp) })
        .catch((error: unknown) => this.onError("$disconnect failed", error))
        .finally(() => this.disconnecting.delete(done));
      this.disconnecting.add(done);
    });
  }

  private async frame(connectionId: string, connection: Connection, data: Buffer, binary: boolean) {
    if (this.closing) return;
    try {
      const result = (await this.fn.invoke({
        requestContext: this.requestContext("$default", connectionId, connection.sourceIp),
        body: binary ? data.toString("base64") : data.toString("utf8"),
        isBase64Encoded: binary,
      })) as WsResult;
      if (result?.body !== undefined && connection.socket.readyState === WebSocket.OPEN)
        connection.socket.send(result.body);
    } catch (error) {
      this.onError("$default failed", error);
      if (connection.socket.readyState === WebSocket.OPEN)
        connection.socket.send(
          JSON.stringify({ message: "Internal server error", connectionId, requestId: randomUUID() }),
        );
    }
  }

  /** The management API, for the ws function, the agents and the workflow function. */
  private async management(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = new RegExp(`^/${LOCAL_WS_STAGE}/@connections/([^/]+)$`).exec(
      new URL(req.url ?? "/", "http://x").pathname,
    );
    const json = (status: number, body: object, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (!match) return json(404, { message: "Not Found" });
    const id = decodeURIComponent(match[1]);
    const connection = this.connections.get(id);
    if (!connection || connection.socket.readyState !== WebSocket.OPEN)
      return json(410, { message: "GoneException" }, { "x-amzn-errortype": "GoneException" });
    switch (req.method) {
      case "POST":
        connection.socket.send(Buffer.concat(chunks).toString("utf8"));
        return json(200, {});
      case "DELETE":
        connection.socket.close(1000);
        return json(204, {});
      default:
        return json(200, {
          ConnectedAt: new Date(connection.connectedAt).toISOString(),
          Identity: { SourceIp: connection.sourceIp },
          LastActiveAt: new Date().toISOString(),
        });
    }
  }

  /** Safe to call twice (the runner closes it before its functions, and again on a failed start). */
  async close(): Promise<void> {
    this.closing = true;
    for (const c of this.connections.values()) c.socket.terminate();
    await Promise.all([...this.disconnecting]);
    this.wss.close();
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
