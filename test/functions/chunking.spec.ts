import { strict as assert } from "node:assert";
import fc from "fast-check";
import { Chunk, chunkDocument, chunkText, Heading } from "../../functions/shared/chunking";

/** The contract of chunkText, checked on every result. */
function assertInvariants(
  text: string,
  chunks: readonly Chunk[],
  maxChars: number,
  overlapChars: number,
): void {
  if (text.length === 0) {
    assert.deepEqual(chunks, []);
    return;
  }
  assert.equal(chunks[0].start, 0, "first chunk starts at 0");
  assert.equal(chunks[chunks.length - 1].end, text.length, "last chunk ends at the end");
  chunks.forEach((chunk, i) => {
    assert.ok(chunk.end - chunk.start <= maxChars, `chunk ${i} is ${chunk.end - chunk.start} > ${maxChars}`);
    assert.ok(chunk.end > chunk.start, `chunk ${i} is empty`);
    assert.equal(chunk.text, text.slice(chunk.start, chunk.end), `chunk ${i} text is its slice`);
    if (i > 0) {
      const previous = chunks[i - 1];
      assert.ok(chunk.start > previous.start && chunk.end > previous.end, `chunk ${i} is in order`);
      assert.ok(chunk.start <= previous.end, `no gap before chunk ${i}`);
      assert.ok(
        previous.end - chunk.start <= overlapChars,
        `overlap before chunk ${i} within ${overlapChars}`,
      );
    }
  });
}

/** Oracle: the headings at or before the chunk's first non-space character, nested by level. */
function expectedPath(text: string, headings: readonly Heading[], chunk: Chunk): string[] {
  let first = chunk.start;
  while (first < chunk.end && /\s/.test(text[first])) first++;
  const stack: Heading[] = [];
  for (const heading of [...headings].sort((a, b) => a.start - b.start)) {
    if (heading.start > first) break;
    while (stack.length > 0 && stack[stack.length - 1].level >= heading.level) stack.pop();
    stack.push(heading);
  }
  return stack.map((h) => h.title);
}

describe("functions/shared/chunking", () => {
  describe("chunkText", () => {
    it("returns no chunks for empty text and one chunk for text that fits", () => {
      // Prepare
      const options = { maxChars: 100, overlapChars: 10 };
      // Act
      const none = chunkText("", options);
      const one = chunkText("Short text.", options);
      // Assess
      assert.deepEqual(none, []);
      assert.deepEqual(one, [{ text: "Short text.", start: 0, end: 11 }]);
    });

    it("breaks at paragraphs before sentences, and at sentences before words", () => {
      // Prepare
      const first = "First paragraph has one sentence. And a second one here.";
      const second = "Second paragraph follows.";
      const text = `${first}\n\n${second}`;
      // Act
      const chunks = chunkText(text, { maxChars: 70, overlapChars: 0 });
      // Assess
      assert.deepEqual(
        chunks.map((c) => c.text),
        [`${first}\n\n`, second],
      );
      const sentences = chunkText(first, { maxChars: 40, overlapChars: 0 }).map((c) => c.text);
      assert.deepEqual(sentences, ["First paragraph has one sentence. ", "And a second one here."]);
    });

    it("starts overlaps at a word or sentence, never inside a word", () => {
      // Prepare
      const text = "Alpha beta gamma. Delta epsilon zeta. Eta theta iota. Kappa lambda mu.";
      // Act
      const chunks = chunkText(text, { maxChars: 30, overlapChars: 12 });
      // Assess
      assertInvariants(text, chunks, 30, 12);
      for (const chunk of chunks.slice(1)) {
        assert.match(text[chunk.start - 1], /\s/, `chunk at ${chunk.start} starts after whitespace`);
      }
      assert.ok(
        chunks.some((c, i) => i > 0 && c.start < chunks[i - 1].end),
        "some chunks overlap",
      );
    });

    it("cuts a word longer than maxChars, without splitting a surrogate pair when it can avoid it", () => {
      // Prepare
      const text = "😀".repeat(20); // 40 UTF-16 code units, no break anywhere
      // Act
      const chunks = chunkText(text, { maxChars: 9, overlapChars: 0 });
      // Assess
      assertInvariants(text, chunks, 9, 0);
      for (const chunk of chunks) assert.equal(chunk.text.length % 2, 0, "whole emoji only");
    });

    it("rejects options that cannot make progress", () => {
      // Prepare
      const text = "anything";
      // Act + Assess
      assert.throws(() => chunkText(text, { maxChars: 0, overlapChars: 0 }), /maxChars/);
      assert.throws(() => chunkText(text, { maxChars: 10, overlapChars: 10 }), /overlapChars/);
      assert.throws(() => chunkText(text, { maxChars: 10, overlapChars: -1 }), /overlapChars/);
      assert.throws(() => chunkText(text, { maxChars: 1.5, overlapChars: 0 }), /maxChars/);
    });
  });

  describe("chunkDocument", () => {
    it("breaks at headings, gives each chunk its heading path and does not overlap across a heading", () => {
      // Prepare
      // Each section is too long to share a 70-character chunk with the next one.
      const parts = [
        "Guide",
        "Intro text that is long enough to need its own chunk here.",
        "Install",
        "Run the installer. It takes a minute or two, then it is done.",
        "Linux",
        "Use the package manager of your distribution for it.",
        "Usage",
        "Call the function with the options you need and read the result.",
      ];
      const text = parts.join("\n\n");
      const levels = [1, 0, 2, 0, 3, 0, 2, 0];
      const headings: Heading[] = [];
      let offset = 0;
      parts.forEach((part, i) => {
        if (levels[i] > 0) headings.push({ start: offset, level: levels[i], title: part });
        offset += part.length + 2;
      });
      // Act
      const chunks = chunkDocument(text, headings, { maxChars: 70, overlapChars: 20 });
      // Assess
      assertInvariants(text, chunks, 70, 20);
      const byStart = (title: string) => chunks.find((c) => c.text.startsWith(title));
      assert.deepEqual(byStart("Install")?.headingPath, ["Guide", "Install"]);
      assert.deepEqual(byStart("Linux")?.headingPath, ["Guide", "Install", "Linux"]);
      assert.deepEqual(byStart("Usage")?.headingPath, ["Guide", "Usage"]);
      for (const heading of headings.slice(1)) {
        const next = chunks.find((c) => c.start >= heading.start);
        const previous = chunks[chunks.indexOf(next as (typeof chunks)[number]) - 1];
        assert.equal(next?.start, heading.start, `a chunk starts at heading ${heading.title}`);
        assert.ok(previous.end <= heading.start, `no overlap into ${heading.title}`);
      }
    });
  });

  describe("properties", () => {
    // Words, sentence ends, newlines, blank lines and astral characters: the shapes the chunker reacts to.
    const token = fc.oneof(
      fc.constantFrom(" ", "\n", "\n\n", ". ", "! ", ", ", "😀", "é", "。", "\t"),
      fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 12 }),
      fc.string({ unit: "binary", minLength: 1, maxLength: 4 }),
    );
    const text = fc.array(token, { maxLength: 200 }).map((tokens) => tokens.join(""));
    const options = fc.integer({ min: 1, max: 120 }).chain((maxChars) =>
      fc.record({
        maxChars: fc.constant(maxChars),
        overlapChars: fc.integer({ min: 0, max: maxChars - 1 }),
      }),
    );

    it("chunkText: bounded, exact slices, in order, covering the whole text", () => {
      fc.assert(
        fc.property(text, options, (input, { maxChars, overlapChars }) => {
          assertInvariants(input, chunkText(input, { maxChars, overlapChars }), maxChars, overlapChars);
        }),
        { numRuns: 400 },
      );
    });

    it("chunkDocument: the same invariants with headings anywhere, and paths from the headings before each chunk", () => {
      const withHeadings = text.chain((input) =>
        fc.record({
          input: fc.constant(input),
          headings: fc.uniqueArray(
            fc.record({
              start: fc.integer({ min: 0, max: Math.max(0, input.length - 1) }),
              level: fc.integer({ min: 1, max: 6 }),
              title: fc.string({ maxLength: 8 }),
            }),
            { selector: (h) => h.start, maxLength: 8 },
          ),
        }),
      );
      fc.assert(
        fc.property(withHeadings, options, ({ input, headings }, { maxChars, overlapChars }) => {
          const chunks = chunkDocument(input, headings, { maxChars, overlapChars });
          assertInvariants(input, chunks, maxChars, overlapChars);
          for (const chunk of chunks) {
            assert.deepEqual(chunk.headingPath, expectedPath(input, headings, chunk));
          }
        }),
        { numRuns: 300 },
      );
    });

    it("is deterministic", () => {
      fc.assert(
        fc.property(text, options, (input, opts) => {
          assert.deepEqual(chunkText(input, opts), chunkText(input, opts));
        }),
        { numRuns: 100 },
      );
    });
  });
});
