// matmulImpl, the blocked and register-tiled kernel, called directly on typed arrays.
// The property the worker backend relies on: every output element is summed in the same order
// whatever [rowStart, rowEnd) is, so computing the rows in arbitrary pieces gives the same bits as
// one whole-range call. Shapes straddle the kernel's block sizes (MR 4, NR 5, MC 64, NC 240,
// k blocks of at most 256) so that full tiles, edge tiles and several blocks all occur.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matmulImpl } from "../src/kernels/index.js";
import type { FloatArray } from "../src/index.js";
import { matmulRef, sampleValues } from "./reference/float64.js";
import { firstDifference } from "./conformance/suite.js";

type ArrayType = Float64ArrayConstructor | Float32ArrayConstructor;
const TYPES: [string, ArrayType][] = [
  ["float64", Float64Array],
  ["float32", Float32Array],
];
const COMBOS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

function operands(type: ArrayType, m: number, n: number, k: number, seed: number): { a: FloatArray; b: FloatArray } {
  return { a: new type(sampleValues(m * k, seed)), b: new type(sampleValues(k * n, seed + 1)) };
}

/** The whole product in one call. */
function whole(
  type: ArrayType,
  a: FloatArray,
  b: FloatArray,
  m: number,
  n: number,
  k: number,
  tA: boolean,
  tB: boolean,
): FloatArray {
  const out = new type(m * n);
  matmulImpl(a, b, out, m, n, k, tA, tB, 0, m);
  return out;
}

/** The product computed piece by piece over the row ranges between consecutive cut points. */
function pieces(
  type: ArrayType,
  a: FloatArray,
  b: FloatArray,
  m: number,
  n: number,
  k: number,
  tA: boolean,
  tB: boolean,
  cuts: number[],
): FloatArray {
  const out = new type(m * n).fill(NaN);
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < m).sort((x, y) => x - y), m];
  // Compute the pieces in reverse order too, so no piece can lean on its neighbours' leftovers.
  for (let i = bounds.length - 2; i >= 0; i--) matmulImpl(a, b, out, m, n, k, tA, tB, bounds[i]!, bounds[i + 1]!);
  return out;
}

describe("matmulImpl", () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [4, 5, 1],
    [7, 11, 13],
    [65, 257, 241],
    [130, 300, 50],
    [200, 100, 481],
    [3, 513, 6],
  ];

  for (const [name, type] of TYPES) {
    it(`${name}: equals the float64 sequential-sum reference bit for bit across block boundaries`, () => {
      let seed = 1;
      for (const [m, k, n] of shapes) {
        for (const [tA, tB] of COMBOS) {
          seed += 2;
          const { a, b } = operands(type, m, n, k, seed);
          const ref = matmulRef(
            { data: Array.from(a), shape: tA ? [k, m] : [m, k] },
            { data: Array.from(b), shape: tB ? [n, k] : [k, n] },
            tA,
            tB,
            name as "float64" | "float32",
          );
          expect(
            firstDifference(whole(type, a, b, m, n, k, tA, tB), ref.data),
            `${m}x${k}x${n} ${tA} ${tB}`,
          ).toBeNull();
        }
      }
    });

    it(`${name}: any split of the rows gives the whole-range bits (property, 60 runs)`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 150 }),
          fc.integer({ min: 0, max: 300 }),
          fc.integer({ min: 1, max: 260 }),
          fc.boolean(),
          fc.boolean(),
          fc.array(fc.integer({ min: 0, max: 150 }), { maxLength: 5 }),
          fc.integer({ min: 0, max: 1e6 }),
          (m, k, n, tA, tB, cuts, seed) => {
            const { a, b } = operands(type, m, n, k, seed);
            const expected = whole(type, a, b, m, n, k, tA, tB);
            const got = pieces(type, a, b, m, n, k, tA, tB, cuts);
            return firstDifference(got, expected) === null;
          },
        ),
        { seed: 20240611, numRuns: 60 },
      );
    });
  }

  it("writes only rows [rowStart, rowEnd) and overwrites whatever was there", () => {
    const [m, k, n] = [9, 6, 7];
    const { a, b } = operands(Float64Array, m, n, k, 77);
    const expected = whole(Float64Array, a, b, m, n, k, false, false);
    const out = new Float64Array(m * n).fill(-5);
    matmulImpl(a, b, out, m, n, k, false, false, 3, 7);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const want = i >= 3 && i < 7 ? expected[i * n + j] : -5;
        expect(out[i * n + j], `row ${i} col ${j}`).toBe(want);
      }
    }
    // k = 0: the rows in range become zeros (an empty sum).
    const z = new Float32Array(4 * 3).fill(9);
    matmulImpl(new Float32Array(0), new Float32Array(0), z, 4, 3, 0, false, false, 1, 3);
    expect(Array.from(z)).toEqual([9, 9, 9, 0, 0, 0, 0, 0, 0, 9, 9, 9]);
  });

  it("reuses its scratch safely: big, small and mixed-dtype calls in any order give the same bits", () => {
    const big = operands(Float64Array, 150, 120, 400, 5);
    const small = operands(Float32Array, 3, 2, 5, 6);
    const first = whole(Float64Array, big.a, big.b, 150, 120, 400, false, true);
    const smallFirst = whole(Float32Array, small.a, small.b, 3, 2, 5, true, false);
    // After a big call the scratch holds stale values; the small result must not see them.
    whole(Float64Array, big.a, big.b, 150, 120, 400, true, false);
    expect(firstDifference(whole(Float32Array, small.a, small.b, 3, 2, 5, true, false), smallFirst)).toBeNull();
    expect(firstDifference(whole(Float64Array, big.a, big.b, 150, 120, 400, false, true), first)).toBeNull();
  });

  it("hand-derived: 1x3 @ 3x1, and float32 products summed in float32", () => {
    // [1, 2, 3] . [4, 5, 6] = 4 + 10 + 18 = 32
    const out = new Float64Array(1);
    matmulImpl(new Float64Array([1, 2, 3]), new Float64Array([4, 5, 6]), out, 1, 1, 3, false, false, 0, 1);
    expect(out[0]).toBe(32);
    // float32: (2^24 * 1 + 1 * 1) + 1 * 1 in float32 arithmetic: 2^24 + 1 = 16777217 is halfway
    // between the float32 neighbours 2^24 and 2^24 + 2 and rounds to the even one, 2^24, and so does
    // the second add: 16777216 (float64 sums rounded once would give 16777218).
    const o32 = new Float32Array(1);
    matmulImpl(new Float32Array([16777216, 1, 1]), new Float32Array([1, 1, 1]), o32, 1, 1, 3, false, false, 0, 1);
    expect(o32[0]).toBe(16777216);
  });
});
