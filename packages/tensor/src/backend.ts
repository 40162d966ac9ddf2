import type { DType, FloatArray, FloatDType, TypedArray } from "./dtype.js";
import type { BinaryOp, FusedProgram, ReduceOp, UnaryOp, WindowGeometry } from "./kernels/index.js";
import type { Shape } from "./shape.js";
import type { ResidentHeap } from "./wasm/heap.js";

/** What a backend reads of a tensor: contiguous row-major data, its shape and dtype. */
export interface TensorData {
  readonly data: TypedArray;
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * The narrow contract every backend implements: storage plus a small set of primitive kernels.
 *
 * Callers (the `Tensor` methods) have already validated shapes, dtypes and indices, so a backend
 * only computes. Each method returns fresh storage allocated by `alloc`; none modifies its inputs.
 * Everything else (mean, softmax, losses, layers, derivative rules) is composed on top of these,
 * in one place, and never lives in a backend. Each kernel has one record in `OPS` (src/ops.ts),
 * which the cpu, wasm and worker backends read.
 */
export interface Backend {
  /** A short name used in messages and benchmarks, e.g. "cpu" or "worker". */
  readonly name: string;

  /** Zero-filled storage for `size` elements (wasm and worker: in their module's memory when it has room). */
  alloc(dtype: DType, size: number): TypedArray;

  /** out = op(x), element-wise. */
  unary(op: UnaryOp, x: TensorData): TypedArray;
  /** out = op(a, b) with NumPy broadcasting to `outShape` (a and b have the same dtype). */
  binary(op: BinaryOp, a: TensorData, b: TensorData, outShape: Shape): TypedArray;
  /** out = cond != 0 ? a : b, each broadcast to `outShape`; a and b share a dtype. */
  where(cond: TensorData, a: TensorData, b: TensorData, outShape: Shape): TypedArray;
  /** Reduces `axis` away (the result has the shape of x without that axis). */
  reduce(op: ReduceOp, x: TensorData, axis: number): TypedArray;
  /** Index of the first maximum along `axis`. */
  argmax(x: TensorData, axis: number): Int32Array;
  /** op(a) @ op(b) for 2-d float tensors; a transpose flag reads the operand transposed in place. */
  matmul(a: TensorData, b: TensorData, transposeA: boolean, transposeB: boolean): FloatArray;
  /** x with its axes permuted by `perm`. */
  transpose(x: TensorData, perm: readonly number[]): TypedArray;
  /** Rows of x (along axis 0) picked by `indices` (validated to be in range). */
  gather(x: TensorData, indices: Int32Array): TypedArray;
  /** One row of `depth` per index, 1 at the index and 0 elsewhere. */
  oneHot(indices: Int32Array, depth: number, dtype: FloatDType | "int32"): TypedArray;
  /** x converted to another dtype. */
  cast(x: TensorData, dtype: DType): TypedArray;
  /** The book's im2col of an [n, c, h, w] x: [n * outH * outW, c * filterH * filterW] window values. */
  im2col(x: TensorData, geometry: WindowGeometry): TypedArray;
  /** The book's col2im (im2col's adjoint): col's values added back into an [n, c, h, w] result. */
  col2im(col: TensorData, geometry: WindowGeometry): TypedArray;
  /** One value per row of x (rows along the last axis): out[r] = x[r, indices[r]]. */
  takeAlongLastAxis(x: TensorData, indices: Int32Array): TypedArray;
  /** Rows of `depth` zeros with values[r] at column indices[r] (the adjoint of takeAlongLastAxis).
   * The one kernel that checks its indices itself, in its own pass: an index outside [0, depth)
   * throws an IndexError naming the first such index and its position, and no result is returned. */
  putAlongLastAxis(values: TensorData, indices: Int32Array, depth: number): TypedArray;

  /**
   * Runs an element-wise program (a `FusedProgram`, which `fused` traces) over `inputs`, which share
   * one shape and a float dtype. Returns one array per output of the program: fresh storage, or, for
   * an output the program writes into input j (its `assign`), input j's own storage, written in
   * place (the one exception to "never modifies its inputs", as `Tensor.assign` is for tensors).
   */
  fused(program: FusedProgram, inputs: readonly TensorData[]): TypedArray[];

  /**
   * Optional: the flat index of the first NaN or ±Infinity in x, or -1 (a training loop's divergence
   * check, run on every parameter and gradient each step). Without it, the TypeScript loop runs.
   */
  firstNonFinite?(x: TensorData): number;

  /**
   * Optional: storage this backend's `alloc` gave, which no tensor uses any more (a disposed op
   * result that no other tensor shares). The backend may hand it out again from `alloc`, zero-filled.
   */
  release?(dtype: DType, data: TypedArray): void;

  /** Releases threads or other resources; a no-op for the CPU backend. */
  dispose(): void;
}

/**
 * A backend whose tensors live in a WebAssembly memory (the wasm and worker backends), where its
 * kernels read and write them in place.
 */
export interface ResidentBackend extends Backend {
  /** The heap of tensors in the memory (its `stats`, `capacity`), or null when there is none (all
   * storage in ordinary memory). */
  readonly heap: ResidentHeap | null;
  /** Whether `data` (a tensor's storage) lives in the memory; false for ordinary memory (small
   * storage, a full heap, storage given to `new Tensor`). */
  isResident(data: TypedArray): boolean;
}

/** Whether `backend` keeps tensors in a WebAssembly memory (see `ResidentBackend`). */
export function isResidentBackend(backend: Backend): backend is ResidentBackend {
  return "heap" in backend && typeof (backend as Partial<ResidentBackend>).isResident === "function";
}
