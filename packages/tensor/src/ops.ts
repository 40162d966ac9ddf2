import type { Backend, TensorData } from "./backend.js";
import type { DType, FloatArray, FloatDType, TypedArray } from "./dtype.js";
import { IndexError } from "./errors.js";
import { matmulDims, reduceDims } from "./kernel-dims.js";
import {
  argmaxImpl,
  batchedTransposeDims,
  binaryImpl,
  castImpl,
  col2imImpl,
  firstIndexOutside,
  fusedImpl,
  gatherRowsImpl,
  im2colImpl,
  matmulImpl,
  oneHotImpl,
  putAlongImpl,
  reduceImpl,
  takeAlongImpl,
  transposeImpl,
  unaryImpl,
  whereImpl,
  type BinaryOp,
  type FusedProgram,
  type ReduceOp,
  type UnaryOp,
  type WindowGeometry,
} from "./kernels/index.js";
import type { Shape } from "./shape.js";
import { sameShape, sizeOf } from "./shape.js";
import type { KernelExports } from "./wasm/module.js";
import { fusedScratchBytes, runFused } from "./wasm/fused-table.js";
import * as code from "./wasm/opcodes.js";

/** The primitive kernels of `Backend`: each has one record in `OPS`. */
export type OpName = Exclude<keyof Backend, "name" | "alloc" | "release" | "dispose" | "firstNonFinite">;

/** Storage for a task's output: `zero` when the kernel leaves elements unwritten. */
export type AllocOut = (dtype: DType, size: number, zero: boolean) => TypedArray;

/** A thread's wasm kernels over the memory where every array of the task lives, and the byte
 * offset of the scratch bytes this thread may use (`scratch` of the record's wasm kernel). */
export interface WasmContext {
  kernels: KernelExports;
  scratch: number;
}

/**
 * One primitive, declared once; the cpu, wasm and worker backends all read it.
 *
 * A task is the op with its output allocated: plain data (typed arrays, shapes, numbers), so the
 * worker backend can post it to its threads. Its work is `units` independent units (output rows or
 * elements), any range of which the kernel can compute on its own: every output element is
 * computed by the same code in the same order whichever thread or range computes it, so results
 * are identical bit for bit however the units are split.
 */
export interface OpRecord<K extends OpName, T extends { out: TypedArray }> {
  /** The task from the `Backend` method's arguments (validated by `Tensor`). */
  task(out: AllocOut, ...args: Parameters<Backend[K]>): T;
  /** The fields of the task holding input arrays (staged into a wasm memory when not resident). */
  inputs: readonly (keyof T & string)[];
  units(t: T): number;
  /** Rough nanoseconds per unit on one core: with `units`, the work compared with `splitAt`, and
   * what sizes a worker's chunks. */
  cost(t: T): number;
  /** Split between threads from this much work (units x cost); Infinity: never. `wasm`: the
   * threads run the wasm kernels. */
  splitAt(t: T, wasm: boolean): number;
  /** Units that a split's ranges are whole multiples of (default 1): where the wasm kernel works on
   * whole blocks (a matrix of a batched transpose, a row of a bias), a range cutting a block would
   * fall back to the TypeScript kernel. Any split gives the same bits; this only keeps it fast. */
  grain?(t: T): number;
  /** The fewest units worth a chunk of their own in a split (default: about 65 us of work): more
   * for a kernel that does set-up work per call. */
  minChunk?(t: T): number;
  /** The TypeScript kernel (the meaning) over units [start, end). */
  run(t: T, start: number, end: number): void;
  /** For a kernel that validates its input on its way (so that the check costs no pass of its
   * own): called once the kernel ran over every unit, throws the op's typed error when some unit
   * found bad input; the backend then hands the output back unseen. */
  check?(t: T): void;
  /** A wasm kernel with the same meaning, bit for bit: `when` it applies (dtype, shape, size;
   * `resident` says whether an array already lives in the wasm memory), the `scratch` bytes a
   * thread needs, and `run` over units [start, end) of a task whose arrays all live in the memory. */
  wasm?: {
    when(t: T, resident: (data: TypedArray) => boolean): boolean;
    scratch?(t: T, kernels: KernelExports): number;
    run(t: T, start: number, end: number, w: WasmContext): void;
  };
}

/** Columns that one pass of the wasm sum along a middle axis (assembly/reduce.ts, sumRows) keeps in
 * registers over all rows: 8 vectors, 16 float64 or 32 float32 columns. */
const sumPassColumns = (x: TypedArray): number => (x instanceof Float32Array ? 32 : 16);
/** Passes of the wasm sum along a middle axis over a block's rows (0: not a wasm sum of one block). */
const sumPasses = (t: { op: ReduceOp; x: TypedArray; outer: number; inner: number }): number =>
  t.op === "sum" && t.outer === 1 && t.inner > 1 && isFloat(t.x) ? Math.ceil(t.inner / sumPassColumns(t.x)) : 0;

/** Element-wise cost per unit: pessimistic, as an exp or a general broadcast index costs 15-40 ns. */
const ELEMENT_COST = 32;
/** Below this many elements a wasm kernel gains less than staging and the call cost. */
const WASM_MIN_SIZE = 256;
/** Never split: ops whose work is too small, or whose operands live where not every thread reads
 * them. */
const NEVER = Number.POSITIVE_INFINITY;
/** The split threshold of a memory-bound op (copies, element-wise arithmetic, window maxima) whose
 * record costs `perElement` per element of its output: from 2^17 elements (1 MiB of float64). A
 * split costs 4-5 us with an awake worker but 30-150 us with one that must be woken, and two cores
 * move such arrays 1.3 to 1.9 times as fast as one (measured on 432 000 and 1 728 000 float64: add
 * 1.3-1.5, relu 1.2-1.3, transpose 1.9, argmax 1.7-1.9). */
const memorySplit = (perElement: number): number => 2 ** 17 * perElement;
const MEMORY_SPLIT = memorySplit(ELEMENT_COST);
/** Element-wise ops that call a libm function (exp, log, tanh, pow...) per element. */
const TRANSCENDENTAL: ReadonlySet<UnaryOp | BinaryOp> = new Set<UnaryOp | BinaryOp>([
  "exp",
  "log",
  "tanh",
  "sigmoid",
  "pow",
]);
/** Transcendental element-wise ops split from 4096 elements, where a libm call per element pays
 * for a split's messages. */
const TRANSCENDENTAL_SPLIT = 4096 * ELEMENT_COST;

const WASM_BINARY: Partial<Record<BinaryOp, number>> = { add: code.ADD, sub: code.SUB, mul: code.MUL, div: code.DIV };
const WASM_UNARY: Partial<Record<UnaryOp, number>> = {
  neg: code.NEG,
  abs: code.ABS,
  square: code.SQUARE,
  sqrt: code.SQRT,
  reciprocal: code.RECIPROCAL,
  relu: code.RELU,
  step: code.STEP,
  sign: code.SIGN,
};

const isFloat = (a: TypedArray): boolean => a instanceof Float64Array || a instanceof Float32Array;
const f32 = (a: TypedArray): number => (a instanceof Float32Array ? 1 : 0);
/** The byte offset of element `i` of an array that lives in the wasm memory. */
const at = (a: TypedArray, i = 0): number => a.byteOffset + i * a.BYTES_PER_ELEMENT;
const rowOf = (shape: Shape): number => (shape.length === 0 ? 1 : shape[shape.length - 1]!);
const rowSizeOf = (shape: Shape): number => (shape.length === 0 ? 1 : sizeOf(shape.slice(1)));

/** An operand of `size` elements, or a single value (broadcast to every element). */
const wholeOrOne = (d: TypedArray, size: number): boolean => d.length === size || d.length === 1;

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

/** Which wasm binary kernel fits: both whole or a single value ("flat"), b one row under every row
 * of a ("rows", a bias), b one value beside every row ("cols"); null: general broadcasting. */
function binaryLayout(t: BinaryTask): "flat" | "rows" | "cols" | null {
  const size = t.out.length;
  const row = rowOf(t.outShape);
  const aLen = t.a.length;
  const bLen = t.b.length;
  if ((aLen === size && (bLen === size || bLen === 1)) || (aLen === 1 && bLen === size)) return "flat";
  if (aLen !== size) return null;
  if (bLen === row && isRow(t.bShape)) return "rows";
  if (bLen > 1 && bLen === size / row && isColumn(t.bShape, t.outShape)) return "cols";
  return null;
}

/** Whole rows of `len` elements in the element range [start, end), or null when it cuts a row. */
function rowsIn(start: number, end: number, len: number): [number, number] | null {
  return start % len === 0 && end % len === 0 ? [start / len, end / len] : null;
}

/** The nine int32 of a window geometry as the wasm kernels read them, written at `scratch`. */
function writeGeometry(memory: ArrayBufferLike, scratch: number, g: WindowGeometry): number {
  new Int32Array(memory, scratch, 9).set([g.c, g.h, g.w, g.filterH, g.filterW, g.stride, g.pad, g.outH, g.outW]);
  return scratch;
}

/** Two operands broadcast to the output's shape. */
interface BroadcastTask {
  a: TypedArray;
  aShape: Shape;
  b: TypedArray;
  bShape: Shape;
  out: TypedArray;
  outShape: Shape;
}
function broadcastTask(out: AllocOut, a: TensorData, b: TensorData, outShape: Shape): BroadcastTask {
  return {
    a: a.data,
    aShape: a.shape,
    b: b.data,
    bShape: b.shape,
    out: out(a.dtype, sizeOf(outShape), false),
    outShape,
  };
}
interface BinaryTask extends BroadcastTask {
  op: BinaryOp;
}
interface FusedTask {
  program: FusedProgram;
  xs: TypedArray[];
  /** One array per output (an output written into an input: that input's storage). */
  outs: TypedArray[];
  /** Empty, of the inputs' type: the outputs are `outs` (which the backend method returns), and
   * staging, which copies a task's `out` in and out, must leave them alone. */
  out: TypedArray;
}
function emptyLike(a: TypedArray): TypedArray {
  return new (a.constructor as new (length: number) => TypedArray)(0);
}
/** Storage that every thread of the worker backend reaches (its shared memory). */
const isShared = (a: TypedArray): boolean =>
  typeof SharedArrayBuffer !== "undefined" && a.buffer instanceof SharedArrayBuffer;
interface WindowTask {
  src: TypedArray;
  g: WindowGeometry;
  out: TypedArray;
}
interface AlongTask {
  src: TypedArray;
  depth: number;
  indices: Int32Array;
  out: TypedArray;
}

/** im2col (units: output rows) and col2im (units: [n, c] output planes): several index
 * computations per element besides its copy, so large ones split (the book's conv layer), from
 * 2^16 elements of col. */
const WINDOW_SPLIT = 2 ** 17;

/** im2col or col2im in wasm (assembly/window.ts): units [start, end) from the whole source, the
 * geometry as nine int32 in the thread's scratch; `perUnit`: output elements per unit. */
function windowWasm(
  kernel: "im2col" | "col2im",
  perUnit: (g: WindowGeometry) => number,
): NonNullable<OpRecord<"im2col", WindowTask>["wasm"]> {
  return {
    when: (t) => isFloat(t.src) && (t.src.length >= WASM_MIN_SIZE || t.out.length >= WASM_MIN_SIZE),
    scratch: () => 36,
    run: (t, start, end, w) => {
      const g = writeGeometry(t.out.buffer, w.scratch, t.g);
      w.kernels[kernel](at(t.src), g, at(t.out, start * perUnit(t.g)), start, end, f32(t.src));
    },
  };
}

interface MatmulTask {
  a: FloatArray;
  b: FloatArray;
  out: FloatArray;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/** Products with fewer rows than this are split between output columns when byColumns allows:
 * rows could not make two chunks of 32 (matmul's minChunk) per thread. */
const COLUMN_SPLIT_ROWS = 128;
/** Columns of a split by columns come in whole multiples of this (the kernels' register tiles). */
const COLUMN_GRAIN = 8;

/**
 * Whether a product is split between output columns rather than rows: few rows (an Affine layer's
 * dx = dout · Wᵀ, 100 x 4320 from 100 x 100 and 4320 x 100) and a transposed B with more columns
 * than rows. The product's columns are then rows of B, contiguous: each call multiplies A by its
 * rows of B, so it packs only those (split by rows, every call packs all of B), and there are
 * chunks enough for a late or descheduled thread to take fewer. Each output element is the same
 * sum in the same order either way.
 */
function byColumns(t: MatmulTask): boolean {
  return t.transB && t.m < COLUMN_SPLIT_ROWS && t.n > t.m;
}

/** Columns of a split by columns that one kernel call computes at most (a thread's chunk may be
 * several calls), so that its product fits a thread's scratch (partBytes). */
const COLUMN_PIECE = 1024;

/** Bytes of a thread's scratch that hold one call's product when split by columns (m x at most
 * COLUMN_PIECE values, 16-byte aligned; else none). */
function partBytes(t: MatmulTask): number {
  return byColumns(t) ? Math.ceil((t.m * Math.min(t.n, COLUMN_PIECE) * t.out.BYTES_PER_ELEMENT) / 16) * 16 : 0;
}

/** The last answers of `batchedTransposeDims` (its shape and permutation copied): a training loop
 * transposes the same few shapes every step, and working the answer out anew (sorting the axes,
 * grouping them) was 5 KB of garbage a float32 SimpleConvNet step. Read only, like every task field. */
const transposeDimsSeen: { shape: Shape; perm: readonly number[]; dims: readonly [number, number, number] | null }[] =
  [];
const TRANSPOSE_DIMS_KEPT = 8;

function transposeDims(shape: Shape, perm: readonly number[]): readonly [number, number, number] | null {
  for (const seen of transposeDimsSeen)
    if (sameShape(seen.shape, shape) && sameShape(seen.perm, perm)) return seen.dims;
  const dims = batchedTransposeDims(shape, perm);
  if (transposeDimsSeen.length === TRANSPOSE_DIMS_KEPT) transposeDimsSeen.shift();
  transposeDimsSeen.push({ shape: [...shape], perm: [...perm], dims });
  return dims;
}

/** A record, typed by its op and task (so that the task builder takes the op's arguments). */
function record<K extends OpName, T extends { out: TypedArray }>(r: OpRecord<K, T>): OpRecord<K, T> {
  return r;
}

/**
 * Every primitive's record, in the order of the `Backend` interface. A `Backend` kernel without a
 * record, or a record whose task does not take that kernel's arguments, is a compile error here.
 */
export const OPS = {
  unary: record<"unary", { op: UnaryOp; x: TypedArray; out: TypedArray }>({
    task: (out, op, x: TensorData) => ({ op, x: x.data, out: out(x.dtype, x.data.length, false) }),
    inputs: ["x"],
    units: (t) => t.out.length,
    cost: () => ELEMENT_COST,
    splitAt: (t) => (TRANSCENDENTAL.has(t.op) ? TRANSCENDENTAL_SPLIT : MEMORY_SPLIT),
    run: (t, start, end) => unaryImpl(t.op, t.x, t.out, start, end),
    // The ops without a transcendental function (assembly/unary.ts: lane masks, no branch per element).
    wasm: {
      when: (t) => WASM_UNARY[t.op] !== undefined && isFloat(t.x) && t.x.length >= WASM_MIN_SIZE,
      run: (t, start, end, w) =>
        w.kernels.unary(WASM_UNARY[t.op]!, at(t.x, start), at(t.out, start), end - start, f32(t.x)),
    },
  }),
  binary: record<"binary", BinaryTask>({
    task: (out, op, a, b, outShape) => ({ op, ...broadcastTask(out, a, b, outShape) }),
    inputs: ["a", "b"],
    units: (t) => t.out.length,
    cost: () => ELEMENT_COST,
    splitAt: (t) => (TRANSCENDENTAL.has(t.op) ? TRANSCENDENTAL_SPLIT : MEMORY_SPLIT),
    // A bias row or a keepDims column: whole rows, as the wasm kernels take them.
    grain: (t) => {
      const layout = binaryLayout(t);
      return layout === "rows" || layout === "cols" ? rowOf(t.outShape) : 1;
    },
    run: (t, start, end) => binaryImpl(t.op, t.a, t.aShape, t.b, t.bShape, t.out, t.outShape, start, end),
    // add, sub, mul, div of whole operands, a single value, a bias row or a keepDims column
    // (assembly/elementwise.ts: one IEEE operation per lane).
    wasm: {
      when: (t) =>
        WASM_BINARY[t.op] !== undefined && isFloat(t.a) && t.out.length >= WASM_MIN_SIZE && binaryLayout(t) !== null,
      // A bias row repeated (assembly/elementwise.ts, binaryRows).
      scratch: (t) => (binaryLayout(t) === "rows" ? (rowOf(t.outShape) + 8) * 8 : 0),
      run: (t, start, end, w) => {
        const op = WASM_BINARY[t.op]!;
        const k = w.kernels;
        const layout = binaryLayout(t)!;
        if (layout === "flat") {
          const sa = t.a.length === 1 ? 0 : 1;
          const sb = t.b.length === 1 ? 0 : 1;
          k.binary(op, at(t.a, start * sa), sa, at(t.b, start * sb), sb, at(t.out, start), end - start, f32(t.a));
          return;
        }
        const row = rowOf(t.outShape);
        const rows = rowsIn(start, end, row);
        if (rows === null) return binaryImpl(t.op, t.a, t.aShape, t.b, t.bShape, t.out, t.outShape, start, end);
        const [r0, r1] = rows;
        if (layout === "rows")
          k.binaryRows(op, at(t.a, start), at(t.b), at(t.out, start), r1 - r0, row, f32(t.a), w.scratch);
        else k.binaryCols(op, at(t.a, start), at(t.b, r0), at(t.out, start), r1 - r0, row, f32(t.a));
      },
    },
  }),
  where: record<"where", BroadcastTask & { cond: TypedArray; condShape: Shape }>({
    task: (out, cond, a, b, outShape) => ({
      cond: cond.data,
      condShape: cond.shape,
      ...broadcastTask(out, a, b, outShape),
    }),
    inputs: ["cond", "a", "b"],
    units: (t) => t.out.length,
    cost: () => ELEMENT_COST,
    splitAt: () => MEMORY_SPLIT,
    run: (t, start, end) => whereImpl(t.cond, t.condShape, t.a, t.aShape, t.b, t.bShape, t.out, t.outShape, start, end),
    // cond of the values' float dtype, each operand whole or one value (Relu's backward).
    wasm: {
      when: (t) =>
        isFloat(t.a) &&
        t.cond.constructor === t.a.constructor &&
        t.out.length >= WASM_MIN_SIZE &&
        wholeOrOne(t.cond, t.out.length) &&
        wholeOrOne(t.a, t.out.length) &&
        wholeOrOne(t.b, t.out.length),
      run: (t, start, end, w) => {
        const sc = t.cond.length === 1 ? 0 : 1;
        const sa = t.a.length === 1 ? 0 : 1;
        const sb = t.b.length === 1 ? 0 : 1;
        w.kernels.where(
          at(t.cond, start * sc),
          sc,
          at(t.a, start * sa),
          sa,
          at(t.b, start * sb),
          sb,
          at(t.out, start),
          end - start,
          f32(t.a),
        );
      },
    },
  }),
  reduce: record<
    "reduce",
    { op: ReduceOp; x: TypedArray; outer: number; axisLen: number; inner: number; out: TypedArray }
  >({
    task: (out, op, x, axis) => {
      const { outer, axisLen, inner } = reduceDims(x.shape, axis);
      return { op, x: x.data, outer, axisLen, inner, out: out(x.dtype, outer * inner, false) };
    },
    inputs: ["x"],
    units: (t) => t.out.length,
    cost: (t) => Math.max(1, 4 * t.axisLen),
    // Maxima of rows (pooling) split. A sum along a middle axis splits only where its wasm kernel
    // makes several passes (sumPassColumns), between whole passes. With one pass a split is slower: a
    // conv layer's bias gradient ([57600, 30] float32 summed over its rows) takes 118 us on one thread
    // but 205 split between two threads' columns (each thread still reads every row's cache lines).
    // In float64 the kernel's registers hold 16 of the 30 columns; its two passes take turns over
    // blocks of rows in L1, so one thread reads the matrix once, and two threads taking a pass each
    // read it once each. That wins with the matrix just written, as in the float64 SimpleConvNet step
    // (MNIST, worker backend, 300 steps, both rules alternated in one process: 1.02 -> 0.64 ms median
    // against the unsplit kernel before its row blocks; 0.55 against 0.66 ms median with them, 80
    // alternated runs), and ties with it cold (1.02 against 0.95). (Rows cannot be split: each
    // column's sum runs in increasing row order.)
    splitAt: (t, wasm) => (t.inner === 1 ? memorySplit(4) : wasm && sumPasses(t) > 1 ? memorySplit(4) : NEVER),
    // Whole passes of the wasm kernel, so that the threads together make no more passes than one.
    grain: (t) => (sumPasses(t) > 1 ? sumPassColumns(t.x) : 1),
    run: (t, start, end) => reduceImpl(t.op, t.x, t.outer, t.axisLen, t.inner, t.out, start, end),
    // Sums along an axis that is not the last (bias gradients: running sums in increasing order, in
    // x's float type, as reduceImpl), max and min along the last (max pooling).
    wasm: {
      when: (t) => isFloat(t.x) && t.x.length >= WASM_MIN_SIZE && (t.op === "sum") === (t.inner !== 1),
      run: (t, start, end, w) => {
        if (t.op !== "sum") {
          w.kernels.extremeOfRows(
            at(t.x, start * t.axisLen),
            end - start,
            t.axisLen,
            at(t.out, start),
            f32(t.x),
            +(t.op === "min"),
          );
          return;
        }
        // The range's columns of each block it meets (any range: every op is split in tests), summed
        // straight into out.
        for (let pos = start; pos < end; ) {
          const o = Math.floor(pos / t.inner);
          const j0 = pos - o * t.inner;
          const cols = Math.min(t.inner - j0, end - pos);
          const x = at(t.x, o * t.axisLen * t.inner + j0);
          w.kernels.sumRows(x, t.axisLen, cols, t.inner, at(t.out, pos), f32(t.x), 1);
          pos += cols;
        }
      },
    },
  }),
  argmax: record<"argmax", { x: TypedArray; outer: number; axisLen: number; inner: number; out: Int32Array }>({
    task: (out, x, axis) => {
      const { outer, axisLen, inner } = reduceDims(x.shape, axis);
      return { x: x.data, outer, axisLen, inner, out: out("int32", outer * inner, false) as Int32Array };
    },
    inputs: ["x"],
    units: (t) => t.out.length,
    cost: (t) => Math.max(1, 4 * t.axisLen),
    splitAt: () => memorySplit(4),
    run: (t, start, end) => argmaxImpl(t.x, t.outer, t.axisLen, t.inner, t.out, start, end),
    // Along the last axis (assembly/unary.ts: two float64 or four float32 rows per vector).
    wasm: {
      when: (t) => t.inner === 1 && t.axisLen > 0 && isFloat(t.x) && t.x.length >= WASM_MIN_SIZE,
      run: (t, start, end, w) =>
        w.kernels.argmaxRows(at(t.x, start * t.axisLen), end - start, t.axisLen, at(t.out, start), f32(t.x)),
    },
  }),
  matmul: record<"matmul", MatmulTask>({
    task: (out, a, b, transA, transB) => {
      const { m, n, k } = matmulDims(a.shape, b.shape, transA, transB);
      const o = out(a.dtype, m * n, false) as FloatArray;
      return { a: a.data as FloatArray, b: b.data as FloatArray, out: o, m, n, k, transA, transB };
    },
    inputs: ["a", "b"],
    // Output rows, or output columns for a product of few rows (byColumns).
    units: (t) => (byColumns(t) ? t.n : t.m),
    // About 0.5 ns per multiply-add; a call repacks B once, so chunks should not be small.
    cost: (t) => Math.max(1, Math.floor(((byColumns(t) ? t.m : t.n) * t.k) / 2)),
    // The wasm kernel splits from 2^21 multiply-adds (2^20 at the cost above): the book's
    // 100x784x50 (x@W1) and 784x100x50 (dW1) products are just over that, and since a split op is
    // cut into chunks that every thread, the calling one included, takes from a shared counter (a
    // late thread just takes fewer), they run faster split: 772 -> 672 us per TwoLayerNet step at
    // the minimum of 12 interleaved rounds (1.15x; median 1.05x at load 2). Before that chunking,
    // 2^22 was the threshold, as a late second thread made the caller wait. The TypeScript kernel,
    // four times slower, pays from 2^17.
    splitAt: (_t, wasm) => (wasm ? 2 ** 20 : 2 ** 16),
    // Columns: whole register tiles (8 columns for float32, two tiles of 4 for float64).
    grain: (t) => (byColumns(t) ? COLUMN_GRAIN : 1),
    // A call packs all of B (by rows; about the work of two rows) or all of A (by columns): chunks
    // of 32 rows or 64 columns or more keep that under 7 %. (16 rows for Affine1's x · W1, m100 n100
    // k4320 float64, four chunks instead of two so that a late thread could take fewer: 4.25 -> 4.90
    // ms median, 2.75 -> 3.04 best in the SimpleConvNet step, 300 steps alternated in one process;
    // not kept.)
    minChunk: (t) => (byColumns(t) ? 64 : 32),
    run: (t, start, end) => {
      if (!byColumns(t)) return matmulImpl(t.a, t.b, t.out, t.m, t.n, t.k, t.transA, t.transB, start, end);
      if (start === 0 && end === t.n) return matmulImpl(t.a, t.b, t.out, t.m, t.n, t.k, t.transA, true, 0, t.m);
      const cols = end - start;
      const part = t.out instanceof Float32Array ? new Float32Array(t.m * cols) : new Float64Array(t.m * cols);
      matmulImpl(t.a, t.b.subarray(start * t.k, end * t.k), part, t.m, cols, t.k, t.transA, true, 0, t.m);
      for (let i = 0; i < t.m; i++) t.out.set(part.subarray(i * cols, (i + 1) * cols), i * t.n + start);
    },
    wasm: {
      when: (t) => t.m > 0 && t.n > 0,
      // The kernel's scratch, after room for a column range's product (byColumns).
      scratch: (t, kernels) =>
        partBytes(t) +
        (t.a instanceof Float32Array ? kernels.matmul32ScratchBytes(t.n, t.k) : kernels.matmulScratchBytes(t.n, t.k)),
      run: (t, start, end, w) => {
        const f = f32(t.a);
        const kernelScratch = w.scratch + partBytes(t);
        if (!byColumns(t)) {
          w.kernels.matmul(
            at(t.a),
            at(t.b),
            at(t.out),
            t.m,
            t.n,
            t.k,
            +t.transA,
            +t.transB,
            start,
            end,
            f,
            kernelScratch,
          );
          return;
        }
        if (start === 0 && end === t.n) {
          w.kernels.matmul(at(t.a), at(t.b), at(t.out), t.m, t.n, t.k, +t.transA, 1, 0, t.m, f, kernelScratch);
          return;
        }
        // Columns [j, j + cols) of the product are rows [j, j + cols) of B: their product with A,
        // cols values a row, goes to the scratch, then to its place in each row of out.
        const memory = f === 1 ? new Float32Array(t.out.buffer) : new Float64Array(t.out.buffer);
        const part = w.scratch / memory.BYTES_PER_ELEMENT;
        for (let j = start; j < end; j += COLUMN_PIECE) {
          const cols = Math.min(COLUMN_PIECE, end - j);
          w.kernels.matmul(
            at(t.a),
            at(t.b, j * t.k),
            w.scratch,
            t.m,
            cols,
            t.k,
            +t.transA,
            1,
            0,
            t.m,
            f,
            kernelScratch,
          );
          const to = t.out.byteOffset / memory.BYTES_PER_ELEMENT + j;
          for (let i = 0; i < t.m; i++) memory.copyWithin(to + i * t.n, part + i * cols, part + (i + 1) * cols);
        }
      },
    },
  }),
  transpose: record<
    "transpose",
    {
      x: TypedArray;
      shape: Shape;
      perm: readonly number[];
      /** [batches, rows, cols] of a batched matrix transpose, else null (batchedTransposeDims). */
      dims: readonly [number, number, number] | null;
      out: TypedArray;
    }
  >({
    task: (out, x, perm) => ({
      x: x.data,
      shape: x.shape,
      perm,
      dims: transposeDims(x.shape, perm),
      out: out(x.dtype, x.data.length, false),
    }),
    inputs: ["x"],
    units: (t) => t.out.length,
    cost: () => ELEMENT_COST,
    splitAt: () => MEMORY_SPLIT,
    // Whole matrices of a batched transpose, as the wasm kernel takes them.
    grain: (t) => (t.dims === null ? 1 : t.dims[1] * t.dims[2]),
    run: (t, start, end) => transposeImpl(t.x, t.shape, t.perm, t.out, start, end),
    // Batched matrix transposes, e.g. [N, H, W, C] -> [N, C, H, W] (assembly/window.ts).
    wasm: {
      when: (t) => isFloat(t.x) && t.x.length >= WASM_MIN_SIZE && t.dims !== null,
      run: (t, start, end, w) => {
        const [, rows, cols] = t.dims!;
        const batches = rowsIn(start, end, rows * cols);
        if (batches === null) return transposeImpl(t.x, t.shape, t.perm, t.out, start, end);
        w.kernels.transposeBatched(at(t.x, start), batches[1] - batches[0], rows, cols, at(t.out, start), f32(t.x));
      },
    },
  }),
  gather: record<"gather", { x: TypedArray; rowSize: number; indices: Int32Array; out: TypedArray }>({
    task: (out, x, indices) => {
      const rowSize = rowSizeOf(x.shape);
      return { x: x.data, rowSize, indices, out: out(x.dtype, indices.length * rowSize, false) };
    },
    inputs: ["x", "indices"],
    units: (t) => t.indices.length,
    cost: (t) => Math.max(1, 2 * t.rowSize),
    // A split would copy a source in ordinary memory (the training set) whole to pick 100 rows.
    // From the shared memory (split from 2^17 of work, the grain every unit for a source elsewhere),
    // the float32 SimpleConvNet step's minibatch of 100 x 784 took 57-74 us against 69-78 inline, and
    // as the step's first split op its worker missed it one step in three: not kept.
    splitAt: () => NEVER,
    run: (t, start, end) => gatherRowsImpl(t.x, t.rowSize, t.indices, t.out, start, end),
    // Bulk memory copies, for a source and result already in the memory (never staged: the source
    // is typically the whole training set).
    wasm: {
      when: (t, resident) => resident(t.x) && resident(t.out),
      run: (t, start, end, w) =>
        w.kernels.gatherRows(
          at(t.x),
          t.rowSize * t.x.BYTES_PER_ELEMENT,
          at(t.indices, start),
          end - start,
          at(t.out, start * t.rowSize),
        ),
    },
  }),
  oneHot: record<"oneHot", { indices: Int32Array; depth: number; out: TypedArray }>({
    task: (out, indices, depth, dtype: FloatDType | "int32") => ({
      indices,
      depth,
      out: out(dtype, indices.length * depth, true),
    }),
    inputs: ["indices"],
    units: (t) => t.indices.length,
    cost: (t) => Math.max(1, t.depth),
    // Mostly zero-filling, which the allocation already did.
    splitAt: () => NEVER,
    run: (t, start, end) => oneHotImpl(t.indices, t.depth, t.out, start, end),
  }),
  cast: record<"cast", { x: TypedArray; out: TypedArray }>({
    task: (out, x, dtype: DType) => ({ x: x.data, out: out(dtype, x.data.length, false) }),
    inputs: ["x"],
    units: (t) => t.out.length,
    cost: () => ELEMENT_COST,
    splitAt: () => NEVER,
    run: (t, start, end) => castImpl(t.x, t.out, start, end),
  }),
  im2col: record<"im2col", WindowTask>({
    task: (out, x, g) => ({
      src: x.data,
      g,
      out: out(x.dtype, g.n * g.outH * g.outW * g.c * g.filterH * g.filterW, false),
    }),
    inputs: ["src"],
    units: (t) => t.g.n * t.g.outH * t.g.outW,
    cost: (t) => Math.max(1, 2 * t.g.c * t.g.filterH * t.g.filterW),
    splitAt: () => WINDOW_SPLIT,
    run: (t, start, end) => im2colImpl(t.src, t.g, t.out, start, end),
    wasm: windowWasm("im2col", (g) => g.c * g.filterH * g.filterW),
  }),
  col2im: record<"col2im", WindowTask>({
    task: (out, col, g) => ({ src: col.data, g, out: out(col.dtype, g.n * g.c * g.h * g.w, false) }),
    inputs: ["src"],
    units: (t) => t.g.n * t.g.c,
    cost: (t) => Math.max(1, 2 * t.g.filterH * t.g.filterW * t.g.outH * t.g.outW),
    splitAt: () => WINDOW_SPLIT,
    run: (t, start, end) => col2imImpl(t.src, t.g, t.out, start, end),
    // col2imImpl's order of additions (assembly/window.ts).
    wasm: windowWasm("col2im", (g) => g.h * g.w),
  }),
  takeAlongLastAxis: record<"takeAlongLastAxis", AlongTask>({
    task: (out, x, indices) => ({
      src: x.data,
      depth: rowOf(x.shape),
      indices,
      out: out(x.dtype, indices.length, false),
    }),
    inputs: ["src", "indices"],
    units: (t) => t.indices.length,
    cost: () => 4,
    splitAt: () => NEVER,
    run: (t, start, end) => takeAlongImpl(t.src, t.depth, t.indices, t.out, start, end),
  }),
  putAlongLastAxis: record<"putAlongLastAxis", AlongTask & { bad: Int32Array }>({
    // The kernel zero-fills its own rows: the output needs no zeroed allocation. It also checks the
    // indices (Tensor does not scan them first): a range that meets one outside [0, depth) sets
    // `bad` (staged like an input, so that every thread's kernel reaches it), and `check` throws.
    task: (out, values, indices, depth) => ({
      src: values.data,
      depth,
      indices,
      out: out(values.dtype, indices.length * depth, false),
      bad: new Int32Array(1),
    }),
    inputs: ["src", "indices", "bad"],
    units: (t) => t.indices.length,
    // A row is zero-filled and one value stored (pooling's backward: 4 values per row).
    cost: (t) => Math.max(1, 2 * t.depth),
    splitAt: () => memorySplit(2),
    run: (t, start, end) => {
      if (putAlongImpl(t.src, t.depth, t.indices, t.out, start, end) >= 0) t.bad[0] = 1;
    },
    check: (t) => {
      if (t.bad[0] === 0) return;
      const i = firstIndexOutside(t.indices, t.depth); // the first bad index of all, whichever range met one
      throw new IndexError(
        "putAlongLastAxis",
        `index ${t.indices[i]} at position ${i} is not an integer in [0, ${t.depth})`,
      );
    },
    // Float rows (pooling's backward; assembly/along.ts).
    wasm: {
      when: (t) => isFloat(t.src) && t.out.length >= WASM_MIN_SIZE,
      run: (t, start, end, w) => {
        const bad = w.kernels.putAlongRows(
          at(t.src, start),
          at(t.indices, start),
          end - start,
          t.depth,
          at(t.out, start * t.depth),
          f32(t.src),
        );
        if (bad >= 0) t.bad[0] = 1;
      },
    },
  }),
  fused: record<"fused", FusedTask>({
    task: (out, program, inputs) => {
      const xs = inputs.map((x) => x.data);
      const outs: TypedArray[] = [];
      for (let k = 0; k < program.outputs.length; k += 2) {
        const into = program.outputs[k + 1]!;
        outs.push(into >= 0 ? xs[into]! : out(inputs[0]!.dtype, xs[0]!.length, false));
      }
      return { program, xs, outs, out: emptyLike(xs[0]!) };
    },
    // Its arrays are in lists, which staging does not copy (and `out` is empty): the wasm kernel
    // runs when all of them are resident, and a split happens only when all of them are in shared
    // memory (else the grain is every unit, which no split cuts).
    inputs: [],
    units: (t) => t.xs[0]!.length,
    cost: () => ELEMENT_COST,
    splitAt: () => MEMORY_SPLIT,
    grain: (t) => (t.xs.every(isShared) && t.outs.every(isShared) ? 1 : t.xs[0]!.length),
    run: (t, start, end) => fusedImpl(t.program, t.xs, t.outs, start, end),
    // The program compiled to a module of its own (src/wasm/fused-compile.ts), else interpreted
    // block by block (assembly/fused.ts): each instruction as the unfused op's wasm kernel runs it.
    wasm: {
      when: (t, resident) =>
        isFloat(t.out) && t.xs[0]!.length >= WASM_MIN_SIZE && t.xs.every(resident) && t.outs.every(resident),
      scratch: (t) => fusedScratchBytes(t.program, t.out instanceof Float32Array),
      run: (t, start, end, w) => runFused(t.program, t.xs, t.outs, start, end, w.kernels, w.scratch),
    },
  }),
} satisfies { [K in OpName]: { task(out: AllocOut, ...args: Parameters<Backend[K]>): { out: TypedArray } } };

/** The task of op K. */
export type TaskOf<K extends OpName> = ReturnType<(typeof OPS)[K]["task"]>;

/** A record seen from code that handles every op alike (the backends, the worker threads). */
export type AnyRecord = OpRecord<OpName, { out: TypedArray }>;
export function recordOf(op: OpName): AnyRecord {
  return OPS[op] as unknown as AnyRecord;
}
