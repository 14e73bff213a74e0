/**
 * What a site serving the console adds to the build, the same deployed (components/frontend/frontend.ts) and locally
 * (tools/local/site-server.ts): config.json with the stack's endpoints, and the Content-Security-Policy whose
 * connect-src allows exactly the site itself and the origins of the endpoints it calls elsewhere.
 */
import type { ConsoleConfig } from "../contracts/console";

/**
 * config.json's text (a ConsoleConfig) for a site that passes /api/* to the REST API, so the site itself is
 * the console's apiUrl; then wsUrl where the stack has a WebSocket API.
 */
export function consoleConfigJson(siteUrl: string, wsUrl?: string): string {
  const config: ConsoleConfig = { apiUrl: siteUrl.replace(/\/+$/, ""), ...(wsUrl ? { wsUrl } : {}) };
  return `${JSON.stringify(config)}\n`;
}

/** The origins of the given endpoint URLs (absent ones left out), each once. */
export function connectOrigins(urls: readonly (string | undefined)[]): string[] {
  const origins = urls
    .filter((u): u is string => typeof u === "string" && u !== "")
    .map((u) => {
      const origin = new URL(u).origin;
      if (origin === "null") throw new Error(`${u} has no origin a Content-Security-Policy can name`);
      return origin;
    });
  return [...new Set(origins)];
}

/**
 * `base` (the stack's frontendContentSecurityPolicy) with `connect-src 'self' <origins of endpoints>` in place
 * of any connect-src it had. `endpoints` are those the console calls on another origin: deployed, the
 * WebSocket API only (the REST API is under the site's /api/); locally, both. Where an endpoint is plain http
 * or ws (the local runner on loopback), `upgrade-insecure-requests` is left out: it would send the calls to
 * https://127.0.0.1, where nothing listens.
 */
export function consoleContentSecurityPolicy(
  base: string,
  endpoints: readonly (string | undefined)[],
): string {
  const origins = connectOrigins(endpoints);
  const insecure = origins.some((o) => o.startsWith("http:") || o.startsWith("ws:"));
  const directives = base
    .split(";")
    .map((d) => d.trim())
    .filter((d) => d !== "" && !/^connect-src(\s|$)/i.test(d))
    .filter((d) => !(insecure && /^upgrade-insecure-requests$/i.test(d)));
  return [...directives, ["connect-src", "'self'", ...origins].join(" ")].join("; ");
}
