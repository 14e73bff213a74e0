/**
 * The api-handler (the platform's REST routes), independent of Lambda and of the AWS clients it is given: routing,
 * body limits, JSON schema validation, the error shape, idempotent creates and modifications, projects from
 * templates, project files, the message log and WebSocket tickets.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { stepTaskMessage } from "../../contracts/agents";
import { CORS_ALLOW_HEADERS } from "../../contracts/api-routes";
import {
  createProjectSchema,
  createTemplateSchema,
  fromTemplateSchema,
  listEventsSchema,
  listProjectsSchema,
  modifySchema,
  updateProjectSchema,
  wsTicketSchema,
} from "../../contracts/api-schemas";
import { artifactKeys, projectPathProblem } from "../../contracts/artifacts";
import { TICKET_TTL_SECONDS } from "../../contracts/websocket";
import type { ArtifactStore } from "../shared/artifact-store";
import type { ProjectLog } from "../shared/project-log";
import { ApiError, ApiResponse, failure, ok, redirect, ResponseContext } from "./lib/http";
import {
  Item,
  notFound,
  projectItem,
  projectKey,
  publicView,
  requestHash,
  Store,
  templateKey,
} from "./lib/store";
import { renderTemplateFile, templateVariableProblems } from "./lib/templates";
import { Schema, validate } from "./lib/validate";

/** The fields of an API Gateway REST (proxy) event the handler reads. */
export interface ApiEvent {
  readonly httpMethod: string;
  readonly path: string;
  readonly headers?: Record<string, string | undefined> | null;
  readonly queryStringParameters?: Record<string, string | undefined> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: {
    readonly requestId?: string;
    /** Set by API Gateway on methods that require an API key. */
    readonly identity?: { readonly apiKeyId?: string | null };
  };
}

/** Signs WebSocket tickets (functions/shared/ticket.ts with the stack's key). */
export type TicketIssuer = (claims: {
  projectId: string;
  clientId: string;
  expiresAt: number;
}) => Promise<string>;

export interface AppDeps {
  readonly store: Store;
  /** Sends one message body to the first agent's queue (contracts/agents.ts FIRST_AGENT). */
  readonly sendToFirstAgent: (body: string) => Promise<void>;
  /** The artifacts bucket: project files, templates, agents' artifacts, pre-signed downloads. */
  readonly artifacts: ArtifactStore;
  /** The projects' message logs (GET /events). */
  readonly log: ProjectLog;
  /** WebSocket tickets; absent where the WebSocket API uses IAM authorization. */
  readonly issueTicket?: TicketIssuer;
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
/** How long a download link (files, docs, artifacts) stays valid. */
export const DOWNLOAD_URL_SECONDS = 300;
/** Files a template may hold (each copied with its variables substituted). */
export const MAX_TEMPLATE_FILES = 200;
/** Files one listing returns. */
export const MAX_LISTED_FILES = 1000;
/** Messages one GET /events returns by default. */
export const DEFAULT_EVENTS_LIMIT = 100;

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

const ID = "[A-Za-z0-9_-]{1,100}";
/** A route's path pattern, each `{name}` a named group of ID (`{name+}`: the rest of the path). */
function pathPattern(path: string): RegExp {
  const source = path.replace(/\{([^}+]+)(\+?)\}/g, (_, name: string, greedy: string) =>
    greedy ? `(?<${name}>.+)` : `(?<${name}>${ID})`,
  );
  return new RegExp(`^${source}$`);
}

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

  /** The query string's parameters (those with a value), checked against `schema`. */
  const checkedQuery = (event: ApiEvent, schema: Schema): Record<string, string> => {
    const query = Object.fromEntries(
      Object.entries(event.queryStringParameters ?? {}).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    checked(schema, query);
    return query;
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
      item: projectItem(project),
      idempotency: key
        ? { scope: "POST /projects", key, hash: requestHash(input), nowSeconds: secondsOf(ctx.now()) }
        : undefined,
      response: { status: 201, data: project, queued: false },
      alreadyExists: () => new ApiError(409, "CONFLICT", `Project ${id} already exists`),
    });
    return earlier ? replayed(ctx, earlier.status, earlier.data) : ok(ctx, 201, project);
  };

  const listProjects: Handler = async ({ event, ctx }) => {
    const query = checkedQuery(event, listProjectsSchema);
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

  /** Records the modification (pending) and hands its first step to the first agent through its queue. */
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
      requested_by: input.requested_by ?? ownerOf(event),
      requested_at: at,
      status: "pending",
    };
    const message = messageFor(modification);
    // A read, not a transaction: DynamoDB conditions cover one item. A project deleted in between leaves an
    // orphan modification the delete's cleanup query misses only in that race; the PM agent finds no project.
    await existingProject(params.id);
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
        await deps.sendToFirstAgent(messageFor(earlier.data));
        await store.markQueued(scope, key!);
      }
      return replayed(ctx, earlier.status, earlier.data);
    }
    await deps.sendToFirstAgent(message);
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

  const existingProject = async (id: string): Promise<Item> => {
    const project = await store.get(projectKey(id));
    if (!project) throw notFound("project", id);
    return project;
  };

  /** The project's files (projects/<id>/...) whose path passes `keep`, each with a pre-signed GET URL. */
  const fileLinks = async (projectId: string, keep: (path: string) => boolean = () => true) => {
    const { objects, truncated } = await deps.artifacts.list(
      artifactKeys.projectPrefix(projectId),
      MAX_LISTED_FILES,
    );
    const files = await Promise.all(
      objects
        .filter((o) => keep(o.path))
        .map(async (o) => ({
          path: o.path,
          size: o.size,
          last_modified: o.lastModified ?? null,
          url: await deps.artifacts.presign(o.key, DOWNLOAD_URL_SECONDS),
          expires_in: DOWNLOAD_URL_SECONDS,
        })),
    );
    return { files, truncated };
  };

  /** Pre-signed download links for the project's documentation (its Markdown files). */
  const docs: Handler = async ({ params, ctx }) => {
    await existingProject(params.id);
    const { files } = await fileLinks(params.id, (path) => /\.md$/i.test(path));
    return ok(ctx, 200, { project_id: params.id, items: files });
  };

  /** Seed 003's file-handler: every file of the project with a short-lived download URL. */
  const listFiles: Handler = async ({ params, ctx }) => {
    await existingProject(params.id);
    const { files, truncated } = await fileLinks(params.id);
    return ok(ctx, 200, { project_id: params.id, files, truncated });
  };

  /** 302 to a pre-signed GET URL of one file. */
  const getFile: Handler = async ({ params, ctx }) => {
    const problem = projectPathProblem(params.path);
    if (problem) throw new ApiError(400, "VALIDATION_ERROR", `path ${problem}`, { field: "path" });
    await existingProject(params.id);
    const key = artifactKeys.projectFile(params.id, params.path);
    if (!(await deps.artifacts.exists(key))) throw notFound("file", params.path);
    return redirect(ctx, await deps.artifacts.presign(key, DOWNLOAD_URL_SECONDS));
  };

  /**
   * Seed 003's `POST /api/projects/from-template`: the template's metadata from the table, its files from
   * templates/<id>/ in the bucket, copied to projects/<new id>/ with {{variable}} placeholders filled in.
   */
  const fromTemplate: Handler = async ({ event, ctx }) => {
    const input = body(event, fromTemplateSchema);
    const key = idempotencyKey(event);
    const templateId = input.template_id as string;
    const template = await store.get(templateKey(templateId));
    if (!template) throw notFound("template", templateId);
    const variables = { ...((input.variables as Record<string, string> | undefined) ?? {}) };
    const problems = templateVariableProblems(template, variables);
    if (problems.length > 0)
      throw new ApiError(400, "VALIDATION_ERROR", `${problems[0].field} ${problems[0].message}`, {
        problems,
      });
    const values = { ...variables, project_name: input.project_name as string };

    const { objects, truncated } = await deps.artifacts.list(
      artifactKeys.templatePrefix(templateId),
      MAX_TEMPLATE_FILES,
    );
    if (truncated)
      throw new ApiError(
        422,
        "TEMPLATE_TOO_LARGE",
        `Template ${templateId} has more than ${MAX_TEMPLATE_FILES} files`,
      );
    const at = ctx.now().toISOString();
    const id = newId("proj");
    const owner = (input.owner_id as string | undefined) ?? ownerOf(event);
    const project: Item = {
      id,
      name: input.project_name,
      type: template.category,
      status: "active",
      owner_id: owner,
      description: input.description ?? template.description ?? "",
      dependencies: template.tech_stack ?? [],
      deployment_config: {},
      template_id: templateId,
      version: 1,
      created_at: at,
      updated_at: at,
    };
    const files = objects.map((o) => o.path);
    const response = { project, files };
    const earlier = await store.putOnce({
      item: projectItem(project),
      idempotency: key
        ? {
            scope: "POST /projects/from-template",
            key,
            hash: requestHash(input),
            nowSeconds: secondsOf(ctx.now()),
          }
        : undefined,
      response: { status: 201, data: response, queued: false },
      alreadyExists: () => new ApiError(409, "CONFLICT", `Project ${id} already exists`),
    });
    // On a retried request the first attempt may have stopped half-way through the copy: copying is
    // idempotent (same keys, same content), so it runs again before the earlier response is returned.
    const target = ((earlier?.data.project as Item | undefined)?.id as string | undefined) ?? id;
    await Promise.all(
      objects.map(async (o) => {
        const text = await deps.artifacts.getText(o.key);
        if (text === undefined) return;
        await deps.artifacts.putText(
          artifactKeys.projectFile(target, o.path),
          renderTemplateFile(text, values),
        );
      }),
    );
    return earlier ? replayed(ctx, earlier.status, earlier.data) : ok(ctx, 201, response);
  };

  /** A modification with its steps (the agents' task records) and links to the artifacts they wrote. */
  const getModification: Handler = async ({ params, ctx }) => {
    const modification = await store.get({
      PK: projectKey(params.id).PK,
      SK: `MOD#${params.modification_id}`,
    });
    if (!modification) throw notFound("modification", params.modification_id);
    const tasks = await store.queryPartition(projectKey(params.id).PK, `TASK#${params.modification_id}-r`);
    const steps = tasks
      .map((t) => {
        const result = (t.result ?? {}) as Item;
        return {
          agent: t.agent,
          round: Number(String(t.task_id).slice(`${params.modification_id}-r`.length)),
          status: t.status,
          created_at: t.created_at,
          updated_at: t.updated_at,
          ...(result.error ? { error: result.error } : {}),
          ...(result.artifacts ? { artifacts: result.artifacts } : {}),
          ...(result.usage ? { usage: result.usage } : {}),
          ...(result.verdict ? { verdict: result.verdict } : {}),
          ...(result.summary ? { summary: result.summary } : {}),
        };
      })
      .sort((a, b) => a.round - b.round || String(a.created_at).localeCompare(String(b.created_at)));
    const documents = steps
      .flatMap((s) => (s.artifacts as string[] | undefined) ?? [])
      .filter((k) => !k.startsWith(artifactKeys.projectPrefix(params.id)));
    const links = Object.fromEntries(
      await Promise.all(
        documents.map(async (k) => [k, await deps.artifacts.presign(k, DOWNLOAD_URL_SECONDS)]),
      ),
    );
    return ok(ctx, 200, { ...publicView(modification), steps, links, links_expire_in: DOWNLOAD_URL_SECONDS });
  };

  /** The polling fallback of the WebSocket: the project's messages after a cursor. */
  const events: Handler = async ({ event, params, ctx }) => {
    const query = checkedQuery(event, listEventsSchema);
    await existingProject(params.id);
    const page = await deps.log.after(params.id, query.after, Number(query.limit ?? DEFAULT_EVENTS_LIMIT));
    const last = page.items[page.items.length - 1];
    return ok(ctx, 200, {
      project_id: params.id,
      items: page.items,
      next_cursor: last?.id ?? query.after ?? null,
      more: page.more,
    });
  };

  /** A ticket for `<wsUrl>?project_id=<id>&ticket=<t>`, bound to the project and a client id. */
  const wsTicket: Handler = async ({ event, params, ctx }) => {
    const input = body(event, wsTicketSchema);
    if (!deps.issueTicket)
      throw new ApiError(
        501,
        "NOT_IMPLEMENTED",
        "This stack's WebSocket API uses IAM authorization: sign $connect with SigV4 instead of a ticket",
      );
    await existingProject(params.id);
    const clientId = (input.client_id as string | undefined) ?? `client_${randomBytes(12).toString("hex")}`;
    const expiresAt = secondsOf(ctx.now()) + TICKET_TTL_SECONDS;
    const ticket = await deps.issueTicket({ projectId: params.id, clientId, expiresAt });
    return ok(ctx, 201, {
      ticket,
      project_id: params.id,
      client_id: clientId,
      expires_at: new Date(expiresAt * 1000).toISOString(),
      expires_in: TICKET_TTL_SECONDS,
    });
  };

  const health: Handler = async ({ ctx }) => ok(ctx, 200, { status: "ok" });

  // Static segments before parameters: /api/projects/from-template is not a project id.
  const table: { path: string; methods: Record<string, Handler> }[] = [
    { path: "/health", methods: { GET: health } },
    { path: "/api/projects", methods: { GET: listProjects, POST: createProject } },
    { path: "/api/projects/from-template", methods: { POST: fromTemplate } },
    { path: "/api/projects/{id}", methods: { GET: getProject, PUT: updateProject, DELETE: deleteProject } },
    { path: "/api/projects/{id}/modify", methods: { POST: modify } },
    { path: "/api/projects/{id}/modifications/{modification_id}", methods: { GET: getModification } },
    { path: "/api/projects/{id}/docs", methods: { GET: docs } },
    { path: "/api/projects/{id}/files", methods: { GET: listFiles } },
    { path: "/api/projects/{id}/files/{path+}", methods: { GET: getFile } },
    { path: "/api/projects/{id}/events", methods: { GET: events } },
    { path: "/api/projects/{id}/ws-ticket", methods: { POST: wsTicket } },
    { path: "/api/templates", methods: { GET: listTemplates, POST: createTemplate } },
  ];
  const routes: Route[] = table.map((r) => ({ pattern: pathPattern(r.path), methods: r.methods }));

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
        return await handler({ event, params: { ...match.groups }, ctx });
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

/** The first step's task message (the same shape the routing rules send to later agents). */
function messageFor(mod: Item): string {
  return JSON.stringify(stepTaskMessage(mod.project_id as string, mod.id as string, 0));
}

/** Who a request acts for when the body names nobody: the API key's id, which API Gateway sets. */
function ownerOf(event: ApiEvent): string {
  return event.requestContext?.identity?.apiKeyId ?? "anonymous";
}

function isThrottling(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? "";
  return ["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"].includes(
    name,
  );
}
