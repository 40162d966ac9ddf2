// How the worker backend cuts a split op into chunks (task.ts: chunkCount, chunkStart), and the
// convolution step's large ops split at the backend's real thresholds (no splitEveryOp: the calling
// thread takes chunks until none is left, as in training) giving the cpu backend's bits. The backoff
// (backoff.ts) is turned off (keepSplitting): on a busy machine it would run some of them inline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpu, rand, randn, tensor, type FloatDType, type Tensor } from "../src/index.js";
import { OPS } from "../src/ops.js";
import { kernelsModule, instantiateKernels } from "../src/wasm/module.js";
import { chunkCount, chunkStart, guidedChunks, type Task } from "../src/worker/task.js";
import { type WorkerBackend, createWorkerBackend } from "../src/worker/node.js";
import { keepSplitting, listedProducts, poolOf, splitEveryOp } from "../src/worker/internals.js";
import { firstDifference } from "./conformance/suite.js";
import { rowsWithZeros } from "./zero-rows.js";

/** The bounds of every chunk: [0, b1, ..., units]. */
function bounds(units: number, grain: number, chunks: number, guided = false): number[] {
  return Array.from({ length: chunks + 1 }, (_, i) => chunkStart(units, grain, chunks, i, guided));
}

/** A task as ThreadPool.run receives it (only op and args matter to chunkCount). */
function taskOf(op: Task["op"], args: { out: Float64Array } & Record<string, unknown>): Task {
  return { op, args, wasm: false, scratch: 0, stride: 0 };
}

describe("chunk bounds", () => {
  it("cover [0, units) in order, every inner bound a whole number of grains", () => {
    for (const guided of [false, true]) {
      for (const [units, grain, chunks] of [
        [10, 1, 3],
        [1728000, 17280, 8], // [100, 576, 30] transposed: 100 matrices of 17 280 values
        [1000, 30, 4], // a bias row of 30 values: 33 whole rows and 10 values
        [7, 7, 1],
        [64, 1, 8], // guided: 64 = 8^2 grains, the fewest that give every chunk one
      ] as const) {
        const b = bounds(units, grain, chunks, guided);
        expect(b[0]).toBe(0);
        expect(b[chunks]).toBe(units);
        for (let i = 1; i <= chunks; i++) {
          if (i < chunks) expect(b[i]! % grain).toBe(0);
          expect(b[i]!).toBeGreaterThan(b[i - 1]!);
        }
      }
    }
    // 100 matrices in 8 chunks: floor(i * 100 / 8) matrices before chunk i.
    expect(bounds(1728000, 17280, 8)).toEqual([0, 12, 25, 37, 50, 62, 75, 87, 100].map((m) => m * 17280));
    // Guided: 100 - floor(100 (8 - i)^2 / 64) matrices before chunk i (chunks of 24, 20, 17, 14, 11, 8, 5, 1).
    expect(bounds(1728000, 17280, 8, true)).toEqual([0, 24, 44, 61, 75, 86, 94, 99, 100].map((m) => m * 17280));
    // 64 grains: chunk i holds 15 - 2i of them (15, 13, ..., 1).
    expect(bounds(64, 1, 8, true)).toEqual([0, 15, 28, 39, 48, 55, 60, 63, 64]);
  });

  it("are 4 per thread when every chunk holds the record's least units, else fewer; guided when the smallest guided one still does", () => {
    const matmul = (m: number, n: number, k: number): Task =>
      taskOf("matmul", { out: new Float64Array(0), m, n, k, transA: false, transB: false });
    // matmul's minChunk is 32 rows. 57 600 rows: 8 chunks, guided (the last 57 600 / 8^2 = 900
    // rows). 2047 rows: 8 equal chunks of 255-256 rows, not guided (the last would hold 2047 / 64 =
    // 31 rows); 2048 rows: guided. 130 rows: 4 equal chunks of 32-33; 100 rows: one per thread.
    expect(chunkCount(matmul(57600, 30, 25), 2, 57600)).toBe(8);
    expect(guidedChunks(matmul(57600, 30, 25), 8, 2, 57600)).toBe(true);
    expect(chunkCount(matmul(2047, 30, 25), 2, 2047)).toBe(8);
    expect(guidedChunks(matmul(2047, 30, 25), 8, 2, 2047)).toBe(false);
    expect(guidedChunks(matmul(2048, 30, 25), 8, 2, 2048)).toBe(true);
    expect(chunkCount(matmul(130, 4320, 100), 2, 130)).toBe(4);
    expect(guidedChunks(matmul(130, 4320, 100), 4, 2, 130)).toBe(false);
    expect(chunkCount(matmul(100, 4320, 100), 2, 100)).toBe(2);
    // The book run's weight gradient dW1 = xᵀ · dout (784 rows): 8 equal chunks of 98 rows.
    expect(chunkCount(matmul(784, 50, 100), 2, 784)).toBe(8);
    expect(guidedChunks(matmul(784, 50, 100), 8, 2, 784)).toBe(false);
    // One chunk per thread never shrinks.
    expect(guidedChunks(matmul(57600, 30, 25), 2, 2, 57600)).toBe(false);
  });

  it("of an element-wise op and of an Affine layer's dx (split by columns)", () => {
    // An element-wise op (32 per element) needs 2^16 / 32 = 2048 elements per chunk.
    const unary = (size: number): Task => taskOf("unary", { out: new Float64Array(size) });
    expect(chunkCount(unary(1728000), 2, 1728000)).toBe(8);
    expect(guidedChunks(unary(1728000), 8, 2, 1728000)).toBe(true);
    expect(chunkCount(unary(3 * 2048), 2, 3 * 2048)).toBe(2); // 768 at 8 chunks, 1536 at 4
    expect(chunkCount(unary(16 * 2048), 2, 16 * 2048)).toBe(8); // 4096 at 8 chunks
    expect(guidedChunks(unary(16 * 2048), 8, 2, 16 * 2048)).toBe(false); // the last would hold 512
    expect(chunkCount(unary(3), 3, 3)).toBe(3);
    expect(OPS.matmul.minChunk?.({ m: 57600, n: 30, k: 25, transB: true } as never)).toBe(32);
    // An Affine layer's dx, dout [100, 100] · W [4320, 100]ᵀ: 100 rows would make one chunk per
    // thread, each packing all of B; it is split between its 4320 output columns instead (rows of
    // W), in whole groups of 8, 64 at least: 540 groups, 8 guided chunks, the last of
    // floor(540 / 64) = 8 groups (64 columns).
    const dx = { out: new Float64Array(0), m: 100, n: 4320, k: 100, transA: false, transB: true };
    expect(OPS.matmul.units(dx as never)).toBe(4320);
    expect(OPS.matmul.grain?.(dx as never)).toBe(8);
    expect(chunkCount(taskOf("matmul", dx), 2, 540)).toBe(8);
    expect(guidedChunks(taskOf("matmul", dx), 8, 2, 540)).toBe(true);
    expect(bounds(4320, 8, 8, true).slice(0, 3)).toEqual([0, 127 * 8, 237 * 8]);
    expect(bounds(4320, 8, 8, true).slice(-2)).toEqual([532 * 8, 4320]);
    // By rows when B is not transposed (its columns are not contiguous), or rows are many.
    expect(OPS.matmul.units({ ...dx, transB: false } as never)).toBe(100);
    expect(OPS.matmul.units({ ...dx, m: 128 } as never)).toBe(128);
  });
});

let worker: WorkerBackend;
/** The TypeScript kernels on the threads (`wasm: false`). */
let workerTs: WorkerBackend;

beforeAll(async () => {
  worker = await createWorkerBackend({ threads: 2 }).then(keepSplitting);
  workerTs = await createWorkerBackend({ threads: 2, wasm: false }).then(keepSplitting);
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

describe("a sum along a middle axis (running sums of columns in registers, assembly/reduce.ts)", () => {
  /** Normal values with ±0, ±Infinity, NaN, subnormals and 1e30 (whose sums show any change of order). */
  function columns(rows: number, cols: number, seed: number, dtype: FloatDType, outer = 1): Tensor {
    const x = randn([outer, rows, cols], { seed, dtype });
    const d = x.data;
    const specials = [0, -0, Number.POSITIVE_INFINITY, Number.NaN, 1e30, -1e30, 1e-310, 3e-45];
    for (let i = 0; i < d.length; i += 97) d[i] = specials[(i / 97) % specials.length]!;
    return outer === 1 ? x.reshape([rows, cols]) : x;
  }

  it("a conv layer's bias gradient [57600, 30] splits between whole passes of the wasm kernel only where it makes several (float64: 16 + 14 columns), with the cpu backend's bits", () => {
    for (const on of [worker, workerTs]) {
      for (const dtype of ["float64", "float32"] as const) {
        const x = columns(57600, 30, 21, dtype);
        const before = { ...on.stats };
        const got = x.to(on).sum(0);
        // float32: one pass of 32 columns (a split is slower); the TypeScript kernel: not measured.
        const splits = on.wasm && dtype === "float64" ? 1 : 0;
        expect(on.stats.split - before.split, `${on.wasm ? "wasm" : "TypeScript"} ${dtype}: split`).toBe(splits);
        expect(firstDifference(got.data, x.sum(0).data), `${on.wasm ? "wasm" : "TypeScript"} ${dtype} db`).toBeNull();
      }
    }
    const task = (x: Float64Array | Float32Array, outer = 1) =>
      ({ op: "sum", x, outer, axisLen: 57600, inner: 30 }) as never;
    const f64 = new Float64Array(0);
    const f32 = new Float32Array(0);
    expect(OPS.reduce.splitAt(task(f64), true)).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(OPS.reduce.grain!(task(f64))).toBe(16);
    const max = { op: "max", x: f64, outer: 1, axisLen: 57600, inner: 30 } as never;
    for (const t of [task(f32), task(f64, 2), max]) {
      expect(OPS.reduce.splitAt(t, true)).toBe(Number.POSITIVE_INFINITY);
      expect(OPS.reduce.grain!(t)).toBe(1);
    }
    expect(OPS.reduce.splitAt(task(f64), false)).toBe(Number.POSITIVE_INFINITY);
  });

  it("every number of columns (odd, under a vector, over a block), and ranges across blocks of an outer axis, give the cpu backend's bits", async () => {
    const split = await createWorkerBackend({ threads: 3 }).then(splitEveryOp);
    try {
      for (const dtype of ["float64", "float32"] as const) {
        // Columns in registers: groups of 8 vectors (32 float32, 16 float64 columns), then 0-3 single ones.
        for (const cols of [2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 29, 30, 31, 32, 33, 48, 65]) {
          const x = columns(301, cols, cols, dtype);
          for (const on of [split, worker]) {
            const got = x.to(on).sum(0);
            expect(firstDifference(got.data, x.sum(0).data), `${dtype} ${cols} columns`).toBeNull();
          }
        }
        // [3, 211, 13] summed over its middle axis: 39 outputs in chunks that cross the 3 blocks.
        const x = columns(211, 13, 5, dtype, 3);
        for (const keepDims of [false, true]) {
          const got = x.to(split).sum(1, keepDims);
          const want = x.sum(1, keepDims);
          expect(got.shape).toEqual(want.shape);
          expect(firstDifference(got.data, want.data), `${dtype} [3, 211, 13] over axis 1`).toBeNull();
        }
      }
      expect(split.stats.split).toBeGreaterThanOrEqual(2 * 17 + 2 * 2);
    } finally {
      split.dispose();
    }
  });
});

describe("a k-reduction of a transposed A split by rows with shared live-step lists", () => {
  // Products op(A) · B with A stored k x m (m <= 64 rows), B k x n (n <= 240) and several k blocks
  // of at most 256 steps, as a convolution's weight gradient doutᵀ · col: each k block's live steps
  // are listed once for all m rows by the first thread to reach it, and each thread computes its
  // rows from the lists (task.ts Task.lists, assembly/steps.ts), leaving out steps and values only
  // where packLiveSteps on its own rows would. Every case equals the cpu backend's bits, with zero
  // rows of +0 and -0, a NaN and an Inf in B, and a NaN of A at a blank row of B in one thread's
  // rows only (its row of the product is NaN; the other rows must not be).

  /** A [k, m] and B [k, n] with the special rows at steps near the ends of k blocks. */
  function operands(m: number, n: number, k: number, seed: number, dtype: FloatDType): [Tensor, Tensor] {
    const av = rowsWithZeros(k, m, seed, 0.45, 0.7);
    const bv = rowsWithZeros(k, n, seed + 50, 0.4, 0.5);
    bv[17 * n + (n >> 1)] = Number.NaN;
    bv[(k - 3) * n] = Number.POSITIVE_INFINITY;
    // Step 255 (the last of the first k block when k > 256): B's row blank, A's last row NaN.
    for (let j = 0; j < n; j++) bv[255 * n + j] = j % 2 === 0 ? 0 : -0;
    av[255 * m + m - 1] = Number.NaN;
    return [tensor(av, { dtype, shape: [k, m] }), tensor(bv, { dtype, shape: [k, n] })];
  }

  /** Same values as the cpu backend's, bit for bit with +0 and -0 told apart; any NaN matches any
   * NaN (which NaN an operation on NaN gives is not fixed in WebAssembly). */
  function expectSameBits(label: string, on: WorkerBackend, a: Tensor, b: Tensor): void {
    const got = a.to(on).matmul(b.to(on), { transposeA: true });
    const want = a.matmul(b, { transposeA: true });
    expect(got.shape).toEqual(want.shape);
    expect(firstDifference(got.data, want.data), label).toBeNull();
  }

  it("rows computed one after the other, with blocks left being listed by a thread that never returns", async () => {
    // The kernels over a shared memory on this thread alone, as two threads would call them: rows
    // [0, 15) list every block they reach; rows [15, 30) then read those lists. With a block's state
    // set to "being listed" (1) and never finished, a thread lists every later block meanwhile and
    // then tests its own rows of that block itself; with every block so, it lists none.
    const memory = new WebAssembly.Memory({ initial: 256, maximum: 1024, shared: true });
    const k = instantiateKernels(await kernelsModule(true), memory);
    for (const dtype of ["float32", "float64"] as const) {
      const [a, b] = operands(30, 25, 3000, 7, dtype);
      const want = a.matmul(b, { transposeA: true }).data;
      const Type = dtype === "float32" ? Float32Array : Float64Array;
      const size = Type.BYTES_PER_ELEMENT;
      const aAt = 1024;
      const bAt = aAt + a.size * size;
      const outAt = bAt + b.size * size + 64;
      const lists = outAt + 30 * 25 * size + 64;
      const bytes = k.liveStepsBytes(30, 25, 3000);
      // 12 k blocks of 250 steps: 32 bytes of header, 48 of states, 12 lists of 251 entries of 16.
      expect(bytes).toBe(32 + 48 + 12 * 251 * 16);
      const scratch = lists + bytes + 64;
      new Type(memory.buffer, aAt, a.size).set(a.data);
      new Type(memory.buffer, bAt, b.size).set(b.data);
      const states = new Int32Array(memory.buffer, lists + 32, 12);
      for (const stuck of [[], [1], [0, 5, 11], Array.from({ length: 12 }, (_, i) => i)]) {
        // Lists of no steps where none was made: a stuck block's list must not be read.
        new Uint8Array(memory.buffer, lists, bytes).fill(0);
        k.prepareLiveSteps(lists, aAt, bAt, 30, 25, 3000);
        for (const i of stuck) states[i] = 1;
        k.useLiveSteps(lists);
        const f = +(dtype === "float32");
        k.matmul(aAt, bAt, outAt, 30, 25, 3000, 1, 0, 0, 15, f, scratch);
        expect(Array.from(states), `${dtype} stuck ${stuck}`).toEqual(
          Array.from({ length: 12 }, (_, i) => (stuck.includes(i) ? 1 : 2)),
        );
        k.matmul(aAt, bAt, outAt, 30, 25, 3000, 1, 0, 15, 30, f, scratch);
        k.useLiveSteps(0);
        const got = new Type(memory.buffer, outAt, 750);
        expect(firstDifference(got, want), `${dtype} stuck ${stuck}`).toBeNull();
      }
    }
  });

  it("gives the cpu backend's bits at the real thresholds and with every op split", async () => {
    const everyOp = splitEveryOp(await createWorkerBackend({ threads: 2 }));
    try {
      // m: a convolution's 30 filters, 64 (the masks' width) and 65 (split by rows alone); n: 25
      // (a 5x5 patch), 240 (one strip) and 241 (two strips: not listed); k: 12 and 3 blocks.
      const cases = [
        { m: 30, n: 25, k: 3000, listed: true },
        { m: 64, n: 240, k: 700, listed: true },
        { m: 7, n: 3, k: 1300, listed: true },
        { m: 65, n: 25, k: 700, listed: false },
        { m: 30, n: 241, k: 700, listed: false },
      ];
      for (const [i, c] of cases.entries()) {
        for (const dtype of ["float32", "float64"] as const) {
          const [a, b] = operands(c.m, c.n, c.k, 100 + i, dtype);
          for (const on of [worker, everyOp]) {
            const before = listedProducts(on);
            const split = on.stats.split;
            expectSameBits(`${on === worker ? "worker" : "every op split"} ${dtype} m${c.m} n${c.n} k${c.k}`, on, a, b);
            // Whether it went by the lists, when it was split at all.
            const wasSplit = on.stats.split > split;
            expect(listedProducts(on) - before, `${dtype} m${c.m} n${c.n} listed`).toBe(wasSplit && c.listed ? 1 : 0);
            if (on === everyOp || c.m * c.n * c.k >= 2 ** 21) expect(wasSplit).toBe(true);
          }
        }
      }
      // The NaN of A at the blank row of B reached its own row of the product (29) only; B's NaN
      // (column 12) and Inf (column 0) reached every row's column.
      const [a, b] = operands(30, 25, 3000, 100, "float32");
      const y = Array.from(a.to(worker).matmul(b.to(worker), { transposeA: true }).data);
      expect(y.slice(29 * 25, 30 * 25).every((v) => Number.isNaN(v))).toBe(true);
      const finite = y.slice(0, 29 * 25).filter((_, i) => i % 25 !== 0 && i % 25 !== 12);
      expect(finite.every((v) => Number.isFinite(v))).toBe(true);
      expect(y.filter((_, i) => i % 25 === 12).every((v) => Number.isNaN(v))).toBe(true);
    } finally {
      everyOp.dispose();
    }
  });
});
