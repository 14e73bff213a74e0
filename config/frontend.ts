import { isDomainName } from "./rules";
import { ConfigReader } from "./reader";

/*
 * The single-page frontend (S3 + CloudFront with Origin Access Control). Its host name defaults to
 * app.<domainName> so its Route 53 records never clash with the web service's, which owns domainName itself.
 */

/** CloudFront's limit on a Content-Security-Policy value in a response headers policy. */
export const MAX_CSP_LENGTH = 1783;

export interface FrontendConfig {
  /** Whether the frontend bucket, distribution and site objects are deployed. */
  readonly enabled: boolean;
  /** A built site folder, relative to the project root (index.html at its top); undefined: the web console. */
  readonly siteDir?: string;
  /** The Content-Security-Policy header CloudFront adds to every response. */
  readonly contentSecurityPolicy: string;
  /** The frontend's public name (certificate, alias, Route 53 records); undefined without a domain. */
  readonly domainName?: string;
  /** A deploy that changes a non-hashed file invalidates those paths (a function with three alarms, $0.40). */
  readonly invalidation: boolean;
}

/** Why `csp` is not a usable Content-Security-Policy header value, or undefined. */
export function cspProblem(csp: string): string | undefined {
  const trimmed = csp.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[") || /^(true|false|-?\d+(\.\d+)?)$/.test(trimmed))
    return "must be a string: a Content-Security-Policy header value such as \"default-src 'self'\"";
  if (trimmed === "") return "must not be empty (CloudFront adds it to every response)";
  if (csp.length > MAX_CSP_LENGTH)
    return `must be at most ${MAX_CSP_LENGTH} characters (CloudFront's limit), got ${csp.length}`;
  if (/[\u0000-\u001f\u007f]/.test(csp)) return "must be one line without control characters";
  if (/(^|;)\s*connect-src(\s|;|$)/.test(trimmed))
    return "must not set connect-src: the program sets it to 'self' and the stack's API and WebSocket origins";
  if (trimmed.includes("'unsafe-inline'"))
    return "must not allow 'unsafe-inline' (the console needs no inline script or style)";
  const bad = trimmed
    .split(";")
    .map((d) => d.trim())
    .filter((d) => d !== "" && !/^[a-z-]+(\s|$)/.test(d));
  if (bad.length > 0)
    return `must be directives separated by ';', each starting with a lower-case name; not: ${bad.join(" | ")}`;
  return undefined;
}

export function readFrontend(r: ConfigReader, stackDomainName: string | undefined): FrontendConfig {
  const enabled = r.boolean("frontendEnabled", true);
  const siteDir = r.string("frontendSiteDir", "");
  const invalidation = r.boolean("frontendInvalidation", true);
  if (siteDir !== "" && (siteDir.trim() === "" || siteDir.split(/[\\/]/).includes("..")))
    r.report(
      "frontendSiteDir",
      siteDir,
      "must be a folder inside the project (no ..), such as public, or empty for the web console",
    );
  const contentSecurityPolicy = r.string("frontendContentSecurityPolicy", "default-src 'self'");
  const problem = cspProblem(contentSecurityPolicy);
  if (problem) r.report("frontendContentSecurityPolicy", contentSecurityPolicy, problem);

  const explicit = r.optionalString("frontendDomainName");
  let domainName: string | undefined;
  if (explicit !== undefined) {
    if (stackDomainName === undefined)
      r.report(
        "frontendDomainName",
        explicit,
        "needs domainName and hostedZoneId (the zone that holds it); set them or remove frontendDomainName",
      );
    else if (!isDomainName(explicit))
      r.report("frontendDomainName", explicit, "must be a DNS name such as app.agents.example.com");
    else if (explicit === stackDomainName)
      r.report(
        "frontendDomainName",
        explicit,
        "must differ from domainName, which the web service's CloudFront distribution and records own",
      );
    else domainName = explicit;
  } else if (stackDomainName !== undefined) {
    domainName = `app.${stackDomainName}`;
  }
  return {
    enabled,
    ...(siteDir !== "" ? { siteDir } : {}),
    contentSecurityPolicy,
    ...(domainName ? { domainName } : {}),
    invalidation,
  };
}
