import { gatewayResponseCorsHeaders, type RouteSpec } from "../../contracts/api-routes";
import type { Schema } from "../../contracts/json-schema";

/*
 * The REST API's OpenAPI 3 document, generated from the api-handler's route table and JSON schemas: one
 * Lambda proxy integration per operation, request models and validators from the schemas, an API key on every
 * operation but the health check, and CORS preflights and gateway responses for the configured origins.
 * Pure: the Api component serializes it with the function's invoke ARN once that is known.
 */

/** The security scheme API Gateway maps to its API keys (header x-api-key). */
export const API_KEY_SCHEME = "api_key";

/** Request validators by name; an operation names the one its body and parameters need. */
export const REQUEST_VALIDATORS = {
  body: { validateRequestBody: true, validateRequestParameters: false },
  params: { validateRequestBody: false, validateRequestParameters: true },
  "body-and-params": { validateRequestBody: true, validateRequestParameters: true },
} as const;

/** API Gateway's integration timeout, in milliseconds (its maximum for REST APIs). */
export const INTEGRATION_TIMEOUT_MS = 29_000;

export interface OpenApiArgs {
  readonly title: string;
  readonly description: string;
  readonly routes: readonly RouteSpec[];
  /** Invoke ARN of the api-handler (or of its live alias). */
  readonly invokeArn: string;
  /** Allowed browser origins; empty: no preflight operations and no CORS headers on gateway responses. */
  readonly corsOrigins: readonly string[];
}

type Json = Record<string, unknown>;

/** `createProject` -> `CreateProjectBody`: model names are alphanumeric. */
export function modelName(route: RouteSpec): string {
  return `${route.operationId[0].toUpperCase()}${route.operationId.slice(1)}Body`;
}

/** The path parameters' names (`{path+}`, a greedy parameter, is named `path`). */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]);
}

/** The validator an operation needs: its body, its required path parameters, both, or none. */
export function validatorFor(route: RouteSpec): keyof typeof REQUEST_VALIDATORS | undefined {
  const params = pathParameters(route.path).length > 0;
  if (route.body) return params ? "body-and-params" : "body";
  return params ? "params" : undefined;
}

/** The resource path in execute-api ARNs: path parameters become `*`. */
export function arnPath(path: string): string {
  return path.replace(/\{[^}]+\}/g, "*");
}

/** Paths that take a CORS preflight: every path with an operation that needs the API key. */
export function preflightPaths(routes: readonly RouteSpec[]): string[] {
  return [...new Set(routes.filter((r) => !r.public).map((r) => r.path))];
}

function integration(invokeArn: string): Json {
  return {
    type: "aws_proxy",
    httpMethod: "POST",
    uri: invokeArn,
    passthroughBehavior: "when_no_match",
    timeoutInMillis: INTEGRATION_TIMEOUT_MS,
  };
}

function operation(route: RouteSpec, invokeArn: string): Json {
  const validator = validatorFor(route);
  const query = Object.entries(route.query?.properties ?? {}).map(([name, schema]) => ({
    name,
    in: "query",
    required: (route.query?.required ?? []).includes(name),
    schema,
  }));
  return {
    operationId: route.operationId,
    summary: route.summary,
    parameters: [
      ...pathParameters(route.path).map((name) => ({
        name,
        in: "path",
        required: true,
        schema: { type: "string" },
      })),
      ...query,
    ],
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: `#/components/schemas/${modelName(route)}` } } },
          },
        }
      : {}),
    responses: { default: { description: "The api-handler's JSON response ({ success, data | error })" } },
    ...(route.public
      ? { security: [], "x-public-reason": route.public }
      : { security: [{ [API_KEY_SCHEME]: [] }] }),
    ...(validator ? { "x-amazon-apigateway-request-validator": validator } : {}),
    "x-amazon-apigateway-integration": integration(invokeArn),
  };
}

/** A preflight: no API key (browsers send none), answered by the handler, which echoes allowed origins only. */
function preflight(path: string, invokeArn: string): Json {
  return {
    operationId: `preflight${arnPath(path).replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ?? "").toUpperCase())}`,
    summary: "CORS preflight",
    parameters: pathParameters(path).map((name) => ({
      name,
      in: "path",
      required: true,
      schema: { type: "string" },
    })),
    responses: { "204": { description: "The allowed methods and headers, for an allowed Origin" } },
    security: [],
    "x-public-reason": "CORS preflights: browsers send them without credentials",
    "x-amazon-apigateway-integration": integration(invokeArn),
  };
}

/** Responses API Gateway itself sends (missing key 403, throttled 429, integration failures 5XX) carry CORS headers. */
function gatewayResponses(origins: readonly string[]): Json {
  const headers = Object.fromEntries(
    Object.entries(gatewayResponseCorsHeaders(origins)).map(([k, v]) => [
      `gatewayresponse.header.${k}`,
      `'${v}'`,
    ]),
  );
  return {
    DEFAULT_4XX: { responseParameters: headers },
    DEFAULT_5XX: { responseParameters: headers },
  };
}

function model(schema: Schema): Json {
  return { ...schema } as Json;
}

export function openApiDocument(args: OpenApiArgs): Json {
  const paths: Record<string, Json> = {};
  for (const route of args.routes) {
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: operation(route, args.invokeArn),
    };
  }
  if (args.corsOrigins.length > 0)
    for (const path of preflightPaths(args.routes))
      paths[path] = { ...paths[path], options: preflight(path, args.invokeArn) };
  const schemas = Object.fromEntries(
    args.routes.filter((r) => r.body).map((r) => [modelName(r), model(r.body!)]),
  );
  return {
    openapi: "3.0.1",
    info: { title: args.title, description: args.description, version: "1.0" },
    paths,
    components: {
      schemas,
      securitySchemes: { [API_KEY_SCHEME]: { type: "apiKey", name: "x-api-key", in: "header" } },
    },
    "x-amazon-apigateway-api-key-source": "HEADER",
    "x-amazon-apigateway-request-validators": REQUEST_VALIDATORS,
    ...(args.corsOrigins.length > 0
      ? { "x-amazon-apigateway-gateway-responses": gatewayResponses(args.corsOrigins) }
      : {}),
  };
}
