// How the worker backend cuts a split op into chunks (task.ts: chunkCount, chunkStart), and the
// convolution step's large ops split at the backend's real thresholds (no splitEveryOp: the calling
// thread takes chunks until none is left, as in training) giving the cpu backend's bits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpu, rand, randn, type Tensor } from "../src/index.js";
import { OPS } from "../src/ops.js";
import { chunkCount, chunkStart, type Task } from "../src/worker/task.js";
import { type WorkerBackend, createWorkerBackend } from "../src/worker/node.js";
import { poolOf } from "../src/worker/internals.js";

/** The bounds of every chunk: [0, b1, ..., units]. */
function bounds(units: number, grain: number, chunks: number): number[] {
  return Array.from({ length: chunks + 1 }, (_, i) => chunkStart(units, grain, chunks, i));
}

/** A task as ThreadPool.run receives it (only op and args matter to chunkCount). */
function taskOf(op: Task["op"], args: { out: Float64Array } & Record<string, unknown>): Task {
  return { op, args, wasm: false, scratch: 0, stride: 0 };
}

describe("chunk bounds", () => {
  it("cover [0, units) in order, every inner bound a whole number of grains", () => {
    for (const [units, grain, chunks] of [
      [10, 1, 3],
      [1728000, 17280, 8], // [100, 576, 30] transposed: 100 matrices of 17 280 values
      [1000, 30, 4], // a bias row of 30 values: 33 whole rows and 10 values
      [7, 7, 1],
    ] as const) {
      const b = bounds(units, grain, chunks);
      expect(b[0]).toBe(0);
      expect(b[chunks]).toBe(units);
      for (let i = 1; i < chunks; i++) {
        expect(b[i]! % grain).toBe(0);
        expect(b[i]!).toBeGreaterThan(b[i - 1]!);
      }
    }
    // 100 matrices in 8 chunks: floor(i * 100 / 8) matrices before chunk i.
    expect(bounds(1728000, 17280, 8)).toEqual([0, 12, 25, 37, 50, 62, 75, 87, 100].map((m) => m * 17280));
  });

  it("are 4 per thread when every chunk holds the record's least units, else fewer", () => {
    const matmul = (m: number, n: number, k: number): Task =>
      taskOf("matmul", { out: new Float64Array(0), m, n, k, transA: false, transB: false });
    // matmul's minChunk is 32 rows: 57 600 rows give 8 chunks of 7 200; 100 rows give 25 per chunk
    // at 4, fewer than 32, and 25 at 2 per thread: one chunk per thread.
    expect(chunkCount(matmul(57600, 30, 25), 2, 57600)).toBe(8);
    expect(chunkCount(matmul(100, 4320, 100), 2, 100)).toBe(2);
    expect(chunkCount(matmul(130, 4320, 100), 2, 130)).toBe(4); // 32 rows per chunk at 4: 130 / 4 = 32.5
    // An element-wise op (32 per element) needs 2^16 / 32 = 2048 elements per chunk.
    const unary = (size: number): Task => taskOf("unary", { out: new Float64Array(size) });
    expect(chunkCount(unary(1728000), 2, 1728000)).toBe(8);
    expect(chunkCount(unary(3 * 2048), 2, 3 * 2048)).toBe(2); // 768 per chunk at 4 per thread, 1536 at 2
    expect(chunkCount(unary(3), 3, 3)).toBe(3);
    expect(OPS.matmul.minChunk?.({ m: 57600, n: 30, k: 25, transB: true } as never)).toBe(32);
    // An Affine layer's dx, dout [100, 100] · W [4320, 100]ᵀ: 100 rows would make one chunk per
    // thread, each packing all of B; it is split between its 4320 output columns instead (rows of
    // W), in whole groups of 8, 64 at least: 540 groups, 8 chunks of 67 or 68 groups.
    const dx = { out: new Float64Array(0), m: 100, n: 4320, k: 100, transA: false, transB: true };
    expect(OPS.matmul.units(dx as never)).toBe(4320);
    expect(OPS.matmul.grain?.(dx as never)).toBe(8);
    expect(chunkCount(taskOf("matmul", dx), 2, 540)).toBe(8);
    expect(bounds(4320, 8, 8).slice(0, 3)).toEqual([0, 536, 1080]);
    // By rows when B is not transposed (its columns are not contiguous), or rows are many.
    expect(OPS.matmul.units({ ...dx, transB: false } as never)).toBe(100);
    expect(OPS.matmul.units({ ...dx, m: 128 } as never)).toBe(128);
  });
});

let worker: WorkerBackend;
/** The TypeScript kernels on the threads (`wasm: false`). */
let workerTs: WorkerBackend;

beforeAll(async () => {
  worker = await createWorkerBackend({ threads: 2 });
  workerTs = await createWorkerBackend({ threads: 2, wasm: false });
});

afterAll(() => {
  worker.dispose();
  workerTs.dispose();
});

function expectSplitSameBits(what: string, run: (x: Tensor) => Tensor, x: Tensor, backend = worker): void {
  const before = backend.stats.split;
  const onWorker = run(x.to(backend));
  expect(backend.stats.split, `${what} split`).toBe(before + 1);
  const onCpu = run(x.to(cpu));
  expect(onWorker.shape).toEqual(onCpu.shape);
  const a = new Uint8Array(onWorker.data.buffer, onWorker.data.byteOffset, onWorker.data.byteLength);
  const b = new Uint8Array(onCpu.data.buffer, onCpu.data.byteOffset, onCpu.data.byteLength);
  let differ = a.length === b.length ? -1 : 0;
  for (let i = 0; i < a.length && differ === -1; i++) if (a[i] !== b[i]) differ = i;
  expect(differ, `${what}: first differing byte`).toBe(-1);
}

describe("the convolution step's ops split in chunks at the real thresholds", () => {
  it("equal the cpu backend's bits (float64 and float32)", () => {
    expect(poolOf(worker).readyWorkers()).toBe(1);
    for (const dtype of ["float64", "float32"] as const) {
      // A conv layer's output of 8 images, [8, 24, 24, 30] rows of 30 filters: 138 240 values.
      const y = randn([8, 24, 24, 30], { seed: 3, dtype });
      const bias = randn([30], { seed: 4, dtype });
      expectSplitSameBits("transpose", (t) => t.transpose([0, 3, 1, 2]), y);
      expectSplitSameBits("bias add", (t) => t.add(bias.to(t.backend)), y);
      expectSplitSameBits("relu", (t) => t.relu(), y);
      const windows = y.reshape([-1, 4]);
      expectSplitSameBits("argmax", (t) => t.argmax(1), windows);
      expectSplitSameBits("max", (t) => t.max(1), windows);
      // 18 432 im2col rows of 25: 18 432 x 30 x 25 / 2 = 6.9e6 of work, over matmul's 2^22.
      const col = rand([8 * 576 * 4, 25], { seed: 5, dtype });
      const colW = randn([30, 25], { seed: 6, dtype });
      expectSplitSameBits("matmul", (t) => t.matmul(colW.to(t.backend), { transposeB: true }), col);
    }
  });

  it("products of few rows split between output columns equal the cpu backend's bits", () => {
    for (const on of [worker, workerTs]) {
      for (const dtype of ["float64", "float32"] as const) {
        // An Affine layer's dx: dout [100, 100] · W1 [4320, 100]ᵀ, 2.2e7 of work (over 2^20), about
        // a third of dout zero (a ReLU's gradient).
        const dout = randn([100, 100], { seed: 7, dtype }).relu();
        const w1 = randn([4320, 100], { seed: 8, dtype });
        expectSplitSameBits("dx", (t) => t.matmul(w1.to(t.backend), { transposeB: true }), dout, on);
        // 9001 columns (not a multiple of 8): chunks of about 1125, over one call's 1024 columns.
        const a = randn([20, 16], { seed: 9, dtype });
        const b = randn([9001, 16], { seed: 10, dtype });
        expectSplitSameBits("9001 columns", (t) => t.matmul(b.to(t.backend), { transposeB: true }), a, on);
        // A transposed too: A stored [16, 20].
        const aT = randn([16, 20], { seed: 11, dtype });
        expectSplitSameBits("Aᵀ", (t) => t.matmul(b.to(t.backend), { transposeA: true, transposeB: true }), aT, on);
      }
    }
  });
});
