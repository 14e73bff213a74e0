import { FrontendSettings, frontendProblems } from "../components/frontend-args";
import { isDomainName } from "../lib/rules";
import { ConfigReader } from "./reader";

/*
 * The single-page frontend (S3 + CloudFront with Origin Access Control). Its host name defaults to
 * app.<domainName> so its Route 53 records never clash with the web service's, which owns domainName itself.
 */

/** The frontend, where frontendEnabled. */
export interface FrontendConfig extends FrontendSettings {
  /** The built site folder, relative to the project root (index.html at its top). */
  readonly siteDir: string;
  /** The frontend's public name (certificate, alias, Route 53 records); undefined without a domain. */
  readonly domainName?: string;
  /** A deploy that changes a non-hashed file invalidates those paths (a function with three alarms, $0.40). */
  readonly invalidation: boolean;
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
  if (siteDir.trim() === "" || siteDir.split(/[\\/]/).includes(".."))
    r.report("frontendSiteDir", siteDir, "must be a folder inside the project (no ..), such as site");
  r.reportAll(frontendProblems(settings, { contentSecurityPolicy: "frontendContentSecurityPolicy" }));

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
  return { ...settings, siteDir, ...(domainName ? { domainName } : {}), invalidation };
}
