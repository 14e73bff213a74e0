import { FrontendSettings, frontendProblems } from "../components/frontend/args";
import { isDomainName } from "../lib/rules";
import { ConfigReader } from "./reader";

/*
 * The single-page frontend (S3 + CloudFront with Origin Access Control). Its host name defaults to
 * app.<domainName> so its Route 53 records never clash with the web service's, which owns domainName itself.
 */

/** The frontend, where frontendEnabled. */
export interface FrontendConfig extends FrontendSettings {
  /** A built site folder, relative to the project root (index.html at its top); undefined: the web console. */
  readonly siteDir?: string;
  /** The frontend's public name (certificate, alias, Route 53 records); undefined without a domain. */
  readonly domainName?: string;
  /** A deploy that changes a non-hashed file invalidates those paths (a function with three alarms, $0.40). */
  readonly invalidation: boolean;
}

/**
 * What the stack's CSP may not say because the program serves the console with it: the Frontend is always
 * given the stack's endpoints, which replace connect-src (a value here would be dropped without a word), and
 * the console needs no inline script or style.
 */
function consoleCspProblem(csp: string): string | undefined {
  if (/(^|;)\s*connect-src(\s|;|$)/.test(csp.trim()))
    return "must not set connect-src: the program sets it to 'self' and the stack's API and WebSocket origins";
  if (csp.includes("'unsafe-inline'"))
    return "must not allow 'unsafe-inline' (the console needs no inline script or style)";
  return undefined;
}

/** The frontend, or undefined where frontendEnabled is false. */
export function readFrontend(
  r: ConfigReader,
  stackDomainName: string | undefined,
): FrontendConfig | undefined {
  const enabled = r.boolean("frontendEnabled");
  const siteDir = r.string("frontendSiteDir");
  const invalidation = r.boolean("frontendInvalidation");
  const settings: FrontendSettings = { contentSecurityPolicy: r.string("frontendContentSecurityPolicy") };
  const explicit = r.optionalString("frontendDomainName");
  if (!enabled) return undefined;
  if (siteDir !== "" && (siteDir.trim() === "" || siteDir.split(/[\\/]/).includes("..")))
    r.report(
      "frontendSiteDir",
      siteDir,
      "must be a folder inside the project (no ..), such as public, or empty for the web console",
    );
  const cspProblems = frontendProblems(settings, { contentSecurityPolicy: "frontendContentSecurityPolicy" });
  r.reportAll(cspProblems);
  const stackProblem =
    cspProblems.length === 0 ? consoleCspProblem(settings.contentSecurityPolicy) : undefined;
  if (stackProblem) r.report("frontendContentSecurityPolicy", settings.contentSecurityPolicy, stackProblem);

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
    ...settings,
    ...(siteDir !== "" ? { siteDir } : {}),
    ...(domainName ? { domainName } : {}),
    invalidation,
  };
}
