// A plain float64 reference for the ops of @bp/tensor: straightforward loops over JavaScript
// numbers, sharing no code with src/kernels. It defines what each op means:
// - NumPy broadcasting, computed by mapping every output multi-index back to each operand;
// - sums taken in increasing index order (the order the kernels promise), so the kernels can be
//   compared with it exactly: in float64 for float64 and int32, and for float32 in float32, every
//   product and every partial sum rounded with Math.fround (as NumPy, PyTorch and tfjs sum float32);
// - results stored in the tensor's dtype: float32 rounds (Math.fround), int32 converts like a
//   store into an Int32Array (ToInt32: truncation toward zero, wrapping modulo 2^32).
import type { BinaryOp, DType, ReduceOp, UnaryOp } from "../../src/index.js";

/** Values in row-major order with their shape. */
export interface Ref {
  data: number[];
  shape: number[];
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides. */
export function stridesOf(shape: readonly number[]): number[] {
  const s: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** The multi-index of flat position `flat` in `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    const dim = shape[d]!;
    idx[d] = flat % dim;
    flat = Math.floor(flat / dim);
  }
  return idx;
}

/** A value as stored in a tensor of `dtype`. */
export function store(dtype: DType, v: number): number {
  if (dtype === "float32") return Math.fround(v);
  if (dtype === "int32") return v | 0;
  return v;
}

/** NumPy's broadcast shape, or null when the shapes do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = i - (n - a.length) >= 0 ? a[i - (n - a.length)]! : 1;
    const db = i - (n - b.length) >= 0 ? b[i - (n - b.length)]! : 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The element of x that output multi-index `outIdx` reads under broadcasting. */
function broadcastRead(x: Ref, outIdx: readonly number[]): number {
  const offset = outIdx.length - x.shape.length;
  let flat = 0;
  const strides = stridesOf(x.shape);
  for (let d = 0; d < x.shape.length; d++) {
    const i = x.shape[d] === 1 ? 0 : outIdx[d + offset]!;
    flat += i * strides[d]!;
  }
  return x.data[flat]!;
}

export function unaryScalar(op: UnaryOp, x: number): number {
  switch (op) {
    case "neg":
      return -x;
    case "exp":
      return Math.exp(x);
    case "log":
      return Math.log(x);
    case "sqrt":
      return Math.sqrt(x);
    case "abs":
      return Math.abs(x);
    case "square":
      return x * x;
    case "reciprocal":
      return 1 / x;
    case "relu":
      return x > 0 ? x : 0;
    case "step":
      return x > 0 ? 1 : 0;
    case "sigmoid":
      return 1 / (1 + Math.exp(-x));
    case "tanh":
      return Math.tanh(x);
    case "sign":
      // NumPy: sign(NaN) is NaN, sign(-0) is -0.
      return Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : x;
  }
}

export function binaryScalar(op: BinaryOp, x: number, y: number): number {
  switch (op) {
    case "add":
      return x + y;
    case "sub":
      return x - y;
    case "mul":
      return x * y;
    case "div":
      return x / y;
    case "pow":
      return x ** y;
    case "maximum":
      // NumPy's maximum: a NaN wins; on ties (0 and -0) the first operand is returned.
      return Number.isNaN(x) || Number.isNaN(y) ? NaN : x >= y ? x : y;
    case "minimum":
      return Number.isNaN(x) || Number.isNaN(y) ? NaN : x <= y ? x : y;
    case "eq":
      return x === y ? 1 : 0;
    case "ne":
      return x !== y ? 1 : 0;
    case "lt":
      return x < y ? 1 : 0;
    case "le":
      return x <= y ? 1 : 0;
    case "gt":
      return x > y ? 1 : 0;
    case "ge":
      return x >= y ? 1 : 0;
  }
}

export function unaryRef(op: UnaryOp, x: Ref, dtype: DType = "float64"): Ref {
  return { data: x.data.map((v) => store(dtype, unaryScalar(op, v))), shape: [...x.shape] };
}

export function binaryRef(op: BinaryOp, a: Ref, b: Ref, dtype: DType = "float64"): Ref {
  const shape = broadcastShape(a.shape, b.shape);
  if (shape === null)
    throw new Error(`reference: ${JSON.stringify(a.shape)} and ${JSON.stringify(b.shape)} do not broadcast`);
  const data: number[] = [];
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    data.push(store(dtype, binaryScalar(op, broadcastRead(a, idx), broadcastRead(b, idx))));
  }
  return { data, shape };
}

/** cond != 0 ? a : b with all three broadcast together. */
export function whereRef(cond: Ref, a: Ref, b: Ref): Ref {
  const shape = broadcastShape(broadcastShape(cond.shape, a.shape)!, b.shape)!;
  const data: number[] = [];
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    data.push(broadcastRead(cond, idx) !== 0 ? broadcastRead(a, idx) : broadcastRead(b, idx));
  }
  return { data, shape };
}

function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Values along `axis` for every position of the other axes, in output order. */
function lanes(x: Ref, axis: number): { outShape: number[]; lanes: number[][] } {
  const outShape = x.shape.filter((_, d) => d !== axis);
  const strides = stridesOf(x.shape);
  const result: number[][] = [];
  for (let o = 0; o < sizeOf(outShape); o++) {
    const rest = unravel(o, outShape);
    const lane: number[] = [];
    for (let i = 0; i < x.shape[axis]!; i++) {
      const idx = [...rest.slice(0, axis), i, ...rest.slice(axis)];
      let flat = 0;
      for (let d = 0; d < idx.length; d++) flat += idx[d]! * strides[d]!;
      lane.push(x.data[flat]!);
    }
    result.push(lane);
  }
  return { outShape, lanes: result };
}

function reduceLane(op: ReduceOp, lane: readonly number[], dtype: DType): number {
  if (op === "sum") {
    let s = 0;
    for (const v of lane) s = dtype === "float32" ? Math.fround(s + v) : s + v;
    return s;
  }
  // NumPy's max/min: a fold of maximum/minimum (a NaN anywhere gives NaN; on ties the earlier
  // element is kept, which only shows for -0 and 0).
  let m = lane[0]!;
  for (let i = 1; i < lane.length; i++) m = binaryScalar(op === "max" ? "maximum" : "minimum", m, lane[i]!);
  return m;
}

/** sum/max/min over all elements (axis null) or along one axis. */
export function reduceRef(op: ReduceOp, x: Ref, axis: number | null, keepDims = false, dtype: DType = "float64"): Ref {
  if (axis === null) {
    const v = store(dtype, reduceLane(op, x.data, dtype));
    return { data: [v], shape: keepDims ? x.shape.map(() => 1) : [] };
  }
  const ax = normalizeAxis(axis, x.shape.length);
  const { outShape, lanes: ls } = lanes(x, ax);
  return {
    data: ls.map((lane) => store(dtype, reduceLane(op, lane, dtype))),
    shape: keepDims ? x.shape.map((d, i) => (i === ax ? 1 : d)) : outShape,
  };
}

/** The sum rounded to dtype, then divided by the count and rounded again (what `mean` computes). */
export function meanRef(x: Ref, axis: number | null, keepDims = false, dtype: DType = "float64"): Ref {
  const s = reduceRef("sum", x, axis, keepDims, dtype);
  const count = axis === null ? sizeOf(x.shape) : x.shape[normalizeAxis(axis, x.shape.length)]!;
  return { data: s.data.map((v) => store(dtype, v / count)), shape: s.shape };
}

/** Index of the first maximum along `axis` (NumPy: the first NaN counts as the maximum). */
export function argmaxRef(x: Ref, axis: number, keepDims = false): Ref {
  const ax = normalizeAxis(axis, x.shape.length);
  const { outShape, lanes: ls } = lanes(x, ax);
  const data = ls.map((lane) => {
    const nan = lane.findIndex((v) => Number.isNaN(v));
    if (nan !== -1) return nan;
    let best = 0;
    for (let i = 1; i < lane.length; i++) if (lane[i]! > lane[best]!) best = i;
    return best;
  });
  return { data, shape: keepDims ? x.shape.map((d, i) => (i === ax ? 1 : d)) : outShape };
}

/**
 * op(A) @ op(B) for 2-d A and B, each output element summed in increasing k: in float64, or for
 * float32 in float32 (s = fround(s + fround(a * b)) per step). A transposed operand is read in place
 * (A^T[i][p] = A[p][i]).
 */
export function matmulRef(a: Ref, b: Ref, transA = false, transB = false, dtype: DType = "float64"): Ref {
  const [a0, a1] = a.shape as [number, number];
  const [b0, b1] = b.shape as [number, number];
  const m = transA ? a1 : a0;
  const k = transA ? a0 : a1;
  const n = transB ? b0 : b1;
  const at = (i: number, p: number): number => (transA ? a.data[p * a1 + i]! : a.data[i * a1 + p]!);
  const bt = (p: number, j: number): number => (transB ? b.data[j * b1 + p]! : b.data[p * b1 + j]!);
  const data: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      if (dtype === "float32") for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround(at(i, p) * bt(p, j)));
      else for (let p = 0; p < k; p++) s += at(i, p) * bt(p, j);
      data.push(store(dtype, s));
    }
  }
  return { data, shape: [m, n] };
}

/** x with axes permuted: out.shape[i] = x.shape[perm[i]]. */
export function transposeRef(x: Ref, perm: readonly number[]): Ref {
  const axes = perm.map((p) => normalizeAxis(p, x.shape.length));
  const shape = axes.map((p) => x.shape[p]!);
  const inStrides = stridesOf(x.shape);
  const data: number[] = [];
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    let flat = 0;
    for (let d = 0; d < idx.length; d++) flat += idx[d]! * inStrides[axes[d]!]!;
    data.push(x.data[flat]!);
  }
  return { data, shape };
}

/** Rows of x along axis 0. */
export function gatherRef(x: Ref, indices: readonly number[]): Ref {
  const rowSize = sizeOf(x.shape.slice(1));
  const data: number[] = [];
  for (const r of indices) for (let j = 0; j < rowSize; j++) data.push(x.data[r * rowSize + j]!);
  return { data, shape: [indices.length, ...x.shape.slice(1)] };
}

export function oneHotRef(indices: readonly number[], depth: number): Ref {
  const data: number[] = [];
  for (const c of indices) for (let j = 0; j < depth; j++) data.push(j === c ? 1 : 0);
  return { data, shape: [indices.length, depth] };
}

/** Deterministic test data (no Math.random): a small linear congruential generator in [lo, hi). */
export function sampleValues(count: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + ((hi - lo) * s) / 4294967296);
  }
  return out;
}
