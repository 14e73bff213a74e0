/**
 * The common output of every format cleaner. Cleaners emit blocks (paragraphs, headings, list items, table rows,
 * code); `assemble` normalises each block's whitespace and joins blocks with a blank line, recording where each
 * heading lands in the final text so the chunker can break at it and name the section each chunk belongs to.
 */
import type { Heading } from "../../shared/chunking";

export interface Block {
  /** Lines of the block, separated by "\n"; whitespace is normalised by `assemble`. */
  readonly text: string;
  /** Heading level 1-6 when the block is a heading. */
  readonly heading?: number;
}

export interface CleanedDocument {
  /** Normalised text: single spaces, no blank lines inside a block, blocks separated by one blank line. */
  readonly text: string;
  readonly headings: readonly Heading[];
  /** The document's own title (Markdown front matter or first H1, HTML <title>, a JSON "title" field). */
  readonly title?: string;
}

/** Heading titles go into every vector's metadata; keep them short. */
const MAX_HEADING_CHARS = 200;

const LINE_SEPARATOR = /[\u2028\u2029\u0085]/g;
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\u200b\u2060\ufeff]+/g;
// Runs that need rewriting: two or more whitespace characters, or one that is not a plain space. A lone space
// (most of them) is left alone rather than replaced by itself.
const SPACE_RUN =
  /[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;
// A line break with the spaces around it and any blank lines after it.
const LINE_BREAKS = / ?\n[ \n]*/g;

/** Collapses horizontal whitespace, trims lines and drops empty ones (native regex passes, no per-line work). */
export function normalizeBlock(text: string): string {
  return text
    .replace(LINE_SEPARATOR, "\n")
    .replace(CONTROL, "")
    .replace(SPACE_RUN, " ")
    .replace(LINE_BREAKS, "\n")
    .trim();
}

/** Unicode NFC and "\n" line ends: done once on decoded text, before any cleaner looks at it. */
export function canonicalText(text: string): string {
  return text.replace(/\r\n?/g, "\n").normalize("NFC");
}

export function assemble(blocks: Iterable<Block>, title?: string): CleanedDocument {
  const parts: string[] = [];
  const headings: Heading[] = [];
  let offset = 0;
  for (const block of blocks) {
    const text = normalizeBlock(block.text);
    if (text === "") continue;
    if (parts.length > 0) {
      parts.push("\n\n");
      offset += 2;
    }
    if (block.heading !== undefined) {
      headings.push({ start: offset, level: block.heading, title: shorten(text.replace(/\n/g, " ")) });
    }
    parts.push(text);
    offset += text.length;
  }
  const cleanTitle = title === undefined ? undefined : shorten(normalizeBlock(title).replace(/\n/g, " "));
  return { text: parts.join(""), headings, ...(cleanTitle ? { title: cleanTitle } : {}) };
}

function shorten(text: string): string {
  return text.length <= MAX_HEADING_CHARS ? text : `${text.slice(0, MAX_HEADING_CHARS - 1)}…`;
}

/** Plain text: paragraphs are separated by blank lines; nothing else is structure. */
export function cleanPlainText(text: string): CleanedDocument {
  return assemble(
    text.split(/\n[ \t\f\v\u00a0]*\n/).map((paragraph) => ({ text: paragraph })),
    undefined,
  );
}
