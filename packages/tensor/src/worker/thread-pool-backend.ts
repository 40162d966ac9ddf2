import type { Backend, TensorData } from "../backend.js";
import type { DType, FloatArray, FloatDType, TypedArray } from "../dtype.js";
import { BackendError, ValueError } from "../errors.js";
import { matmulDims, reduceDims } from "../kernel-dims.js";
import {
  firstNonFiniteImpl,
  type BinaryOp,
  type ReduceOp,
  type UnaryOp,
  type WindowGeometry,
} from "../kernels/index.js";
import type { Shape } from "../shape.js";
import { checkOptions, sizeOf } from "../shape.js";
import { CpuBackend } from "../cpu.js";
import { Arena, align16, matmulStaged } from "../wasm/arena.js";
import { ARENA_BYTES, WasmBackend, residentMemory, wasmBackendOf } from "../wasm/backend.js";
import type { ResidentHeap } from "../wasm/heap.js";
import { instantiateKernels, kernelsModuleSync, missingWasmFeature } from "../wasm/module.js";
import { mapTaskInputs, runTask, taskUnits, type Task, type ThreadKernels } from "./task.js";
import type { ThreadHost } from "./thread-host.js";
import { ThreadPool } from "./thread-pool.js";
import {
  ELEMENTWISE_SPLIT_SIZE,
  MATMUL_SPLIT_WORK,
  WASM_MATMUL_SPLIT_WORK,
  WINDOW_SPLIT_SIZE,
  REDUCE_SPLIT_SIZE,
  TRANSCENDENTAL_SPLIT_SIZE,
} from "./thresholds.js";

export interface WorkerBackendOptions {
  /**
   * Threads that compute, counting the calling thread, which always takes a share: `threads: 2`
   * starts one worker. Default: the machine's available parallelism. `1` runs everything inline.
   */
  threads?: number;
  /**
   * "auto" (default): split only ops large enough for threads to pay (thresholds.ts); smaller ones
   * run inline. "always": split every op with at least two units of work, whatever its size (for
   * tests and for measuring the thresholds).
   */
  split?: "auto" | "always";
  /**
   * true (default where WebAssembly SIMD works): matrix products run the wasm kernel in every
   * thread; false: the TypeScript kernels everywhere. The results are the same bit for bit.
   */
  wasm?: boolean;
}

/** Pages (64 KiB) of the shared staging memory at first, and at most: 4 GiB (all wasm32 can address),
 * else 1 GiB where the engine cannot reserve that much address space for a shared memory. */
const INITIAL_PAGES = 64;
const MAXIMUM_PAGES = [65536, 16384];

function sharedMemory(): WebAssembly.Memory {
  let failure = "";
  for (const maximum of MAXIMUM_PAGES) {
    try {
      return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared: true });
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
    }
  }
  throw new BackendError("WorkerBackend", `cannot run here: no shared WebAssembly.Memory (${failure})`);
}

/** Element-wise ops whose per-element cost is a libm call rather than one arithmetic instruction. */
const TRANSCENDENTAL: ReadonlySet<UnaryOp | BinaryOp> = new Set<UnaryOp | BinaryOp>([
  "exp",
  "log",
  "tanh",
  "sigmoid",
  "pow",
]);

/**
 * The worker backend's implementation, shared by Node and browsers (which differ only in their
 * ThreadHost): the CPU backend's kernels, and the wasm matrix product, run on a pool of threads.
 *
 * Each op is synchronous. Large ones are cut into contiguous ranges of output rows (matmul, gather)
 * or output elements (everything else); the calling thread posts the ranges to the workers, runs the
 * first range itself with the same kernel function, then blocks with Atomics.wait until all are
 * done. Every output element is computed by the same code over the same inputs in the same order,
 * whichever thread computes it, so results are bitwise identical to the `cpu` backend's. Reductions
 * are split only between output elements, never along the reduced axis. Small ops run inline.
 *
 * Memory: with the wasm kernels, tensors live in the resident heap of one shared WebAssembly.Memory
 * made once at its full size (see WasmBackend: blocks reused after dispose() or collection), where
 * every thread reads and writes them in place, and ops that are not split run there exactly as the
 * wasm backend runs them. Tensors in ordinary memory (small, or the heap full; every tensor without
 * wasm) are copied into the memory's staging arena for a split op and the result copied out. (A
 * fresh SharedArrayBuffer per tensor, an earlier design, is invisible to the garbage collector's
 * heuristics and needed a full collection every few steps.)
 */
export class ThreadPoolBackend implements Backend {
  readonly name = "worker";
  /** Threads that compute, the calling thread included. */
  readonly threads: number;
  /** The workers (exposed for diagnostics and the fault tests). */
  readonly pool: ThreadPool;
  /** Ops run so far: split between threads, or inline on the calling thread. */
  readonly stats = { split: 0, inline: 0 };
  /** Whether matrix products run the wasm kernel (see WorkerBackendOptions.wasm). */
  readonly wasm: boolean;
  private readonly alwaysSplit: boolean;
  private readonly arena: Arena;
  private readonly own: ThreadKernels | null;
  /** Runs the ops that are not split, on the calling thread: the wasm backend over this backend's
   * shared memory (its wasm kernels, same bits as cpu, and its resident heap), or the cpu backend
   * without wasm. Its storage (heap or pool) is this backend's too. */
  private readonly inline: CpuBackend;
  /** The heap of tensors resident in the shared memory (as WasmBackend's: `stats`, `capacity`), or
   * null without wasm or when no heap could be made (tensors then live in ordinary memory). */
  readonly heap: ResidentHeap | null;

  constructor(options: WorkerBackendOptions, host: ThreadHost) {
    checkOptions("WorkerBackend", options, "options");
    host.check();
    const threads = options.threads ?? host.defaultThreads();
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new ValueError("WorkerBackend", `threads must be an integer in [1, 256], got ${threads}`);
    }
    if (options.split !== undefined && options.split !== "auto" && options.split !== "always") {
      throw new ValueError("WorkerBackend", `split must be "auto" or "always", got ${String(options.split)}`);
    }
    this.alwaysSplit = options.split === "always";
    this.threads = threads;
    if (typeof WebAssembly !== "object") {
      throw new BackendError("WorkerBackend", "cannot run here: WebAssembly (its shared memory) is not available");
    }
    // Compiled synchronously: the constructor is synchronous, and this backend never runs on a
    // browser's main thread (which refuses synchronous compiles of larger modules).
    const module = options.wasm !== false && missingWasmFeature() === null ? kernelsModuleSync(true) : null;
    this.wasm = module !== null;
    // With wasm, tensors live in the shared memory's resident heap, where every thread reads and
    // writes them in place, and ops that are not split run there as on the wasm backend.
    const resident = module === null ? null : residentMemory(true);
    const memory = resident?.memory ?? sharedMemory();
    this.own = module === null ? null : { kernels: instantiateKernels(module, memory), index: 0 };
    this.arena = new Arena(memory, this.own?.kernels ?? null, 0, resident === null ? undefined : ARENA_BYTES);
    this.heap = resident?.heap ?? null;
    if (resident !== null) this.inline = new WasmBackend(this.arena, resident.heap);
    else if (module === null) this.inline = new CpuBackend();
    // No room for a heap: tensors in ordinary memory, and ops that are not split run in a private,
    // unshared memory (copies into and out of a shared memory are about 1.5 times slower, measured
    // 23 against 15 us for 627 KB; only split ops need their operands where every thread can read them).
    else this.inline = wasmBackendOf(kernelsModuleSync(false));
    this.pool = new ThreadPool(host, threads - 1, { memory, module }, this.own);
  }

  /** Resolves once every worker has started. Ops work before that, on the threads already up. */
  ready(): Promise<void> {
    return this.pool.ready();
  }

  alloc(dtype: DType, size: number): TypedArray {
    return this.inline.alloc(dtype, size);
  }

  release(dtype: DType, data: TypedArray): void {
    this.inline.release(dtype, data);
  }

  unary(op: UnaryOp, x: TensorData): TypedArray {
    const limit = TRANSCENDENTAL.has(op) ? TRANSCENDENTAL_SPLIT_SIZE : ELEMENTWISE_SPLIT_SIZE;
    return this.run(
      op,
      x.data.length >= limit,
      () => {
        const out = this.alloc(x.dtype, x.data.length);
        return { kind: "unary", op, x: x.data, out };
      },
      () => this.inline.unary(op, x),
    );
  }

  binary(op: BinaryOp, a: TensorData, b: TensorData, outShape: Shape): TypedArray {
    const limit = TRANSCENDENTAL.has(op) ? TRANSCENDENTAL_SPLIT_SIZE : ELEMENTWISE_SPLIT_SIZE;
    return this.run(
      op,
      sizeOf(outShape) >= limit,
      () => {
        const out = this.alloc(a.dtype, sizeOf(outShape));
        return { kind: "binary", op, a: a.data, aShape: a.shape, b: b.data, bShape: b.shape, out, outShape };
      },
      () => this.inline.binary(op, a, b, outShape),
    );
  }

  where(cond: TensorData, a: TensorData, b: TensorData, outShape: Shape): TypedArray {
    return this.run(
      "where",
      sizeOf(outShape) >= ELEMENTWISE_SPLIT_SIZE,
      () => ({
        kind: "where",
        cond: cond.data,
        condShape: cond.shape,
        a: a.data,
        aShape: a.shape,
        b: b.data,
        bShape: b.shape,
        out: this.alloc(a.dtype, sizeOf(outShape)),
        outShape,
      }),
      () => this.inline.where(cond, a, b, outShape),
    );
  }

  reduce(op: ReduceOp, x: TensorData, axis: number): TypedArray {
    return this.run(
      op,
      x.data.length >= REDUCE_SPLIT_SIZE,
      () => {
        const { outer, axisLen, inner } = reduceDims(x.shape, axis);
        return { kind: "reduce", op, x: x.data, outer, axisLen, inner, out: this.alloc(x.dtype, outer * inner) };
      },
      () => this.inline.reduce(op, x, axis),
    );
  }

  /** The divergence check on the calling thread, as the wasm backend runs it (tensors live in its memory). */
  firstNonFinite(x: TensorData): number {
    return (this.inline as Backend).firstNonFinite?.(x) ?? firstNonFiniteImpl(x.data, 0, x.data.length);
  }

  argmax(x: TensorData, axis: number): Int32Array {
    return this.run(
      "argmax",
      x.data.length >= REDUCE_SPLIT_SIZE,
      () => {
        const { outer, axisLen, inner } = reduceDims(x.shape, axis);
        const out = this.alloc("int32", outer * inner) as Int32Array;
        return { kind: "argmax", x: x.data, outer, axisLen, inner, out };
      },
      () => this.inline.argmax(x, axis),
    ) as Int32Array;
  }

  matmul(a: TensorData, b: TensorData, transposeA: boolean, transposeB: boolean): FloatArray {
    const { m, n, k } = matmulDims(a.shape, b.shape, transposeA, transposeB);
    this.pool.check("matmul");
    // Too small to split (or no worker yet): the wasm kernel on the calling thread.
    if (
      this.own !== null &&
      !this.alwaysSplit &&
      (m * n * k < WASM_MATMUL_SPLIT_WORK || this.pool.readyWorkers() === 0)
    ) {
      this.stats.inline++;
      return this.inline.matmul(a, b, transposeA, transposeB);
    }
    const out = this.alloc(a.dtype, m * n) as FloatArray;
    const ad = a.data as FloatArray;
    const bd = b.data as FloatArray;
    if (this.own !== null) {
      const own = this.own;
      const arena = this.arena;
      const resident = (d: FloatArray): number => this.residentAt(d);
      const staged = matmulStaged(
        arena,
        ad,
        bd,
        out,
        m,
        n,
        k,
        transposeA,
        (aAt, bAt, outAt, rows) => {
          const split =
            (this.alwaysSplit || rows * n * k >= WASM_MATMUL_SPLIT_WORK) && rows > 1 && this.pool.readyWorkers() > 0;
          const stride = align16(own.kernels.matmulScratchBytes(n, k));
          const scratch = arena.reserve(stride * (split ? this.threads : 1));
          if (scratch < 0) return false;
          const task: Task = {
            kind: "matmul",
            a: arena.view(ad, aAt, transposeA ? ad.length : rows * k),
            b: arena.view(bd, bAt, bd.length),
            out: arena.view(out, outAt, rows * n),
            m: rows,
            n,
            k,
            transA: transposeA,
            transB: transposeB,
            scratch,
            scratchStride: stride,
          };
          if (split) {
            this.stats.split++;
            this.pool.run("matmul", task, !this.alwaysSplit);
          } else {
            this.stats.inline++;
            runTask(task, 0, rows, { kernels: own.kernels, index: 0 });
          }
          return true;
        },
        resident,
      );
      if (staged) return out;
    }
    // No wasm here, or no room in the shared memory: the TypeScript kernel, split or inline.
    const task: Task = { kind: "matmul", a: ad, b: bd, out, m, n, k, transA: transposeA, transB: transposeB };
    return this.run(
      "matmul",
      m * n * k >= MATMUL_SPLIT_WORK,
      () => task,
      () => {
        runTask(task, 0, m);
        return out;
      },
    ) as FloatArray;
  }

  transpose(x: TensorData, perm: readonly number[]): TypedArray {
    return this.run(
      "transpose",
      x.data.length >= ELEMENTWISE_SPLIT_SIZE,
      () => ({ kind: "transpose", x: x.data, shape: x.shape, perm, out: this.alloc(x.dtype, x.data.length) }),
      () => this.inline.transpose(x, perm),
    );
  }

  gather(x: TensorData, indices: Int32Array): TypedArray {
    const rowSize = x.shape.length === 0 ? 1 : sizeOf(x.shape.slice(1));
    return this.run(
      "gather",
      indices.length * rowSize >= ELEMENTWISE_SPLIT_SIZE,
      () => ({ kind: "gather", x: x.data, rowSize, indices, out: this.alloc(x.dtype, indices.length * rowSize) }),
      () => this.inline.gather(x, indices),
    );
  }

  oneHot(indices: Int32Array, depth: number, dtype: FloatDType | "int32"): TypedArray {
    this.pool.check("oneHot");
    // Mostly zero-filling, which alloc already does: never worth a thread.
    this.stats.inline++;
    return this.inline.oneHot(indices, depth, dtype);
  }

  cast(x: TensorData, dtype: DType): TypedArray {
    return this.run(
      "cast",
      x.data.length >= ELEMENTWISE_SPLIT_SIZE,
      () => ({ kind: "cast", x: x.data, out: this.alloc(dtype, x.data.length) }),
      () => this.inline.cast(x, dtype),
    );
  }

  im2col(x: TensorData, g: WindowGeometry): TypedArray {
    const size = g.n * g.outH * g.outW * g.c * g.filterH * g.filterW;
    return this.run(
      "im2col",
      size >= WINDOW_SPLIT_SIZE,
      () => ({ kind: "im2col", x: x.data, g, out: this.alloc(x.dtype, size) }),
      () => this.inline.im2col(x, g),
    );
  }

  col2im(col: TensorData, g: WindowGeometry): TypedArray {
    return this.run(
      "col2im",
      col.data.length >= WINDOW_SPLIT_SIZE,
      () => ({ kind: "col2im", col: col.data, g, out: this.alloc(col.dtype, g.n * g.c * g.h * g.w) }),
      () => this.inline.col2im(col, g),
    );
  }

  takeAlongLastAxis(x: TensorData, indices: Int32Array): TypedArray {
    const depth = x.shape[x.shape.length - 1]!;
    return this.run(
      "takeAlong",
      indices.length >= ELEMENTWISE_SPLIT_SIZE,
      () => ({ kind: "takeAlong", x: x.data, depth, indices, out: this.alloc(x.dtype, indices.length) }),
      () => this.inline.takeAlongLastAxis(x, indices),
    );
  }

  putAlongLastAxis(values: TensorData, indices: Int32Array, depth: number): TypedArray {
    return this.run(
      "putAlong",
      indices.length * depth >= ELEMENTWISE_SPLIT_SIZE,
      () => ({
        kind: "putAlong",
        values: values.data,
        depth,
        indices,
        out: this.alloc(values.dtype, indices.length * depth),
      }),
      () => this.inline.putAlongLastAxis(values, indices, depth),
    );
  }

  /** Ends the workers. Later ops throw; tensors made here stay readable. */
  dispose(): void {
    this.pool.dispose();
  }

  /**
   * Splits the op between the threads when `big` says it pays (or split is "always") and a worker is
   * ready: `task()` allocates the output and describes the work. Otherwise, or when the staging arena
   * cannot grow that far, `inline()` runs it on the calling thread.
   */
  private run(op: string, big: boolean, task: () => Task, inline: () => TypedArray): TypedArray {
    this.pool.check(op);
    if ((big || this.alwaysSplit) && this.pool.readyWorkers() > 0) {
      const t = task();
      if (taskUnits(t) > 1) {
        const staged = this.stage(t);
        if (staged !== null) {
          this.stats.split++;
          this.pool.run(op, staged, !this.alwaysSplit);
          if (staged.out !== t.out) t.out.set(staged.out);
          return t.out;
        }
      }
      this.stats.inline++;
      runTask(t, 0, taskUnits(t));
      return t.out;
    }
    this.stats.inline++;
    return inline();
  }

  /** The task with its inputs in the shared memory (resident tensors as they are, the rest copied
   * into the arena) and its output there too (in place when resident), or null when the arena
   * has no room (the op then runs inline). */
  private stage(task: Task): Task | null {
    const arena = this.arena;
    arena.reset();
    let room = true;
    const staged = mapTaskInputs(task, (array) => {
      if (this.residentAt(array) >= 0) return array;
      const at = arena.stage(array);
      if (at < 0) room = false;
      return at < 0 ? array : arena.view(array, at, array.length);
    });
    if (this.residentAt(task.out) >= 0) return room ? ({ ...staged, out: task.out } as Task) : null;
    const outAt = arena.reserve(task.out.byteLength);
    if (!room || outAt < 0) return null;
    return { ...staged, out: arena.view(task.out, outAt, task.out.length) } as Task;
  }

  /** Whether `data` (a tensor's storage) lives in the shared memory's heap, where every thread reads
   * and writes it in place. */
  isResident(data: TypedArray): boolean {
    return this.residentAt(data) >= 0;
  }

  /** The byte offset of `data` in the shared memory when it lives there (a resident tensor), else -1. */
  private residentAt(data: TypedArray): number {
    return data.buffer === this.arena.memory.buffer ? data.byteOffset : -1;
  }
}

/** Resolves to `backend` once all its workers have started; disposes it and rethrows if one fails. */
export async function whenReady<B extends ThreadPoolBackend>(backend: B): Promise<B> {
  try {
    await backend.ready();
  } catch (e) {
    backend.dispose();
    throw e;
  }
  return backend;
}
