// Property-based oracle tests against the plain float64 reference (test/reference/float64.ts) on
// random shapes: broadcasting binary ops, reductions, matmul with all four transpose combinations
// and argmax. Tolerance: none. The kernels promise the reference's order of operations (sums in
// increasing index order, in float64, rounded to the dtype once), so results must match bit for bit
// (NaN equal to NaN, 0 distinct from -0), for float64 and float32 tensors alike.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BINARY_OPS, tensor, type BinaryOp, type FloatDType } from "../src/index.js";
import { argmaxRef, binaryRef, matmulRef, meanRef, reduceRef, type Ref } from "./reference/float64.js";
import { firstDifference } from "./conformance/suite.js";
import { broadcastPairArb, matmulArb, seedArb, shapeArb, shapeAxisArb, values } from "./oracle/arbitraries.js";

const RUNS = 80;
const dtypeArb = fc.constantFrom<FloatDType>("float64", "float32");

function make(shape: number[], seed: number, dtype: FloatDType, lo: number, hi: number, step = 0) {
  const t = tensor(values(shape, seed, lo, hi, step), { dtype, shape });
  const ref: Ref = { data: Array.from(t.data), shape };
  return { t, ref };
}

function same(actual: { data: ArrayLike<number>; shape: readonly number[] }, expected: Ref): boolean {
  expect(actual.shape).toEqual(expected.shape);
  expect(firstDifference(actual.data, expected.data)).toBeNull();
  return true;
}

describe("oracle: float64 reference (exact)", () => {
  it("binary ops with broadcasting (shapes of rank 0-4, dimensions 0-4, all 13 ops)", () => {
    fc.assert(
      fc.property(
        broadcastPairArb(4, 0, 4),
        fc.constantFrom<BinaryOp>(...BINARY_OPS),
        dtypeArb,
        seedArb,
        ([as, bs], op, dtype, seed) => {
          // multiples of 0.5 in [-3, 3]: zeros, ties and negative bases for pow all occur
          const a = make(as, seed, dtype, -3, 3, 0.5);
          const b = make(bs, seed + 1, dtype, -3, 3, 0.5);
          return same(a.t.binary(op, b.t), binaryRef(op, a.ref, b.ref, dtype));
        },
      ),
      { seed: 1001, numRuns: RUNS * 2 },
    );
  });

  it("binary ops with a number operand", () => {
    fc.assert(
      fc.property(
        shapeArb(0, 3, 0, 5),
        fc.constantFrom<BinaryOp>(...BINARY_OPS),
        dtypeArb,
        seedArb,
        fc.double({ min: -4, max: 4, noNaN: true }),
        (shape, op, dtype, seed, scalar) => {
          const a = make(shape, seed, dtype, -3, 3);
          const s = dtype === "float32" ? Math.fround(scalar) : scalar;
          return same(a.t.binary(op, scalar), binaryRef(op, a.ref, { data: [s], shape: [] }, dtype));
        },
      ),
      { seed: 1002, numRuns: RUNS },
    );
  });

  it("sum, max, min and mean along an axis (negative too) with keepDims", () => {
    fc.assert(
      fc.property(
        shapeAxisArb(4, 1, 6),
        fc.constantFrom("sum", "max", "min", "mean" as const),
        dtypeArb,
        seedArb,
        ({ shape, axis, keepDims }, op, dtype, seed) => {
          const x = make(shape, seed, dtype, -10, 10);
          const expected =
            op === "mean" ? meanRef(x.ref, axis, keepDims, dtype) : reduceRef(op, x.ref, axis, keepDims, dtype);
          return same(x.t[op](axis, keepDims), expected);
        },
      ),
      { seed: 1003, numRuns: RUNS },
    );
  });

  it("sum, max, min and mean over all elements", () => {
    fc.assert(
      fc.property(
        shapeArb(0, 4, 1, 6),
        fc.constantFrom("sum", "max", "min", "mean" as const),
        fc.boolean(),
        dtypeArb,
        seedArb,
        (shape, op, keepDims, dtype, seed) => {
          const x = make(shape, seed, dtype, -10, 10);
          const expected =
            op === "mean" ? meanRef(x.ref, null, keepDims, dtype) : reduceRef(op, x.ref, null, keepDims, dtype);
          return same(x.t[op](null, keepDims), expected);
        },
      ),
      { seed: 1004, numRuns: RUNS },
    );
  });

  it("matmul, all four transpose combinations", () => {
    fc.assert(
      fc.property(matmulArb(70), dtypeArb, seedArb, ({ m, k, n, tA, tB }, dtype, seed) => {
        const a = make(tA ? [k, m] : [m, k], seed, dtype, -1, 1);
        const b = make(tB ? [n, k] : [k, n], seed + 1, dtype, -1, 1);
        return same(a.t.matmul(b.t, { transposeA: tA, transposeB: tB }), matmulRef(a.ref, b.ref, tA, tB, dtype));
      }),
      { seed: 1005, numRuns: RUNS },
    );
  });

  it("argmax along any axis, with ties", () => {
    fc.assert(
      fc.property(shapeAxisArb(4, 1, 6), dtypeArb, seedArb, ({ shape, axis, keepDims }, dtype, seed) => {
        const x = make(shape, seed, dtype, -2, 2, 1); // integers in [-2, 2]: many ties
        const y = x.t.argmax(axis, keepDims);
        expect(y.dtype).toBe("int32");
        return same(y, argmaxRef(x.ref, axis, keepDims));
      }),
      { seed: 1006, numRuns: RUNS },
    );
  });
});
