// Cases shared by fused.test.ts and fused-typescript.test.ts: the book's Adam and every other op a
// fused program has, as Tensor ops (the reference) and as a fused function, compared bit for bit.
import { expect } from "vitest";
import {
  type Backend,
  type FloatDType,
  type FusedProgram,
  FUSED_OPS,
  type Tensor,
  type TypedArray,
  Rng,
  cpu,
  fused,
  zeros,
} from "../src/index.js";

/** Index of the first element whose bits differ, or -1 (NaN payloads and -0 included). */
export function firstBitDifference(a: TypedArray, b: TypedArray): number {
  if (a.constructor !== b.constructor || a.length !== b.length) return 0;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return Math.floor(i / a.BYTES_PER_ELEMENT);
  return -1;
}

export function expectSameBits(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  const i = firstBitDifference(actual.data, expected.data);

  expect(i === -1 ? "identical" : `differs at ${i}: ${actual.data[i]} against ${expected.data[i]}`, what).toBe(
    "identical",
  );
}

const SPECIALS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 5e-324, 1e-310, 1e300, -1];

/** n values: normal noise, one in seven replaced by a special value (NaN, ±Infinity, ±0, tiny, huge). */
export function values(n: number, seed: number, dtype: FloatDType, backend: Backend, positive = false): Tensor {
  const rng = new Rng(seed);
  const data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = rng.normal();
    data[i] = rng.uniform() < 1 / 7 ? SPECIALS[i % SPECIALS.length]! : positive ? Math.abs(v) : v;
  }
  const t = zeros([n], { dtype, backend });
  t.data.set(data);
  return t;
}

// The book's Adam on one parameter, as ops (the reference) and as a fused function: every op a
// fused program has (add, sub, mul, div with values and numbers, square, sqrt) and an assign, plus
// the other unary ops on one more output.
const B1 = 0.9;
const B2 = 0.999;
const LR = 0.0123;
const EPS = 1e-7;

export function adamOps(p: Tensor, g: Tensor, m0: Tensor, v0: Tensor): Tensor[] {
  const m = m0.add(g.sub(m0).mul(1 - B1));
  const v = v0.add(
    g
      .square()
      .sub(v0)
      .mul(1 - B2),
  );
  const next = p.sub(m.mul(LR).div(v.sqrt().add(EPS)));
  const other = g.neg().abs().relu().add(g.step()).mul(g.sign()).sub(g.reciprocal()).div(m);
  return [m, v, next, other];
}

export function adamFused(p: Tensor, g: Tensor, m0: Tensor, v0: Tensor): Tensor[] {
  const [m, v, other] = fused(
    (p, g, m0, v0) => {
      const m = m0.add(g.sub(m0).mul(1 - B1));
      const v = v0.add(
        g
          .square()
          .sub(v0)
          .mul(1 - B2),
      );
      p.assign(p.sub(m.mul(LR).div(v.sqrt().add(EPS))));
      return [m, v, g.neg().abs().relu().add(g.step()).mul(g.sign()).sub(g.reciprocal()).div(m)];
    },
    p,
    g,
    m0,
    v0,
  );
  return [m, v, p, other];
}

/** Compares fused with the ops on `backend` and with the ops on cpu, for length n. */
export function checkAdam(backend: Backend, dtype: FloatDType, n: number, what: string): void {
  const inputs = (on: Backend) => [
    values(n, 1, dtype, on),
    values(n, 2, dtype, on),
    values(n, 3, dtype, on),
    values(n, 4, dtype, on, true),
  ];
  const [p, g, m0, v0] = inputs(backend) as [Tensor, Tensor, Tensor, Tensor];
  const expected = adamOps(...(inputs(cpu) as [Tensor, Tensor, Tensor, Tensor]));
  const same = adamOps(p, g, m0, v0);
  const storage = p.data;
  const got = adamFused(p, g, m0, v0);
  expect(p.data, `${what}: p updated in its own storage`).toBe(storage);
  for (let k = 0; k < 4; k++) {
    expectSameBits(got[k]!, same[k]!, `${what} output ${k}: fused against the ops on the same backend`);
    expectSameBits(got[k]!, expected[k]!, `${what} output ${k}: fused against the ops on cpu`);
  }
  // Every tensor goes back to its backend (a heap full of dead results would leave the wasm
  // kernels nothing resident to run on).
  for (const t of [p, g, m0, v0, ...same, ...got]) t.dispose();
}

/** Lengths around every block and SIMD boundary, and a few large ones (split into many chunks). */
export const LENGTHS = [
  ...Array.from({ length: 20 }, (_, i) => i + 1),
  ...[255, 256, 257, 258, 259, 511, 512, 513, 514, 515, 1023, 1024, 1025, 1026, 1027, 2047, 2049],
  100_003,
  432_000,
];

/** Each op of a fused program alone, on values of length 1001 with specials (add, sub, mul, div
 * with a value and with 0.1, which float32 rounds as Tensor's scalars do). */
export function checkEachOp(backend: Backend, dtype: FloatDType, name: string): void {
  const x = values(1001, 7, dtype, backend);
  const y = values(1001, 8, dtype, backend);
  for (const op of FUSED_OPS) {
    const what = `${name} ${dtype} ${op}`;
    if (op === "add" || op === "sub" || op === "mul" || op === "div") {
      expectSameBits(
        fused((a, b) => a[op](b), x, y),
        x[op](y),
        `${what} value`,
      );
      expectSameBits(
        fused((a) => a[op](0.1), x),
        x[op](0.1),
        `${what} 0.1`,
      );
    } else
      expectSameBits(
        fused((a) => a[op](), x),
        x[op](),
        what,
      );
  }
}

/** The program that the one `fused` call of `call` makes (run on cpu tensors; captured on its way to
 * the backend). */
export function programOfCall(call: () => void): FusedProgram {
  const backend = cpu as { fused: typeof cpu.fused };
  let program: FusedProgram | undefined;
  backend.fused = (p, xs) => {
    program = p;
    return Object.getPrototypeOf(cpu).fused.call(cpu, p, xs);
  };
  try {
    call();
  } finally {
    delete (backend as Partial<typeof backend>).fused;
  }
  if (program === undefined) throw new Error("programOfCall: the call ran no fused program on cpu");
  return program;
}
