/**
 * A loopback HTTP server for integration tests and benchmarks, with scripted faults: each request first takes the
 * next fault from the queue (if any) and answers with it instead of the real handler: an HTTP status and body, or a
 * hang (never answers, to exercise client timeouts). A fixed latency can be added to every request. Speaks HTTP/1.1
 * or cleartext HTTP/2 (the AWS SDK's Bedrock Runtime client uses HTTP/2).
 */
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import {
  createServer as createHttp2Server,
  Http2Server,
  Http2ServerRequest,
  Http2ServerResponse,
  Http2Session,
} from "node:http2";
import type { AddressInfo } from "node:net";

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

export type Fault =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | { readonly hang: true };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The query string's parameters. */
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

export abstract class LoopbackServer {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: Fault[] = [];
  latencyMs = 0;
  private server: Server | Http2Server | undefined;
  private readonly hanging = new Set<AnyResponse>();
  private readonly sessions = new Set<Http2Session>();

  constructor(private readonly protocol: "http1" | "http2" = "http1") {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error("server not started");
    return `http://127.0.0.1:${address.port}`;
  }

  /** The next `times` requests get `fault`. */
  inject(fault: Fault, times = 1): this {
    for (let i = 0; i < times; i++) this.faults.push(fault);
    return this;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  async start(): Promise<this> {
    if (this.protocol === "http2") {
      const server = createHttp2Server((req, res) => void this.dispatch(req, res));
      server.on("session", (session) => {
        this.sessions.add(session);
        session.on("close", () => this.sessions.delete(session));
      });
      this.server = server;
    } else {
      this.server = createServer((req, res) => void this.dispatch(req, res));
    }
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) ("stream" in res ? res.stream : res).destroy();
    this.hanging.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const session of this.sessions) session.destroy();
    if ("closeAllConnections" in server) server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  protected abstract handle(request: RecordedRequest): Reply | Promise<Reply>;

  private async dispatch(req: AnyRequest, res: AnyResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const request: RecordedRequest = {
      method: req.method ?? "GET",
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    this.requests.push(request);
    // Latency runs from the request's arrival, and the reply is computed meanwhile: a slow fake must not add
    // its own processing time on top of the latency it simulates.
    const due = performance.now() + this.latencyMs;
    const fault = this.faults.shift();
    if (fault && "hang" in fault) {
      this.hanging.add(res);
      res.on("close", () => this.hanging.delete(res));
      return;
    }
    let reply: Reply;
    try {
      reply = fault
        ? { status: fault.status, body: fault.body ?? {}, headers: fault.headers ?? {} }
        : await this.handle(request);
    } catch (error) {
      reply = { status: 500, body: { message: (error as Error).message } };
    }
    const payload = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (res.destroyed) return; // the client gave up (timeout) while we waited
    res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
    res.end(payload);
  }
}
