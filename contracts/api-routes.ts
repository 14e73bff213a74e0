/**
 * The api-handler's routes as API Gateway sees them (OpenAPI paths, path parameters in braces, `{name+}` for a
 * greedy one), with the JSON
 * schema of each body and query string. The Api component builds its OpenAPI document from this table, and a
 * test checks the handler answers every entry, so the two cannot drift apart.
 */
import {
  createProjectSchema,
  createTemplateSchema,
  fromTemplateSchema,
  listEventsSchema,
  listProjectsSchema,
  modifySchema,
  updateProjectSchema,
  wsTicketSchema,
} from "./api-schemas";
import type { Schema } from "./json-schema";

/** Request headers a browser may send cross-origin (API Gateway's key, the idempotency key, JSON bodies). */
export const CORS_ALLOW_HEADERS = "content-type,x-api-key,idempotency-key";

/**
 * The CORS headers on the answers API Gateway gives itself (a refused key's 403, 429, integration failures), so
 * a browser script can read them. They are static: with several origins only the first gets them (the
 * handler's own answers echo every allowed origin). None without origins.
 */
export function gatewayResponseCorsHeaders(origins: readonly string[]): Record<string, string> {
  if (origins.length === 0) return {};
  return {
    "Access-Control-Allow-Origin": origins[0],
    "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
    Vary: "Origin",
  };
}

export type RouteMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface RouteSpec {
  readonly method: RouteMethod;
  /** OpenAPI path, e.g. /api/projects/{id}; `{path+}` takes the rest of the path. */
  readonly path: string;
  /** OpenAPI operationId; also the model name of the body schema (`<operationId>Body`). */
  readonly operationId: string;
  readonly summary: string;
  /** JSON schema of the request body (application/json), if the route takes one. */
  readonly body?: Schema;
  /** Schema of the query string: each property becomes an optional query parameter. */
  readonly query?: Schema;
  /**
   * Why the route is callable without an API key (the health check only). The API's OpenAPI document
   * carries it as `x-public-reason`, which the policy pack's api-gateway-authorization requires of a keyless route.
   */
  readonly public?: string;
}

export const API_ROUTES: readonly RouteSpec[] = [
  {
    method: "GET",
    path: "/health",
    operationId: "health",
    summary: "Health check",
    public: "uptime checks and load balancers call it without a key; it answers liveness and nothing else",
  },
  {
    method: "GET",
    path: "/api/projects",
    operationId: "listProjects",
    summary: "List projects by owner_id or status",
    query: listProjectsSchema,
  },
  {
    method: "POST",
    path: "/api/projects",
    operationId: "createProject",
    summary: "Create a project",
    body: createProjectSchema,
  },
  { method: "GET", path: "/api/projects/{id}", operationId: "getProject", summary: "Get a project" },
  {
    method: "PUT",
    path: "/api/projects/{id}",
    operationId: "updateProject",
    summary: "Update a project (conditional on its version)",
    body: updateProjectSchema,
  },
  { method: "DELETE", path: "/api/projects/{id}", operationId: "deleteProject", summary: "Delete a project" },
  {
    method: "POST",
    path: "/api/projects/from-template",
    operationId: "createProjectFromTemplate",
    summary: "Create a project from a template, its variables substituted into the template's files",
    body: fromTemplateSchema,
  },
  {
    method: "POST",
    path: "/api/projects/{id}/modify",
    operationId: "requestModification",
    summary: "Request a modification (its first step goes to the PM agent's queue)",
    body: modifySchema,
  },
  {
    method: "GET",
    path: "/api/projects/{id}/modifications/{modification_id}",
    operationId: "getModification",
    summary: "A modification: its status, each agent step and links to its artifacts",
  },
  {
    method: "GET",
    path: "/api/projects/{id}/files",
    operationId: "listProjectFiles",
    summary: "The project's files with pre-signed download URLs",
  },
  {
    method: "GET",
    path: "/api/projects/{id}/files/{path+}",
    operationId: "getProjectFile",
    summary: "Redirect (302) to a pre-signed download URL of one project file",
  },
  {
    method: "GET",
    path: "/api/projects/{id}/events",
    operationId: "listProjectEvents",
    summary: "The project's messages after a cursor (the WebSocket's polling fallback)",
    query: listEventsSchema,
  },
  {
    method: "POST",
    path: "/api/projects/{id}/ws-ticket",
    operationId: "createWsTicket",
    summary: "A short-lived ticket to open the project's WebSocket",
    body: wsTicketSchema,
  },
  {
    method: "GET",
    path: "/api/projects/{id}/docs",
    operationId: "getProjectDocs",
    summary: "Pre-signed download links of the project's documentation",
  },
  {
    method: "GET",
    path: "/api/templates",
    operationId: "listTemplates",
    summary: "List templates",
    query: {
      type: "object",
      properties: {
        limit: listProjectsSchema.properties!.limit,
        next_token: listProjectsSchema.properties!.next_token,
      },
    },
  },
  {
    method: "POST",
    path: "/api/templates",
    operationId: "createTemplate",
    summary: "Create a template",
    body: createTemplateSchema,
  },
];
