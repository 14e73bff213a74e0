/**
 * Project templates: metadata in the table (`TEMPLATE#<id>`, with `required_vars` and
 * `optional_vars`), files in the artifacts bucket under templates/<id>/. A file's `{{name}}` placeholders are
 * replaced by the request's variables; `project_name` always comes from the request's own field.
 */
import type { Problem } from "./validate";

/** The variable every template gets, from the request's `project_name`. */
export const BUILT_IN_VARIABLES = ["project_name"] as const;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

const names = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

/** Each variable the template requires and the request lacks, and each the template does not know. */
export function templateVariableProblems(
  template: Record<string, unknown>,
  variables: Record<string, string>,
): Problem[] {
  const required = names(template.required_vars).filter(
    (v) => !(BUILT_IN_VARIABLES as readonly string[]).includes(v),
  );
  const known = new Set([...required, ...names(template.optional_vars), ...BUILT_IN_VARIABLES]);
  const problems: Problem[] = [];
  for (const name of required)
    if (variables[name] === undefined)
      problems.push({
        field: `$.variables.${name}`,
        message: `is required by template ${String(template.id)}`,
      });
  for (const name of Object.keys(variables))
    if (!known.has(name))
      problems.push({
        field: `$.variables.${name}`,
        message: `is not a variable of template ${String(template.id)} (it takes ${[...known].sort().join(", ")})`,
      });
  return problems;
}

/** `text` with every {{name}} the values know replaced; unknown placeholders stay as they are. */
export function renderTemplateFile(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}
