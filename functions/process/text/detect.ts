/**
 * Which format an object is in, from (in order) its leading bytes, its key's extension, its declared content type,
 * and finally its decoded text. Magic bytes come first so a PDF named notes.txt is still refused as a PDF.
 */

import type { TextFormat } from "../../shared/processed-document";

/** Content types written in the processed document's header. */
export const FORMAT_CONTENT_TYPES: Readonly<Record<TextFormat, string>> = {
  text: "text/plain",
  markdown: "text/markdown",
  html: "text/html",
  json: "application/json",
  ndjson: "application/x-ndjson",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
};

const EXTENSIONS: Readonly<Record<string, TextFormat>> = {
  txt: "text",
  text: "text",
  log: "text",
  md: "markdown",
  markdown: "markdown",
  mdown: "markdown",
  mkd: "markdown",
  mdx: "markdown",
  html: "html",
  htm: "html",
  xhtml: "html",
  json: "json",
  jsonl: "ndjson",
  ndjson: "ndjson",
  csv: "csv",
  tsv: "tsv",
  tab: "tsv",
};

const CONTENT_TYPES: Readonly<Record<string, TextFormat>> = {
  "text/plain": "text",
  "text/markdown": "markdown",
  "text/x-markdown": "markdown",
  "text/html": "html",
  "application/xhtml+xml": "html",
  "application/json": "json",
  "text/json": "json",
  "application/x-ndjson": "ndjson",
  "application/jsonl": "ndjson",
  "application/x-jsonlines": "ndjson",
  "text/csv": "csv",
  "application/csv": "csv",
  "text/tab-separated-values": "tsv",
};

/** Formats recognised by their first bytes; none of them is text this pipeline can index. */
const SIGNATURES: readonly {
  readonly name: string;
  readonly bytes: readonly number[];
  readonly offset?: number;
}[] = [
  { name: "PDF", bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { name: "PNG image", bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: "JPEG image", bytes: [0xff, 0xd8, 0xff] },
  { name: "GIF image", bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: "WebP image", bytes: [0x57, 0x45, 0x42, 0x50], offset: 8 },
  { name: "ZIP archive (or DOCX/XLSX/PPTX/EPUB)", bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: "gzip archive", bytes: [0x1f, 0x8b] },
  { name: "7-Zip archive", bytes: [0x37, 0x7a, 0xbc, 0xaf] },
  { name: "RAR archive", bytes: [0x52, 0x61, 0x72, 0x21] },
  { name: "OLE document (DOC/XLS/PPT)", bytes: [0xd0, 0xcf, 0x11, 0xe0] },
  { name: "ELF executable", bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: "MP4/QuickTime media", bytes: [0x66, 0x74, 0x79, 0x70], offset: 4 },
  { name: "SQLite database", bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65] },
  { name: "WebAssembly module", bytes: [0x00, 0x61, 0x73, 0x6d] },
];

/** The binary format the bytes start with, if any. */
export function binarySignature(bytes: Uint8Array): string | undefined {
  for (const sig of SIGNATURES) {
    const at = sig.offset ?? 0;
    if (bytes.length < at + sig.bytes.length) continue;
    if (sig.bytes.every((b, i) => bytes[at + i] === b)) return sig.name;
  }
  return undefined;
}

/** The format named by the key's extension or the content type, if either is one this pipeline reads. */
export function declaredFormat(key: string, contentType: string | undefined): TextFormat | undefined {
  const name = key.slice(key.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  if (dot > 0) {
    const byExtension = EXTENSIONS[name.slice(dot + 1).toLowerCase()];
    if (byExtension) return byExtension;
  }
  const mime = contentType?.split(";")[0].trim().toLowerCase();
  return mime ? CONTENT_TYPES[mime] : undefined;
}

/** The charset parameter of a content type, e.g. "iso-8859-1" from "text/html; charset=ISO-8859-1". */
export function declaredCharset(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "");
  return match?.[1];
}

/** A charset named by an HTML document's <meta> in its first kilobyte (read as ASCII). */
export function htmlMetaCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024)).toString("latin1");
  const match = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head);
  return match?.[1];
}

/** Format of text that declared none: HTML and JSON recognise themselves; everything else is plain text. */
export function sniffFormat(text: string): TextFormat {
  const head = text.slice(0, 512).trimStart().toLowerCase();
  if (
    head.startsWith("<!doctype html") ||
    head.startsWith("<html") ||
    /^<(head|body|meta|title)[\s>]/.test(head)
  ) {
    return "html";
  }
  if (head.startsWith("{") || head.startsWith("[")) {
    try {
      JSON.parse(text);
      return "json";
    } catch {
      return "text";
    }
  }
  return "text";
}
