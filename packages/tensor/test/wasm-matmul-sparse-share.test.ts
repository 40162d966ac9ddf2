// The dense/sparse choice of assembly/matmul.ts and matmul32.ts (sparseMax: a block of A goes by sparse
// rows when at most a measured share of its values is nonzero, 25-70 % depending on the dtype, the
// strip's width, a transposed A and a B read in place or packed) against the TypeScript kernel, bit
// for bit. Every row of A has exactly the same number of nonzeros, so each block's share sits just
// below, on or just above each threshold and both paths (and a mix of them across blocks) are taken;
// the shapes straddle the blocks (64 rows, k blocks of at most 256, strips of 240 columns) and the
// kernels' column groups (float64 12, 13, 14, 4, 2, 1; float32 24, 28, 20, 16, 12, 8, 4).
import { beforeAll, describe, expect, it } from "vitest";
import { cpu, tensor, type FloatDType } from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { firstDifference } from "./conformance/suite.js";
import { sampleValues } from "./reference/float64.js";

/** The thresholds of both kernels (sparseMax in assembly/matmul.ts, matmul32.ts), and the old 0.5. */
const SHARES = [0.25, 0.35, 0.5, 0.6, 0.62, 0.65, 0.66, 0.7];

/**
 * op(A) (m x k) as stored (k x m when transposed), each row with exactly `kept` nonzero values at
 * seeded random steps; the zeros are +0 and -0 mixed. `extra` values (NaN, ±Infinity) replace some
 * nonzeros: they are not zeros and must never be skipped.
 */
function rowsWith(m: number, k: number, kept: number, transA: boolean, seed: number, extra: number[] = []): number[] {
  const values = sampleValues(m * k, seed);
  const order = sampleValues(m * k, seed + 1, 0, 1);
  const out = new Array<number>(m * k);
  for (let i = 0; i < m; i++) {
    // The steps of row i sorted by a random key: the first `kept` stay nonzero.
    const steps = Array.from({ length: k }, (_, p) => p).sort((p, q) => order[i * k + p]! - order[i * k + q]!);
    steps.forEach((p, rank) => {
      const v = rank < kept ? values[i * k + p]! : (i + p) % 3 === 0 ? -0 : 0;
      out[transA ? p * m + i : i * k + p] = v;
    });
  }
  extra.forEach((v, j) => {
    const at = (j * 7919 + seed) % out.length;
    if (out[at] !== 0) out[at] = v;
  });
  return out;
}

describe("wasm matmul: blocks on both sides of the measured sparse thresholds", () => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await createWasmBackend();
  });

  function check(
    dtype: FloatDType,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    av: number[],
    bv: number[],
    what: string,
  ): void {
    const product = (backend: typeof cpu) =>
      tensor(av, { backend, dtype, shape: transA ? [k, m] : [m, k] }).matmul(
        tensor(bv, { backend, dtype, shape: transB ? [n, k] : [k, n] }),
        { transposeA: transA, transposeB: transB },
      ).data;
    expect(firstDifference(product(wasm), product(cpu)), `${dtype} m${m} k${k} n${n} ${what}`).toBeNull();
  }

  const SHAPES: [number, number, number][] = [
    [65, 100, 10], // narrow strips: float64's 4 + 4 + 2 columns, float32's 8 + 4
    [64, 257, 12], // float64's 12-wide kernel alone; two k blocks
    [63, 130, 15], // float32's last 16 (narrow below 16) and float64's 14 + 1
    [70, 96, 16],
    [129, 100, 50], // the TwoLayerNet's width: 12 x 4 + 2 and 24 + 24 + 2 (packed: 28 + 20 + 4)
    [100, 300, 100], // the Affine1 width
    [5, 256, 244], // two strips (240 + 4)
  ];

  for (const dtype of ["float64", "float32"] as FloatDType[]) {
    it(`${dtype}: gives cpu's bits with each block's share of nonzeros just below, on and just above every threshold`, () => {
      let seed = 3;
      for (const [m, k, n] of SHAPES) {
        for (const [transA, transB] of [
          [false, false],
          [true, false],
          [false, true],
        ] as const) {
          for (const share of SHARES) {
            for (const delta of [-1, 0, 1]) {
              seed += 4;
              const kept = Math.min(k, Math.max(0, Math.round(share * k) + delta));
              const av = rowsWith(m, k, kept, transA, seed);
              const bv = sampleValues(k * n, seed + 2).map((v, i) => (i % 11 === 0 ? -0 : v));
              check(dtype, m, k, n, transA, transB, av, bv, `tA=${transA} tB=${transB} ${kept}/${k} nonzero`);
            }
          }
        }
      }
    });

    it(`${dtype}: skips nothing near the thresholds when B holds a NaN or an Infinity, and keeps those of A`, () => {
      // 0 * Inf and 0 * NaN are NaN: a zero of A met by one may not be left out, wherever B holds it.
      let seed = 101;
      for (const [m, k, n] of [
        [64, 257, 12],
        [100, 300, 100],
        [65, 100, 10],
      ] as [number, number, number][]) {
        for (const [transA, transB] of [
          [false, false],
          [true, false],
          [false, true],
        ] as const) {
          for (const share of [0.25, 0.5, 0.62, 0.68]) {
            for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
              seed += 4;
              const av = rowsWith(m, k, Math.round(share * k), transA, seed, [Number.NaN, Number.NEGATIVE_INFINITY]);
              const bv = sampleValues(k * n, seed + 2);
              bv[(seed * 31) % bv.length] = bad;
              check(dtype, m, k, n, transA, transB, av, bv, `tA=${transA} tB=${transB} share ${share} B holds ${bad}`);
            }
          }
        }
      }
    });
  }

  for (const [dtype, big] of [
    ["float32", 2 ** 24],
    ["float64", 2 ** 53],
  ] as [FloatDType, number][]) {
    it(`${dtype}: a sparse row still sums in increasing k (hand-derived)`, () => {
      // Rows of 8 steps with 3 nonzeros (0.375: below both thresholds for a B of 16 columns, so they
      // go by sparse rows). Against B all ones, the first row sums ((0 + big) + 1) + 1 with big = 2^24
      // (float32) or 2^53 (float64): big + 1 lies halfway between big and big + 2 and rounds to the
      // even big, twice, so big. The second row has the same values in the other order,
      // ((0 + 1) + 1) + big = big + 2, exact. Summing in another order would swap the two.
      const a = [big, 0, 0, 1, -0, 1, 0, 0, 0, 1, -0, 1, big, 0, 0, 0];
      const ones = new Array<number>(8 * 16).fill(1);
      for (const transB of [false, true]) {
        const got = tensor(a, { dtype, shape: [2, 8], backend: wasm }).matmul(
          tensor(ones, { dtype, shape: transB ? [16, 8] : [8, 16], backend: wasm }),
          { transposeB: transB },
        ).data;
        expect(Array.from(got)).toEqual([...new Array<number>(16).fill(big), ...new Array<number>(16).fill(big + 2)]);
      }
    });
  }
});
