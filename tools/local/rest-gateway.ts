/**
 * The REST API on loopback, as API Gateway runs it: requests become Lambda proxy events for the api-handler
 * (functions/api), on the routes of the route table (contracts/api-routes.ts) and nothing else. What the
 * gateway itself decides is decided here too: a path or method outside the table gets 403 "Missing
 * Authentication Token", a route that needs the API key gets 403 "Forbidden" without the right `x-api-key`,
 * and a failed invocation 502, each with the gateway responses' CORS headers where CORS origins are set. The handler does the rest (validation, CORS, errors).
 */
import { randomUUID } from "node:crypto";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { API_ROUTES, gatewayResponseCorsHeaders, RouteSpec } from "../../contracts/api-routes";
import type { FunctionHost } from "./function-host";
import { closeServer, listenOnLoopback } from "./loopback";
import { LOCAL_ACCOUNT_ID } from "./sqs";

/** The local API key's id (API Gateway sets requestContext.identity.apiKeyId on keyed methods). */
export const LOCAL_API_KEY_ID = "localkey";

interface Resource {
  readonly path: string;
  readonly pattern: RegExp;
  readonly params: string[];
  readonly statics: number;
  readonly methods: Map<string, RouteSpec>;
}

/** The table's resources, most specific first (static segments win over parameters, as in API Gateway). */
function resources(routes: readonly RouteSpec[]): Resource[] {
  const byPath = new Map<string, Resource>();
  for (const route of routes) {
    let resource = byPath.get(route.path);
    if (!resource) {
      const params: string[] = [];
      const source = route.path.replace(/\{([^}+]+)(\+?)\}/g, (_, name: string, greedy: string) => {
        params.push(name);
        return greedy ? "(.+)" : "([^/]+)";
      });
      resource = {
        path: route.path,
        pattern: new RegExp(`^${source}$`),
        params,
        statics: route.path.split("/").filter((s) => s && !s.startsWith("{")).length,
        methods: new Map(),
      };
      byPath.set(route.path, resource);
    }
    resource.methods.set(route.method, route);
  }
  return [...byPath.values()].sort((a, b) => b.statics - a.statics);
}

export class LocalRestGateway {
  private server: Server | undefined;
  url = "";
  private readonly table = resources(API_ROUTES);

  constructor(
    private readonly fn: FunctionHost,
    readonly apiKey: string,
    private readonly onError: (message: string, error: unknown) => void = () => undefined,
    /** The API's CORS origins: the gateway's own answers carry the first, as the deployed API's do. */
    private readonly corsOrigins: readonly string[] = [],
  ) {}

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.url = `http://127.0.0.1:${await listenOnLoopback(this.server, port)}`;
    return this;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        "content-type": "application/json",
        "x-amzn-requestid": randomUUID(),
        ...gatewayResponseCorsHeaders(this.corsOrigins),
        ...headers,
      });
      res.end(body);
    };
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = decodeURIComponent(url.pathname);
    const method = (req.method ?? "GET").toUpperCase();
    const match = this.table
      .map((r) => ({ r, m: r.pattern.exec(path) }))
      .find((x): x is { r: Resource; m: RegExpExecArray } => x.m !== null);
    const route = match?.r.methods.get(method);
    // Preflights reach the handler on every keyed path (the program adds OPTIONS where CORS origins are set).
    const preflight = method === "OPTIONS" && match !== undefined;
    if (!match || (!route && !preflight))
      return send(403, JSON.stringify({ message: "Missing Authentication Token" }));
    const keyed = !preflight && !route?.public;
    if (keyed && req.headers["x-api-key"] !== this.apiKey)
      return send(403, JSON.stringify({ message: "Forbidden" }));

    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : (v ?? "")]),
    );
    const query = [...url.searchParams.keys()];
    const event = {
      resource: match.r.path,
      path,
      httpMethod: method,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      queryStringParameters: query.length > 0 ? Object.fromEntries(url.searchParams) : null,
      multiValueQueryStringParameters:
        query.length > 0 ? Object.fromEntries(query.map((k) => [k, url.searchParams.getAll(k)])) : null,
      pathParameters:
        match.r.params.length > 0
          ? Object.fromEntries(match.r.params.map((p, i) => [p, match.m[i + 1]]))
          : null,
      stageVariables: null,
      requestContext: {
        accountId: LOCAL_ACCOUNT_ID,
        apiId: "local",
        stage: "local",
        resourcePath: match.r.path,
        httpMethod: method,
        path: `/local${path}`,
        requestId: randomUUID(),
        requestTimeEpoch: Date.now(),
        identity: {
          sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
          userAgent: headers["user-agent"] ?? null,
          ...(keyed ? { apiKey: this.apiKey, apiKeyId: LOCAL_API_KEY_ID } : {}),
        },
      },
      body: chunks.length > 0 ? Buffer.concat(chunks).toString("utf8") : null,
      isBase64Encoded: false,
    };
    let out: {
      statusCode?: number;
      headers?: Record<string, string>;
      body?: string;
      isBase64Encoded?: boolean;
    };
    try {
      out = (await this.fn.invoke(event)) as typeof out;
    } catch (error) {
      this.onError(`${method} ${path}: the api-handler failed`, error);
      return send(502, JSON.stringify({ message: "Internal server error" }));
    }
    const body = out.isBase64Encoded ? Buffer.from(out.body ?? "", "base64") : (out.body ?? "");
    res.writeHead(out.statusCode ?? 200, {
      "x-amzn-requestid": event.requestContext.requestId,
      ...(out.headers ?? {}),
    });
    res.end(body);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
