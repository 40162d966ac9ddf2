import type { Backend, TensorData } from "./backend.js";
import type { DType, FloatArray, FloatDType, TypedArray } from "./dtype.js";
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
  oneHotImpl,
  reduceImpl,
  transposeImpl,
  unaryImpl,
  whereImpl,
  type BinaryOp,
  type ReduceOp,
  type UnaryOp,
  type WindowGeometry,
} from "./kernels/index.js";
import type { Shape } from "./shape.js";
import { sizeOf } from "./shape.js";
import { matmulDims, reduceDims } from "./kernel-dims.js";
import { BufferPool } from "./pool.js";

/**
 * The reference backend: plain TypeScript on the calling thread. Each method calls a kernel from
 * `kernels/` once over the whole output. It holds no state, so one instance (`cpu`) serves all.
 */
export class CpuBackend implements Backend {
  readonly name: string = "cpu";
  /** Storage of disposed tensors, reused by `alloc` (see `Tensor.dispose`). */
  readonly pool = new BufferPool();

  alloc(dtype: DType, size: number): TypedArray {
    return this.pool.alloc(dtype, size);
  }

  release(dtype: DType, data: TypedArray): void {
    this.pool.release(dtype, data);
  }

  unary(op: UnaryOp, x: TensorData): TypedArray {
    const out = this.alloc(x.dtype, x.data.length);
    unaryImpl(op, x.data, out, 0, out.length);
    return out;
  }

  binary(op: BinaryOp, a: TensorData, b: TensorData, outShape: Shape): TypedArray {
    const out = this.alloc(a.dtype, sizeOf(outShape));
    binaryImpl(op, a.data, a.shape, b.data, b.shape, out, outShape, 0, out.length);
    return out;
  }

  where(cond: TensorData, a: TensorData, b: TensorData, outShape: Shape): TypedArray {
    const out = this.alloc(a.dtype, sizeOf(outShape));
    whereImpl(cond.data, cond.shape, a.data, a.shape, b.data, b.shape, out, outShape, 0, out.length);
    return out;
  }

  reduce(op: ReduceOp, x: TensorData, axis: number): TypedArray {
    const { outer, axisLen, inner } = reduceDims(x.shape, axis);
    const out = this.alloc(x.dtype, outer * inner);
    reduceImpl(op, x.data, outer, axisLen, inner, out, 0, out.length);
    return out;
  }

  argmax(x: TensorData, axis: number): Int32Array {
    const { outer, axisLen, inner } = reduceDims(x.shape, axis);
    const out = this.alloc("int32", outer * inner) as Int32Array;
    argmaxImpl(x.data, outer, axisLen, inner, out, 0, out.length);
    return out;
  }

  matmul(a: TensorData, b: TensorData, transposeA: boolean, transposeB: boolean): FloatArray {
    const { m, n, k } = matmulDims(a.shape, b.shape, transposeA, transposeB);
    const out = this.alloc(a.dtype, m * n) as FloatArray;
    matmulImpl(a.data as FloatArray, b.data as FloatArray, out, m, n, k, transposeA, transposeB, 0, m);
    return out;
  }

  transpose(x: TensorData, perm: readonly number[]): TypedArray {
    const out = this.alloc(x.dtype, x.data.length);
    transposeImpl(x.data, x.shape, perm, out, 0, out.length);
    return out;
  }

  gather(x: TensorData, indices: Int32Array): TypedArray {
    const rowSize = x.shape.length === 0 ? 1 : sizeOf(x.shape.slice(1));
    const out = this.alloc(x.dtype, indices.length * rowSize);
    gatherRowsImpl(x.data, rowSize, indices, out, 0, indices.length);
    return out;
  }

  oneHot(indices: Int32Array, depth: number, dtype: FloatDType | "int32"): TypedArray {
    const out = this.alloc(dtype, indices.length * depth);
    oneHotImpl(indices, depth, out, 0, indices.length);
    return out;
  }

  cast(x: TensorData, dtype: DType): TypedArray {
    const out = this.alloc(dtype, x.data.length);
    castImpl(x.data, out, 0, out.length);
    return out;
  }

  im2col(x: TensorData, g: WindowGeometry): TypedArray {
    const rows = g.n * g.outH * g.outW;
    const out = this.alloc(x.dtype, rows * g.c * g.filterH * g.filterW);
    im2colImpl(x.data, g, out, 0, rows);
    return out;
  }

  col2im(col: TensorData, g: WindowGeometry): TypedArray {
    const out = this.alloc(col.dtype, g.n * g.c * g.h * g.w);
    col2imImpl(col.data, g, out, 0, g.n * g.c);
    return out;
  }

  takeAlongLastAxis(x: TensorData, indices: Int32Array): TypedArray {
    const out = this.alloc(x.dtype, indices.length);
    takeAlongImpl(x.data, x.shape[x.shape.length - 1]!, indices, out, 0, indices.length);
    return out;
  }

  putAlongLastAxis(values: TensorData, indices: Int32Array, depth: number): TypedArray {
    const out = this.alloc(values.dtype, indices.length * depth);
    putAlongImpl(values.data, depth, indices, out, 0, indices.length);
    return out;
  }

  /** Drops the pooled storage; the backend keeps working. */
  dispose(): void {
    this.pool.clear();
  }
}

/** The shared CPU backend instance, used when no backend is given. */
export const cpu: Backend = new CpuBackend();
