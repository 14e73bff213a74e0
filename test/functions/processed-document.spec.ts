import { strict as assert } from "node:assert";
import { RejectedError } from "../../functions/shared/outcome";
import {
  parseProcessed,
  ProcessedDocument,
  processedKey,
  processedMetadata,
  serializeProcessed,
  sha256Hex,
} from "../../functions/shared/processed-document";

const doc: ProcessedDocument = {
  header: {
    type: "document",
    schemaVersion: 1,
    sourceBucket: "raw-bucket",
    sourceKey: "docs/été.md",
    eTag: "abc123",
    versionId: "v1",
    contentType: "text/markdown",
    format: "markdown",
    encoding: "utf-8",
    title: "Été",
    chunkCount: 2,
    textLength: 11,
    chunking: { maxChars: 6, overlapChars: 0 },
  },
  chunks: [
    { type: "chunk", index: 0, text: "Hello ", start: 0, end: 6, headingPath: ["Été"] },
    { type: "chunk", index: 1, text: "world", start: 6, end: 11, headingPath: ["Été"] },
  ],
};

describe("functions/shared/processed-document", () => {
  it("serialises to JSONL (header line, then one line per chunk) and parses back", () => {
    // Act
    const body = serializeProcessed(doc);
    // Assess
    const lines = body.trimEnd().split("\n");
    assert.equal(lines.length, 3);
    assert.equal(JSON.parse(lines[0]).type, "document");
    assert.deepEqual(parseProcessed(body, "test"), doc);
    assert.equal(serializeProcessed(doc), body, "byte-for-byte deterministic");
  });

  it("derives the key from the source key and version, or the ETag in unversioned buckets", () => {
    assert.equal(
      processedKey({
        processedPrefix: "processed/",
        rawPrefix: "raw/",
        sourceKey: "raw/a/b.md",
        versionId: "v9",
        eTag: "e",
      }),
      "processed/a/b.md@v9.jsonl",
    );
    assert.equal(
      processedKey({ processedPrefix: "", rawPrefix: "", sourceKey: "a b.txt", eTag: "e1" }),
      "a b.txt@e1.jsonl",
    );
    const long = processedKey({
      processedPrefix: "p/",
      rawPrefix: "",
      sourceKey: "x".repeat(1100),
      eTag: "e",
    });
    assert.equal(long, `p/_hashed/${sha256Hex("x".repeat(1100))}@e.jsonl`);
  });

  it("keeps S3 metadata ASCII by URI-encoding free text", () => {
    const metadata = processedMetadata(doc, "f00");
    assert.equal(metadata["source-key"], "docs%2F%C3%A9t%C3%A9.md");
    assert.equal(metadata.title, "%C3%89t%C3%A9");
    assert.equal(metadata["chunk-count"], "2");
    assert.ok(Object.values(metadata).every((v) => /^[\x20-\x7e]*$/.test(v)));
  });

  it("rejects anything that is not a complete processed document, naming the problem", () => {
    const body = serializeProcessed(doc);
    const cases: [string, string, RegExp][] = [
      ["empty", "", /empty/],
      ["not JSON", "nope\n", /line 1 is not JSON/],
      ["no header", body.split("\n").slice(1).join("\n"), /header/],
      ["missing chunk", body.split("\n").slice(0, 2).join("\n"), /chunkCount is 2 but 1 chunk lines follow/],
      ["offsets do not match text", body.replace('"end":11', '"end":12'), /line 3 is not chunk 1/],
      ["wrong schema", body.replace('"schemaVersion":1', '"schemaVersion":7'), /schemaVersion 7/],
    ];
    for (const [name, text, message] of cases) {
      assert.throws(
        () => parseProcessed(text, "s3://p/k"),
        (e: unknown) =>
          e instanceof RejectedError && e.reason === "malformed-document" && message.test(e.message),
        name,
      );
    }
  });
});
