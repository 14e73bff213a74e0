/**
 * The api-handler (seed 003's REST routes), independent of Lambda and of the AWS clients it is given: routing,
 * body limits, JSON schema validation, the error shape, idempotent creates and modifications.
 */
import { randomUUID } from "node:crypto";
import { ApiError, ApiResponse, failure, ok, ResponseContext } from "./lib/http";
import {
  createProjectSchema,
  createTemplateSchema,
  listProjectsSchema,
  modifySchema,
  updateProjectSchema,
} from "./lib/schemas";
import { Item, notFound, projectKey, publicView, requestHash, Store, templateKey } from "./lib/store";
import { CORS_ALLOW_HEADERS } from "./lib/routes";
import { ARTIFACT_PREFIXES } from "./lib/table-schema";
import { Schema, validate } from "./lib/validate";

/** The fields of an API Gateway REST (proxy) event the handler reads. */
export interface ApiEvent {
  readonly httpMethod: string;
  readonly path: string;
  readonly headers?: Record<string, string | undefined> | null;
  readonly queryStringParameters?: Record<string, string | undefined> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly requestId?: string };
}

export interface AppDeps {
  readonly store: Store;
  /** Sends one message body to the dev agent queue. */
  readonly sendToDevQueue: (body: string) => Promise<void>;
  /** A pre-signed GET URL for an artifacts bucket key. */
  readonly presignDownload: (key: string) => Promise<string>;
  /** Largest accepted request body, in bytes. Default: 64 KiB. */
  readonly maxBodyBytes?: number;
  readonly now?: () => Date;
  readonly newId?: (prefix: string) => string;
  /** Where unexpected errors are reported (the client only sees INTERNAL_ERROR). */
  readonly logError?: (error: unknown, requestId: string) => void;
  /** Origins allowed to call the API from a browser (CORS); the response echoes the request's if listed. */
  readonly corsOrigins?: readonly string[];
}

/** How long a browser may cache a preflight answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** How long a documentation download link stays valid. */
export const DOWNLOAD_URL_SECONDS = 900;

interface Request {
  readonly event: ApiEvent;
  readonly params: Record<string, string>;
  readonly ctx: ResponseContext;
}

type Handler = (req: Request) => Promise<ApiResponse>;

interface Route {
  readonly pattern: RegExp;
  readonly methods: Record<string, Handler>;
}

const ID = "([A-Za-z0-9_-]{1,100})";

export function createApp(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? ((prefix: string) => `${prefix}_${randomUUID().replace(/-/g, "")}`);
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const { store } = deps;

  const header = (event: ApiEvent, name: string): string | undefined => {
    for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name) return v;
    return undefined;
  };

  const body = (event: ApiEvent, schema: Schema): Item => {
    const raw = event.isBase64Encoded
      ? Buffer.from(event.body ?? "", "base64")
      : Buffer.from(event.body ?? "", "utf8");
    if (raw.length > maxBodyBytes)
      throw new ApiError(413, "PAYLOAD_TOO_LARGE", `The body is larger than ${maxBodyBytes} bytes`, {
        max_bytes: maxBodyBytes,
        bytes: raw.length,
      });
    const type = header(event, "content-type");
    if (type !== undefined && !/^application\/json\b/i.test(type))
      throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "The body must be application/json");
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new ApiError(400, "INVALID_JSON", "The body is not valid JSON");
    }
    checked(schema, parsed);
    return parsed as Item;
  };

  const checked = (schema: Schema, value: unknown) => {
    const problems = validate(schema, value);
    if (problems.length > 0)
      throw new ApiError(400, "VALIDATION_ERROR", `${problems[0].field} ${problems[0].message}`, {
        problems,
      });
  };

  /** The Idempotency-Key header, if sent: 1-128 visible ASCII characters. */
  const idempotencyKey = (event: ApiEvent): string | undefined => {
    const key = header(event, "idempotency-key");
    if (key !== undefined && !/^[\x21-\x7e]{1,128}$/.test(key))
      throw new ApiError(400, "VALIDATION_ERROR", "Idempotency-Key must be 1-128 visible ASCII characters", {
        field: "Idempotency-Key",
      });
    return key;
  };

  const replayed = (ctx: ResponseContext, status: number, data: Item) =>
    ok(ctx, status, data, { "idempotent-replayed": "true" });

  const createProject: Handler = async ({ event, ctx }) => {
    const input = body(event, createProjectSchema);
    const key = idempotencyKey(event);
    const at = ctx.now().toISOString();
    const id = newId("proj");
    const project: Item = {
      id,
      name: input.name,
      type: input.type,
      status: "active",
      owner_id: input.owner_id,
      description: input.description ?? "",
      dependencies: input.dependencies ?? [],
      deployment_config: input.deployment_config ?? {},
      version: 1,
      created_at: at,
      updated_at: at,
    };
    const earlier = await store.putOnce({
      item: {
        ...projectKey(id),
        GSI1PK: `OWNER#${input.owner_id as string}`,
        GSI1SK: `PROJECT#${at}#${id}`,
        GSI2PK: "STATUS#active",
        GSI2SK: `PROJECT#${id}`,
        EntityType: "Project",
        ...project,
      },
      idempotency: key
        ? { scope: "POST /projects", key, hash: requestHash(input), nowSeconds: secondsOf(ctx.now()) }
        : undefined,
      response: { status: 201, data: project, queued: false },
      alreadyExists: () => new ApiError(409, "CONFLICT", `Project ${id} already exists`),
    });
    return earlier ? replayed(ctx, earlier.status, earlier.data) : ok(ctx, 201, project);
  };

  const listProjects: Handler = async ({ event, ctx }) => {
    const query = Object.fromEntries(
      Object.entries(event.queryStringParameters ?? {}).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    checked(listProjectsSchema, query);
    if ((query.owner_id === undefined) === (query.status === undefined))
      throw new ApiError(400, "VALIDATION_ERROR", "Give exactly one of owner_id and status", {
        field: "owner_id",
      });
    const page = await store.listProjects(
      { ownerId: query.owner_id, status: query.status },
      Number(query.limit ?? 20),
      query.next_token,
    );
    return ok(ctx, 200, { items: page.items, next_token: page.nextToken ?? null });
  };

  const getProject: Handler = async ({ params, ctx }) => {
    const item = await store.get(projectKey(params.id));
    if (!item) throw notFound("project", params.id);
    return ok(ctx, 200, publicView(item));
  };

  const updateProject: Handler = async ({ event, params, ctx }) => {
    const { version, ...changes } = body(event, updateProjectSchema);
    const updated = await store.updateProject(params.id, version as number, changes, ctx.now().toISOString());
    return ok(ctx, 200, updated);
  };

  const deleteProject: Handler = async ({ params, ctx }) => {
    await store.deleteProject(params.id);
    return ok(ctx, 200, { id: params.id, deleted: true });
  };

  /** Records the modification (pending) and hands it to the dev agent through its queue. */
  const modify: Handler = async ({ event, params, ctx }) => {
    const input = body(event, modifySchema);
    const key = idempotencyKey(event);
    const scope = `POST /projects/${params.id}/modify`;
    const at = ctx.now().toISOString();
    const id = newId("mod");
    const modification: Item = {
      id,
      project_id: params.id,
      request: input.request,
      requested_by: input.requested_by,
      requested_at: at,
      status: "pending",
    };
    const message = messageFor(modification);
    // A read, not a transaction: DynamoDB conditions cover one item. A project deleted in between leaves an
    // orphan modification the delete's cleanup query misses only in that race; the dev agent finds no project.
    if (!(await store.get(projectKey(params.id)))) throw notFound("project", params.id);
    const earlier = await store.putOnce({
      item: { PK: projectKey(params.id).PK, SK: `MOD#${id}`, EntityType: "Modification", ...modification },
      idempotency: key
        ? { scope, key, hash: requestHash(input), nowSeconds: secondsOf(ctx.now()) }
        : undefined,
      // queued turns true once the message is sent: a retry after a failed send sends it then.
      response: { status: 202, data: modification, queued: false },
      alreadyExists: () => new ApiError(409, "CONFLICT", `Modification ${id} already exists`),
    });
    if (earlier) {
      if (!earlier.queued) {
        await deps.sendToDevQueue(messageFor(earlier.data));
        await store.markQueued(scope, key!);
      }
      return replayed(ctx, earlier.status, earlier.data);
    }
    await deps.sendToDevQueue(message);
    if (key) await store.markQueued(scope, key);
    return ok(ctx, 202, modification);
  };

  const listTemplates: Handler = async ({ event, ctx }) => {
    const query = event.queryStringParameters ?? {};
    checked(
      { type: "object", additionalProperties: false, properties: listProjectsSchema.properties },
      Object.fromEntries(Object.entries(query).filter(([k]) => k === "limit" || k === "next_token")),
    );
    const page = await store.listTemplates(Number(query.limit ?? 20), query.next_token ?? undefined);
    return ok(ctx, 200, { items: page.items, next_token: page.nextToken ?? null });
  };

  const createTemplate: Handler = async ({ event, ctx }) => {
    const input = body(event, createTemplateSchema);
    const at = ctx.now().toISOString();
    const template: Item = { ...input, created_at: at, updated_at: at };
    const id = input.id as string;
    await store.putOnce({
      item: {
        ...templateKey(id),
        GSI2PK: "TYPE#TEMPLATE",
        GSI2SK: `TEMPLATE#${id}`,
        EntityType: "Template",
        ...template,
      },
      response: { status: 201, data: template, queued: false },
      alreadyExists: () => new ApiError(409, "CONFLICT", `Template ${id} already exists`, { id }),
    });
    return ok(ctx, 201, template);
  };

  /** Pre-signed download links for the project's documentation files (projects/<id>/<path>). */
  const docs: Handler = async ({ params, ctx }) => {
    const project = await store.get(projectKey(params.id));
    if (!project) throw notFound("project", params.id);
    const files = await store.projectDocs(params.id);
    const items = await Promise.all(
      files.map(async (f) => ({
        path: f.file_path,
        size: f.size ?? null,
        url: await deps.presignDownload(`${ARTIFACT_PREFIXES.projects}${params.id}/${f.file_path as string}`),
        expires_in: DOWNLOAD_URL_SECONDS,
      })),
    );
    return ok(ctx, 200, { project_id: params.id, items });
  };

  const health: Handler = async ({ ctx }) => ok(ctx, 200, { status: "ok" });

  const routes: Route[] = [
    { pattern: /^\/health$/, methods: { GET: health } },
    { pattern: /^\/api\/projects$/, methods: { GET: listProjects, POST: createProject } },
    {
      pattern: new RegExp(`^/api/projects/${ID}$`),
      methods: { GET: getProject, PUT: updateProject, DELETE: deleteProject },
    },
    { pattern: new RegExp(`^/api/projects/${ID}/modify$`), methods: { POST: modify } },
    { pattern: new RegExp(`^/api/projects/${ID}/docs$`), methods: { GET: docs } },
    { pattern: /^\/api\/templates$/, methods: { GET: listTemplates, POST: createTemplate } },
  ];

  const corsOrigins = new Set(deps.corsOrigins ?? []);
  /** CORS headers for an allowed Origin (echoed, never "*"); none for other or absent origins. */
  const corsHeaders = (event: ApiEvent): Record<string, string> => {
    const origin = header(event, "origin");
    if (origin === undefined || !corsOrigins.has(origin)) return {};
    return {
      "access-control-allow-origin": origin,
      "access-control-expose-headers": "idempotent-replayed",
      vary: "Origin",
    };
  };

  return async function handle(event: ApiEvent, awsRequestId?: string): Promise<ApiResponse> {
    const response = await dispatch(event, awsRequestId);
    const cors = corsHeaders(event);
    return { ...response, headers: { ...response.headers, ...cors } };
  };

  async function dispatch(event: ApiEvent, awsRequestId?: string): Promise<ApiResponse> {
    const requestId = event.requestContext?.requestId ?? awsRequestId ?? randomUUID();
    const ctx: ResponseContext = { requestId, now };
    try {
      const path = event.path.length > 1 ? event.path.replace(/\/+$/, "") : event.path;
      for (const route of routes) {
        const match = route.pattern.exec(path);
        if (!match) continue;
        if (event.httpMethod.toUpperCase() === "OPTIONS") return preflight(event, Object.keys(route.methods));
        const handler = route.methods[event.httpMethod.toUpperCase()];
        if (!handler)
          throw new ApiError(405, "METHOD_NOT_ALLOWED", `${event.httpMethod} is not allowed on ${path}`, {
            allowed: Object.keys(route.methods),
          });
        return await handler({ event, params: match[1] ? { id: match[1] } : {}, ctx });
      }
      throw new ApiError(404, "ROUTE_NOT_FOUND", `No route for ${event.httpMethod} ${path}`);
    } catch (error) {
      if (error instanceof ApiError) return failure(ctx, error);
      if (isThrottling(error))
        return failure(ctx, new ApiError(503, "SERVICE_UNAVAILABLE", "The service is busy; retry shortly"));
      deps.logError?.(error, requestId);
      return failure(ctx, new ApiError(500, "INTERNAL_ERROR", "An unexpected error occurred"));
    }
  }

  /** A CORS preflight: 204, with the allowed methods and headers when the Origin is allowed. */
  function preflight(event: ApiEvent, methods: string[]): ApiResponse {
    const allowed = Object.keys(corsHeaders(event)).length > 0;
    return {
      statusCode: 204,
      headers: allowed
        ? {
            "access-control-allow-methods": [...methods, "OPTIONS"].join(","),
            "access-control-allow-headers": CORS_ALLOW_HEADERS,
            "access-control-max-age": String(CORS_MAX_AGE_SECONDS),
          }
        : {},
      body: "",
    };
  }
}

function secondsOf(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function messageFor(mod: Item): string {
  return JSON.stringify({
    type: "modification",
    task_id: mod.id,
    project_id: mod.project_id,
    modification_id: mod.id,
    request: mod.request,
    requested_by: mod.requested_by,
  });
}

function isThrottling(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? "";
  return ["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"].includes(
    name,
  );
}
