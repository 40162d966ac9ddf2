// float32 is float32: products and sums of float32 tensors are computed in float32 arithmetic, every
// product and every partial sum rounded to float32, in a fixed order (increasing k for a matrix
// product, increasing index along the summed axis), with the same bits on the cpu backend (the
// TypeScript kernels), the wasm backend (f32x4 SIMD kernels) and the worker backend (the wasm kernels
// on row ranges in several threads).
//
// Why Math.fround reproduces WebAssembly's f32.mul and f32.add exactly: float32 values a and b have
// 24-bit significands, so a * b has at most 48 significant bits and is exact in float64 (53 bits);
// Math.fround(a * b) is then the float32 product correctly rounded, which is what f32.mul returns.
// a + b of two float32 values, rounded to float64 and then to float32, equals a + b rounded to float32
// once, because float64 carries at least 2 * 24 + 2 significand bits (double rounding is innocuous for
// +, -, *, / under that condition; S. Figueroa, "When is double rounding innocuous?", 1995). So
// Math.fround(s + Math.fround(a * b)) is f32.add(s, f32.mul(a, b)), bit for bit, for every input
// including subnormals, infinities and NaN (WebAssembly does not flush subnormals; neither
// side fuses the multiply and the add). test/reference/float64.ts's matmulRef and reduceRef use that
// formula and share no code with the kernels.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpu, tensor, type Backend, type Tensor } from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { splitEveryOp } from "../src/worker/internals.js";
import { createWorkerBackend, type WorkerBackend } from "../src/worker/node.js";
import { matmulRef, reduceRef, sampleValues } from "./reference/float64.js";

/** Index of the first element whose bits differ, or -1 (NaN payloads and signed zeros included). */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  return -1;
}

/** The same values as float32 on one backend. */
function on(backend: Backend, values: readonly number[], shape: number[]): Tensor {
  return tensor(values as number[], { dtype: "float32", shape, backend });
}

let wasm: WasmBackend;
let worker: WorkerBackend;

beforeAll(async () => {
  wasm = await createWasmBackend();
  // Every op split between 3 threads, so each kernel runs on several row ranges.
  worker = await createWorkerBackend({ threads: 3 }).then(splitEveryOp);
  tf.env().set("IS_TEST", true);
  await tf.setBackend("cpu");
});

afterAll(() => {
  worker.dispose();
});

/** Runs f on cpu, wasm and worker, and checks that all three give `want`'s bits (Float32Array). */
function expectSameOnEveryBackend(f: (b: Backend) => Tensor, want: readonly number[], what: string): void {
  const expected = Float32Array.from(want);
  for (const backend of [cpu, wasm, worker] as Backend[]) {
    const got = f(backend);
    expect(got.dtype, what).toBe("float32");
    expect(got.backend.name, what).toBe(backend.name);
    const i = firstBitDifference(got.data as Float32Array, expected);
    expect(i === -1 ? "same bits" : `${backend.name} differs at ${i}: ${got.data[i]} vs ${expected[i]}`, what).toBe(
      "same bits",
    );
  }
}

describe("float32 matmul: float32 products and sums, same bits on cpu, wasm and worker", () => {
  // Shapes around the kernels' blocks: wasm tiles 4 x 8 (a last panel of 4 columns when n mod 8 is
  // 1..4), TypeScript tiles 4 x 4, MC 64 rows, NC 240 columns, k blocks of at most 256.
  const SHAPES: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 2],
    [5, 7, 9],
    [9, 13, 12],
    [17, 33, 50],
    [67, 29, 13],
    [70, 600, 45], // k = 600: three k blocks of 200
    [130, 257, 250], // two column strips (240 + 10), k blocks of 129 and 128
    [200, 784, 50], // the book's first layer, twice the batch
  ];
  const COMBOS: [boolean, boolean][] = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ];

  function check(m: number, k: number, n: number, tA: boolean, tB: boolean, av: number[], bv: number[], what: string) {
    const aShape = tA ? [k, m] : [m, k];
    const bShape = tB ? [n, k] : [k, n];
    const want = matmulRef(
      { data: Array.from(Float32Array.from(av)), shape: aShape },
      { data: Array.from(Float32Array.from(bv)), shape: bShape },
      tA,
      tB,
      "float32",
    ).data;
    expectSameOnEveryBackend(
      (b) => on(b, av, aShape).matmul(on(b, bv, bShape), { transposeA: tA, transposeB: tB }),
      want,
      what,
    );
  }

  it("dense operands at odd shapes and every transpose combination", () => {
    let seed = 11;
    for (const [m, k, n] of SHAPES) {
      for (const [tA, tB] of COMBOS) {
        seed += 2;
        check(m, k, n, tA, tB, sampleValues(m * k, seed), sampleValues(k * n, seed + 1), `${m}x${k}x${n} ${tA} ${tB}`);
      }
    }
  });

  it("sparse A (80 % zeros, signed zeros among them: the wasm kernel skips them) with finite B", () => {
    let seed = 101;
    for (const [m, k, n] of SHAPES) {
      for (const [tA, tB] of COMBOS) {
        seed += 3;
        const u = sampleValues(m * k, seed + 2, 0, 1);
        const av = sampleValues(m * k, seed).map((v, i) => (u[i]! < 0.8 ? (u[i]! < 0.1 ? -0 : 0) : v));
        check(m, k, n, tA, tB, av, sampleValues(k * n, seed + 1), `sparse ${m}x${k}x${n} ${tA} ${tB}`);
      }
    }
  });

  it("sparse A with Inf and NaN in B: 0 * Inf is NaN, so nothing is skipped", () => {
    let seed = 303;
    for (const [m, k, n] of SHAPES.slice(2)) {
      for (const [tA, tB] of COMBOS) {
        seed += 3;
        const u = sampleValues(m * k, seed + 2, 0, 1);
        const av = sampleValues(m * k, seed).map((v, i) => (u[i]! < 0.8 ? 0 : v));
        const bv = sampleValues(k * n, seed + 1);
        bv[(seed * 7) % bv.length] = Infinity;
        bv[(seed * 13) % bv.length] = Number.NaN;
        bv[(seed * 17) % bv.length] = -Infinity;
        check(m, k, n, tA, tB, av, bv, `inf/nan ${m}x${k}x${n} ${tA} ${tB}`);
      }
    }
  });

  it("overflow and subnormal products are float32's", () => {
    // 2^100 * 2^100 overflows float32 (largest about 2^128) to Infinity, and Infinity - Infinity is
    // NaN, where a float64 sum would give 2^200 - 2^200 = 0. 2^-70 * 2^-70 = 2^-140 is a float32
    // subnormal (the smallest is 2^-149), kept, not flushed to zero.
    const big = 2 ** 100;
    const tiny = 2 ** -70;
    expectSameOnEveryBackend(
      (b) => on(b, [big, -big, tiny, tiny], [2, 2]).matmul(on(b, [big, 0, big, tiny], [2, 2])),
      [Number.NaN, -(2 ** 30), 2 ** 31, 2 ** -140],
      "overflow and subnormals",
    );
    expect(Math.fround(2 ** -140)).toBe(2 ** -140);
  });

  it("hand-derived: the float32 sum of float32 products differs from a float64 sum rounded once", () => {
    // a = 1 + 2^-12 is a float32. a * a = 1 + 2^-11 + 2^-24 exactly; in float32 (ulp 2^-23 at 1) the
    // 2^-24 is half an ulp, a tie, rounded to the even significand: 1 + 2^-11. Three such products
    // summed in float32: 2 + 2^-10, then 3 + 3 * 2^-11 = 3.00146484375 (exact: ulp 2^-22 in [2, 4)).
    // Summed in float64 they would be 3 + 3 * 2^-11 + 3 * 2^-24, which rounds to float32 as
    // 3 + 3 * 2^-11 + 2^-22 (3 * 2^-24 is 0.75 ulp): 3.0014650821685791015625.
    const a = 1 + 2 ** -12;
    const want = 3 + 3 * 2 ** -11;
    expect(want).toBe(3.00146484375);
    expect(Math.fround(a * a + a * a + a * a)).toBe(want + 2 ** -22); // the float64-then-round value
    expectSameOnEveryBackend((b) => on(b, [a, a, a], [1, 3]).matmul(on(b, [a, a, a], [3, 1])), [want], "1x3 @ 3x1");
    // The order is increasing k: 2^24 + 1 + 1 loses both ones (each add is a tie, rounded to the even
    // 2^24), 1 + 1 + 2^24 keeps them (2 + 2^24 is a float32).
    expectSameOnEveryBackend(
      (b) => on(b, [16777216, 1, 1, 1, 1, 16777216], [2, 3]).matmul(on(b, [1, 1, 1], [3, 1])),
      [16777216, 16777218],
      "2^24 first and last",
    );
  });

  it("agrees with TensorFlow.js float32 matMul within float32 rounding bounds", () => {
    // Both sides compute in float32 in different orders (tfjs-cpu sums blocks of k). Each differs
    // from the exact product by at most gamma_k * sum_p |a_ip * b_pj| with gamma_k = k u / (1 - k u),
    // u = 2^-24 (Higham, Accuracy and Stability of Numerical Algorithms, 3.1); so they differ from
    // each other by at most twice that.
    const [m, k, n] = [37, 300, 29];
    const av = sampleValues(m * k, 5);
    const bv = sampleValues(k * n, 6);
    const ours = on(cpu, av, [m, k]).matmul(on(cpu, bv, [k, n])).data;
    const theirs = tf.matMul(tf.tensor(Float32Array.from(av), [m, k]), tf.tensor(Float32Array.from(bv), [k, n]));
    const t = theirs.dataSync();
    const abs = matmulRef(
      { data: Array.from(Float32Array.from(av), Math.abs), shape: [m, k] },
      { data: Array.from(Float32Array.from(bv), Math.abs), shape: [k, n] },
    ).data;
    const u = 2 ** -24;
    const gamma = (k * u) / (1 - k * u);
    for (let i = 0; i < m * n; i++) {
      expect(Math.abs(ours[i]! - t[i]!), `element ${i}`).toBeLessThanOrEqual(2 * gamma * abs[i]!);
    }
    theirs.dispose();
  });
});

describe("float32 sums and means: float32 partial sums, same bits on cpu, wasm and worker", () => {
  const shapes: [number[], number | null][] = [
    [[1000], null],
    [[300, 7], 0], // along rows: the wasm kernel's f32x4 column sums, a tail of 3
    [[300, 50], 0], // a bias gradient of the book's net, three times the batch
    [[40, 33], 1], // along the last axis (softmax row sums)
    [[6, 70, 9], 1], // a middle axis
    [[6, 70, 9], -1],
  ];

  it("sum and mean along every kind of axis, against the float32 reference", () => {
    let seed = 7;
    for (const [shape, axis] of shapes) {
      seed += 2;
      const size = shape.reduce((x, y) => x * y, 1);
      // Values of mixed magnitudes, so that rounding each partial sum to float32 matters.
      const values = sampleValues(size, seed).map((v, i) => (i % 5 === 0 ? v * 4096 : v));
      const ref = reduceRef("sum", { data: Array.from(Float32Array.from(values)), shape }, axis, false, "float32");
      expectSameOnEveryBackend((b) => on(b, values, shape).sum(axis), ref.data, `sum ${shape} axis ${axis}`);
      const count = axis === null ? size : shape.at(axis)!;
      expectSameOnEveryBackend(
        (b) => on(b, values, shape).mean(axis),
        ref.data.map((s) => Math.fround(s / count)),
        `mean ${shape} axis ${axis}`,
      );
    }
  });

  it("hand-derived: 1 + 2^-24 + 2^-24 + 2^-24 + 2^-24 is 1 in float32", () => {
    // 1 + 2^-24 lies halfway between 1 and 1 + 2^-23 (the next float32) and rounds to the even one,
    // 1; so does every further add. Summed in float64 it would be 1 + 2^-22, a float32.
    const e = 2 ** -24;
    expectSameOnEveryBackend((b) => on(b, [1, e, e, e, e], [5]).sum(), [1], "all");
    // Column sums (the wasm kernel's f32x4 lanes): the same along axis 0 in each of 5 columns.
    const rows = [1, 1, 1, 1, 1, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e];
    expectSameOnEveryBackend((b) => on(b, rows, [5, 5]).sum(0), [1, 1, 1, 1, 1], "columns");
    // Small values first: e + e + e + e = 2^-22, then 1 + 2^-22 is exact.
    expectSameOnEveryBackend((b) => on(b, [e, e, e, e, 1], [5]).sum(), [1 + 2 ** -22], "small first");
  });

  it("agrees with TensorFlow.js float32 sums within float32 rounding bounds", () => {
    // Sequential float32 sums of n values err by at most gamma_(n-1) * sum |x| (Higham 4.2); tfjs
    // sums in another order with the same bound, so the two differ by at most twice that.
    const values = sampleValues(500 * 20, 3, -10, 10);
    const ours = on(cpu, values, [500, 20]).sum(0).data;
    const theirs = tf.sum(tf.tensor(Float32Array.from(values), [500, 20]), 0);
    const t = theirs.dataSync();
    const u = 2 ** -24;
    const gamma = (499 * u) / (1 - 499 * u);
    for (let j = 0; j < 20; j++) {
      let abs = 0;
      for (let i = 0; i < 500; i++) abs += Math.abs(Math.fround(values[i * 20 + j]!));
      expect(Math.abs(ours[j]! - t[j]!), `column ${j}`).toBeLessThanOrEqual(2 * gamma * abs);
    }
    theirs.dispose();
  });
});
