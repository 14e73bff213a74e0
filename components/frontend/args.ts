import { KeyNames, Problems, selfNamed } from "../../lib/problems";

/*
 * What the Frontend component (the single-page site on S3 + CloudFront with Origin Access Control) is given that
 * config reads, and the rules of it.
 */

/** CloudFront's limit on a Content-Security-Policy value in a response headers policy. */
export const MAX_CSP_LENGTH = 1783;

/** Why `csp` is not a usable Content-Security-Policy header value, or undefined. */
export function cspProblem(csp: string): string | undefined {
  const trimmed = csp.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[") || /^(true|false|-?\d+(\.\d+)?)$/.test(trimmed))
    return "must be a string: a Content-Security-Policy header value such as \"default-src 'self'\"";
  if (trimmed === "") return "must not be empty (CloudFront adds it to every response)";
  if (csp.length > MAX_CSP_LENGTH)
    return `must be at most ${MAX_CSP_LENGTH} characters (CloudFront's limit), got ${csp.length}`;
  if (/[\u0000-\u001f\u007f]/.test(csp)) return "must be one line without control characters";
  const bad = trimmed
    .split(";")
    .map((d) => d.trim())
    .filter((d) => d !== "" && !/^[a-z-]+(\s|$)/.test(d));
  if (bad.length > 0)
    return `must be directives separated by ';', each starting with a lower-case name; not: ${bad.join(" | ")}`;
  return undefined;
}

/** The headers of every response (what config reads). */
export interface FrontendSettings {
  /**
   * The Content-Security-Policy header CloudFront adds to every response: one line of directives (with
   * endpoints, its connect-src is replaced by 'self' and the WebSocket API's origin). No default.
   */
  readonly contentSecurityPolicy: string;
}

export type FrontendField = "contentSecurityPolicy";

export const FRONTEND_FIELDS: KeyNames<FrontendField> = selfNamed(["contentSecurityPolicy"] as const);

/** Every rule the frontend's settings break, each named by `keys`. */
export function frontendProblems(s: FrontendSettings, keys: KeyNames<FrontendField> = FRONTEND_FIELDS) {
  const p = new Problems(keys);
  const problem = cspProblem(s.contentSecurityPolicy);
  if (problem) p.add("contentSecurityPolicy", s.contentSecurityPolicy, problem);
  return p.list;
}
