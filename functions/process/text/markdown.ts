/**
 * Markdown to blocks. A line-oriented reading of CommonMark/GFM that keeps what carries meaning (headings,
 * paragraphs, list items, table cells, code) and drops the rest: front matter, HTML comments and tags, link
 * reference definitions, thematic breaks, badge images, emphasis and link syntax.
 */
import { assemble, Block, CleanedDocument } from "./document";
import { decodeEntities } from "./entities";

const FRONT_MATTER_OPEN = /^---\s*$/;
const FRONT_MATTER_CLOSE = /^(---|\.\.\.)\s*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LINK_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*\S+/;
const TABLE_DELIMITER = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;
const LIST_MARKER = /^\s*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+\[[ xX]\])?[ \t]+/;
const BLOCKQUOTE = /^\s*(?:>\s?)+/;

export function cleanMarkdown(source: string): CleanedDocument {
  const lines = source.split("\n");
  const blocks: Block[] = [];
  let title: string | undefined;
  let firstH1: string | undefined;
  let paragraph: string[] = [];
  let i = 0;

  const flush = () => {
    if (paragraph.length > 0) blocks.push({ text: paragraph.join("\n") });
    paragraph = [];
  };

  if (lines.length > 0 && FRONT_MATTER_OPEN.test(lines[0])) {
    const close = lines.findIndex((line, n) => n > 0 && FRONT_MATTER_CLOSE.test(line));
    if (close > 0) {
      for (const line of lines.slice(1, close)) {
        const match = /^title:\s*["']?(.*?)["']?\s*$/.exec(line);
        if (match && match[1] !== "") title = match[1];
      }
      i = close + 1;
    }
  }

  let inComment = false;
  for (; i < lines.length; i++) {
    let line = lines[i];

    // HTML comments may span lines; everything inside is dropped.
    if (inComment) {
      const end = line.indexOf("-->");
      if (end < 0) continue;
      line = line.slice(end + 3);
      inComment = false;
    }
    if (line.includes("<!--")) {
      const open = line.lastIndexOf("<!--");
      if (line.indexOf("-->", open) < 0) {
        line = line.slice(0, open);
        inComment = true;
      }
    }

    // Block syntax is recognised by the line's first visible character; each pattern is tried only where it
    // can match, which keeps ordinary prose lines to a couple of character tests.
    const first = line.charAt(firstVisible(line));
    if (first === "") {
      flush();
      continue;
    }

    const fence = first === "`" || first === "~" ? FENCE.exec(line) : null;
    if (fence) {
      flush();
      const marker = fence[1];
      const code: string[] = [];
      for (i++; i < lines.length; i++) {
        const close = FENCE.exec(lines[i]);
        if (
          close &&
          close[1][0] === marker[0] &&
          close[1].length >= marker.length &&
          lines[i].trim() === close[1]
        )
          break;
        code.push(lines[i]);
      }
      blocks.push({ text: code.join("\n") });
      continue;
    }

    const heading = first === "#" ? ATX_HEADING.exec(line) : null;
    if (heading) {
      flush();
      const text = inline(heading[2] ?? "");
      blocks.push({ text, heading: heading[1].length });
      if (heading[1].length === 1 && firstH1 === undefined && text.trim() !== "") firstH1 = text;
      continue;
    }

    const underline =
      (first === "=" || first === "-") && paragraph.length > 0 ? SETEXT_UNDERLINE.exec(line) : null;
    if (underline && !LIST_MARKER.test(lines[i - 1])) {
      const level = underline[1][0] === "=" ? 1 : 2;
      const text = paragraph.join(" ");
      paragraph = [];
      blocks.push({ text, heading: level });
      if (level === 1 && firstH1 === undefined) firstH1 = text;
      continue;
    }

    if ((first === "-" || first === "*" || first === "_") && THEMATIC_BREAK.test(line)) {
      flush();
      continue;
    }
    if (first === "[" && LINK_DEFINITION.test(line)) continue;
    const hasPipe = line.includes("|");
    if (hasPipe && (first === "|" || first === "-" || first === ":") && TABLE_DELIMITER.test(line)) continue;

    let content = first === ">" ? line.replace(BLOCKQUOTE, "") : line;
    const isItem =
      (first === "-" || first === "*" || first === "+" || first === ">" || (first >= "0" && first <= "9")) &&
      LIST_MARKER.test(content);
    if (isItem) content = content.replace(LIST_MARKER, "");
    if (hasPipe && /^\s*\|/.test(content)) content = tableRow(content);
    content = inline(content);
    if (content.trim() === "") continue;

    // A list item or table row starts its own line; other lines are soft-wrapped continuations.
    if (isItem || paragraph.length === 0 || hasPipe) {
      paragraph.push(content);
    } else {
      paragraph[paragraph.length - 1] += ` ${content}`;
    }
  }
  flush();
  return assemble(blocks, title ?? firstH1);
}

/** Index of the first character that is not a space or tab (the line's length when there is none). */
function firstVisible(line: string): number {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  return i;
}

function tableRow(line: string): string {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|\s*$/, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim())
    .filter((cell) => cell !== "")
    .join(" | ");
}

const CODE_SPAN = /(`+)([\s\S]*?[^`])\1(?!`)/g;
const BADGE = /badge|shields\.io|travis-ci|coveralls|codecov|circleci|snyk\.io|badgen|\.svg(\?|#|$)/i;

/** Inline Markdown to plain text; code spans are copied as they are, without their backticks. */
export function inline(text: string): string {
  if (!text.includes("`")) return inlineProse(text);
  let out = "";
  let last = 0;
  for (const match of text.matchAll(CODE_SPAN)) {
    out += inlineProse(text.slice(last, match.index)) + match[2].trim();
    last = match.index + match[0].length;
  }
  return out + inlineProse(text.slice(last));
}

// Each rewrite runs only on text that contains its trigger character: most lines are plain prose, and a regular
// expression that cannot match still costs a scan.
function inlineProse(text: string): string {
  let out = text;
  if (out.includes("<")) {
    out = out
      .replace(/<!--.*?-->/g, "")
      .replace(/<((?:https?|ftp|mailto):[^>\s]+)>/gi, "$1")
      .replace(/<([^>\s@]+@[^>\s@]+)>/g, "$1")
      // Inline HTML tags (their text stays).
      .replace(/<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>/g, "");
  }
  if (out.includes("[")) {
    out = out
      // Images: badges and images without alt text are decoration; others keep their alt text.
      .replace(
        /!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+["'(][^)]*["')])?\s*\)/g,
        (_m, alt: string, url: string) =>
          alt.trim() === "" || BADGE.test(url) || BADGE.test(alt) ? "" : alt,
      )
      .replace(/!\[([^\]]*)\]\[[^\]]*\]/g, (_m, alt: string) => (BADGE.test(alt) ? "" : alt))
      // Links keep their text: inline, reference and collapsed.
      .replace(/\[([^\]]*)\]\((?:[^()\s]|\([^)]*\))*(?:\s+["'(][^)]*["')])?\s*\)/g, "$1")
      .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1");
  }
  // Emphasis and strikethrough; "_" only at word edges so snake_case survives.
  if (out.includes("*")) {
    out = out
      .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, "$1")
      .replace(/(?<![\w\\*])\*(?=[^\s*])([\s\S]*?[^\s*\\])\*(?!\*)/g, "$1");
  }
  if (out.includes("~~")) out = out.replace(/~~(?=\S)([\s\S]*?\S)~~/g, "$1");
  if (out.includes("_")) {
    out = out
      .replace(/(?<![\w\\])__(?=\S)([\s\S]*?\S)__(?!\w)/g, "$1")
      .replace(/(?<![\w\\])_(?=[^\s_])([\s\S]*?[^\s_\\])_(?!\w)/g, "$1");
  }
  if (out.includes("\\")) out = out.replace(/\\([!-/:-@[-`{-~])/g, "$1");
  return decodeEntities(out);
}
