import { describe, expect, it } from "vitest";
import { Rng, ShapeError, ValueError, arange, tensor } from "@bp/tensor";
import { sampleMinibatch, shuffledMinibatches } from "@bp/data";

// 10 rows: x row i is [2i, 2i + 1], t row i is i, so a batch shows which rows it took.
const x = arange(20).reshape([10, 2]);
const t = tensor(Int32Array.from({ length: 10 }, (_, i) => i));

describe("sampleMinibatch (the book's np.random.choice)", () => {
  it("takes the rows Rng.choice picks, with replacement, and is seeded", () => {
    const expected = new Rng(7).choice(10, 6);
    const b = sampleMinibatch(x, t, 6, new Rng(7));
    expect([...b.batchMask]).toEqual([...expected]);
    expect([...b.tBatch.data]).toEqual([...expected]);
    expect(b.xBatch.toArray()).toEqual([...expected].map((i) => [2 * i, 2 * i + 1]));
    const again = sampleMinibatch(x, t, 6, new Rng(7));
    expect([...again.batchMask]).toEqual([...b.batchMask]);
    const other = sampleMinibatch(x, t, 6, new Rng(8));
    expect([...other.batchMask]).not.toEqual([...b.batchMask]);
  });

  it("draws with replacement: 50 draws from 10 rows repeat some", () => {
    const m = sampleMinibatch(x, t, 50, new Rng(1)).batchMask;
    expect(new Set(m).size).toBeLessThan(50);
    expect(Math.min(...m)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...m)).toBeLessThan(10);
  });

  it("rejects mismatched rows and bad batch sizes", () => {
    expect(() => sampleMinibatch(x, t.gather([0, 1]), 2, new Rng(0))).toThrow(ShapeError);
    expect(() => sampleMinibatch(x, t, 0, new Rng(0))).toThrow(
      new ValueError("sampleMinibatch", "batchSize must be a positive integer, got 0"),
    );
    expect(() => sampleMinibatch(x, t, 2.5, new Rng(0))).toThrow(ValueError);
  });
});

describe("shuffledMinibatches", () => {
  it("visits every row once per epoch in a seeded order", () => {
    const order = new Rng(3).permutation(10);
    const batches = [...shuffledMinibatches(x, t, 4, new Rng(3))];
    expect(batches.map((b) => b.batchMask.length)).toEqual([4, 4, 2]);
    const seen = batches.flatMap((b) => [...b.tBatch.data]);
    expect(seen).toEqual([...order]);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches[0]!.xBatch.get(0, 1)).toBe(2 * order[0]! + 1);
  });

  it("drops a short last batch when asked, and draws a new order each epoch", () => {
    const rng = new Rng(5);
    const first = [...shuffledMinibatches(x, t, 4, rng, { dropLast: true })];
    expect(first.map((b) => b.batchMask.length)).toEqual([4, 4]);
    const second = [...shuffledMinibatches(x, t, 4, rng, { dropLast: true })];
    expect(second.flatMap((b) => [...b.batchMask])).not.toEqual(first.flatMap((b) => [...b.batchMask]));
  });
});
