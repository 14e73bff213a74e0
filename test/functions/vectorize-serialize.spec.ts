import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { serializeVector, UpsertBatcher, VectorRecord } from "../../functions/vectorize/upstash-store";

const record = (vector: number[], data = "chunk é"): VectorRecord => ({
  id: "doc-0-abc",
  vector,
  data,
  metadata: { sourceKey: "a/b.md", start: 0, end: 10 },
});

/** A component as the embedder leaves a Cohere one: rounded to 9 decimal places. */
const rounded = fc.integer({ min: -1e9, max: 1e9 }).map((m) => m / 1e9);

describe("functions/vectorize upsert serialization (fast component printing)", () => {
  it("prints rounded components exactly as JSON.stringify does", () => {
    fc.assert(
      fc.property(fc.array(rounded, { maxLength: 64 }), (vector) => {
        const v = record(vector);
        assert.equal(serializeVector(v), JSON.stringify(v));
      }),
      { numRuns: 2000 },
    );
  });

  it("prints any other double (Titan's components) exactly as JSON.stringify does", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 64 }),
        (vector) => {
          const v = record(vector);
          assert.equal(serializeVector(v), JSON.stringify(v));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("prints the edge cases as JSON.stringify does: exponents below 1e-6, -0, ±1, trailing zeros", () => {
    const edges = [
      1e-9, -1e-9, 9.99e-7, 1e-6, -1e-6, 0, -0, 1, -1, 0.5, -0.1, 0.12, 0.000001001, 0.999999999,
    ];
    const v = record(edges);
    assert.equal(serializeVector(v), JSON.stringify(v));
  });

  it("hands each upsert its exact size in UTF-8 bytes", async () => {
    const sent: { json: string; bytes: number }[] = [];
    const batcher = new UpsertBatcher(
      async (_v, json, bytes) => void sent.push({ json, bytes }),
      1_000_000,
      3,
    );
    for (let i = 0; i < 7; i++) batcher.add(record([0.123456789, -0.5, 1e-7], `é ${"x".repeat(i)}`));
    await batcher.flush();
    assert.deepEqual(
      sent.map((s) => s.bytes),
      sent.map((s) => Buffer.byteLength(s.json)),
    );
    assert.equal(sent.length, 3);
  });
});
