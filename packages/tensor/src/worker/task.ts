import type { FloatArray, TypedArray } from "../dtype.js";
import type { KernelExports } from "../wasm/module.js";
import {
  argmaxImpl,
  binaryImpl,
  castImpl,
  col2imImpl,
  gatherRowsImpl,
  im2colImpl,
  putAlongImpl,
  takeAlongImpl,
  matmulImpl,
  reduceImpl,
  transposeImpl,
  unaryImpl,
  whereImpl,
  type BinaryOp,
  type ReduceOp,
  type UnaryOp,
  type WindowGeometry,
} from "../kernels/index.js";

/**
 * One backend op, described by the kernel it runs and that kernel's arguments. The same description
 * is run over a sub-range by each participating thread (`runTask`), so every thread executes the
 * very same kernel function from `kernels/`, only on its own range of output rows or elements.
 * Typed arrays here live in SharedArrayBuffer memory, so posting a task shares them, never copies.
 */
export type Task =
  | { kind: "unary"; op: UnaryOp; x: TypedArray; out: TypedArray }
  | {
      kind: "binary";
      op: BinaryOp;
      a: TypedArray;
      aShape: readonly number[];
      b: TypedArray;
      bShape: readonly number[];
      out: TypedArray;
      outShape: readonly number[];
    }
  | {
      kind: "where";
      cond: TypedArray;
      condShape: readonly number[];
      a: TypedArray;
      aShape: readonly number[];
      b: TypedArray;
      bShape: readonly number[];
      out: TypedArray;
      outShape: readonly number[];
    }
  | { kind: "reduce"; op: ReduceOp; x: TypedArray; outer: number; axisLen: number; inner: number; out: TypedArray }
  | { kind: "argmax"; x: TypedArray; outer: number; axisLen: number; inner: number; out: Int32Array }
  | {
      kind: "matmul";
      a: FloatArray;
      b: FloatArray;
      out: FloatArray;
      m: number;
      n: number;
      k: number;
      transA: boolean;
      transB: boolean;
      /** Set when a, b and out are views of the backend's shared wasm memory: byte offset of the
       * scratch of thread 0, and the bytes between one thread's scratch and the next's. */
      scratch?: number;
      scratchStride?: number;
    }
  | { kind: "transpose"; x: TypedArray; shape: readonly number[]; perm: readonly number[]; out: TypedArray }
  | { kind: "gather"; x: TypedArray; rowSize: number; indices: Int32Array; out: TypedArray }
  | { kind: "cast"; x: TypedArray; out: TypedArray }
  | { kind: "im2col"; x: TypedArray; g: WindowGeometry; out: TypedArray }
  | { kind: "col2im"; col: TypedArray; g: WindowGeometry; out: TypedArray }
  | { kind: "takeAlong"; x: TypedArray; depth: number; indices: Int32Array; out: TypedArray }
  | { kind: "putAlong"; values: TypedArray; depth: number; indices: Int32Array; out: TypedArray };

/** The wasm kernels of one thread, instantiated over the backend's shared memory, and the thread's
 * index (0: the calling thread, 1 + slot: a worker), which picks its matmul scratch. */
export interface ThreadKernels {
  kernels: KernelExports;
  index: number;
}

/** Runs the task's kernel over its units [start, end): output rows for matmul, gather and im2col,
 * [n, c] planes of the output for col2im, index rows for takeAlong and putAlong, output elements
 * otherwise. A matmul staged in wasm memory
 * runs the wasm kernel when this thread has one (same bits as the TypeScript kernel). */
export function runTask(task: Task, start: number, end: number, wasm: ThreadKernels | null = null): void {
  switch (task.kind) {
    case "unary":
      unaryImpl(task.op, task.x, task.out, start, end);
      return;
    case "binary":
      binaryImpl(task.op, task.a, task.aShape, task.b, task.bShape, task.out, task.outShape, start, end);
      return;
    case "where":
      whereImpl(
        task.cond,
        task.condShape,
        task.a,
        task.aShape,
        task.b,
        task.bShape,
        task.out,
        task.outShape,
        start,
        end,
      );
      return;
    case "reduce":
      reduceImpl(task.op, task.x, task.outer, task.axisLen, task.inner, task.out, start, end);
      return;
    case "argmax":
      argmaxImpl(task.x, task.outer, task.axisLen, task.inner, task.out, start, end);
      return;
    case "matmul":
      if (wasm !== null && task.scratch !== undefined) {
        wasm.kernels.matmul(
          task.a.byteOffset,
          task.b.byteOffset,
          task.out.byteOffset,
          task.m,
          task.n,
          task.k,
          +task.transA,
          +task.transB,
          start,
          end,
          +(task.a instanceof Float32Array),
          task.scratch + wasm.index * task.scratchStride!,
        );
      } else {
        matmulImpl(task.a, task.b, task.out, task.m, task.n, task.k, task.transA, task.transB, start, end);
      }
      return;
    case "transpose":
      transposeImpl(task.x, task.shape, task.perm, task.out, start, end);
      return;
    case "gather":
      gatherRowsImpl(task.x, task.rowSize, task.indices, task.out, start, end);
      return;
    case "cast":
      castImpl(task.x, task.out, start, end);
      return;
    case "im2col":
      im2colImpl(task.x, task.g, task.out, start, end);
      return;
    case "col2im":
      col2imImpl(task.col, task.g, task.out, start, end);
      return;
    case "takeAlong":
      takeAlongImpl(task.x, task.depth, task.indices, task.out, start, end);
      return;
    case "putAlong":
      putAlongImpl(task.values, task.depth, task.indices, task.out, start, end);
      return;
  }
}

/** How many units the task splits into (see `runTask`). */
export function taskUnits(task: Task): number {
  switch (task.kind) {
    case "matmul":
      return task.m;
    case "gather":
      return task.indices.length;
    case "im2col":
      return task.g.n * task.g.outH * task.g.outW;
    case "col2im":
      return task.g.n * task.g.c;
    case "takeAlong":
    case "putAlong":
      return task.indices.length;
    default:
      return task.out.length;
  }
}

/**
 * Cost of one unit in rough nanoseconds on one core, used to cut a worker's range into chunks of
 * similar duration (see CHUNK_WORK), not to decide whether to split. A multiply-add of the blocked
 * matmul kernel takes about 0.5 ns (it also repacks B once per call, so its chunks should not be
 * small); element-wise estimates are pessimistic: an exp, a pow or a general broadcast/transpose
 * index costs 15-40 ns.
 */
export function unitWork(task: Task): number {
  switch (task.kind) {
    case "matmul":
      return Math.max(1, Math.floor((task.n * task.k) / 2));
    case "gather":
      return Math.max(1, 2 * task.rowSize);
    case "reduce":
    case "argmax":
      return Math.max(1, 4 * task.axisLen);
    case "im2col":
      return Math.max(1, 2 * task.g.c * task.g.filterH * task.g.filterW);
    case "col2im":
      return Math.max(1, 2 * task.g.filterH * task.g.filterW * task.g.outH * task.g.outW);
    case "takeAlong":
      return 4;
    case "putAlong":
      return Math.max(1, task.depth);
    default:
      return 32;
  }
}

/** The fields of each kind of task that hold its input arrays; every task writes `out`. */
const INPUT_FIELDS = {
  unary: ["x"],
  reduce: ["x"],
  argmax: ["x"],
  transpose: ["x"],
  cast: ["x"],
  im2col: ["x"],
  col2im: ["col"],
  takeAlong: ["x", "indices"],
  putAlong: ["values", "indices"],
  binary: ["a", "b"],
  matmul: ["a", "b"],
  where: ["cond", "a", "b"],
  gather: ["x", "indices"],
} as const satisfies Record<Task["kind"], readonly string[]>;

/** The task with each input array replaced by `convert(array)` (outputs are left as they are). */
export function mapTaskInputs(task: Task, convert: <A extends TypedArray>(a: A) => A): Task {
  const copy = { ...task } as unknown as Record<string, TypedArray>;
  for (const f of INPUT_FIELDS[task.kind]) copy[f] = convert(copy[f]!);
  return copy as unknown as Task;
}
