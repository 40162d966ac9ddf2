// The k-reduction path of assembly/matmul.ts and matmul32.ts that leaves out whole steps: a
// transposed A (k x m, few rows) times a B read in place (k x n), as in a convolution's weight
// gradient doutᵀ · col, where a row of B is all zero for a blank patch of an image and a row of A is
// all zero where no gradient reached. A step is left out only where that is exact (B row zero and A
// row finite, or A row zero and B row finite); a B row with an Inf or a NaN keeps every A value of
// its step, zeros too. Each product is compared bit for bit with the TypeScript kernel on the cpu
// backend, float64 and float32, at row and column counts around the kernels' widths and with the
// special rows at the first and last steps of the k blocks.
import { beforeAll, describe, expect, it } from "vitest";
import { cpu, tensor, type Backend, type FloatDType } from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { firstDifference } from "./conformance/suite.js";
import { sampleValues } from "./reference/float64.js";
import { rowsWithZeros } from "./zero-rows.js";

interface Case {
  m: number;
  n: number;
  k: number;
}

function product(backend: Backend, dtype: FloatDType, av: number[], bv: number[], c: Case): ArrayLike<number> {
  const a = tensor(av, { backend, dtype, shape: [c.k, c.m] });
  const b = tensor(bv, { backend, dtype, shape: [c.k, c.n] });
  return a.matmul(b, { transposeA: true }).data;
}

function check(
  wasm: WasmBackend,
  dtype: FloatDType,
  c: Case,
  seed: number,
  edit?: (av: number[], bv: number[]) => void,
): void {
  const av = rowsWithZeros(c.k, c.m, seed, 0.45, 0.7);
  const bv = rowsWithZeros(c.k, c.n, seed + 50, 0.4, 0.5);
  edit?.(av, bv);
  const label = `${dtype} m${c.m} n${c.n} k${c.k} seed ${seed}`;
  expect(firstDifference(product(wasm, dtype, av, bv, c), product(cpu, dtype, av, bv, c)), label).toBeNull();
}

// k = 700 is three k blocks of 234, 233 and 233 steps (kBlock in assembly/blocking.ts): steps 0,
// 233, 234, 467, 468 and 699 are the first and last of a block.
const K = 700;
const EDGES = [0, 233, 234, 467, 468, 699];

for (const dtype of ["float64", "float32"] as const) {
  describe(`wasm ${dtype} matmul, k-reduction leaving out zero steps`, () => {
    let wasm: WasmBackend;
    beforeAll(async () => {
      wasm = await createWasmBackend();
    });

    it("gives cpu's bits for rows 1 to 9 and around 30 and 64, columns around the kernels' widths", () => {
      for (const m of [1, 2, 3, 4, 5, 7, 8, 9, 29, 30, 31, 33, 63, 64]) {
        for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 14, 16, 25, 28, 30, 33]) {
          check(wasm, dtype, { m, n, k: K }, m * 100 + n);
        }
      }
    });

    it("gives cpu's bits at SimpleConvNet's conv dW shape (30 x 25, k 57600)", () => {
      check(wasm, dtype, { m: 30, n: 25, k: 57600 }, 3);
    });

    it("gives cpu's bits for all-zero A and B, and for A or B all zero but one row", () => {
      const c = { m: 30, n: 25, k: K };
      check(wasm, dtype, c, 4, (av, bv) => {
        av.fill(0);
        bv.fill(0);
      });
      check(wasm, dtype, c, 5, (av) => av.fill(0, c.m));
      check(wasm, dtype, c, 6, (_, bv) => bv.fill(-0, 0, (c.k - 1) * c.n));
    });

    it("keeps a NaN or an Infinity of A at a step whose B row is zero", () => {
      for (const m of [3, 30]) {
        const c = { m, n: 25, k: K };
        check(wasm, dtype, c, 7, (av, bv) => {
          for (const p of EDGES) {
            bv.fill(0, p * c.n, (p + 1) * c.n);
            av[p * c.m + (p % c.m)] = p % 2 === 0 ? Number.NaN : Number.POSITIVE_INFINITY;
          }
        });
      }
    });

    it("keeps the zero A values of a step whose B row holds an Inf or a NaN, also where the A row is all zero", () => {
      for (const n of [1, 25, 26]) {
        const c = { m: 30, n, k: K };
        check(wasm, dtype, c, 8, (av, bv) => {
          for (const [i, p] of EDGES.entries()) {
            bv[p * c.n + (i % c.n)] = i % 2 === 0 ? Number.NEGATIVE_INFINITY : Number.NaN;
            if (i < 3) av.fill(i === 1 ? -0 : 0, p * c.m, (p + 1) * c.m);
          }
        });
      }
    });

    // The listing tests a step's A values 16, 8, 4, 2 and 1 at a time (float32; float64 4 and 2) and
    // appends each kept value to its row's list: one nonzero per step, at every row of the step in
    // turn, at the last row only, and at the last row of a k block's first and last steps, with
    // row counts that end each of those widths.
    it("gives cpu's bits when a step's only nonzero is at any one row, the last row included", () => {
      for (const m of [1, 2, 3, 5, 15, 16, 17, 18, 23, 24, 25, 29, 30, 31, 63, 64]) {
        const c = { m, n: 25, k: K };
        check(wasm, dtype, c, 11, (av) => {
          av.fill(0);
          for (let p = 0; p < c.k; p++) av[p * c.m + (p % c.m)] = 1 + p / c.k;
        });
        check(wasm, dtype, c, 12, (av) => {
          av.fill(0);
          for (let p = 0; p < c.k; p += 3) av[p * c.m + c.m - 1] = -0.5 - p / c.k;
        });
        check(wasm, dtype, c, 13, (av) => {
          av.fill(0);
          for (const p of EDGES) av[p * c.m + c.m - 1] = 0.25;
        });
      }
    });

    it("gives cpu's bits when every B row is zero, with NaN and Inf in A (kept) and in zero rows of A", () => {
      for (const m of [16, 30]) {
        const c = { m, n: 25, k: K };
        check(wasm, dtype, c, 14, (_, bv) => bv.fill(0));
        check(wasm, dtype, c, 15, (av, bv) => {
          bv.fill(0);
          for (const [i, p] of EDGES.entries()) av[p * c.m + ((i * 7) % c.m)] = i % 2 === 0 ? Number.NaN : -Infinity;
        });
        // B finite but for one Inf in the last row of a block: its step keeps A's zeros.
        check(wasm, dtype, c, 16, (av, bv) => {
          for (let p = 0; p < c.k; p += 2) av.fill(0, p * c.m, (p + 1) * c.m);
          bv[233 * c.n + c.n - 1] = Number.POSITIVE_INFINITY;
          av.fill(0, 233 * c.m, 234 * c.m);
          av[699 * c.m + c.m - 1] = Number.NaN;
        });
      }
    });

    it("gives cpu's bits when A is dense (the block is multiplied densely instead)", () => {
      const c = { m: 30, n: 25, k: K };
      const av = sampleValues(c.k * c.m, 9);
      const bv = rowsWithZeros(c.k, c.n, 10, 0.4, 0.5);
      expect(firstDifference(product(wasm, dtype, av, bv, c), product(cpu, dtype, av, bv, c)), dtype).toBeNull();
    });
  });
}
