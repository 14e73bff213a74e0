import { strict as assert } from "node:assert";
import fc from "fast-check";
import { chunkDocument, chunkText, Heading, isSpace } from "../../functions/shared/chunking";

/*
 * Where chunks end and the next one starts, checked against a brute-force reading of the documented rule (scan
 * every position, no search structure): a chunk ends at the latest break of the strongest kind that ends in the
 * second half of its window (heading, blank line, line break, sentence, clause, space), then after the spaces
 * that follow; the next chunk starts at the earliest break of the strongest kind in the overlap window, never
 * back across a heading.
 */

const KINDS: readonly (readonly string[])[] = [
  ["\n\n"],
  ["\n"],
  [". ", "! ", "? ", "\u3002", "\uff01", "\uff1f"],
  [", ", "; ", ": "],
  [" ", "\t"],
];

const skip = (text: string, p: number, limit: number) => {
  while (p < limit && /\s/.test(text[p])) p++;
  return p;
};

/** Positions in [lo, hi] right after a separator of `kind`. */
function breaksIn(text: string, kind: readonly string[], lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let p = Math.max(0, lo); p <= Math.min(hi, text.length); p++)
    if (kind.some((s) => p >= s.length && text.slice(p - s.length, p) === s)) out.push(p);
  return out;
}

/** The documented spans, computed position by position. */
function expectedSpans(text: string, sections: readonly number[], maxChars: number, overlapChars: number) {
  const n = text.length;
  if (n === 0) return [];
  const inside = sections.filter((s) => s > 0 && s < n);
  const minAdvance = Math.max(Math.ceil(maxChars / 2), overlapChars + 1);
  const spans: Array<{ start: number; end: number }> = [];
  let start = 0;
  while (n - start > maxChars) {
    const limit = start + maxChars;
    const floor = start + minAdvance;
    const headings = inside.filter((s) => s >= floor && s <= limit);
    let end = headings.length > 0 ? Math.max(...headings) : -1;
    const atSection = end >= 0;
    for (const kind of KINDS) {
      if (end >= 0) break;
      const found = breaksIn(text, kind, floor, limit);
      if (found.length > 0) end = skip(text, Math.max(...found), limit);
    }
    if (end < 0) {
      end = limit;
      const hi = text.charCodeAt(end - 1);
      const lo = text.charCodeAt(end);
      if (end - 1 >= floor && hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) end--;
    }
    spans.push({ start, end });
    if (atSection || overlapChars === 0) {
      start = end;
      continue;
    }
    const from = end - overlapChars;
    const heading = inside.filter((s) => s >= from && s < end);
    let next = heading.length > 0 ? Math.min(...heading) : -1;
    for (const kind of KINDS) {
      if (next >= 0) break;
      const found = breaksIn(text, kind, from, end - 1);
      if (found.length > 0) next = skip(text, Math.min(...found), end);
    }
    start = next < 0 ? end : next;
  }
  spans.push({ start, end: n });
  return spans;
}

const token = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(" ", "  ", "\n", "\n\n", "\n \n", ". ", "! ", "? ", ", ", "; ", ": ", "\t"),
  },
  { weight: 1, arbitrary: fc.constantFrom("\u3002", "\uff01", "\uff1f", "😀", "\u00a0", "\u2003", "\r\n") },
  {
    weight: 4,
    arbitrary: fc.string({ unit: fc.constantFrom("a", "b", "c", "d"), minLength: 1, maxLength: 14 }),
  },
);
const text = fc.array(token, { maxLength: 120 }).map((t) => t.join(""));
const options = fc
  .integer({ min: 2, max: 60 })
  .chain((maxChars) =>
    fc.record({ maxChars: fc.constant(maxChars), overlapChars: fc.integer({ min: 0, max: maxChars - 1 }) }),
  );

describe("functions/shared/chunking break points", () => {
  it("chunkText ends and starts chunks where the documented rule says, position by position", () => {
    fc.assert(
      fc.property(text, options, (input, { maxChars, overlapChars }) => {
        const actual = chunkText(input, { maxChars, overlapChars }).map(({ start, end }) => ({ start, end }));
        assert.deepEqual(actual, expectedSpans(input, [], maxChars, overlapChars));
      }),
      { numRuns: 250 },
    );
  });

  it("chunkDocument breaks at the last heading in the window and never overlaps back across one", () => {
    const withHeadings = text.chain((input) =>
      fc.record({
        input: fc.constant(input),
        starts: fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, input.length) }), { maxLength: 6 }),
      }),
    );
    fc.assert(
      fc.property(withHeadings, options, ({ input, starts }, { maxChars, overlapChars }) => {
        const headings: Heading[] = starts.map((start, i) => ({ start, level: 1 + (i % 3), title: `h${i}` }));
        const chunks = chunkDocument(input, headings, { maxChars, overlapChars });
        const spans = chunks.map(({ start, end }) => ({ start, end }));
        assert.deepEqual(
          spans,
          expectedSpans(
            input,
            [...starts].sort((a, b) => a - b),
            maxChars,
            overlapChars,
          ),
        );
        for (let i = 1; i < chunks.length; i++) {
          // Text after a heading may repeat only when the next chunk itself starts at a heading.
          const crossed = starts.filter((h) => chunks[i].start < h && h <= chunks[i - 1].end);
          if (crossed.length > 0)
            assert.ok(starts.includes(chunks[i].start), `chunk ${i} overlaps back across a heading`);
        }
      }),
      { numRuns: 200 },
    );
  });

  // Fixed cases for the rules a random text rarely reaches, each with both sides.
  const cases: Array<[string, string, number, number, Array<[number, number]>]> = [
    [
      "a line break is preferred over a later sentence end",
      "aaaaaa\nb. cc dd",
      12,
      0,
      [
        [0, 7],
        [7, 15],
      ],
    ],
    [
      "a sentence end is preferred over a later space",
      "aaa. bbb cccc",
      10,
      0,
      [
        [0, 5],
        [5, 13],
      ],
    ],
    [
      "a blank line is preferred over a later line break",
      "aaaaa\n\nb\ncc dd",
      12,
      0,
      [
        [0, 7],
        [7, 14],
      ],
    ],
    [
      "the latest break of a kind wins",
      "a b c d e f g",
      8,
      0,
      [
        [0, 8],
        [8, 13],
      ],
    ],
    [
      "a break in the first half does not count",
      "ab cdefghijkl",
      8,
      0,
      [
        [0, 8],
        [8, 13],
      ],
    ],
    [
      "spaces after the break go with the chunk",
      "aaaa.   bbbbbbbb",
      10,
      0,
      [
        [0, 8],
        [8, 16],
      ],
    ],
    [
      "the overlap starts at the earliest word",
      "aaaa bb cc dddddddd",
      12,
      6,
      [
        [0, 11],
        [5, 17],
        [11, 19],
      ],
    ],
    [
      "a lone high surrogate before a character above the low ones is cut after",
      "a\ud800\ue000b",
      2,
      0,
      [
        [0, 2],
        [2, 4],
      ],
    ],
    [
      "no break in the overlap: no overlap",
      "aaaa bbbbbbbbbbbbbb",
      10,
      3,
      [
        [0, 5],
        [5, 15],
        [15, 19],
      ],
    ],
  ];
  for (const [name, input, maxChars, overlapChars, expected] of cases)
    it(name, () => {
      const actual = chunkText(input, { maxChars, overlapChars }).map((c) => [c.start, c.end]);
      assert.deepEqual(actual, expected);
      assert.deepEqual(
        expectedSpans(input, [], maxChars, overlapChars).map((s) => [s.start, s.end]),
        expected,
        "the brute-force rule agrees",
      );
    });

  it("agrees with the rule on every short text over break characters and surrogates (exhaustive small scope)", () => {
    // Letters, breaks, the first and last astral characters, and lone surrogates: every text of up to four of
    // them, with every window of 2 to 4 and every overlap it allows.
    const symbols = ["a", " ", "\n", ". ", "\ud800\udc00", "\udbff\udfff", "\ud800", "\udfff"];
    let texts = [""];
    const all: string[] = [];
    for (let length = 1; length <= 4; length++) {
      texts = texts.flatMap((t) => symbols.map((s) => t + s));
      all.push(...texts);
    }
    for (const input of all)
      for (let maxChars = 2; maxChars <= 4; maxChars++)
        for (let overlapChars = 0; overlapChars < maxChars; overlapChars++) {
          const actual = chunkText(input, { maxChars, overlapChars }).map(({ start, end }) => ({
            start,
            end,
          }));
          assert.deepEqual(
            actual,
            expectedSpans(input, [], maxChars, overlapChars),
            JSON.stringify({ input, maxChars, overlapChars }),
          );
        }
  });

  it("treats exactly JavaScript's whitespace as space", () => {
    for (let c = 0; c <= 0xffff; c++)
      assert.equal(isSpace(c), /\s/.test(String.fromCharCode(c)), `U+${c.toString(16).padStart(4, "0")}`);
  });

  it("rejects every option outside its range, naming it, and accepts both edges", () => {
    const bad: Array<[number, number, RegExp]> = [
      [0, 0, /^maxChars must be/],
      [-3, 0, /^maxChars must be/],
      [1.5, 0, /^maxChars must be/],
      [Number.NaN, 0, /^maxChars must be/],
      [10, -1, /overlapChars .*\(9\), not -1/],
      [10, 10, /overlapChars/],
      [10, 0.5, /overlapChars/],
    ];
    for (const [maxChars, overlapChars, message] of bad)
      assert.throws(
        () => chunkText("x", { maxChars, overlapChars }),
        (e: Error) => e instanceof RangeError && message.test(e.message),
      );
    assert.deepEqual(
      chunkText("xy", { maxChars: 1, overlapChars: 0 }).map((c) => c.text),
      ["x", "y"],
    );
    assert.equal(chunkText("abc def ghi", { maxChars: 10, overlapChars: 9 }).length, 2);
  });
});
