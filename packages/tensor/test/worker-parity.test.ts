// Bitwise parity of the worker backend with the cpu backend. Every backend op of the worker backend
// is split here (every op split, 3 threads), so each kernel runs over several ranges on several
// threads, and its output must equal the cpu backend's bit for bit: same kernel code, same inputs,
// same order of operations per output element.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BINARY_OPS,
  BackendError,
  Rng,
  Tensor,
  UNARY_OPS,
  ValueError,
  cpu,
  rand,
  randn,
  tensor,
  type FloatDType,
  type TypedArray,
} from "../src/index.js";
import { WorkerBackend, type WorkerBackendOptions, createWorkerBackend } from "../src/worker/node.js";
import { poolOf, splitEveryOp } from "../src/worker/internals.js";

/** Index of the first element whose bits differ, or -1 (NaN payloads and -0 included). */
function firstBitDifference(a: TypedArray, b: TypedArray): number {
  if (a.constructor !== b.constructor || a.length !== b.length) return 0;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  const width = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return Math.floor(i / width);
  return -1;
}

function expectSameBits(onWorker: Tensor, onCpu: Tensor, what: string): void {
  expect(onWorker.backend.name, what).toBe("worker");
  expect(onCpu.backend.name, what).toBe("cpu");
  expect(onWorker.shape, what).toEqual(onCpu.shape);
  expect(onWorker.dtype, what).toBe(onCpu.dtype);
  const i = firstBitDifference(onWorker.data, onCpu.data);
  expect(i === -1 ? "identical" : `differs at ${i}: worker ${onWorker.data[i]} cpu ${onCpu.data[i]}`, what).toBe(
    "identical",
  );
}

let worker: WorkerBackend;

beforeAll(async () => {
  worker = await createWorkerBackend({ threads: 3 }).then(splitEveryOp);
});

afterAll(() => {
  worker.dispose();
});

describe("worker backend storage", () => {
  it("allocates tensors in ordinary ArrayBuffer memory, which the garbage collector accounts for", () => {
    const x = randn([4, 5], { seed: 1, backend: worker });
    expect(x.data.buffer).toBeInstanceOf(ArrayBuffer);
    expect(x.relu().data.buffer).toBeInstanceOf(ArrayBuffer); // computed by the threads in shared memory, copied out
    expect(worker.threads).toBe(3);
    expect(poolOf(worker).readyWorkers()).toBe(2);
    expect(worker.wasm).toBe(true); // matrix products on the wasm kernel in every thread
  });

  it("reads inputs built over the caller's own arrays (copied for the workers)", () => {
    const rng = new Rng(5);
    const values = Float64Array.from({ length: 37 * 23 }, () => rng.normal());
    const a = new Tensor(values, [37, 23], "float64", worker); // a plain ArrayBuffer, on the worker backend
    expect(a.data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    const b = randn([23, 11], { seed: 6 });
    expectSameBits(a.matmul(b.to(worker)), new Tensor(values, [37, 23]).matmul(b), "matmul of a non-shared input");
    expectSameBits(a.exp(), new Tensor(values, [37, 23]).exp(), "exp of a non-shared input");
  });

  it("rejects operands from another backend, naming both", () => {
    const a = randn([2, 2], { backend: worker });
    expect(() => a.add(randn([2, 2]))).toThrow(BackendError);
    expect(() => a.add(randn([2, 2]))).toThrow(/'worker' and 'cpu'/);
  });

  it("validates its options", () => {
    expect(() => new WorkerBackend({ threads: 0 })).toThrow(ValueError);
    expect(() => new WorkerBackend({ threads: 1.5 })).toThrow(/threads must be an integer in \[1, 256\], got 1.5/);
    // Splitting every op is a test hook (src/worker/internals.ts), not an option.
    expect(() => new WorkerBackend({ split: "always" } as WorkerBackendOptions)).toThrow(
      /^WorkerBackend: unknown option split; expected one of threads, wasm$/,
    );
  });

  it("new WorkerBackend() works at once, and its workers join while the calling thread never yields", () => {
    const fresh = splitEveryOp(new WorkerBackend({ threads: 2 }));
    const x = randn([200, 200], { seed: 4 });
    const expected = x.matmul(x);
    const xf = x.to(fresh);
    const t0 = Date.now();
    // Synchronous ops, no await: workers start on their own threads (bounded at 60 s as a hang guard).
    while (poolOf(fresh).readyWorkers() === 0 && Date.now() - t0 < 60_000)
      expectSameBits(xf.matmul(xf), expected, "before start");
    expect(poolOf(fresh).readyWorkers()).toBe(1);
    // Ops before the worker was ready ran inline; only the last one can have split, if the worker
    // became ready between the loop's check and that op's own.
    const before = fresh.stats.split;
    expect(before).toBeLessThanOrEqual(1);
    expectSameBits(xf.matmul(xf), expected, "after start");
    expect(fresh.stats.split).toBe(before + 1);
    fresh.dispose();
  });

  it("runs everything inline with threads: 1", () => {
    const one = new WorkerBackend({ threads: 1 });
    const a = randn([30, 40], { seed: 2 });
    const b = randn([40, 20], { seed: 3 });
    expect(poolOf(one).workers).toBe(0);
    expectSameBits(a.to(one).matmul(b.to(one)), a.matmul(b), "matmul with threads: 1");
    one.dispose();
  });
});

describe("matmul is bitwise identical to cpu", () => {
  // Sizes around the kernels' register tiles and cache blocks, primes, and the book's shapes.
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [2, 3, 4],
    [3, 1, 5],
    [5, 7, 3],
    [7, 13, 11],
    [16, 16, 16],
    [17, 33, 9],
    [31, 64, 65],
    [64, 1, 64],
    [100, 784, 50],
    [100, 50, 10],
    [129, 257, 67],
    [260, 130, 300],
  ];
  for (const dtype of ["float64", "float32"] as FloatDType[]) {
    for (const [m, k, n] of sizes) {
      it(`${dtype} ${m}x${k} @ ${k}x${n}, every transpose combination`, () => {
        const rng = new Rng(m * 1000 + k * 10 + n);
        for (const [tA, tB] of [
          [false, false],
          [true, false],
          [false, true],
          [true, true],
        ] as [boolean, boolean][]) {
          const a = randn(tA ? [k, m] : [m, k], { rng, dtype });
          const b = randn(tB ? [n, k] : [k, n], { rng, dtype });
          const opts = { transposeA: tA, transposeB: tB };
          expectSameBits(
            a.to(worker).matmul(b.to(worker), opts),
            a.matmul(b, opts),
            `transposeA ${tA} transposeB ${tB}`,
          );
        }
      });
    }
  }

  it("on 2, 3 and 4 threads, with the default split policy as well", async () => {
    const a = randn([333, 129], { seed: 11 });
    const b = randn([129, 77], { seed: 12 });
    const expected = a.matmul(b);
    for (const threads of [2, 4]) {
      const other = await createWorkerBackend({ threads }).then(splitEveryOp);
      expectSameBits(a.to(other).matmul(b.to(other)), expected, `${threads} threads`);
      other.dispose();
    }
    const auto = await createWorkerBackend({ threads: 2 });
    const big = randn([256, 256], { seed: 13 });
    expectSameBits(
      big.to(auto).matmul(big.to(auto), { transposeB: true }),
      big.matmul(big, { transposeB: true }),
      "auto split",
    );
    const small = randn([100, 100], { seed: 14 });
    expectSameBits(small.to(auto).add(1), small.add(1), "a small op, run inline");
    expect(auto.stats).toEqual({ split: 1, inline: 1 });
    auto.dispose();
  });
});

describe("element-wise ops, reductions and layout ops are bitwise identical to cpu", () => {
  // Special values exercise the kernels' NaN, infinity and signed-zero branches.
  const specials = [0, -0, 1, -1, 0.5, -2.5, 1e-300, -1e300, Infinity, -Infinity, NaN, 3];
  function sample(shape: number[], dtype: FloatDType, seed: number): Tensor {
    const x = randn(shape, { seed, dtype, std: 3 });
    for (let i = 0; i < x.size; i += 7) x.data[i] = specials[(i / 7) % specials.length]!;
    return x;
  }

  for (const dtype of ["float64", "float32"] as FloatDType[]) {
    it(`every unary op, ${dtype}`, () => {
      const x = sample([37, 29], dtype, 1).to(worker);
      const before = worker.stats.split;
      for (const op of UNARY_OPS) expectSameBits(x.unary(op), x.to(cpu).unary(op), op);
      expect(worker.stats.split - before, "ops handed out to the workers").toBe(UNARY_OPS.length);
    });

    it(`every binary op with and without broadcasting, ${dtype}`, () => {
      const a = sample([6, 31, 9], dtype, 2);
      const shapes = [[6, 31, 9], [9], [31, 1], [6, 1, 9], [1, 1, 1], []];
      for (const shape of shapes) {
        const b = sample(shape, dtype, 3 + shape.length);
        for (const op of BINARY_OPS) {
          expectSameBits(a.to(worker).binary(op, b.to(worker)), a.binary(op, b), `${op} with [${shape}]`);
          expectSameBits(b.to(worker).binary(op, a.to(worker)), b.binary(op, a), `${op} with [${shape}] on the left`);
        }
      }
      expectSameBits(a.to(worker).mul(0.1), a.mul(0.1), "mul by a number");
    });

    it(`sum, max, min and argmax along every axis and overall, ${dtype}`, () => {
      const x = randn([5, 17, 13], { seed: 4, dtype });
      for (const axis of [0, 1, 2]) {
        expectSameBits(x.to(worker).sum(axis), x.sum(axis), `sum ${axis}`);
        expectSameBits(x.to(worker).max(axis, true), x.max(axis, true), `max ${axis}`);
        expectSameBits(x.to(worker).min(axis), x.min(axis), `min ${axis}`);
        expectSameBits(x.to(worker).argmax(axis), x.argmax(axis), `argmax ${axis}`);
      }
      expectSameBits(x.to(worker).sum(), x.sum(), "sum of all");
      expectSameBits(x.to(worker).mean(1), x.mean(1), "mean 1");
    });
  }

  it("where, transpose, gather, oneHot and cast", () => {
    const x = randn([8, 9, 10], { seed: 5 });
    const cond = rand([9, 1], { seed: 6 }).gt(0.5);
    const y = randn([10], { seed: 7 });
    expectSameBits(x.to(worker).where(cond.to(worker), y.to(worker)), x.where(cond, y), "where");
    for (const perm of [
      [2, 1, 0],
      [1, 0, 2],
      [0, 2, 1],
    ]) {
      expectSameBits(x.to(worker).transpose(perm), x.transpose(perm), `transpose [${perm}]`);
    }
    const m = randn([50, 30], { seed: 8 });
    expectSameBits(m.to(worker).transpose(), m.transpose(), "2-d transpose");
    const rows = [49, 0, 7, 7, 23, 1];
    expectSameBits(m.to(worker).gather(rows), m.gather(rows), "gather");
    const labels = tensor([3, 0, 9, 9, 1], { dtype: "int32" });
    expectSameBits(labels.to(worker).oneHot(10), labels.oneHot(10), "oneHot");
    for (const dtype of ["float32", "int32", "float64"] as const) {
      expectSameBits(x.mul(7).to(worker).cast(dtype), x.mul(7).cast(dtype), `cast ${dtype}`);
    }
  });

  it("a softmax-with-loss style chain, float32", () => {
    const logits = randn([100, 10], { seed: 9, dtype: "float32" });
    const chain = (z: Tensor): Tensor => {
      const e = z.sub(z.max(1, true)).exp();
      return e.div(e.sum(1, true)).add(1e-7).log().mean();
    };
    expectSameBits(chain(logits.to(worker)), chain(logits), "softmax cross-entropy chain");
    expect(cpu.name).toBe("cpu");
  });
});
