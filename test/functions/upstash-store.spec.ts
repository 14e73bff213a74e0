import { strict as assert } from "node:assert";
import { serializeVector, UpsertBatcher, VectorRecord } from "../../functions/vectorize/upstash-store";

const record = (id: string, dimensions = 4): VectorRecord => ({
  id,
  vector: Array.from({ length: dimensions }, (_, i) => [0.123456789, -1e-7, -0, 1.5e21][i % 4]),
  data: 'text with "quotes", a newline\nand é',
  metadata: { sourceKey: "a/b.md", start: 0, end: 10, headingPath: ["A", "B"] },
});

describe("functions/vectorize/upstash-store", () => {
  it("serializes a vector exactly as JSON.stringify does", () => {
    const v = record("doc-0-abc");
    assert.equal(serializeVector(v), JSON.stringify(v));
  });

  it("packs upserts up to the count limit, sending bodies that are the vectors' JSON", async () => {
    // Prepare
    const sent: { vectors: VectorRecord[]; json: string }[] = [];
    const batcher = new UpsertBatcher(
      async (vectors, json) => void sent.push({ vectors, json }),
      1_000_000,
      5,
    );
    // Act
    for (let i = 0; i < 12; i++) batcher.add(record(`doc-${i}`));
    const count = await batcher.flush();
    // Assess
    assert.equal(count, 12);
    assert.deepEqual(
      sent.map((s) => s.vectors.length),
      [5, 5, 2],
    );
    assert.ok(sent.every(({ vectors, json }) => json === JSON.stringify(vectors)));
  });

  it("packs upserts up to the byte limit, counted in UTF-8 bytes", async () => {
    // Prepare: the limit fits three vectors by characters, but "é" takes two bytes: three are one byte over.
    const sent: string[] = [];
    const one = JSON.stringify([record("doc-0", 50)]).length;
    const batcher = new UpsertBatcher(async (_vectors, json) => void sent.push(json), one * 3);
    // Act
    for (let i = 0; i < 6; i++) batcher.add(record(`doc-${i}`, 50));
    await batcher.flush();
    // Assess
    assert.deepEqual(
      sent.map((json) => (JSON.parse(json) as unknown[]).length),
      [2, 2, 2],
    );
    assert.ok(sent.every((json) => Buffer.byteLength(json) <= one * 3));
  });

  it("refuses a vector larger than a whole request, and reports a failed upload on flush", async () => {
    const tiny = new UpsertBatcher(async () => undefined, 100);
    assert.throws(() => tiny.add(record("big", 50)), /more than UPSTASH_MAX_REQUEST_BYTES \(100\)/);
    const failing = new UpsertBatcher(async () => {
      throw new Error("upstash down");
    }, 1_000_000);
    failing.add(record("a"));
    await assert.rejects(failing.flush(), /upstash down/);
  });
});
