/**
 * Bytes to text. Order of evidence: a byte order mark; UTF-16 without a mark (recognised by its zero bytes);
 * strict UTF-8; the charset the object declares; and Windows-1252 (the superset of Latin-1 that WHATWG decoders
 * use for "latin1") as a last resort, which always decodes and is reported as a fallback. Bytes that are not
 * text at all (zero bytes outside UTF-16, or many control characters) are refused rather than decoded into noise.
 */

export type Decoded =
  | { readonly ok: true; readonly text: string; readonly encoding: string; readonly fallback: boolean }
  | { readonly ok: false; readonly reason: "binary-content" | "undecodable-text"; readonly detail: string };

/** How much of the start of the object is inspected for zero bytes and control characters. */
const SAMPLE_BYTES = 64 * 1024;
/** Above this share of control characters the text is taken for binary data. */
const MAX_CONTROL_RATIO = 0.02;

export function decodeText(bytes: Uint8Array, declaredCharset?: string): Decoded {
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0) {
    return {
      ok: false,
      reason: "undecodable-text",
      detail: "UTF-32 (little-endian byte order mark) is not supported",
    };
  }
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff) {
    return {
      ok: false,
      reason: "undecodable-text",
      detail: "UTF-32 (big-endian byte order mark) is not supported",
    };
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return strict(bytes.subarray(3), "utf-8", "byte order mark");
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return strict(bytes.subarray(2), "utf-16le", "byte order mark");
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return strict(bytes.subarray(2), "utf-16be", "byte order mark");
  }

  // Only text with zero bytes can be BOM-less UTF-16; a native search rules most files out at once.
  const zero = bytes.subarray(0, SAMPLE_BYTES).indexOf(0);
  const utf16 = zero >= 0 ? guessUtf16(bytes) : undefined;
  if (utf16) return strict(bytes, utf16, "zero-byte pattern");
  if (zero >= 0) {
    return { ok: false, reason: "binary-content", detail: `zero byte at offset ${zero}: not a text file` };
  }

  const utf8 = tryDecode(bytes, "utf-8");
  if (utf8 !== undefined) return checked(utf8, "utf-8", false);

  const label = declaredCharset?.trim().toLowerCase();
  if (label && label !== "utf-8" && label !== "utf8") {
    const declared = tryDecode(bytes, label);
    if (declared !== undefined) return checked(declared, label, false);
  }
  return checked(new TextDecoder("windows-1252").decode(bytes), "windows-1252", true);
}

function strict(bytes: Uint8Array, encoding: string, evidence: string): Decoded {
  const text = tryDecode(bytes, encoding);
  if (text === undefined) {
    return {
      ok: false,
      reason: "undecodable-text",
      detail: `not valid ${encoding.toUpperCase()} (detected by ${evidence})`,
    };
  }
  return checked(text, encoding, false);
}

/** Decodes strictly; undefined when the bytes are invalid in that encoding or the encoding is unknown. */
function tryDecode(bytes: Uint8Array, encoding: string): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * UTF-16 without a byte order mark: ASCII-range text in UTF-16 has a zero in every other byte. Require most
 * bytes of one parity to be zero and almost none of the other.
 */
function guessUtf16(bytes: Uint8Array): "utf-16le" | "utf-16be" | undefined {
  const length = Math.min(bytes.length, SAMPLE_BYTES) & ~1;
  if (length < 4) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < length; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const pairs = length / 2;
  if (oddZeros > pairs * 0.3 && evenZeros < pairs * 0.05) return "utf-16le";
  if (evenZeros > pairs * 0.3 && oddZeros < pairs * 0.05) return "utf-16be";
  return undefined;
}

const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f]/g;

function checked(text: string, encoding: string, fallback: boolean): Decoded {
  const sample = Math.min(text.length, SAMPLE_BYTES);
  const controls = text.slice(0, sample).match(CONTROL_CHARACTERS)?.length ?? 0;
  if (sample > 0 && controls / sample > MAX_CONTROL_RATIO) {
    return {
      ok: false,
      reason: fallback ? "undecodable-text" : "binary-content",
      detail: `${controls} control characters in the first ${sample} characters as ${encoding}`,
    };
  }
  return { ok: true, text, encoding, fallback };
}
