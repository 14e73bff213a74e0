/**
 * The web console on loopback, served as the Frontend component serves it through CloudFront: the built
 * console (console/build.ts), config.json with the local endpoints, the same cache headers (hashed assets
 * immutable, the rest no-cache), the same security headers with the Content-Security-Policy the stack's
 * default gives (connect-src: the local REST and WebSocket APIs), and index.html for any path that is no file
 * (CloudFront's 403/404 -> index.html).
 */
import { readFileSync } from "node:fs";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { join, normalize, resolve, sep } from "node:path";
import { cacheControlFor, contentTypeFor } from "../../components/frontend/site";
import { CONSOLE_CONFIG_FILE, type ConsoleConfig } from "../../contracts/console";
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

export class LocalSiteServer {
  private server: Server | undefined;
  private endpoints: ConsoleConfig | undefined;
  private readonly dir = buildConsole().dir;
  private readonly baseCsp = defaultContentSecurityPolicy();
  url = "";

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.url = `http://127.0.0.1:${await listenOnLoopback(this.server, port)}`;
    return this;
  }

  /** The endpoints config.json names; set once the APIs listen (the site listens first: the API's CORS names it). */
  serve(endpoints: ConsoleConfig): void {
    this.endpoints = endpoints;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
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
    if (key === CONSOLE_CONFIG_FILE) body = Buffer.from(consoleConfigJson(endpoints));
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
      "content-security-policy": consoleContentSecurityPolicy(this.baseCsp, endpoints),
      ...SECURITY_HEADERS,
    });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
