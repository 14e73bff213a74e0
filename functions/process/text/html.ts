/**
 * HTML to blocks, with boilerplate removal. Not a browser parser: a tokenizer over tags and text that tracks just
 * enough state to
 *  - keep only the main content when the page marks it (<main>, else <article>, else the whole <body>);
 *  - drop navigation, banners, sidebars, footers, forms, scripts, styles and hidden elements with their content;
 *  - turn block elements into paragraph and line breaks, headings into heading blocks, table cells into " | ";
 *  - keep <pre> line breaks and collapse all other whitespace.
 */
import { assemble, Block, CleanedDocument } from "./document";
import { decodeEntities } from "./entities";

const TOKEN =
  /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[([\s\S]*?)\]\]>|<![^>]*>|<\?[^>]*>|<(\/?)([A-Za-z][A-Za-z0-9:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;

/** Elements whose content is not markup: skipped up to their end tag without tokenizing. */
const RAW_TEXT = new Set(["script", "style", "textarea", "title", "noscript", "xmp", "plaintext"]);
/** Elements dropped with their content wherever they are. */
const BOILERPLATE = new Set([
  "nav",
  "aside",
  "footer",
  "form",
  "button",
  "select",
  "dialog",
  "menu",
  "svg",
  "math",
  "template",
  "iframe",
  "object",
  "canvas",
  "video",
  "audio",
  "map",
  "head",
]);
const BOILERPLATE_ROLES =
  /\brole\s*=\s*["']?(navigation|banner|contentinfo|complementary|search|menu|menubar|dialog)\b/i;
const HIDDEN = /(?:^|\s)hidden(?:\s|=|$)|aria-hidden\s*=\s*["']?true/i;
const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);
const PARAGRAPH_BREAK = new Set([
  "p",
  "div",
  "section",
  "article",
  "main",
  "header",
  "blockquote",
  "pre",
  "table",
  "thead",
  "tbody",
  "tfoot",
  "ul",
  "ol",
  "dl",
  "figure",
  "figcaption",
  "address",
  "details",
  "summary",
  "fieldset",
  "hr",
  "body",
  "html",
  "center",
  "caption",
]);
const LINE_BREAK = new Set(["br", "li", "tr", "dt", "dd", "option"]);
const CELL = new Set(["td", "th"]);

type Scope = "main" | "article" | "body";

export function cleanHtml(source: string): CleanedDocument {
  const titleMatch = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(source);
  const title = titleMatch ? decodeEntities(titleMatch[1]).replace(/\s+/g, " ").trim() : undefined;
  const scope: Scope = /<main[\s>]/i.test(source)
    ? "main"
    : /<article[\s>]/i.test(source)
      ? "article"
      : "body";
  const out = new BlockWriter();

  let scopeDepth = 0;
  const skipping: string[] = [];
  let preDepth = 0;
  let headingLevel: number | undefined;
  let firstH1: string | undefined;

  const inScope = () => scope === "body" || scopeDepth > 0;
  TOKEN.lastIndex = 0;
  let last = 0;
  for (let match = TOKEN.exec(source); match !== null; match = TOKEN.exec(source)) {
    if (match.index > last && skipping.length === 0 && inScope())
      out.text(source.slice(last, match.index), preDepth > 0);
    last = TOKEN.lastIndex;

    const [token, cdata, slash, rawName, attributes] = match;
    if (cdata !== undefined) {
      if (skipping.length === 0 && inScope()) out.text(cdata, preDepth > 0);
      continue;
    }
    if (rawName === undefined) continue; // comment, doctype, processing instruction
    const name = rawName.toLowerCase();
    const closing = slash === "/";
    const selfClosing = token.endsWith("/>");

    if (!closing && RAW_TEXT.has(name)) {
      const closer = new RegExp(`</${name}\\s*>`, "gi");
      closer.lastIndex = last;
      const end = closer.exec(source);
      last = end === null ? source.length : end.index + end[0].length;
      TOKEN.lastIndex = last;
      continue;
    }

    if (closing && (name === "body" || name === "html" || (name === scope && scope !== "body"))) {
      skipping.length = 0; // an unclosed boilerplate element ends with its container
    }
    if (skipping.length > 0) {
      if (closing && name === skipping[skipping.length - 1]) skipping.pop();
      else if (!closing && !selfClosing && !VOID.has(name) && name === skipping[skipping.length - 1])
        skipping.push(name);
      continue;
    }
    if (!closing && !selfClosing && !VOID.has(name) && isBoilerplate(name, attributes, scope)) {
      skipping.push(name);
      continue;
    }

    if (name === scope && scope !== "body") {
      out.paragraph();
      scopeDepth = Math.max(0, scopeDepth + (closing ? -1 : selfClosing ? 0 : 1));
      continue;
    }
    if (name === "pre") preDepth = Math.max(0, preDepth + (closing ? -1 : selfClosing ? 0 : 1));

    const heading = /^h([1-6])$/.exec(name);
    if (heading) {
      if (!closing) {
        out.paragraph();
        headingLevel = Number(heading[1]);
      } else if (headingLevel !== undefined) {
        const text = out.paragraph(headingLevel);
        if (headingLevel === 1 && firstH1 === undefined && text && inScope()) firstH1 = text;
        headingLevel = undefined;
      }
      continue;
    }
    if (PARAGRAPH_BREAK.has(name)) out.paragraph(headingLevel);
    else if (LINE_BREAK.has(name)) out.line();
    else if (CELL.has(name) && !closing) out.cell();
  }
  if (last < source.length && skipping.length === 0 && inScope()) out.text(source.slice(last), preDepth > 0);
  return assemble(out.finish(), title || firstH1);
}

function isBoilerplate(name: string, attributes: string, scope: Scope): boolean {
  if (BOILERPLATE.has(name)) return true;
  // Inside <main>/<article> a <header> usually holds the title; on a whole page it is the site banner.
  if (name === "header" && scope === "body") return true;
  return attributes !== "" && (BOILERPLATE_ROLES.test(attributes) || HIDDEN.test(attributes));
}

/** Accumulates text into lines and lines into blocks. */
class BlockWriter {
  private readonly blocks: Block[] = [];
  private lines: string[] = [];
  private current = "";

  text(raw: string, preformatted: boolean): void {
    const text = decodeEntities(raw);
    if (!preformatted) {
      this.current += text.replace(/\s+/g, " ");
      return;
    }
    const lines = text.split("\n");
    this.current += lines[0];
    for (const line of lines.slice(1)) {
      this.line();
      this.current = line;
    }
  }

  cell(): void {
    if (this.current.trim() !== "") this.current += " | ";
  }

  line(): void {
    const line = this.current.replace(/\s*\|\s*$/, "");
    if (line.trim() !== "") this.lines.push(line);
    this.current = "";
  }

  /** Ends the current block (as a heading of `level` when given); returns its text. */
  paragraph(level?: number): string | undefined {
    this.line();
    if (this.lines.length === 0) return undefined;
    const text = this.lines.join("\n");
    this.blocks.push(level === undefined ? { text } : { text, heading: level });
    this.lines = [];
    return text;
  }

  finish(): Block[] {
    this.paragraph();
    return this.blocks;
  }
}
