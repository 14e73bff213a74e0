import * as fs from "fs";
import * as path from "path";

/*
 * E-mail templates live as files, one folder per template: templates/email/<name>/subject.txt, body.html and
 * body.txt. They are read and checked when the program loads, so a missing or broken part fails `pulumi
 * preview` with the file's name instead of SES refusing the template halfway through `pulumi up`, or worse,
 * accepting it and failing every send with a rendering failure.
 */

/** The files of one template, in the order SES's CreateTemplate takes them. */
export const TEMPLATE_PARTS = ["subject.txt", "body.html", "body.txt"] as const;

/** SES limits: a template name of at most 64 letters, digits, _ and -, and 500 KB for both bodies. */
export const MAX_TEMPLATE_NAME = 64;
export const MAX_TEMPLATE_BODY_BYTES = 500 * 1024;

export interface EmailTemplateFiles {
  /** The folder name: the template's name without the stack prefix. */
  readonly name: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/**
 * Reads every template folder under `dir`, sorted by name. `shownDir` is how errors name the folder (the
 * project-relative path, e.g. templates/email). Throws one Error listing every problem.
 */
export function loadEmailTemplates(dir: string, shownDir = dir): EmailTemplateFiles[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new Error(`email templates: ${shownDir} is not a folder`);
  const problems: string[] = [];
  const templates: EmailTemplateFiles[] = [];
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const name of names) {
    const shown = (file: string) => `${shownDir}/${name}/${file}`;
    if (!/^[A-Za-z0-9_-]+$/.test(name))
      problems.push(`${shownDir}/${name}: a template name has only letters, digits, _ and -`);
    const present = fs.readdirSync(path.join(dir, name));
    for (const extra of present.filter((f) => !(TEMPLATE_PARTS as readonly string[]).includes(f)))
      problems.push(`${shown(extra)}: not a template part (expected ${TEMPLATE_PARTS.join(", ")})`);
    const parts: Record<string, string> = {};
    for (const part of TEMPLATE_PARTS) {
      if (!present.includes(part)) {
        problems.push(`${shown(part)}: missing (every template needs ${TEMPLATE_PARTS.join(", ")})`);
        continue;
      }
      const content = fs.readFileSync(path.join(dir, name, part), "utf8");
      if (content.trim() === "") problems.push(`${shown(part)}: empty`);
      else if (unbalancedBraces(content)) problems.push(`${shown(part)}: unbalanced {{ }} placeholders`);
      parts[part] = content;
    }
    const subject = (parts["subject.txt"] ?? "").replace(/\r?\n$/, "");
    if (/[\r\n]/.test(subject)) problems.push(`${shown("subject.txt")}: must be one line`);
    const bytes = Buffer.byteLength(parts["body.html"] ?? "") + Buffer.byteLength(parts["body.txt"] ?? "");
    if (bytes >= MAX_TEMPLATE_BODY_BYTES)
      problems.push(
        `${shownDir}/${name}: body.html and body.txt together must be under 500 KB (SES's limit)`,
      );
    templates.push({ name, subject, html: parts["body.html"] ?? "", text: parts["body.txt"] ?? "" });
  }
  if (problems.length > 0)
    throw new Error(`email templates in ${shownDir}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return templates;
}

/** Whether the Handlebars placeholders ({{x}}, {{{x}}}) open and close in pairs. */
function unbalancedBraces(content: string): boolean {
  let depth = 0;
  for (const m of content.matchAll(/\{\{|\}\}/g)) {
    depth += m[0] === "{{" ? 1 : -1;
    if (depth < 0 || depth > 1) return true;
  }
  return depth !== 0;
}
