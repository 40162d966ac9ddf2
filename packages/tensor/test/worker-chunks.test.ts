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
    expect(OPS.matmul.minChunk?.(undefined as never)).toBe(32);
  });
});

let worker: WorkerBackend;

beforeAll(async () => {
  worker = await createWorkerBackend({ threads: 2 });
});

afterAll(() => {
  worker.dispose();
});

function expectSplitSameBits(what: string, run: (x: Tensor) => Tensor, x: Tensor): void {
  const before = worker.stats.split;
  const onWorker = run(x.to(worker));
  expect(worker.stats.split, `${what} split`).toBe(before + 1);
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
});
