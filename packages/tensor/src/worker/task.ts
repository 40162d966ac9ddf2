import type { TypedArray } from "../dtype.js";
import { recordOf, type OpName } from "../ops.js";
import type { KernelExports } from "../wasm/module.js";

/**
 * One split op as the threads receive it: the op's task (see `OPS`) with every array in the
 * backend's shared memory, so posting it shares them, never copies. Each thread runs the same
 * kernel of the op's record on its own range of the task's units.
 */
export interface Task {
  op: OpName;
  args: { out: TypedArray };
  /** Whether the threads run the record's wasm kernel (else its TypeScript kernel). */
  wasm: boolean;
  /** Byte offset of thread 0's scratch for the wasm kernel, and the bytes from one thread's to the next's. */
  scratch: number;
  stride: number;
  /** A phase of a product split in two (see ListPhase); absent for every other split op. */
  phase?: ListPhase;
}

/**
 * The two phases of a k-reduction of a transposed A split by output rows (a convolution's weight
 * gradient, assembly/steps.ts): "list", the live steps of all rows, k blocks [start, end) per range,
 * into the lists at `at` that every thread reads; then "rows", the product's rows as usual but from
 * those lists, so the threads do not each test all of A and B for zeros. Only with the wasm kernels.
 */
export interface ListPhase {
  kind: "list" | "rows";
  /** Byte offset of the lists in the shared memory. */
  at: number;
  /** The product's k blocks (the units of the "list" phase). */
  blocks: number;
}

/** The matmul task's fields that the "list" phase reads. */
interface ProductArgs {
  a: Float64Array | Float32Array;
  b: Float64Array | Float32Array;
  m: number;
  n: number;
  k: number;
}

/** The wasm kernels of one thread, instantiated over the backend's shared memory, and the thread's
 * index (0: the calling thread, 1 + slot: a worker), which picks its scratch. */
export interface ThreadKernels {
  kernels: KernelExports;
  index: number;
}

/** Runs the task's kernel over its units [start, end). */
export function runTask(task: Task, start: number, end: number, thread: ThreadKernels | null): void {
  const record = recordOf(task.op);
  if (task.wasm && thread !== null) {
    const kernels = thread.kernels;
    const phase = task.phase;
    if (phase?.kind === "list") {
      const t = task.args as unknown as ProductArgs;
      kernels.liveSteps(
        t.a.byteOffset,
        t.b.byteOffset,
        t.m,
        t.n,
        t.k,
        start,
        end,
        phase.at,
        +(t.a instanceof Float32Array),
      );
      return;
    }
    const scratch = task.scratch + thread.index * task.stride;
    if (phase !== undefined) kernels.useLiveSteps(phase.at);
    try {
      record.wasm!.run(task.args, start, end, { kernels, scratch });
    } finally {
      if (phase !== undefined) kernels.useLiveSteps(0);
    }
  } else {
    record.run(task.args, start, end);
  }
}

/** How many units the task splits into. */
export function taskUnits(task: Task): number {
  return task.phase?.kind === "list" ? task.phase.blocks : recordOf(task.op).units(task.args);
}

/** Units that every range's bounds are multiples of (see OpRecord.grain). */
export function taskGrain(task: Task): number {
  return task.phase?.kind === "list" ? 1 : (recordOf(task.op).grain?.(task.args) ?? 1);
}

/** Chunks no smaller than this much work (the records' rough nanoseconds) unless the record says
 * otherwise: a chunk costs a kernel call and two atomic operations. */
const MIN_CHUNK_WORK = 2 ** 16;

/**
 * How many chunks a split of `grains` grains between `parts` threads is cut into: 4 or 2 per
 * thread when every chunk still holds the record's `minChunk` units (by default MIN_CHUNK_WORK of
 * work), else one per thread. More chunks than threads let a thread that starts late or runs
 * slower take fewer.
 */
export function chunkCount(task: Task, parts: number, grains: number): number {
  const record = recordOf(task.op);
  const grain = taskGrain(task);
  const own = task.phase?.kind === "list" ? undefined : record.minChunk?.(task.args);
  const least = own ?? Math.ceil(MIN_CHUNK_WORK / Math.max(1, unitWork(task)));
  for (const perThread of [4, 2]) {
    const chunks = parts * perThread;
    if (chunks <= grains && Math.floor(grains / chunks) * grain >= least) return chunks;
  }
  return Math.min(parts, grains);
}

/**
 * Bounds of chunk `i` of `chunks` over `units` units: whole grains, the last chunk taking the rest.
 * Every thread computes the same bounds from the same numbers.
 */
export function chunkStart(units: number, grain: number, chunks: number, i: number): number {
  return i >= chunks ? units : Math.floor((i * Math.ceil(units / grain)) / chunks) * grain;
}

/** Cost of one unit in rough nanoseconds on one core, used to cut a worker's range into chunks of
 * similar duration (see CHUNK_WORK), not to decide whether to split. */
export function unitWork(task: Task): number {
  if (task.phase?.kind === "list") {
    // A k block's steps, each a test of its m values of A and n of B: about 0.5 ns a value.
    const t = task.args as unknown as ProductArgs;
    return Math.max(1, Math.ceil((Math.ceil(t.k / task.phase.blocks) * (t.m + t.n)) / 2));
  }
  return recordOf(task.op).cost(task.args);
}
