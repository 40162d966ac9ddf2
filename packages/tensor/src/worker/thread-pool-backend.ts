import type { Backend, ResidentBackend, TensorData } from "../backend.js";
import type { DType, TypedArray } from "../dtype.js";
import { BackendError, ValueError } from "../errors.js";
import { firstNonFiniteImpl } from "../kernels/index.js";
import { OpBackend } from "../op-backend.js";
import { recordOf, type OpName, type TaskOf } from "../ops.js";
import { checkOptions } from "../shape.js";
import { CpuBackend } from "../cpu.js";
import { Arena, stageTask } from "../wasm/arena.js";
import { ARENA_BYTES, WasmBackend, residentMemory, wasmBackendOf } from "../wasm/backend.js";
import type { ResidentHeap } from "../wasm/heap.js";
import { instantiateKernels, kernelsModuleSync, missingWasmFeature } from "../wasm/module.js";
import type { ThreadHost } from "./thread-host.js";
import { ThreadPool } from "./thread-pool.js";

export interface WorkerBackendOptions {
  /**
   * Threads that compute, counting the calling thread, which always takes a share: `threads: 2`
   * starts one worker. Default: the machine's available parallelism. `1` runs everything inline.
   */
  threads?: number;
  /**
   * true (default where WebAssembly SIMD works): the wasm kernels run in every thread; false: the
   * TypeScript kernels everywhere. The results are the same bit for bit.
   */
  wasm?: boolean;
}

/** The key of the backend's hooks for tests and measurements, reached only through internals.ts
 * (not a package export). */
export const INTERNALS: unique symbol = Symbol("bp.worker.internals");

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

/**
 * The worker backend's implementation, shared by Node and browsers (which differ only in their
 * ThreadHost): the wasm backend's kernels (or, without wasm, the cpu backend's) on a pool of threads.
 *
 * Each op is synchronous. An op whose record in `OPS` says it is large enough (its units times their
 * cost reach its split threshold) is cut into contiguous ranges of its units (output rows or
 * elements); the calling thread hands the op to the workers, takes ranges itself and runs them with
 * the same kernel, then blocks with Atomics.wait until all are done. Every output element is
 * computed by the same code over the same inputs in the same order, so results are bitwise
 * identical to the cpu backend's (reductions split between output elements, never along the
 * reduced axis). Smaller ops run on the calling thread, on the backend this one composes.
 *
 * Memory: with the wasm kernels, tensors live in the resident heap of one shared WebAssembly.Memory
 * made once at its full size (see WasmBackend: blocks reused after dispose() or collection), where
 * every thread reads and writes them in place, and ops that are not split run there exactly as the
 * wasm backend runs them. Arrays in ordinary memory (small, or the heap full; every tensor without
 * wasm) are copied into the memory's staging room for a split op and the result copied out. (A
 * fresh SharedArrayBuffer per tensor, an earlier design, is invisible to the garbage collector's
 * heuristics and needed a full collection every few steps.)
 */
export class ThreadPoolBackend extends OpBackend implements ResidentBackend {
  readonly name = "worker";
  /** Threads that compute, the calling thread included. */
  readonly threads: number;
  /** Ops run so far: split between threads, or inline on the calling thread. */
  readonly stats = { split: 0, inline: 0 };
  /** Whether the wasm kernels run (see WorkerBackendOptions.wasm). */
  readonly wasm: boolean;
  /** The heap of tensors resident in the shared memory (as WasmBackend's: `stats`, `capacity`), or
   * null without wasm or when no heap could be made (tensors then live in ordinary memory). */
  readonly heap: ResidentHeap | null;
  /** The shared memory's buffer as the resident heap's tensors view it (null: no heap). */
  private readonly buffer: ArrayBufferLike | null;
  private readonly pool: ThreadPool;
  private alwaysSplit = false;
  /** Products split with shared live-step lists (Task.lists; tests). */
  private listed = 0;
  private readonly arena: Arena;
  /** Runs the ops that are not split, on the calling thread: the wasm backend over this backend's
   * shared memory (its wasm kernels and its resident heap), or the cpu backend without wasm. Its
   * storage (heap or pool) is this backend's too. */
  private readonly inner: OpBackend & Backend;

  constructor(options: WorkerBackendOptions, host: ThreadHost) {
    super();
    checkOptions("WorkerBackend", options, "options", ["threads", "wasm"]);
    host.check();
    const threads = options.threads ?? host.defaultThreads();
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new ValueError("WorkerBackend", `threads must be an integer in [1, 256], got ${threads}`);
    }
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
    const own = module === null ? null : { kernels: instantiateKernels(module, memory), index: 0 };
    this.arena = new Arena(memory, own?.kernels ?? null, 0, resident === null ? undefined : ARENA_BYTES);
    this.heap = resident?.heap ?? null;
    // The heap's tensors view the buffer the memory had when the heap was made. V8 hands out a new
    // SharedArrayBuffer object from `memory.buffer` after any shared memory in the process grows, so
    // that one is kept: compared with the current `memory.buffer` alone, every tensor made before
    // would look foreign and be copied in and out of staging for each split op.
    this.buffer = resident === null ? null : memory.buffer;
    if (resident !== null) this.inner = new WasmBackend(this.arena, resident.heap);
    else if (module === null) this.inner = new CpuBackend();
    // No room for a heap: tensors in ordinary memory, and ops that are not split run in a private,
    // unshared memory (copies into and out of a shared memory are about 1.5 times slower, measured
    // 23 against 15 us for 627 KB; only split ops need their operands where every thread can read them).
    else this.inner = wasmBackendOf(kernelsModuleSync(false));
    this.pool = new ThreadPool(host, threads - 1, { memory, module }, own);
    if (this.buffer !== null) this.pool.knowBuffer(this.buffer);
  }

  /** Resolves once every worker has started. Ops work before that, on the threads already up. */
  ready(): Promise<void> {
    return this.pool.ready();
  }

  /** Zero-filled storage; a BackendError once the backend was disposed or broke (it cannot compute
   * on tensors any more, so it refuses to make them). */
  alloc(dtype: DType, size: number): TypedArray {
    this.pool.check("alloc");
    return this.inner.alloc(dtype, size);
  }

  allocOut(dtype: DType, size: number, zero: boolean): TypedArray {
    return this.inner.allocOut(dtype, size, zero);
  }

  release(dtype: DType, data: TypedArray): void {
    this.inner.release?.(dtype, data);
  }

  override check(op: string): void {
    this.pool.check(op);
  }

  /**
   * Splits the op between the threads when its record says it pays and the workers' cores do not
   * look busy with other processes (the pool's backoff, backoff.ts), or every op is split (tests),
   * and a worker is ready, its arrays staged where every thread reaches them; otherwise, or
   * when the staging room cannot hold them, the composed backend runs it on the calling thread.
   */
  exec<K extends OpName>(op: K, task: TaskOf<K>): void {
    const record = recordOf(op);
    const units = record.units(task);
    if (
      units > (record.grain?.(task) ?? 1) &&
      (this.alwaysSplit ||
        (units * record.cost(task) >= record.splitAt(task, this.wasm) && !this.pool.backoff.inline())) &&
      this.pool.readyWorkers() > 0
    ) {
      const kernels = this.arena.kernels;
      const wasm = kernels !== null && record.wasm?.when(task, this.resident) === true;
      const scratch = wasm ? (record.wasm!.scratch?.(task, kernels!) ?? 0) : 0;
      const out = task.out;
      const staged = stageTask(this.arena, record.inputs, task, this.residentAt, scratch, this.threads);
      if (staged !== null) {
        this.stats.split++;
        const name = "op" in task ? task.op : op; // exp, add, sum rather than unary, binary, reduce
        const steal = !this.alwaysSplit;
        const lists = wasm ? this.listRoom(op, task) : null;
        if (lists !== null) this.listed++;
        this.pool.run(name, { op, args: task, wasm, ...staged, ...(lists === null ? {} : { lists }) }, steal);
        if (task.out !== out) {
          out.set(task.out);
          task.out = out;
        }
        return;
      }
    }
    this.stats.inline++;
    this.inner.exec(op, task);
  }

  /**
   * The live-step lists, made empty in the shared memory, that the threads share for a product split
   * by rows (Task.lists: a k-reduction of a transposed A, such as a convolution's weight gradient
   * doutᵀ · col); null for any other op, or when the memory has no room (each thread then tests its
   * own rows of A and all of B).
   */
  private listRoom(op: OpName, task: TaskOf<OpName>): number | null {
    if (op !== "matmul" || this.threads < 2) return null;
    const t = task as TaskOf<"matmul">;
    if (!t.transA || t.transB) return null;
    const kernels = this.arena.kernels!;
    const bytes = kernels.liveStepsBytes(t.m, t.n, t.k);
    const at = bytes > 0 ? this.arena.reserve(bytes) : -1;
    if (at < 0) return null;
    kernels.prepareLiveSteps(at, t.a.byteOffset, t.b.byteOffset, t.m, t.n, t.k);
    return at;
  }

  /** The divergence check on the calling thread, as the composed backend runs it. */
  firstNonFinite(x: TensorData): number {
    return this.inner.firstNonFinite?.(x) ?? firstNonFiniteImpl(x.data, 0, x.data.length);
  }

  /** Ends the workers. Later ops, and making tensors on it, throw a BackendError; tensors made
   * here stay readable. */
  dispose(): void {
    this.pool.dispose();
  }

  /** Whether `data` (a tensor's storage) lives in the shared memory's heap, where every thread reads
   * and writes it in place. */
  isResident(data: TypedArray): boolean {
    return this.residentAt(data) >= 0;
  }

  private readonly resident = (data: TypedArray): boolean => this.isResident(data);
  /** The byte offset of `data` in the shared memory when it lives there (a resident tensor), else -1. */
  private readonly residentAt = (data: TypedArray): number =>
    data.buffer === this.buffer || data.buffer === this.arena.memory.buffer ? data.byteOffset : -1;

  /** For tests and measurements (internals.ts): the thread pool, a switch that splits every op of
   * two grains (units) or more, whatever its size, with no range taken back by the calling thread,
   * and how many products were split with shared live-step lists (Task.lists). */
  get [INTERNALS](): { pool: ThreadPool; splitEveryOp(): void; listed: number } {
    return {
      pool: this.pool,
      listed: this.listed,
      splitEveryOp: () => {
        this.alwaysSplit = true;
      },
    };
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
