/**
 * The project templates in the repository (templates/projects/<id>/: template.json and files/), read and
 * checked once for the ProjectTemplates component and the local runner, which seed the same table items and
 * bucket objects from it. Plain Node: no Pulumi or AWS imports, so the local runner can load it alone.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { PROJECT_TYPES } from "../../contracts/api-schemas";
import { artifactKeys, projectPathProblem } from "../../contracts/artifacts";

export interface TemplateMetadata {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly category: (typeof PROJECT_TYPES)[number];
  readonly required_vars: readonly string[];
  readonly optional_vars: readonly string[];
  readonly tech_stack: readonly string[];
  readonly complexity?: string;
  readonly estimated_setup_time?: number;
  readonly tags: readonly string[];
}

export interface TemplateFile {
  /** Relative to the template's files/ folder, with forward slashes. */
  readonly path: string;
  /** The bucket key: templates/<id>/<path>. */
  readonly key: string;
  readonly source: string;
  readonly content: string;
}

export interface ProjectTemplate {
  readonly metadata: TemplateMetadata;
  readonly files: readonly TemplateFile[];
}

const ID = /^[a-z0-9][a-z0-9-]{0,99}$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
}

const strings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === "string");

/** Every template under `root`; throws one error naming each problem (file, field, what is allowed). */
export function readTemplateCatalog(root: string): ProjectTemplate[] {
  const problems: string[] = [];
  const templates: ProjectTemplate[] = [];
  for (const id of readdirSync(root).sort()) {
    const dir = join(root, id);
    if (!statSync(dir).isDirectory()) continue;
    const where = `templates/projects/${id}`;
    if (!ID.test(id)) problems.push(`${where}: the folder name must be a template id (${ID.source})`);
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(readFileSync(join(dir, "template.json"), "utf8"));
    } catch (error) {
      problems.push(`${where}/template.json: ${(error as Error).message}`);
      continue;
    }
    if (raw.id !== id)
      problems.push(`${where}/template.json: id ${JSON.stringify(raw.id)} must be the folder name ${id}`);
    if (typeof raw.name !== "string" || raw.name === "")
      problems.push(`${where}/template.json: name must be a non-empty string`);
    if (!(PROJECT_TYPES as readonly unknown[]).includes(raw.category))
      problems.push(
        `${where}/template.json: category ${JSON.stringify(raw.category)} must be one of ${PROJECT_TYPES.join(", ")}`,
      );
    for (const key of ["required_vars", "optional_vars", "tech_stack", "tags"])
      if (raw[key] !== undefined && !strings(raw[key]))
        problems.push(`${where}/template.json: ${key} must be a list of strings`);
    const metadata: TemplateMetadata = {
      id,
      name: String(raw.name ?? ""),
      description: String(raw.description ?? ""),
      category: raw.category as TemplateMetadata["category"],
      required_vars: strings(raw.required_vars) ? raw.required_vars : [],
      optional_vars: strings(raw.optional_vars) ? raw.optional_vars : [],
      tech_stack: strings(raw.tech_stack) ? raw.tech_stack : [],
      ...(typeof raw.complexity === "string" ? { complexity: raw.complexity } : {}),
      ...(typeof raw.estimated_setup_time === "number"
        ? { estimated_setup_time: raw.estimated_setup_time }
        : {}),
      tags: strings(raw.tags) ? raw.tags : [],
    };
    const known = new Set(["project_name", ...metadata.required_vars, ...metadata.optional_vars]);
    const filesDir = join(dir, "files");
    const files: TemplateFile[] = [];
    for (const source of walk(filesDir)) {
      const path = relative(filesDir, source).split(sep).join("/");
      const bad = projectPathProblem(path);
      if (bad) problems.push(`${where}/files/${path}: the path ${bad}`);
      const content = readFileSync(source, "utf8");
      for (const [, name] of content.matchAll(PLACEHOLDER))
        if (!known.has(name))
          problems.push(
            `${where}/files/${path}: {{${name}}} is not a variable of the template (${[...known].join(", ")})`,
          );
      files.push({ path, key: `${artifactKeys.templatePrefix(id)}${path}`, source, content });
    }
    if (files.length === 0) problems.push(`${where}/files: a template needs at least one file`);
    templates.push({ metadata, files });
  }
  if (problems.length > 0)
    throw new Error(`project templates:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return templates;
}

/** The template's item in the Data table, as `GET /api/templates` lists it. */
export function templateItem(metadata: TemplateMetadata): Record<string, unknown> {
  return {
    PK: `TEMPLATE#${metadata.id}`,
    SK: "METADATA",
    GSI2PK: "TYPE#TEMPLATE",
    GSI2SK: `TEMPLATE#${metadata.id}`,
    EntityType: "Template",
    ...metadata,
    source: "repository",
  };
}
