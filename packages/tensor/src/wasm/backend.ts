import type { TensorData } from "../backend.js";
import { CpuBackend } from "../cpu.js";
import type { DType, FloatArray, TypedArray } from "../dtype.js";
import { bytesPerElement, typedArrayOn } from "../dtype.js";
import { matmulDims, reduceDims } from "../kernel-dims.js";
import {
  batchedTransposeDims,
  firstNonFiniteImpl,
  gatherRowsImpl,
  matmulImpl,
  type BinaryOp,
  type ReduceOp,
  type UnaryOp,
  type WindowGeometry,
} from "../kernels/index.js";
import { ValueError } from "../errors.js";
import type { Shape } from "../shape.js";
import { checkOptions, describeValue, sizeOf } from "../shape.js";
import { Arena, matmulStaged } from "./arena.js";
import { ResidentHeap } from "./heap.js";
import { instantiateKernels, kernelsModule, requireWasmSimd } from "./module.js";

/** The binary ops with a wasm kernel (assembly/elementwise.ts), by operation code. */
const WASM_BINARY: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };
/** The unary ops with a wasm kernel (assembly/unary.ts), by operation code: the ones without a
 * transcendental function, whose float32 results cannot differ from the TypeScript kernel's. */
const WASM_UNARY: Partial<Record<UnaryOp, number>> = {
  neg: 0,
  abs: 1,
  square: 2,
  sqrt: 3,
  reciprocal: 4,
  relu: 5,
  step: 6,
  sign: 7,
};
/** Below this many elements, staging costs more than a wasm loop saves: the TypeScript kernel runs. */
const WASM_MIN_SIZE = 256;
/** Element-wise ops are staged through wasm memory in chunks of about this many bytes (operands and
 * result together), so that each chunk is still in cache when the kernel reads it and when its result
 * is copied out. */
const CHUNK_BYTES = 192 * 1024;

/** An operand of a chunked op: `perUnit` elements per unit of work (an output element or row), or
 * 0 for a value (or row) staged once and read by every chunk. */
interface Operand {
  readonly data: TypedArray;
  readonly perUnit: number;
  /** Instead of perUnit: the operand is images of `elements` values, `units` units of work each;
   * a chunk stages the whole images its units need, and its offset is shifted so that the kernel
   * addresses elements by their index in the whole operand. */
  readonly images?: { readonly units: number; readonly elements: number };
}

/**
 * The CPU backend with its matrix product in WebAssembly SIMD (assembly/matmul.ts): the same
 * results bit for bit, several times faster. Tensors live in the module's memory (`heap`, see
 * ResidentHeap), where the kernels read and write them in place; storage in ordinary memory (small
 * tensors, a full heap, storage given to `new Tensor`) is copied in for each op (products in chunks
 * of rows, element-wise ops in cache-sized chunks) and the result copied out. add/sub/mul/div, the
 * unary ops without a transcendental function, `where`, the last-axis argmax, max and min, sums
 * along other axes, im2col, col2im, batched transposes, the minibatch gather and the divergence
 * check also run in wasm; every other op runs the shared TypeScript kernels. Make one with
 * `createWasmBackend()`.
 */
export class WasmBackend extends CpuBackend {
  override readonly name: string = "wasm";

  /** The memory's buffer, which never changes while tensors live in it (null: no resident heap). */
  private readonly buffer: ArrayBufferLike | null;

  /** Use `createWasmBackend()`, which compiles the module first. */
  constructor(
    private readonly arena: Arena,
    /** Where tensors live in the module's memory (null: all storage is ordinary memory). */
    readonly heap: ResidentHeap | null = null,
  ) {
    super();
    this.buffer = heap === null ? null : arena.memory.buffer;
  }

  /** Zero-filled storage: a block of the resident heap when it has room, else ordinary memory. */
  override alloc(dtype: DType, size: number): TypedArray {
    return this.storage(dtype, size, true);
  }

  override release(dtype: DType, data: TypedArray): void {
    if (this.heap !== null && data.buffer === this.buffer) this.heap.free(data);
    else super.release(dtype, data);
  }

  /** Storage for `size` values of `dtype`, zero-filled when `zero` (else a result the caller
   * overwrites whole). In the resident heap from RESIDENT_MIN_BYTES on, when it has room. */
  private storage(dtype: DType, size: number, zero: boolean): TypedArray {
    const heap = this.heap;
    const bytes = size * bytesPerElement(dtype);
    if (heap !== null && bytes >= RESIDENT_MIN_BYTES) {
      const block = heap.alloc(bytes);
      if (block !== null) {
        if (zero && !block.zeroed) this.arena.kernels!.zero(block.at, bytes);
        const view = typedArrayOn(dtype, this.buffer!, block.at, size);
        heap.track(view);
        return view;
      }
    }
    return this.pool.allocForOverwrite(dtype, size, zero);
  }

  /** Whether `data` (a tensor's storage) lives in the module's memory, where the kernels read and
   * write it in place; false for storage in ordinary memory (small, or when the heap was full). */
  isResident(data: TypedArray): boolean {
    return this.residentAt(data) >= 0;
  }

  /** The byte offset of `data` in the module's memory when it lives there (a resident tensor), else -1. */
  private residentAt(data: TypedArray): number {
    return data.buffer === this.buffer ? data.byteOffset : -1;
  }

  override matmul(a: TensorData, b: TensorData, transposeA: boolean, transposeB: boolean): FloatArray {
    const { m, n, k } = matmulDims(a.shape, b.shape, transposeA, transposeB);
    const out = this.storage(a.dtype, m * n, false) as FloatArray;
    const ad = a.data as FloatArray;
    const bd = b.data as FloatArray;
    const f32 = ad instanceof Float32Array ? 1 : 0;
    const kernels = this.arena.kernels!;
    const staged = matmulStaged(
      this.arena,
      ad,
      bd,
      out,
      m,
      n,
      k,
      transposeA,
      (aAt, bAt, outAt, rows) => {
        const scratch = this.arena.reserve(kernels.matmulScratchBytes(n, k));
        if (scratch < 0) return false;
        kernels.matmul(aAt, bAt, outAt, rows, n, k, +transposeA, +transposeB, 0, rows, f32, scratch);
        return true;
      },
      (d) => this.residentAt(d),
    );
    if (!staged) matmulImpl(ad, bd, out, m, n, k, transposeA, transposeB, 0, m);
    return out;
  }

  /**
   * add, sub, mul and div of float tensors in wasm when both operands are whole (same shape), one is
   * a single value, b is one row broadcast over a's rows (a bias), or b is one value per row of a
   * (a keepDims reduction along the last axis: softmax's `x - max` and `e / sum`); everything else,
   * and small ops, run the TypeScript kernel. Same bits either way (see assembly/elementwise.ts).
   */
  override binary(op: BinaryOp, a: TensorData, b: TensorData, outShape: Shape): TypedArray {
    const code = WASM_BINARY[op];
    const size = sizeOf(outShape);
    const row = outShape.length === 0 ? 1 : outShape[outShape.length - 1]!;
    const aLen = a.data.length;
    const bLen = b.data.length;
    const column = aLen === size && bLen === size / row && bLen > 1 && isColumn(b.shape, outShape);
    const whole = aLen === size && (bLen === size || bLen === 1 || (bLen === row && isRow(b.shape)) || column);
    if (
      code === undefined ||
      a.dtype === "int32" ||
      size < WASM_MIN_SIZE ||
      !(whole || (aLen === 1 && bLen === size))
    ) {
      return super.binary(op, a, b, outShape);
    }
    const out = this.storage(a.dtype, size, false);
    const f32 = a.dtype === "float32" ? 1 : 0;
    const kernels = this.arena.kernels!;
    const per = (len: number): number => (len === size ? 1 : 0);
    let done: boolean;
    if (bLen === size || bLen === 1 || aLen === 1) {
      done = this.chunked(size, [operand(a.data, per(aLen)), operand(b.data, per(bLen))], out, 1, (at, outAt, n) =>
        kernels.binary(code, at[0]!, per(aLen), at[1]!, per(bLen), outAt, n, f32),
      );
    } else if (column) {
      // One b value beside every row of a (b's last axis is 1): units are rows.
      done = this.chunked(size / row, [operand(a.data, row), operand(b.data, 1)], out, row, (at, outAt, rows) =>
        kernels.binaryCols(code, at[0]!, at[1]!, outAt, rows, row, f32),
      );
    } else {
      // b is one row of `row` values under every row of a: units are rows, b is staged once.
      done = this.chunked(size / row, [operand(a.data, row), operand(b.data, 0)], out, row, (at, outAt, rows) =>
        kernels.binaryRows(code, at[0]!, at[1]!, outAt, rows, row, f32),
      );
    }
    return done ? out : super.binary(op, a, b, outShape);
  }

  /** The unary ops without a transcendental function (neg, abs, square, sqrt, reciprocal, relu,
   * step, sign) of float tensors in wasm (assembly/unary.ts); the rest, int32 and small tensors run
   * the TypeScript kernel. Same bits either way. */
  override unary(op: UnaryOp, x: TensorData): TypedArray {
    const code = WASM_UNARY[op];
    const size = x.data.length;
    if (code === undefined || x.dtype === "int32" || size < WASM_MIN_SIZE) return super.unary(op, x);
    const out = this.storage(x.dtype, size, false);
    const f32 = x.dtype === "float32" ? 1 : 0;
    const kernels = this.arena.kernels!;
    const done = this.chunked(size, [operand(x.data, 1)], out, 1, (at, outAt, n) =>
      kernels.unary(code, at[0]!, outAt, n, f32),
    );
    return done ? out : super.unary(op, x);
  }

  /** `where` in wasm (assembly/unary.ts) when cond has the values' float dtype and each of cond, a
   * and b is whole or a single value (Relu's backward: `dout.where(mask, 0)`); otherwise the
   * TypeScript kernel. Same bits either way. */
  override where(cond: TensorData, a: TensorData, b: TensorData, outShape: Shape): TypedArray {
    const size = sizeOf(outShape);
    const inputs = [cond.data, a.data, b.data];
    if (
      a.dtype === "int32" ||
      cond.dtype !== a.dtype ||
      size < WASM_MIN_SIZE ||
      !inputs.every((d) => d.length === size || d.length === 1)
    ) {
      return super.where(cond, a, b, outShape);
    }
    const out = this.storage(a.dtype, size, false);
    const f32 = a.dtype === "float32" ? 1 : 0;
    const kernels = this.arena.kernels!;
    const s = inputs.map((d) => (d.length === size ? 1 : 0));
    const done = this.chunked(
      size,
      inputs.map((d, i) => operand(d, s[i]!)),
      out,
      1,
      (at, outAt, n) => kernels.where(at[0]!, s[0]!, at[1]!, s[1]!, at[2]!, s[2]!, outAt, n, f32),
    );
    return done ? out : super.where(cond, a, b, outShape);
  }

  /** Sums along an axis that is not the last (a bias gradient's column sums; assembly/reduce.ts:
   * float64 running sums in increasing order, rounded once, as reduceImpl) and max/min along the
   * last axis in wasm; the other reductions, int32 and small tensors run the TypeScript kernel. */
  override reduce(op: ReduceOp, x: TensorData, axis: number): TypedArray {
    const { outer, axisLen, inner } = reduceDims(x.shape, axis);
    if (x.dtype === "int32" || x.data.length < WASM_MIN_SIZE) return super.reduce(op, x, axis);
    if (op !== "sum" && inner === 1) return this.extremeOfRows(op, x, axis, outer, axisLen);
    if (op !== "sum" || inner === 1) return super.reduce(op, x, axis);
    const out = this.storage(x.dtype, outer * inner, false);
    const f32 = x.dtype === "float32" ? 1 : 0;
    const arena = this.arena;
    const kernels = arena.kernels!;
    arena.reset();
    const accAt = arena.reserve(inner * 8);
    const top = arena.mark();
    const bytes = x.data.BYTES_PER_ELEMENT;
    const resident = this.residentAt(x.data);
    const rows = resident >= 0 ? axisLen : Math.max(1, Math.floor(CHUNK_BYTES / (inner * bytes)));
    for (let o = 0; o < outer; o++) {
      for (let k0 = 0; k0 < axisLen; k0 += rows) {
        const n = Math.min(rows, axisLen - k0);
        arena.release(top);
        const start = (o * axisLen + k0) * inner;
        const xAt = resident >= 0 ? resident + start * bytes : arena.stage(x.data.subarray(start, start + n * inner));
        if (accAt < 0 || xAt < 0) return super.reduce(op, x, axis);
        kernels.sumRows(xAt, n, inner, accAt, f32, k0 === 0 ? 1 : 0);
      }
      out.set(arena.view(new Float64Array(0), accAt, inner), o * inner); // rounds float32 once
    }
    return out;
  }

  /** Rows of a resident tensor copied by the wasm kernel (bulk memory copies) into a resident
   * result; otherwise the TypeScript kernel. */
  override gather(x: TensorData, indices: Int32Array): TypedArray {
    const rowSize = x.shape.length === 0 ? 1 : sizeOf(x.shape.slice(1));
    const out = this.storage(x.dtype, indices.length * rowSize, false); // every row is written
    const xAt = this.residentAt(x.data);
    const outAt = this.residentAt(out);
    this.arena.reset();
    const idxAt = xAt < 0 || outAt < 0 ? -1 : this.arena.stage(indices);
    if (idxAt < 0) gatherRowsImpl(x.data, rowSize, indices, out, 0, indices.length);
    else this.arena.kernels!.gatherRows(xAt, rowSize * x.data.BYTES_PER_ELEMENT, idxAt, indices.length, outAt);
    return out;
  }

  /** The divergence check's scan in wasm (assembly/reduce.ts) for a resident float tensor; others
   * run the TypeScript loop (copying a tensor in would cost as much as scanning it). */
  firstNonFinite(x: TensorData): number {
    const at = this.residentAt(x.data);
    if (at < 0 || x.dtype === "int32" || x.data.length < WASM_MIN_SIZE) {
      return firstNonFiniteImpl(x.data, 0, x.data.length); // -1 for int32
    }
    return this.arena.kernels!.firstNonFinite(at, x.data.length, x.dtype === "float32" ? 1 : 0);
  }

  /** max or min along the last axis (max pooling's window maxima) in wasm (assembly/unary.ts,
   * two float64 or four float32 rows per vector, reduceImpl's meaning: NaN wins, then the first of
   * equal values). */
  private extremeOfRows(op: "max" | "min", x: TensorData, axis: number, rows: number, len: number): TypedArray {
    const out = this.storage(x.dtype, rows, false);
    const f32 = x.dtype === "float32" ? 1 : 0;
    const min = op === "min" ? 1 : 0;
    const kernels = this.arena.kernels!;
    const done = this.chunked(rows, [operand(x.data, len)], out, 1, (at, outAt, n) =>
      kernels.extremeOfRows(at[0]!, n, len, outAt, f32, min),
    );
    return done ? out : super.reduce(op, x, axis);
  }

  /** argmax along the last axis of a float tensor in wasm (assembly/unary.ts, no branch per
   * element: max pooling's [windows, 4]); other axes, int32 and small tensors run the TypeScript
   * kernel. Same indices either way. */
  override argmax(x: TensorData, axis: number): Int32Array {
    const { outer, axisLen, inner } = reduceDims(x.shape, axis);
    if (inner !== 1 || axisLen === 0 || x.dtype === "int32" || x.data.length < WASM_MIN_SIZE) {
      return super.argmax(x, axis);
    }
    const out = this.storage("int32", outer, false) as Int32Array;
    const f32 = x.dtype === "float32" ? 1 : 0;
    const kernels = this.arena.kernels!;
    const done = this.chunked(outer, [operand(x.data, axisLen)], out, 1, (at, outAt, rows) =>
      kernels.argmaxRows(at[0]!, rows, axisLen, outAt, f32),
    );
    return done ? out : super.argmax(x, axis);
  }

  /** The book's im2col in wasm (assembly/window.ts): the rows in chunks, with the images they read. */
  override im2col(x: TensorData, g: WindowGeometry): TypedArray {
    const rows = g.n * g.outH * g.outW;
    return this.windowKernel("im2col", x, g, rows, g.c * g.filterH * g.filterW) ?? super.im2col(x, g);
  }

  /** The book's col2im in wasm (assembly/window.ts, col2imImpl's order of additions): the output
   * planes in chunks, with the images' col rows they read. */
  override col2im(col: TensorData, g: WindowGeometry): TypedArray {
    return this.windowKernel("col2im", col, g, g.n * g.c, g.h * g.w) ?? super.col2im(col, g);
  }

  /** im2col or col2im by the wasm kernel: `units` output rows or planes of `perUnit` values in
   * chunks, each with the source images it reads; null when small or when memory cannot hold it. */
  private windowKernel(
    kernel: "im2col" | "col2im",
    src: TensorData,
    g: WindowGeometry,
    units: number,
    perUnit: number,
  ): TypedArray | null {
    if (src.data.length < WASM_MIN_SIZE && units * perUnit < WASM_MIN_SIZE) return null;
    const out = this.storage(src.dtype, units * perUnit, false);
    const geometry = Int32Array.of(g.c, g.h, g.w, g.filterH, g.filterW, g.stride, g.pad, g.outH, g.outW);
    const f32 = src.dtype === "float32" ? 1 : 0;
    const run = this.arena.kernels![kernel];
    // The source is staged by whole images: those the chunk's rows or planes read.
    const images = { units: units / g.n, elements: src.data.length / g.n };
    const operands = [{ data: src.data, perUnit: 0, images }, operand(geometry, 0)];
    const done = this.chunked(units, operands, out, perUnit, (at, outAt, n, first) =>
      run(at[0]!, at[1]!, outAt, first, first + n, f32),
    );
    return done ? out : null;
  }

  /** Batched matrix transposes (e.g. [N, H, W, C] -> [N, C, H, W]) of float tensors in wasm
   * (assembly/window.ts); other permutations, int32 and small tensors run the TypeScript kernel. */
  override transpose(x: TensorData, perm: readonly number[]): TypedArray {
    const dims = x.dtype === "int32" || x.data.length < WASM_MIN_SIZE ? null : batchedTransposeDims(x.shape, perm);
    if (dims === null) return super.transpose(x, perm);
    const [batches, rows, cols] = dims;
    const out = this.storage(x.dtype, x.data.length, false);
    const f32 = x.dtype === "float32" ? 1 : 0;
    const kernels = this.arena.kernels!;
    const done = this.chunked(batches, [operand(x.data, rows * cols)], out, rows * cols, (at, outAt, n) =>
      kernels.transposeBatched(at[0]!, n, rows, cols, outAt, f32),
    );
    return done ? out : super.transpose(x, perm);
  }

  /**
   * Runs a wasm kernel over `units` units of work (output elements or rows): `run(at, outAt, n,
   * first)` computes units first to first + n - 1 (at: each operand's offset). Operands and results
   * that live in the module's memory (resident tensors) are read and written where they are; the
   * others are copied in (and the result out) in chunks of about CHUNK_BYTES, operands with perUnit
   * 0 once for all chunks. False when the memory cannot hold a chunk (the caller then runs the
   * TypeScript kernel, which overwrites all of `out`).
   */
  private chunked(
    units: number,
    operands: readonly Operand[],
    out: TypedArray,
    outPerUnit: number,
    run: (at: readonly number[], outAt: number, n: number, first: number) => void,
  ): boolean {
    const arena = this.arena;
    arena.reset();
    const resident = operands.map((o) => this.residentAt(o.data));
    const outResident = this.residentAt(out);
    const once = (o: Operand, i: number): boolean => o.perUnit === 0 && o.images === undefined && resident[i]! < 0;
    const at = operands.map((o, i) => (once(o, i) ? arena.stage(o.data) : 0));
    if (at.some((p) => p < 0)) return false;
    let unitBytes = outResident < 0 ? outPerUnit * out.BYTES_PER_ELEMENT : 0;
    operands.forEach((o, i) => {
      const perUnit = o.images === undefined ? o.perUnit : o.images.elements / o.images.units;
      if (resident[i]! < 0) unitBytes += perUnit * o.data.BYTES_PER_ELEMENT;
    });
    const chunk = unitBytes === 0 ? units : Math.max(1, Math.floor(CHUNK_BYTES / unitBytes));
    const top = arena.mark();
    for (let u0 = 0; u0 < units; u0 += chunk) {
      const n = Math.min(chunk, units - u0);
      arena.release(top);
      let staged = true;
      for (let i = 0; i < operands.length; i++) {
        const { data, perUnit, images } = operands[i]!;
        const bytes = data.BYTES_PER_ELEMENT;
        const r = resident[i]!;
        if (images !== undefined) {
          // Addressed by element index in the whole operand (offset of element 0).
          if (r >= 0) {
            at[i] = r;
            continue;
          }
          const begin = Math.floor(u0 / images.units) * images.elements;
          const end = (Math.floor((u0 + n - 1) / images.units) + 1) * images.elements;
          const p = arena.stage(data.subarray(begin, end));
          staged &&= p >= 0;
          at[i] = p - begin * bytes; // may be negative: wasm addresses wrap around
        } else if (r >= 0) {
          at[i] = r + u0 * perUnit * bytes;
        } else if (perUnit !== 0) {
          at[i] = arena.stage(data.subarray(u0 * perUnit, (u0 + n) * perUnit));
          staged &&= at[i]! >= 0;
        }
      }
      const outBytes = out.BYTES_PER_ELEMENT;
      const outAt =
        outResident >= 0 ? outResident + u0 * outPerUnit * outBytes : arena.reserve(n * outPerUnit * outBytes);
      if (outAt < 0 || !staged) return false;
      run(at, outAt, n, u0);
      if (outResident < 0) out.set(arena.view(out, outAt, n * outPerUnit), u0 * outPerUnit);
    }
    return true;
  }
}

function operand(data: TypedArray, perUnit: number): Operand {
  return { data, perUnit };
}

/** b's shape is the output's with a last axis of 1 (one value per row: a keepDims reduction). */
function isColumn(shape: Shape, outShape: Shape): boolean {
  if (shape.length !== outShape.length || shape[shape.length - 1] !== 1) return false;
  for (let i = 0; i < shape.length - 1; i++) if (shape[i] !== outShape[i]) return false;
  return true;
}

/** A shape that is one row: [n] or [1, ..., 1, n]. */
function isRow(shape: Shape): boolean {
  for (let i = 0; i < shape.length - 1; i++) if (shape[i] !== 1) return false;
  return true;
}

/** Options of `createWasmBackend`. */
export interface WasmBackendOptions {
  /**
   * Bytes of the module's memory that hold tensors (their storage is a block there from 1 KiB up),
   * so that ops read and write them in place instead of copying them in and out. Default 512 MiB
   * (address space: pages are only committed as they are used); 0 keeps every tensor in ordinary
   * memory, copied into the module for each op. When the engine refuses that much, halves of it
   * down to 16 MiB are tried. A tensor that finds no room uses ordinary memory: same results, more copying.
   *
   * A block returns to the heap when its tensor is disposed, or after the garbage collector has
   * collected the tensor, which takes effect only when the program yields to the event loop. So a
   * synchronous loop that disposes nothing fills the heap with its dead results (up to this many
   * bytes of memory in use) before it goes on in ordinary memory.
   */
  residentBytes?: number;
}

/** Storage this small stays in ordinary memory (staging it costs less than keeping track of it). */
const RESIDENT_MIN_BYTES = 1024;
/** The default resident heap. */
const DEFAULT_RESIDENT_BYTES = 512 * 1024 * 1024;
/** Staging room below the heap: chunks of operands that are not resident, and kernel scratch. */
export const ARENA_BYTES = 64 * 1024 * 1024;
const PAGE = 65536;

/**
 * A backend that runs matrix products in WebAssembly SIMD and everything else as `cpu` does, with
 * results identical to `cpu` bit for bit. Async because compiling a module synchronously is refused
 * on a browser's main thread; the compiled module is cached, so later calls are quick. Throws a
 * BackendError naming the missing feature where WebAssembly or its SIMD extension is unavailable.
 *
 * ```ts
 * const backend = await createWasmBackend();
 * const y = randn([100, 784], { backend }).matmul(randn([784, 50], { backend }));
 * ```
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  checkOptions("createWasmBackend", options, "options");
  const resident = options.residentBytes ?? DEFAULT_RESIDENT_BYTES;
  if (!Number.isInteger(resident) || resident < 0 || resident > 2 ** 31 - ARENA_BYTES) {
    throw new ValueError(
      "createWasmBackend",
      `residentBytes must be an integer from 0 to ${2 ** 31 - ARENA_BYTES}, got ${describeValue(resident)}`,
    );
  }
  requireWasmSimd("createWasmBackend");
  return wasmBackendOf(await kernelsModule(false), resident);
}

/** A wasm backend running `module` (the unshared build of the kernels) over a memory of its own. */
export function wasmBackendOf(module: WebAssembly.Module, residentBytes = DEFAULT_RESIDENT_BYTES): WasmBackend {
  const made = residentMemory(false, residentBytes);
  if (made === null) {
    const memory = new WebAssembly.Memory({ initial: 16 });
    return new WasmBackend(new Arena(memory, instantiateKernels(module, memory)));
  }
  const { memory, heap } = made;
  return new WasmBackend(new Arena(memory, instantiateKernels(module, memory), 0, ARENA_BYTES), heap);
}

function halved(bytes: number): number {
  const half = Math.floor(bytes / 2);
  return half >= 16 * 1024 * 1024 ? half : 0;
}

/**
 * A memory for a wasm backend with resident tensors: staging room (ARENA_BYTES) at the bottom and,
 * above it, a heap of up to `residentBytes` (halved while the engine refuses, down to 16 MiB; null
 * when even that is refused, or for 0). Made at its full size once: it must never grow, as growing a non-shared memory
 * detaches every view of it. `shared`: a shared memory (the worker backend's threads compute in it).
 */
export function residentMemory(
  shared: boolean,
  residentBytes = DEFAULT_RESIDENT_BYTES,
): { memory: WebAssembly.Memory; heap: ResidentHeap } | null {
  // The size asked for, then halves of it down to 16 MiB while the engine refuses.
  for (let heapBytes = residentBytes; heapBytes > 0; heapBytes = halved(heapBytes)) {
    const pages = Math.ceil((ARENA_BYTES + heapBytes) / PAGE);
    try {
      const memory = new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared } : { initial: pages });
      return { memory, heap: new ResidentHeap(ARENA_BYTES, memory.buffer.byteLength) };
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  return null;
}
