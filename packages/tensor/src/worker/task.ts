import type { TypedArray } from "../dtype.js";
import { recordOf, type OpName } from "../ops.js";
import type { KernelExports } from "../wasm/module.js";

/**
 * One split op as the threads receive it: the op's task (see `OPS`) with every array in the
 * backend's shared memory, so handing it over (task-codec.ts, or a message) shares them, never copies. Each thread runs the same
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
  /**
   * Byte offset of the live-step lists that the threads share for a k-reduction of a transposed A
   * split by output rows (a convolution's weight gradient doutᵀ · col; assembly/steps.ts,
   * prepareLiveSteps): each k block's steps are listed once for all rows, by the first thread to
   * reach it, instead of every thread testing all of A and B. Only with the wasm kernels.
   */
  lists?: number;
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
    const scratch = task.scratch + thread.index * task.stride;
    const lists = task.lists ?? 0;
    if (lists !== 0) kernels.useLiveSteps(lists);
    try {
      record.wasm!.run(task.args, start, end, { kernels, scratch });
    } finally {
      if (lists !== 0) kernels.useLiveSteps(0);
    }
  } else {
    record.run(task.args, start, end);
  }
}

/** How many units the task splits into. */
export function taskUnits(task: Task): number {
  return recordOf(task.op).units(task.args);
}

/** Units that every range's bounds are multiples of (see OpRecord.grain). */
export function taskGrain(task: Task): number {
  return recordOf(task.op).grain?.(task.args) ?? 1;
}

/** Chunks no smaller than this much work (the records' rough nanoseconds) unless the record says
 * otherwise: a chunk costs a kernel call and two atomic operations. */
const MIN_CHUNK_WORK = 2 ** 16;

/** The fewest units a chunk of this task may hold: the record's `minChunk`, else MIN_CHUNK_WORK of
 * work. */
function leastUnits(task: Task): number {
  return recordOf(task.op).minChunk?.(task.args) ?? Math.ceil(MIN_CHUNK_WORK / Math.max(1, unitWork(task)));
}

/**
 * How many chunks a split of `grains` grains between `parts` threads is cut into: 4 or 2 per
 * thread when every chunk still holds the record's `minChunk` units (by default MIN_CHUNK_WORK of
 * work), else one per thread. More chunks than threads let a thread that starts late or runs
 * slower take fewer. (At most 2 per thread instead of 4: the float32 SimpleConvNet step's 17 split
 * ops took 8.94 ms a step against 8.95, per-op medians over 600 steps alternated in one process;
 * not kept.)
 */
export function chunkCount(task: Task, parts: number, grains: number): number {
  const grain = taskGrain(task);
  const least = leastUnits(task);
  for (const perThread of [4, 2]) {
    const chunks = parts * perThread;
    if (chunks <= grains && Math.floor(grains / chunks) * grain >= least) return chunks;
  }
  return Math.min(parts, grains);
}

/** Whether the `chunks` chunks of a split of `grains` grains between `parts` threads shrink towards
 * the end (chunkStart): with 2 or more per thread, when the last and smallest of them, about
 * grains / chunks^2 grains, still holds the task's least units; otherwise they stay equal, as many.
 * (Making fewer chunks instead, so that guided ones would hold enough, cut the book run's 784-row
 * weight gradient dW1 into 4 chunks where it had 8; `bp train --backend worker` then measured 8.0-8.2
 * s against the previous release's 7.5-8.0, three runs each alternated, within this machine's
 * spread. With this rule, four more pairs: 7.5-8.3 s against 7.7-10.2, and the float32
 * SimpleConvNet step kept its gain: best 10.46 -> 9.91 ms in one process, 200 steps each.) */
export function guidedChunks(task: Task, chunks: number, parts: number, grains: number): boolean {
  return chunks >= 2 * parts && Math.floor(grains / (chunks * chunks)) * taskGrain(task) >= leastUnits(task);
}

/**
 * Bounds of chunk `i` of `chunks` over `units` units: whole grains, the last chunk taking the rest.
 * Every thread computes the same bounds from the same numbers.
 *
 * Equal chunks, or with `guided` shrinking ones: chunk i starts where the share of grains left is
 * ((chunks - i) / chunks)^2, so that 8 chunks hold 23, 20, 17, 14, 11, 8, 5 and 1.6 % of the
 * units. The threads take chunks in order from a shared counter, so the thread that runs out first
 * usually waits only for a small last chunk of the other's. Measured on the float32 SimpleConvNet
 * step (MNIST, 2 threads): the calling thread's waits at the end of its 17 split ops fell from
 * 0.27-0.34 ms to 0.12-0.17 ms a step (per-thread timestamps), and the step went 10.56-10.68 ->
 * 10.37-10.38 ms best, 10.84-11.13 -> 10.59-10.96 at the 10th percentile (both builds in one
 * process, blocks of 10 steps alternated, 400 steps each). The number of chunks stays: a chunk costs
 * a kernel call and, in the step's cold caches, 1-2 us of JavaScript (16 equal chunks per thread
 * made the step's split ops 0.3-0.5 ms slower than 4).
 *
 * Tried and not kept (float32 SimpleConvNet step, MNIST, 2 threads; per-op medians over 600 steps,
 * the orders alternated every two steps in one process): the calling thread and the worker each
 * taking chunks from a sequence of their own over half the op, from both ends towards the middle
 * (each thread reads what it wrote itself, as the ops of a layer lay out their rows alike): the 17
 * split ops 10.16 -> 10.82 ms a step; alternating that with from the middle outwards, op to op (each
 * thread starting on what it wrote last): 10.34; step A/Bs against this counter within noise (best
 * 9.30 / 9.19 and 9.40 / 9.41 ms). The step's memory-bound ops seem held back by memory, whatever
 * the order: alone on the same arrays again and again, a split relu of 1 728 000 float32 takes 140 us against
 * 237 on one thread, but 300-340 us in the step, on either order; two threads each running relu
 * on arrays of their own scale 1.87-1.97x.
 */
export function chunkStart(units: number, grain: number, chunks: number, i: number, guided = false): number {
  if (i >= chunks) return units;
  const grains = Math.ceil(units / grain);
  if (!guided) return Math.floor((i * grains) / chunks) * grain;
  const left = chunks - i;
  return (grains - Math.floor((grains * left * left) / (chunks * chunks))) * grain;
}

/** Cost of one unit in rough nanoseconds on one core, used to cut a worker's range into chunks of
 * similar duration (see CHUNK_WORK), not to decide whether to split. */
export function unitWork(task: Task): number {
  return recordOf(task.op).cost(task.args);
}
