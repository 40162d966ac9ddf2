// The few-steps path of assembly/matmul.ts and matmul32.ts (maskRows in assembly/steps.ts): A not
// transposed with at most 32 steps, as in a convolution's forward product col · Wᵀ (k = 25), each
// row's nonzero steps found as a bit mask and summed in registers, passes of 14 float64 or 28 float32
// columns (7 vectors), the sums stored straight to the output (a last vector of 1 to 3 values stored lane by
// lane). Compared bit for bit with the TypeScript kernel on the cpu backend, float64 and float32,
// B transposed or not, at step, row and column counts around those widths.
import { beforeAll, describe, expect, it } from "vitest";
import { cpu, tensor, type Backend, type FloatDType } from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { firstDifference } from "./conformance/suite.js";
import { sampleValues } from "./reference/float64.js";

/** rows x cols values: each row all zero with probability 0.4 (+0 and -0 mixed), else each value
 * zero with probability `zeros`. */
function sparseRows(rows: number, cols: number, seed: number, zeros: number): number[] {
  const u = sampleValues(rows * cols, seed + 5, 0, 1);
  const r = sampleValues(rows, seed + 9, 0, 1);
  return sampleValues(rows * cols, seed).map((v, i) =>
    r[Math.floor(i / cols)]! < 0.4 || u[i]! < zeros ? (i % 3 === 0 ? -0 : 0) : v,
  );
}

interface Case {
  m: number;
  n: number;
  k: number;
  transB: boolean;
}

function product(backend: Backend, dtype: FloatDType, av: number[], bv: number[], c: Case): ArrayLike<number> {
  const a = tensor(av, { backend, dtype, shape: [c.m, c.k] });
  const b = tensor(bv, { backend, dtype, shape: c.transB ? [c.n, c.k] : [c.k, c.n] });
  return a.matmul(b, { transposeB: c.transB }).data;
}

function check(
  wasm: WasmBackend,
  dtype: FloatDType,
  c: Case,
  seed: number,
  edit?: (av: number[], bv: number[]) => void,
): void {
  const av = sparseRows(c.m, c.k, seed, 0.6);
  const bv = sampleValues(c.k * c.n, seed + 50);
  edit?.(av, bv);
  const label = `${dtype} m${c.m} n${c.n} k${c.k}${c.transB ? " Bᵀ" : ""} seed ${seed}`;
  expect(firstDifference(product(wasm, dtype, av, bv, c), product(cpu, dtype, av, bv, c)), label).toBeNull();
}

for (const dtype of ["float64", "float32"] as const) {
  describe(`wasm ${dtype} matmul, few steps summed by bit masks`, () => {
    let wasm: WasmBackend;
    beforeAll(async () => {
      wasm = await createWasmBackend();
    });

    it("gives cpu's bits for steps 1 to 33 and columns around 14, 28 and 56 (passes of 7 vectors), 32 and 240 (a strip)", () => {
      for (const k of [1, 2, 3, 5, 8, 25, 31, 32, 33]) {
        for (const n of [1, 2, 3, 5, 13, 14, 15, 16, 17, 27, 28, 29, 30, 31, 32, 33, 34, 35, 47, 55, 56, 57, 241]) {
          for (const transB of [false, true]) check(wasm, dtype, { m: 70, n, k, transB }, k * 1000 + n);
        }
      }
    });

    it("gives cpu's bits for 1 to 5 rows and around 64 (a block of rows), and at the convolution's shape", () => {
      for (const m of [1, 2, 3, 5, 63, 64, 65, 129]) check(wasm, dtype, { m, n: 30, k: 25, transB: true }, m);
      check(wasm, dtype, { m: 57600, n: 30, k: 25, transB: true }, 3);
    });

    it("gives cpu's bits for an all-zero A and for one nonzero value in the first or last step", () => {
      const c = { m: 66, n: 30, k: 25, transB: true };
      check(wasm, dtype, c, 4, (av) => av.fill(0));
      check(wasm, dtype, c, 5, (av) => {
        av.fill(-0);
        av[0] = 0.5;
        av[c.m * c.k - 1] = -2;
      });
    });

    it("keeps NaN and Infinity of A (they are not zeros) and skips nothing when B holds one", () => {
      const c = { m: 66, n: 31, k: 25, transB: false };
      check(wasm, dtype, c, 6, (av) => {
        av[3] = Number.NaN;
        av[c.k * 7 + 24] = Number.POSITIVE_INFINITY;
        av[c.k * 65] = Number.NEGATIVE_INFINITY;
      });
      for (const at of [0, 24 * c.n + 30]) {
        check(wasm, dtype, c, 7, (_, bv) => {
          bv[at] = at === 0 ? Number.NaN : Number.NEGATIVE_INFINITY;
        });
      }
    });

    it("finds each row's nonzero steps in groups of four, the last group read again: one nonzero anywhere, or all", () => {
      // Row i of each block holds a single nonzero at step i % k (so every step, including the last
      // 1 to 3 that only the overlapping last group reads), except every 7th row, which is all
      // nonzero, and every 5th, all zero (+0 and -0). A wrong bit in a mask drops or adds a product.
      for (const k of [4, 5, 6, 7, 9, 10, 11, 24, 25, 26, 27, 29, 30, 31, 32]) {
        const c = { m: 67, n: 30, k, transB: true };
        check(wasm, dtype, c, k, (av) => {
          const values = sampleValues(c.m * k, k + 100, 0.25, 2);
          for (let i = 0; i < c.m; i++) {
            for (let p = 0; p < k; p++) {
              const full = i % 7 === 3;
              const at = i % 5 !== 4 && (full || p === i % k);
              av[i * k + p] = at ? values[i * k + p]! : p % 2 === 0 ? -0 : 0;
            }
          }
        });
      }
    });

    it("gives cpu's bits for blocks of 60 to 85 % nonzero values (summed by masks up to 75 % in float32, 85 % in float64)", () => {
      for (const share of [0.6, 0.7, 0.74, 0.76, 0.8, 0.84, 0.86]) {
        const c = { m: 130, n: 30, k: 25, transB: true };
        check(wasm, dtype, c, Math.round(share * 100), (av) => {
          const u = sampleValues(av.length, 77, 0, 1);
          const values = sampleValues(av.length, 78);
          for (let i = 0; i < av.length; i++) av[i] = u[i]! < share ? values[i]! : 0;
        });
      }
    });

    it("gives cpu's bits when A is dense (the block goes to the dense tiles)", () => {
      const c = { m: 70, n: 30, k: 25, transB: true };
      const av = sampleValues(c.m * c.k, 8);
      const bv = sampleValues(c.k * c.n, 9);
      expect(firstDifference(product(wasm, dtype, av, bv, c), product(cpu, dtype, av, bv, c)), dtype).toBeNull();
    });
  });
}
