// The WebAssembly SIMD matrix product (assembly/matmul.ts) against the TypeScript kernel it
// replaces (src/kernels/matmul.ts), bit for bit: through the wasm backend's Tensor API and by calling
// the kernel directly on row ranges, as the worker backend's threads do. Shapes straddle both
// kernels' block sizes (MR 4, NR 4 or 5, MC 64, NC 240, k blocks of at most 256) and the backend's
// 4 MB staging chunks, so full tiles, edge tiles, tails and several blocks all occur.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { cpu, tensor, type FloatArray, type FloatDType } from "../src/index.js";
import { matmulImpl } from "../src/kernels/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { instantiateKernels, kernelsModule, type KernelExports } from "../src/wasm/module.js";
import { firstDifference } from "./conformance/suite.js";
import { sampleValues } from "./reference/float64.js";

const DTYPES: FloatDType[] = ["float64", "float32"];
const COMBOS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [4, 4, 4],
  [5, 3, 7],
  [3, 0, 4], // k = 0: an empty sum, zeros
  [7, 11, 13],
  [65, 257, 241],
  [130, 300, 50],
  [200, 100, 481],
  [3, 513, 6],
  [100, 784, 50],
];

function arrayOf(dtype: FloatDType, values: number[]): FloatArray {
  return dtype === "float64" ? new Float64Array(values) : new Float32Array(values);
}

describe("wasm backend matmul", () => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await createWasmBackend();
  });

  function compare(m: number, k: number, n: number, tA: boolean, tB: boolean, dtype: FloatDType, seed: number) {
    const av = sampleValues(m * k, seed);
    const bv = sampleValues(k * n, seed + 1);
    const opts = (backend: typeof cpu, shape: number[]) => ({ backend, dtype, shape });
    const aShape = tA ? [k, m] : [m, k];
    const bShape = tB ? [n, k] : [k, n];
    const want = tensor(av, opts(cpu, aShape)).matmul(tensor(bv, opts(cpu, bShape)), {
      transposeA: tA,
      transposeB: tB,
    });
    const got = tensor(av, opts(wasm, aShape)).matmul(tensor(bv, opts(wasm, bShape)), {
      transposeA: tA,
      transposeB: tB,
    });
    expect(got.backend).toBe(wasm);
    expect(got.shape).toEqual([m, n]);
    expect(firstDifference(got.data, want.data), `${dtype} ${m}x${k}x${n} tA=${tA} tB=${tB}`).toBeNull();
  }

  for (const dtype of DTYPES) {
    it(`${dtype}: equals the cpu backend bit for bit on every shape class and transpose`, () => {
      let seed = 11;
      for (const [m, k, n] of SHAPES) {
        for (const [tA, tB] of COMBOS) {
          seed += 2;
          compare(m, k, n, tA, tB, dtype, seed);
        }
      }
    });

    it(`${dtype}: rows staged in several 4 MB chunks give the same bits (1500x784 @ 784x50)`, () => {
      compare(1500, 784, 50, false, false, dtype, 3);
      compare(1500, 784, 50, false, true, dtype, 5);
    });

    it(`${dtype}: random shapes equal cpu (property, 40 runs)`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 90 }),
          fc.integer({ min: 0, max: 300 }),
          fc.integer({ min: 1, max: 260 }),
          fc.boolean(),
          fc.boolean(),
          fc.integer({ min: 0, max: 1e6 }),
          (m, k, n, tA, tB, seed) => {
            compare(m, k, n, tA, tB, dtype, seed);
          },
        ),
        { seed: 20261130, numRuns: 40 },
      );
    });
  }

  it("keeps NaN, ±Infinity and the sign of zero exactly as cpu does", () => {
    // Lane by lane the sums are those of the scalar kernel: 0 + (-0 * 1) is +0, Inf - Inf is NaN.
    const a = [-0, 1, Infinity, NaN, 2, -0, -Infinity, 3, 0.5];
    const b = [1, -0, 2, Infinity, -1, 1e308, 1e308, -0, 3];
    for (const dtype of DTYPES) {
      const want = tensor(a, { dtype, shape: [3, 3] }).matmul(tensor(b, { dtype, shape: [3, 3] }));
      const got = tensor(a, { dtype, shape: [3, 3], backend: wasm }).matmul(
        tensor(b, { dtype, shape: [3, 3], backend: wasm }),
      );
      expect(firstDifference(got.data, want.data), dtype).toBeNull();
    }
    // Hand-derived: row 0 of a is [-0, 1, Inf], column 0 of b is [1, Inf, 1e308]:
    // ((0 + -0*1) + 1*Inf) + Inf*1e308 = Infinity.
    const on = (v: number[], shape: number[]) => tensor(v, { shape, backend: wasm });
    expect(
      on(a, [3, 3])
        .matmul(on(b, [3, 3]))
        .get(0, 0),
    ).toBe(Infinity);
    // The sum starts at +0, so [-0] @ [1] is 0 + -0 = +0 (not -0), as in the TypeScript kernel.
    expect(
      Object.is(
        on([-0], [1, 1])
          .matmul(on([1], [1, 1]))
          .get(0, 0),
        0,
      ),
    ).toBe(true);
  });

  it("skips the zeros of A (sparse rows) without changing a bit, and never where B is not finite", () => {
    // Mostly-zero A (as MNIST images and ReLU outputs are) takes the sparse-row path of
    // assembly/matmul.ts; the result must still be cpu's, for every transpose and both dtypes, with
    // +0 and -0 among the zeros, whole zero rows, and blocks on both sides of the 50 % threshold.
    fc.assert(
      fc.property(
        fc.constantFrom(...DTYPES),
        fc.integer({ min: 1, max: 150 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(0.2, 0.45, 0.55, 0.8, 0.97, 1),
        fc.constantFrom("finite", "inf", "nan"),
        fc.integer({ min: 0, max: 1e6 }),
        (dtype, m, k, n, tA, tB, zeros, bKind, seed) => {
          // Zeros at random places (odd seeds) or in runs of up to 12, as in images (even seeds):
          // the packing passes over four zeros at once and takes the other values without branching.
          const u = sampleValues(m * k, seed + 7, 0, 1);
          const runs = seed % 2 === 0;
          const av = sampleValues(m * k, seed).map((v, i) => {
            const z = runs ? u[Math.floor(i / (1 + (seed % 12)))]! : u[i]!;
            return z < zeros ? (i % 3 === 0 ? -0 : 0) : v;
          });
          const bv = sampleValues(k * n, seed + 1);
          if (bKind !== "finite") bv[seed % bv.length] = bKind === "inf" ? -Infinity : NaN;
          const aShape = tA ? [k, m] : [m, k];
          const bShape = tB ? [n, k] : [k, n];
          const product = (backend: typeof cpu) =>
            tensor(av, { backend, dtype, shape: aShape }).matmul(tensor(bv, { backend, dtype, shape: bShape }), {
              transposeA: tA,
              transposeB: tB,
            }).data;
          return firstDifference(product(wasm), product(cpu)) === null;
        },
      ),
      { seed: 20261201, numRuns: 60 },
    );
    // Hand-derived: A = [[0, 0], [-0, 2]], B = [[Inf, -1], [1, -1]].
    // out[0][0] = (0 + 0*Inf) + 0*1 = NaN (0 * Inf is NaN: nothing may be skipped against an Inf);
    // out[0][1] = (0 + 0*-1) + 0*-1 = +0; out[1][0] = NaN; out[1][1] = (0 + -0*-1) + 2*-1 = -2.
    const on = (v: number[]) => tensor(v, { shape: [2, 2], backend: wasm });
    const withInf = on([0, 0, -0, 2]).matmul(on([Infinity, -1, 1, -1]));
    expect(Array.from(withInf.data)).toEqual([NaN, 0, NaN, -2]);
    expect(Object.is(withInf.get(0, 1), 0)).toBe(true);
    // A finite B: a zero row of A gives +0 (0 + -0 is +0), never -0.
    const zeroRow = on([0, -0, 1, 0]).matmul(on([-3, -1, -2, 5]));
    expect(Object.is(zeroRow.get(0, 0), 0) && Object.is(zeroRow.get(0, 1), 0)).toBe(true);
    expect([zeroRow.get(1, 0), zeroRow.get(1, 1)]).toEqual([-3, -1]);
  });

  it("sparse rows whose last column group is 14 wide (12 + a pair: n = 14, 26, 50) give cpu's bits", () => {
    // The sparse path sums the last 14 columns in one kernel (seven f64x2 sums); B read in place
    // (float64, not transposed) and from packed panels (float32, or B transposed).
    for (const dtype of DTYPES) {
      for (const n of [14, 26, 50]) {
        for (const [tA, tB] of [
          [false, false],
          [true, false],
          [false, true],
        ] as const) {
          const m = 37;
          const k = 90;
          const u = sampleValues(m * k, n + 5, 0, 1);
          const av = sampleValues(m * k, n).map((v, i) => (u[i]! < 0.8 ? 0 : v));
          const bv = sampleValues(k * n, n + 1);
          const product = (backend: typeof cpu) =>
            tensor(av, { backend, dtype, shape: tA ? [k, m] : [m, k] }).matmul(
              tensor(bv, { backend, dtype, shape: tB ? [n, k] : [k, n] }),
              { transposeA: tA, transposeB: tB },
            ).data;
          expect(firstDifference(product(wasm), product(cpu)), `${dtype} n=${n} tA=${tA} tB=${tB}`).toBeNull();
        }
      }
    }
  });

  it("float32: products summed in float32 in increasing k, as cpu", () => {
    // (2^24 + 1) + 1 in float32: each add gives 16777217, halfway between 2^24 and 2^24 + 2, which
    // rounds to the even 2^24. In the other order (1 + 1) + 2^24 = 16777218 is exact.
    const x = tensor([16777216, 1, 1], { dtype: "float32", shape: [1, 3], backend: wasm });
    const y = tensor([1, 1, 1], { dtype: "float32", shape: [3, 1], backend: wasm });
    expect(x.matmul(y).get(0, 0)).toBe(16777216);
    const x2 = tensor([1, 1, 16777216], { dtype: "float32", shape: [1, 3], backend: wasm });
    expect(x2.matmul(y).get(0, 0)).toBe(16777218);
  });
});

describe("the wasm matmul kernel on row ranges (as each worker thread runs it)", () => {
  let kernels: KernelExports;
  let memory: WebAssembly.Memory;
  beforeAll(async () => {
    memory = new WebAssembly.Memory({ initial: 256 });
    kernels = instantiateKernels(await kernelsModule(false), memory);
  });

  it("any split of the rows gives the TypeScript kernel's bits (property, 50 runs)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DTYPES),
        fc.integer({ min: 1, max: 140 }),
        fc.integer({ min: 0, max: 280 }),
        fc.integer({ min: 1, max: 250 }),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 140 }), { maxLength: 4 }),
        fc.integer({ min: 0, max: 1e6 }),
        (dtype, m, k, n, tA, tB, cuts, seed) => {
          const a = arrayOf(dtype, sampleValues(m * k, seed));
          const b = arrayOf(dtype, sampleValues(k * n, seed + 1));
          const want = arrayOf(dtype, new Array<number>(m * n).fill(0));
          matmulImpl(a, b, want, m, n, k, tA, tB, 0, m);
          // Layout: a, b, out (filled with NaN so an unwritten element shows), scratch.
          const size = a.BYTES_PER_ELEMENT;
          const aAt = 0;
          const bAt = Math.ceil((aAt + a.length * size) / 16) * 16;
          const outAt = Math.ceil((bAt + b.length * size) / 16) * 16;
          const scratch = Math.ceil((outAt + m * n * size) / 16) * 16;
          const need = scratch + kernels.matmulScratchBytes(n, k);
          if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
          const view = (at: number, len: number) =>
            dtype === "float64" ? new Float64Array(memory.buffer, at, len) : new Float32Array(memory.buffer, at, len);
          view(aAt, a.length).set(a);
          view(bAt, b.length).set(b);
          view(outAt, m * n).fill(NaN);
          const bounds = [0, ...cuts.filter((c) => c > 0 && c < m).sort((x, y) => x - y), m];
          for (let i = bounds.length - 2; i >= 0; i--) {
            kernels.matmul(
              aAt,
              bAt,
              outAt,
              m,
              n,
              k,
              +tA,
              +tB,
              bounds[i]!,
              bounds[i + 1]!,
              +(dtype === "float32"),
              scratch,
            );
          }
          return firstDifference(view(outAt, m * n), want) === null;
        },
      ),
      { seed: 7, numRuns: 50 },
    );
  });
});
