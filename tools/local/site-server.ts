/**
 * The web console on loopback, served as the Frontend component serves it through CloudFront: the built
 * console (console/build.ts), config.json with the local endpoints, the same cache headers (hashed assets
 * immutable, the rest no-cache), the same security headers with the Content-Security-Policy the stack's
 * default gives (connect-src: the site itself and the local WebSocket API), /api/* passed to the local REST API
 * (CloudFront's API behaviour: the console calls the API on its own origin), and index.html for any other path
 * that is no file.
 */
import { readFileSync } from "node:fs";
import { createServer, IncomingMessage, request, Server, ServerResponse } from "node:http";
import { join, normalize, resolve, sep } from "node:path";
import { cacheControlFor, contentTypeFor } from "../../components/frontend/site";
import { CONSOLE_CONFIG_FILE } from "../../contracts/console";
import { buildConsole } from "../../console/build";
import { consoleConfigJson, consoleContentSecurityPolicy } from "../../console/site";
import { parseYaml } from "../../lib/yaml";
import { closeServer, listenOnLoopback } from "./loopback";

const ROOT = resolve(__dirname, "..", "..");

/** The stacks' default Content-Security-Policy (Pulumi.yaml's frontendContentSecurityPolicy). */
export function defaultContentSecurityPolicy(): string {
  const project = parseYaml(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as {
    config?: Record<string, { default?: unknown }>;
  };
  const csp = project.config?.frontendContentSecurityPolicy?.default;
  if (typeof csp !== "string")
    throw new Error("Pulumi.yaml declares no default frontendContentSecurityPolicy");
  return csp;
}

/** The headers the Frontend's CloudFront response headers policy adds (components/frontend/frontend.ts), HSTS aside. */
const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
};

/** The local APIs behind the site: /api/* goes to apiUrl; config.json names wsUrl. */
export interface SiteBackends {
  readonly apiUrl: string;
  readonly wsUrl?: string;
}

export class LocalSiteServer {
  private server: Server | undefined;
  private endpoints: SiteBackends | undefined;
  private readonly dir = buildConsole().dir;
  private readonly baseCsp = defaultContentSecurityPolicy();
  url = "";

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.url = `http://127.0.0.1:${await listenOnLoopback(this.server, port)}`;
    return this;
  }

  /** The APIs behind the site; set once they listen. config.json names the site itself as the REST API. */
  serve(endpoints: SiteBackends): void {
    this.endpoints = endpoints;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const api = this.endpoints?.apiUrl;
    if (api && /^\/api(\/|\?|$)/.test(req.url ?? "")) {
      this.forward(req, res, api);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const endpoints = this.endpoints;
    if (!endpoints) {
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8" }).end("starting\n");
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    let key = path === "/" ? "index.html" : path.slice(1);
    let body: Buffer;
    if (key === CONSOLE_CONFIG_FILE) body = Buffer.from(consoleConfigJson(this.url, endpoints.wsUrl));
    else {
      const file = normalize(join(this.dir, key));
      try {
        if (!file.startsWith(this.dir + sep)) throw new Error("outside the site");
        body = readFileSync(file);
      } catch {
        key = "index.html";
        body = readFileSync(join(this.dir, key));
      }
    }
    res.writeHead(200, {
      "content-type": contentTypeFor(key),
      "cache-control": cacheControlFor(key),
      "content-length": body.length,
      "content-security-policy": consoleContentSecurityPolicy(this.baseCsp, [endpoints.wsUrl]),
      ...SECURITY_HEADERS,
    });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  /** The request as CloudFront's API behaviour sends it: every header but Host, the body streamed both ways. */
  private forward(req: IncomingMessage, res: ServerResponse, apiUrl: string): void {
    const target = new URL(req.url ?? "/", apiUrl);
    const { host: _host, ...headers } = req.headers;
    const upstream = request(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain; charset=utf-8" });
      res.end("the local API did not answer\n");
    });
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
