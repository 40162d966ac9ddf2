// The float64 sparse-row path of assembly/matmul.ts where B is read in place (float64, B not
// transposed): its 12- and 14-column kernel addresses B with constant offsets, B's finiteness is
// scanned in blocks of 512 values (reduce.ts's firstNonFinite), and each output row is copied out
// with SIMD loads and stores. Each is compared bit for bit with the TypeScript kernel on the cpu
// backend, at the widths and positions where an off-by-one would show.
import { beforeAll, describe, expect, it } from "vitest";
import { cpu, tensor } from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { firstDifference } from "./conformance/suite.js";
import { sampleValues } from "./reference/float64.js";

/** A, m x k, with about 80 % zeros (+0 and -0) in runs, as in images: it takes the sparse path. */
function sparseA(m: number, k: number, seed: number): number[] {
  const u = sampleValues(m * k, seed + 3, 0, 1);
  return sampleValues(m * k, seed).map((v, i) => (u[Math.floor(i / 5)]! < 0.8 ? (i % 7 === 0 ? -0 : 0) : v));
}

describe("wasm float64 matmul, B read in place", () => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await createWasmBackend();
  });

  const product = (backend: typeof cpu, av: number[], bv: number[], m: number, k: number, n: number) =>
    tensor(av, { backend, shape: [m, k] }).matmul(tensor(bv, { backend, shape: [k, n] })).data;

  it("gives cpu's bits for every output width from 1 to 53 (12 + 14 wide kernels, the 4, 2, 1 tails, odd rows)", () => {
    // n = 12, 14, 24 + 2, 26, 38, 50, 53: every mix of column groups; odd n makes the copied-out
    // rows end in a single value.
    const m = 70;
    const k = 131;
    for (let n = 1; n <= 53; n++) {
      const av = sparseA(m, k, n);
      const bv = sampleValues(k * n, n + 100);
      expect(firstDifference(product(wasm, av, bv, m, k, n), product(cpu, av, bv, m, k, n)), `n=${n}`).toBeNull();
    }
  });

  it("finds a NaN or an Infinity of B at any place of the 512-value scan blocks, and skips nothing then", () => {
    // B is 100 x 11 = 1100 values: the scan's blocks are [0, 512), [512, 1024), [1024, 1100).
    // One bad value anywhere must make the product take the dense path, where 0 * Inf and 0 * NaN
    // are NaN: column j of every output row whose A row is 0 at step p then reads NaN.
    const m = 9;
    const k = 100;
    const n = 11;
    const av = sparseA(m, k, 5);
    for (const place of [0, 1, 510, 511, 512, 513, 1023, 1024, 1098, 1099]) {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const bv = sampleValues(k * n, 7);
        bv[place] = bad;
        const got = product(wasm, av, bv, m, k, n);
        expect(firstDifference(got, product(cpu, av, bv, m, k, n)), `B[${place}] = ${bad}`).toBeNull();
        // Hand check: column place % n of row 0 reads A[0][p] * B[p][j] with p = floor(place / n);
        // whatever A[0][p] is (0 gives NaN, a nonzero gives ±Inf or NaN), the sum is not finite.
        expect(Number.isFinite(got[place % n]!), `B[${place}] = ${bad}: out[0][${place % n}]`).toBe(false);
      }
    }
  });
});
