/**
 * Raw object bytes to cleaned text, or the reason there is none: empty, binary or a format this pipeline does
 * not read, undecodable, malformed structured data, or nothing left once markup and boilerplate are gone.
 */
import type { RejectReason } from "../../shared/outcome";
import type { TextFormat } from "../../shared/processed-document";
import { decodeText } from "./decode";
import { binarySignature, declaredCharset, declaredFormat, htmlMetaCharset, sniffFormat } from "./detect";
import { canonicalText, CleanedDocument, cleanPlainText } from "./document";
import { cleanHtml } from "./html";
import { cleanMarkdown } from "./markdown";
import { cleanCsv, cleanJson, cleanNdjson, MalformedDataError } from "./structured";

export type Extraction =
  | {
      readonly ok: true;
      readonly format: TextFormat;
      readonly encoding: string;
      /** True when no encoding fitted and Windows-1252 was assumed. */
      readonly fallback: boolean;
      readonly document: CleanedDocument;
    }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

export function extractText(bytes: Uint8Array, key: string, contentType: string | undefined): Extraction {
  if (bytes.length === 0)
    return { ok: false, reason: "empty-object", detail: "the object is empty (0 bytes)" };

  const signature = binarySignature(bytes);
  if (signature === "PDF") {
    return {
      ok: false,
      reason: "unsupported-format",
      detail:
        "PDF is not supported: no PDF text extractor is bundled (convert to text or Markdown before upload)",
    };
  }
  if (signature)
    return { ok: false, reason: "binary-content", detail: `the object is a ${signature}, not text` };

  const declared = declaredFormat(key, contentType);
  const charset = declaredCharset(contentType) ?? (declared === "html" ? htmlMetaCharset(bytes) : undefined);
  const decoded = decodeText(bytes, charset);
  if (!decoded.ok) return { ok: false, reason: decoded.reason, detail: decoded.detail };

  const text = canonicalText(decoded.text);
  const format = declared ?? sniffFormat(text);
  let document: CleanedDocument;
  try {
    document = clean(text, format);
  } catch (error) {
    if (error instanceof MalformedDataError)
      return { ok: false, reason: "malformed-document", detail: error.message };
    throw error;
  }
  if (document.text === "") {
    return {
      ok: false,
      reason: "no-text",
      detail: `no text left after cleaning the ${format} (markup or boilerplate only)`,
    };
  }
  return { ok: true, format, encoding: decoded.encoding, fallback: decoded.fallback, document };
}

function clean(text: string, format: TextFormat): CleanedDocument {
  switch (format) {
    case "markdown":
      return cleanMarkdown(text);
    case "html":
      return cleanHtml(text);
    case "json":
      return cleanJson(text);
    case "ndjson":
      return cleanNdjson(text);
    case "csv":
      return cleanCsv(text);
    case "tsv":
      return cleanCsv(text, "\t");
    case "text":
      return cleanPlainText(text);
  }
}
