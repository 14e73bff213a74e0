import type { Schema } from "./validate";

/** Project types of seed 003. */
export const PROJECT_TYPES = ["api", "web", "mobile", "data", "microservice"] as const;
export const PROJECT_STATUSES = ["active", "archived", "generating", "failed"] as const;

const name: Schema = { type: "string", minLength: 1, maxLength: 200 };
const description: Schema = { type: "string", maxLength: 4000 };
const ownerId: Schema = { type: "string", minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9_.@-]+$" };
const stringList: Schema = { type: "array", maxItems: 100, items: { type: "string", maxLength: 200 } };
const stringMap: Schema = { type: "object", maxProperties: 100 };

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

export const modifySchema: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["request", "requested_by"],
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
    id: { type: "string", minLength: 1, maxLength: 100, pattern: "^[a-z0-9][a-z0-9-]*$" },
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
