/**
 * Data formats to text an embedding model reads well: every value on a line with the path of keys that leads to it
 * ("items[2].name: Widget"), one block per record (top-level array element, top-level key, NDJSON line, CSV row
 * group) so chunks break between records rather than inside them.
 */
import { assemble, Block, CleanedDocument } from "./document";

/** Raised for data that does not parse; the caller turns it into a rejection naming the problem. */
export class MalformedDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedDataError";
  }
}

export function cleanJson(source: string): CleanedDocument {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new MalformedDataError(`invalid JSON: ${(error as Error).message}`);
  }
  const blocks: Block[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => blocks.push({ text: flatten(item, `[${i}]`) }));
  } else if (isObject(value)) {
    // Scalars of the top-level object form one block; each nested value is a block of its own.
    const scalars: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (isObject(item) || Array.isArray(item)) blocks.push({ text: flatten(item, key) });
      else scalars.push(flatten(item, key));
    }
    if (scalars.length > 0) blocks.unshift({ text: scalars.join("\n") });
  } else {
    blocks.push({ text: flatten(value, "") });
  }
  return assemble(blocks, titleOf(value));
}

export function cleanNdjson(source: string): CleanedDocument {
  const blocks: Block[] = [];
  let title: string | undefined;
  const lines = source.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new MalformedDataError(`invalid JSON on line ${i + 1}: ${(error as Error).message}`);
    }
    title ??= titleOf(value);
    blocks.push({ text: flatten(value, "") });
  }
  return assemble(blocks, title);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function titleOf(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  for (const key of ["title", "name", "subject", "headline"]) {
    const candidate = value[key];
    if (typeof candidate === "string" && candidate.trim() !== "") return candidate;
  }
  return undefined;
}

/** "path: value" lines for every scalar under `root`, iteratively (deep nesting cannot overflow the stack). */
function flatten(root: unknown, rootPath: string): string {
  const lines: string[] = [];
  const stack: [string, unknown][] = [[rootPath, root]];
  while (stack.length > 0) {
    const [path, value] = stack.pop() as [string, unknown];
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([`${path}[${i}]`, value[i]]);
    } else if (isObject(value)) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i];
        stack.push([path === "" ? key : `${path}.${key}`, item]);
      }
    } else if (value !== null && value !== "") {
      const text = String(value).replace(/\s*\n\s*/g, " ");
      lines.push(path === "" ? text : `${path}: ${text}`);
    }
  }
  return lines.join("\n");
}

/** Rows of comma-, semicolon-, tab- or pipe-separated values with a header row, per RFC 4180 quoting. */
export function cleanCsv(source: string, delimiter?: string): CleanedDocument {
  const separator = delimiter ?? guessDelimiter(source);
  const rows = parseDelimited(source, separator);
  if (rows.length === 0) return assemble([], undefined);
  const header = rows[0].map((name, i) => name.trim() || `column ${i + 1}`);
  const lines: string[] = [];
  for (const row of rows.slice(1)) {
    const fields: string[] = [];
    row.forEach((value, i) => {
      const text = value.replace(/\s*\n\s*/g, " ").trim();
      if (text !== "") fields.push(`${header[i] ?? `column ${i + 1}`}: ${text}`);
    });
    if (fields.length > 0) lines.push(fields.join("; "));
  }
  // A file with only a header row still says something: its column names.
  if (lines.length === 0) lines.push(header.join("; "));
  // Rows stay lines of one block; the chunker breaks between them (line breaks), never inside one.
  return assemble([{ text: lines.join("\n") }], undefined);
}

function guessDelimiter(source: string): string {
  const newline = source.indexOf("\n");
  const firstLine = newline < 0 ? source : source.slice(0, newline);
  let best = ",";
  let bestCount = 0;
  for (const candidate of [",", ";", "\t", "|"]) {
    const count = firstLine.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

function parseDelimited(source: string, separator: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    if (quoted) {
      if (c === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if (c === separator) {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      if (row.some((f) => f !== "")) rows.push(row);
      row = [];
      field = "";
    } else {
      field += c;
    }
    i++;
  }
  row.push(field);
  if (row.some((f) => f !== "")) rows.push(row);
  return rows;
}
