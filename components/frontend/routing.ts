/*
 * How the Frontend's distribution routes a request. /api/* goes to the REST API's stage, so the console calls
 * the API on the site's own origin: no CORS to configure, and no second deploy to learn the distribution's
 * name first. Everything else goes to the site bucket, where a path with no file extension is a client-side
 * route and is answered with index.html by a CloudFront Function (custom error responses would do it too, but
 * they apply to every origin and would turn the API's 403 and 404 into the app's page).
 */

/** The API's routes all start with /api/ (contracts/api-routes.ts), so they pass through unchanged. */
export const API_PATH_PATTERN = "/api/*";

/** Where CloudFront sends /api/*: the stage URL's host, and its path (the stage) prefixed to each request. */
export interface ApiOrigin {
  readonly domainName: string;
  readonly originPath: string;
}

/** The origin for a REST API stage URL such as https://<id>.execute-api.<region>.amazonaws.com/v1. */
export function apiOriginOf(stageUrl: string): ApiOrigin {
  const url = new URL(stageUrl);
  if (url.protocol !== "https:" || url.search !== "" || url.hash !== "")
    throw new Error(
      `${stageUrl} is not an https URL without query or fragment, which CloudFront can forward to`,
    );
  return { domainName: url.host, originPath: url.pathname.replace(/\/+$/, "") };
}

/**
 * Viewer-request code (cloudfront-js-2.0) for the site's behaviour: a path whose last segment has no dot is a
 * client-side route, served as /index.html; files (and "/", the default root object) pass unchanged.
 */
export const SPA_ROUTES_CODE = `function handler(event) {
  var request = event.request;
  var last = request.uri.slice(request.uri.lastIndexOf("/") + 1);
  if (last !== "" && last.indexOf(".") === -1) request.uri = "/index.html";
  return request;
}
`;
