// fast-check generators shared by the oracle tests: shapes, broadcastable shape pairs, axes and
// deterministic tensor values (drawn from an integer seed, so a failing case prints compactly and
// replays exactly).
import fc from "fast-check";
import { sampleValues, sizeOf } from "../reference/float64.js";

/** A shape of rank [minRank, maxRank] with dimensions in [minDim, maxDim]. */
export function shapeArb(minRank: number, maxRank: number, minDim: number, maxDim: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/**
 * Two shapes that broadcast together: an output shape, and for each operand a trailing part of it
 * (ranks may differ) with some dimensions replaced by 1.
 */
export function broadcastPairArb(maxRank: number, minDim: number, maxDim: number): fc.Arbitrary<[number[], number[]]> {
  return shapeArb(0, maxRank, minDim, maxDim).chain((out) => {
    const operand = fc
      .tuple(
        fc.integer({ min: 0, max: out.length }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      )
      .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
    return fc.tuple(operand, operand);
  });
}

/** A shape of rank >= 1 with an axis in [-rank, rank) and keepDims. */
export function shapeAxisArb(
  maxRank: number,
  minDim: number,
  maxDim: number,
): fc.Arbitrary<{ shape: number[]; axis: number; keepDims: boolean }> {
  return shapeArb(1, maxRank, minDim, maxDim).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      axis: fc.integer({ min: -shape.length, max: shape.length - 1 }),
      keepDims: fc.boolean(),
    }),
  );
}

/** Matmul dimensions and transpose flags. */
export function matmulArb(maxDim: number): fc.Arbitrary<{ m: number; k: number; n: number; tA: boolean; tB: boolean }> {
  return fc.record({
    m: fc.integer({ min: 1, max: maxDim }),
    k: fc.integer({ min: 1, max: maxDim }),
    n: fc.integer({ min: 1, max: maxDim }),
    tA: fc.boolean(),
    tB: fc.boolean(),
  });
}

export const seedArb = fc.integer({ min: 1, max: 2 ** 31 - 1 });

/**
 * Values for a tensor of `shape`: uniform in [lo, hi), or, with `step` > 0, rounded to multiples of
 * step (few distinct values, so ties and equal elements occur).
 */
export function values(shape: readonly number[], seed: number, lo: number, hi: number, step = 0): number[] {
  const v = sampleValues(sizeOf(shape), seed, lo, hi);
  return step > 0 ? v.map((x) => Math.round(x / step) * step) : v;
}
