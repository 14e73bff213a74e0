/**
 * Structure-aware chunking of cleaned text.
 *
 * Each chunk ends at the strongest break in the second half of its window: a heading, else a blank line, a line
 * break, the end of a sentence, of a clause, a space, in that order, the latest one of that kind; a hard cut
 * happens only inside a single over-long word. The next chunk starts at the strongest break inside the overlap
 * window, the earliest one, so overlaps begin at a paragraph, sentence or word (or there is no overlap). Chunks
 * never overlap across a heading: the new section starts clean.
 *
 * Speed: breaks are found with the engine's native indexOf/lastIndexOf; script code never walks the text
 * character by character (only over the few spaces after a break). Each separator remembers its next occurrence
 * and query windows only move forward, so every stretch of text is searched a bounded number of times: the whole
 * split is linear in the text's length.
 *
 * Invariants (property-tested): every chunk is at most `maxChars` long, `text === source.slice(start, end)`,
 * starts and ends strictly increase, the first chunk starts at 0, the last ends at `source.length`, and each chunk
 * starts at or before the end of the previous one, so together they cover the whole text.
 */

export interface ChunkOptions {
  /** Largest chunk, in UTF-16 code units. */
  readonly maxChars: number;
  /** Largest overlap between consecutive chunks; less than maxChars. */
  readonly overlapChars: number;
}

export interface Chunk {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** A heading of the cleaned text: where its title starts, its level (1 = top) and its title. */
export interface Heading {
  readonly start: number;
  readonly level: number;
  readonly title: string;
}

export interface DocumentChunk extends Chunk {
  /** Titles of the headings in force where the chunk starts, outermost first. */
  readonly headingPath: readonly string[];
}

/** Splits `text` into chunks; see the module comment for the guarantees. */
export function chunkText(text: string, options: ChunkOptions): Chunk[] {
  return split(text, [], options).map(({ start, end }) => ({ text: text.slice(start, end), start, end }));
}

/** Like chunkText, and also breaks at headings and gives each chunk its heading path. */
export function chunkDocument(
  text: string,
  headings: readonly Heading[],
  options: ChunkOptions,
): DocumentChunk[] {
  const sorted = [...headings].sort((a, b) => a.start - b.start);
  const spans = split(text, sorted, options);
  const chunks: DocumentChunk[] = [];
  const stack: Heading[] = [];
  let next = 0;
  let path: readonly string[] = [];
  for (const { start, end } of spans) {
    // Headings that begin at or before the chunk's first visible character are in force for it.
    let first = start;
    while (first < end && isSpace(text.charCodeAt(first))) first++;
    let changed = false;
    while (next < sorted.length && sorted[next].start <= first) {
      const heading = sorted[next++];
      while (stack.length > 0 && stack[stack.length - 1].level >= heading.level) stack.pop();
      stack.push(heading);
      changed = true;
    }
    if (changed) path = stack.map((h) => h.title);
    chunks.push({ text: text.slice(start, end), start, end, headingPath: path });
  }
  return chunks;
}

interface Span {
  start: number;
  end: number;
}

/** Separators by strength, strongest first; a chunk may end right after one (and after the spaces that follow). */
const LEVELS: readonly (readonly string[])[] = [
  ["\n\n"],
  ["\n"],
  [". ", "! ", "? ", "\u3002", "\uff01", "\uff1f"],
  [", ", "; ", ": "],
  [" ", "\t"],
];

/**
 * Occurrences of one separator, for queries whose lower bounds only grow (one Finder per kind of query). `next`
 * is the first occurrence at or after the last lower bound asked for, so text is never scanned twice forwards,
 * and a backward scan only starts once an occurrence is known to lie inside the window.
 */
class Finder {
  private next = -1;
  private bound = -1;
  // Invariant: `next` is the first occurrence at or after `bound` (MAX_SAFE_INTEGER when there is none).

  constructor(
    private readonly text: string,
    readonly separator: string,
  ) {}

  private firstFrom(from: number): number {
    if (from > this.bound) {
      this.bound = from;
      if (this.next < from) {
        const found = this.text.indexOf(this.separator, from);
        this.next = found < 0 ? Number.MAX_SAFE_INTEGER : found;
      }
    }
    return this.next;
  }

  /** The last occurrence starting in [from, to], or -1. */
  lastIn(from: number, to: number): number {
    if (to < from || to < 0 || this.firstFrom(Math.max(0, from)) > to) return -1;
    return this.text.lastIndexOf(this.separator, to);
  }

  /** The first occurrence starting in [from, to], or -1. */
  firstIn(from: number, to: number): number {
    if (to < from || to < 0) return -1;
    const first = this.firstFrom(Math.max(0, from));
    return first <= to ? first : -1;
  }
}

function split(text: string, headings: readonly Heading[], options: ChunkOptions): Span[] {
  const { maxChars, overlapChars } = options;
  if (!Number.isSafeInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be a whole number of at least 1, not ${maxChars}`);
  }
  if (!Number.isSafeInteger(overlapChars) || overlapChars < 0 || overlapChars >= maxChars) {
    throw new RangeError(
      `overlapChars must be a whole number from 0 to maxChars - 1 (${maxChars - 1}), not ${overlapChars}`,
    );
  }
  const n = text.length;
  if (n === 0) return [];
  if (n <= maxChars) return [{ start: 0, end: n }];

  // Two sets of finders: chunk ends and overlap starts are two sequences of queries, each moving forward.
  const endFinders = LEVELS.map((level) => level.map((separator) => new Finder(text, separator)));
  const startFinders = LEVELS.map((level) => level.map((separator) => new Finder(text, separator)));
  const sections = headings.map((h) => h.start).filter((start) => start > 0 && start < n);
  let sectionFloor = 0; // index of the first section start at or after the last window's floor
  let sectionFrom = 0; // same, for overlap windows

  // A chunk ends no earlier than half its window, so structure never produces slivers, and always more than
  // `overlapChars` past its start, so the next chunk (which starts at most overlapChars back) makes progress.
  const minAdvance = Math.max(Math.ceil(maxChars / 2), overlapChars + 1);
  const spans: Span[] = [];
  let start = 0;
  for (;;) {
    if (n - start <= maxChars) {
      spans.push({ start, end: n });
      return spans;
    }
    const limit = start + maxChars;
    const floor = start + minAdvance;

    // A heading: the last one in the window.
    while (sectionFloor < sections.length && sections[sectionFloor] < floor) sectionFloor++;
    let end = -1;
    for (let i = sectionFloor; i < sections.length && sections[i] <= limit; i++) end = sections[i];
    const atSection = end >= 0;

    // Otherwise the latest separator of the strongest kind present.
    for (let level = 0; end < 0 && level < LEVELS.length; level++) {
      for (const finder of endFinders[level]) {
        const length = finder.separator.length;
        const at = finder.lastIn(floor - length, limit - length);
        if (at >= 0 && at + length > end) end = at + length;
      }
      if (end >= 0) end = skipSpaces(text, end, limit);
    }
    if (end < 0) {
      // No break at all in the window: a hard cut, moved back one if it would split a surrogate pair.
      end = limit;
      if (end - 1 >= floor && splitsSurrogatePair(text, end)) end--;
    }
    spans.push({ start, end });
    if (atSection || overlapChars === 0) {
      start = end;
      continue;
    }

    // The next chunk starts at the earliest break of the strongest kind in the overlap window.
    const from = end - overlapChars;
    while (sectionFrom < sections.length && sections[sectionFrom] < from) sectionFrom++;
    let next = sectionFrom < sections.length && sections[sectionFrom] < end ? sections[sectionFrom] : -1;
    for (let level = 0; next < 0 && level < LEVELS.length; level++) {
      let first = Number.MAX_SAFE_INTEGER;
      for (const finder of startFinders[level]) {
        const length = finder.separator.length;
        const at = finder.firstIn(from - length, end - 1 - length);
        if (at >= 0 && at + length < first) first = at + length;
      }
      if (first !== Number.MAX_SAFE_INTEGER) next = skipSpaces(text, first, end);
    }
    start = next < 0 ? end : next;
  }
}

function skipSpaces(text: string, position: number, limit: number): number {
  let p = position;
  while (p < limit && isSpace(text.charCodeAt(p))) p++;
  return p;
}

function splitsSurrogatePair(text: string, i: number): boolean {
  const before = text.charCodeAt(i - 1);
  const after = text.charCodeAt(i);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/** Exactly the characters of JavaScript's \s. */
export function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
