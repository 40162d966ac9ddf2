// assembly/matmul.ts at the shapes of SimpleConvNet's step and the odd shapes around them, bit for
// bit against the TypeScript kernel on the cpu backend: the k-outer loop nest (few rows, B packed or
// copied one k block at a time), a transposed A read in place (its last panel of fewer than 4 rows
// too, reading past the last row except in the last k block), and a B with short rows copied per
// block to rows padded to a multiple of 4 values.
import { beforeAll, describe, expect, it } from "vitest";
import { cpu, tensor, type Backend } from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { firstDifference } from "./conformance/suite.js";
import { sampleValues } from "./reference/float64.js";

/** count values, about `zeros` of them +0 or -0 (in runs of 5, as ReLU outputs and images). */
function values(count: number, seed: number, zeros: number): number[] {
  const u = sampleValues(Math.ceil(count / 5), seed + 3, 0, 1);
  return sampleValues(count, seed).map((v, i) => (u[Math.floor(i / 5)]! < zeros ? (i % 7 === 0 ? -0 : 0) : v));
}

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

function product(backend: Backend, av: number[], bv: number[], c: Case): Float64Array {
  const a = tensor(av, { backend, shape: c.transA ? [c.k, c.m] : [c.m, c.k] });
  const b = tensor(bv, { backend, shape: c.transB ? [c.n, c.k] : [c.k, c.n] });
  return a.matmul(b, { transposeA: c.transA, transposeB: c.transB }).data as Float64Array;
}

function check(
  wasm: WasmBackend,
  c: Case,
  zeros: number,
  seed: number,
  edit?: (av: number[], bv: number[]) => void,
): void {
  const av = values(c.m * c.k, seed, zeros);
  const bv = values(c.k * c.n, seed + 50, 0);
  edit?.(av, bv);
  const label = `m${c.m} n${c.n} k${c.k}${c.transA ? " Aᵀ" : ""}${c.transB ? " Bᵀ" : ""} zeros ${zeros}`;
  expect(firstDifference(product(wasm, av, bv, c), product(cpu, av, bv, c)), label).toBeNull();
}

describe("wasm float64 matmul at the convolution's shapes", () => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await createWasmBackend();
  });

  it("gives cpu's bits for the five products of SimpleConvNet's step, dense and half zeros", () => {
    const cases: Case[] = [
      { m: 30, n: 25, k: 57600, transA: true, transB: false }, // conv dW = doutᵀ · col
      { m: 57600, n: 30, k: 25, transA: false, transB: true }, // conv forward col · Wᵀ
      { m: 100, n: 4320, k: 100, transA: false, transB: true }, // Affine1 dx
      { m: 100, n: 100, k: 4320, transA: false, transB: false }, // Affine1 forward
      { m: 4320, n: 100, k: 100, transA: true, transB: false }, // Affine1 dW
    ];
    for (const c of cases) {
      check(wasm, c, 0, 1);
      check(wasm, c, 0.5, 2);
    }
  });

  it("gives cpu's bits for k-reduction products with every remainder of rows and columns", () => {
    // k = 700 is three blocks of 234, 233, 233 steps: the in-place A's last panel reads past its row
    // in the first two and is packed in the last. m from 1 to 9 and around 30 and 64; n from 1 to 9
    // and around 25.
    for (const m of [1, 2, 3, 4, 5, 6, 7, 9, 29, 30, 31, 63, 64, 65, 67]) {
      for (const n of [1, 2, 3, 5, 8, 9, 25, 26, 30]) {
        check(wasm, { m, n, k: 700, transA: true, transB: false }, 0, m * 100 + n);
        check(wasm, { m, n, k: 700, transA: false, transB: false }, 0, m * 100 + n + 7);
      }
    }
  });

  it("gives cpu's bits when A holds NaN and Infinity next to the rows read past, and B in its last row", () => {
    // A transposed, 30 rows: A[p][0..1] are read as padding rows 30 and 31 of step p - 1; a NaN there
    // must not reach rows 0..29. B's last row holds an Infinity (no zeros of A skipped then).
    const c: Case = { m: 30, n: 25, k: 600, transA: true, transB: false };
    check(wasm, c, 0.5, 11, (av) => {
      for (let p = 0; p < c.k; p += 3) av[p * c.m] = Number.NaN;
      av[5 * c.m + 1] = Number.POSITIVE_INFINITY;
    });
    check(wasm, c, 0.5, 12, (_, bv) => {
      bv[(c.k - 1) * c.n + 24] = Number.NEGATIVE_INFINITY;
    });
  });
});
