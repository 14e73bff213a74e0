/** The JSON schemas of the REST API's request bodies and query strings (route table: api-routes.ts). */
import type { Schema } from "./json-schema";
import { CLIENT_ID_PATTERN } from "./websocket";

/** The project types the platform builds. */
export const PROJECT_TYPES = ["api", "web", "mobile", "data", "microservice"] as const;
export const PROJECT_STATUSES = ["active", "archived", "generating", "failed"] as const;

const name: Schema = { type: "string", minLength: 1, maxLength: 200 };
const description: Schema = { type: "string", maxLength: 4000 };
const ownerId: Schema = { type: "string", minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9_.@-]+$" };
const stringList: Schema = { type: "array", maxItems: 100, items: { type: "string", maxLength: 200 } };
const stringMap: Schema = { type: "object", maxProperties: 100 };
const templateId: Schema = { type: "string", minLength: 1, maxLength: 100, pattern: "^[a-z0-9][a-z0-9-]*$" };

export const createProjectSchema: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "type", "owner_id"],
  properties: {
    name,
    type: { type: "string", enum: PROJECT_TYPES },
    owner_id: ownerId,
    description,
    dependencies: stringList,
    deployment_config: stringMap,
  },
};

/** An update names the version it read: a concurrent change makes it fail with CONFLICT. */
export const updateProjectSchema: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["version"],
  minProperties: 2,
  properties: {
    version: { type: "integer", minimum: 1 },
    name,
    description,
    status: { type: "string", enum: PROJECT_STATUSES },
    dependencies: stringList,
    deployment_config: stringMap,
  },
};

/** A modification request; who asked is optional (the end-to-end test sends only the request). */
export const modifySchema: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["request"],
  properties: {
    request: { type: "string", minLength: 1, maxLength: 10000 },
    requested_by: ownerId,
  },
};

export const createTemplateSchema: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["id", "name", "category"],
  properties: {
    id: templateId,
    name,
    category: { type: "string", enum: PROJECT_TYPES },
    description,
    required_vars: stringList,
    optional_vars: stringList,
    tech_stack: stringList,
    complexity: { type: "string", enum: ["low", "medium", "high"] },
    tags: stringList,
  },
};

/** Query string of GET /projects: by owner (GSI1) or by status (GSI2). */
export const listProjectsSchema: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    owner_id: ownerId,
    status: { type: "string", enum: PROJECT_STATUSES },
    limit: { type: "string", pattern: "^(100|[1-9][0-9]?)$" },
    next_token: { type: "string", maxLength: 2048 },
  },
};

/** Seed 003's `POST /api/projects/from-template`: the template, the new project's name, the variables. */
export const fromTemplateSchema: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["template_id", "project_name"],
  properties: {
    template_id: templateId,
    project_name: name,
    variables: {
      type: "object",
      maxProperties: 50,
      additionalProperties: { type: "string", maxLength: 1000 },
    },
    owner_id: ownerId,
    description,
  },
};

/** `POST /api/projects/{id}/ws-ticket`: optionally the client id to keep acknowledgements under. */
export const wsTicketSchema: Schema = {
  type: "object",
  additionalProperties: false,
  properties: { client_id: { type: "string", pattern: CLIENT_ID_PATTERN.source } },
};

/** Query string of `GET /api/projects/{id}/events`: messages after a cursor (a message id). */
export const listEventsSchema: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    after: { type: "string", pattern: "^\\d{12}$" },
    limit: { type: "string", pattern: "^(500|[1-4][0-9]{2}|[1-9][0-9]?)$" },
  },
};
