import type { TypedArray } from "../dtype.js";
import { exp, log, pow, tanh } from "./libm.js";

/** Element-wise unary ops, by name. `step` is 1 where x > 0 else 0 (the ReLU derivative mask). */
export type UnaryOp =
  | "neg"
  | "exp"
  | "log"
  | "sqrt"
  | "abs"
  | "square"
  | "reciprocal"
  | "relu"
  | "step"
  | "sigmoid"
  | "tanh"
  | "sign";

export const UNARY_OPS: readonly UnaryOp[] = [
  "neg",
  "exp",
  "log",
  "sqrt",
  "abs",
  "square",
  "reciprocal",
  "relu",
  "step",
  "sigmoid",
  "tanh",
  "sign",
];

/** Unary ops that also accept int32 input (their result stays an integer). */
export const INT_UNARY_OPS: ReadonlySet<UnaryOp> = new Set(["neg", "abs", "square", "relu", "step", "sign"]);

/** Binary ops with NumPy broadcasting. Comparisons give 1 where true and 0 where false, in the
 * operands' dtype (a mask you can multiply with). */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "maximum"
  | "minimum"
  | "eq"
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge";

export const BINARY_OPS: readonly BinaryOp[] = [
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "maximum",
  "minimum",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
];

/**
 * out[i] = op(x[i]) for i in [start, end). One tight loop per op (the switch is outside the loop),
 * so V8 never calls a closure per element.
 */
export function unaryImpl(op: UnaryOp, x: TypedArray, out: TypedArray, start: number, end: number): void {
  let i = start;
  switch (op) {
    case "neg":
      for (; i < end; i++) out[i] = -x[i]!;
      return;
    case "exp":
      for (; i < end; i++) out[i] = exp(x[i]!);
      return;
    case "log":
      for (; i < end; i++) out[i] = log(x[i]!);
      return;
    case "sqrt":
      for (; i < end; i++) out[i] = Math.sqrt(x[i]!);
      return;
    case "abs":
      for (; i < end; i++) out[i] = Math.abs(x[i]!);
      return;
    case "square":
      for (; i < end; i++) {
        const v = x[i]!;
        out[i] = v * v;
      }
      return;
    case "reciprocal":
      for (; i < end; i++) out[i] = 1 / x[i]!;
      return;
    case "relu":
      for (; i < end; i++) {
        const v = x[i]!;
        out[i] = v > 0 ? v : 0;
      }
      return;
    case "step":
      for (; i < end; i++) out[i] = x[i]! > 0 ? 1 : 0;
      return;
    case "sigmoid":
      for (; i < end; i++) out[i] = 1 / (1 + exp(-x[i]!));
      return;
    case "tanh":
      for (; i < end; i++) out[i] = tanh(x[i]!);
      return;
    case "sign":
      for (; i < end; i++) {
        const v = x[i]!;
        out[i] = v > 0 ? 1 : v < 0 ? -1 : v; // keeps NaN and signed zero, like NumPy
      }
      return;
  }
}

/**
 * out[o + i] = op(a[ao + i*as], b[bo + i*bs]) for i in [0, len). A stride of 0 broadcasts one value.
 * Every broadcasting case reduces to calls of this one loop per op.
 */
export function stridedBinaryLoop(
  op: BinaryOp,
  a: TypedArray,
  ao: number,
  as: number,
  b: TypedArray,
  bo: number,
  bs: number,
  out: TypedArray,
  o: number,
  len: number,
): void {
  switch (op) {
    case "add":
      for (let i = 0; i < len; i++) out[o + i] = a[ao + i * as]! + b[bo + i * bs]!;
      return;
    case "sub":
      for (let i = 0; i < len; i++) out[o + i] = a[ao + i * as]! - b[bo + i * bs]!;
      return;
    case "mul":
      for (let i = 0; i < len; i++) out[o + i] = a[ao + i * as]! * b[bo + i * bs]!;
      return;
    case "div":
      for (let i = 0; i < len; i++) out[o + i] = a[ao + i * as]! / b[bo + i * bs]!;
      return;
    case "pow":
      for (let i = 0; i < len; i++) out[o + i] = pow(a[ao + i * as]!, b[bo + i * bs]!);
      return;
    case "maximum":
      for (let i = 0; i < len; i++) {
        const x = a[ao + i * as]!;
        const y = b[bo + i * bs]!;
        out[o + i] = x >= y || x !== x ? x : y; // NaN propagates; ties keep x (NumPy)
      }
      return;
    case "minimum":
      for (let i = 0; i < len; i++) {
        const x = a[ao + i * as]!;
        const y = b[bo + i * bs]!;
        out[o + i] = x <= y || x !== x ? x : y;
      }
      return;
    case "eq":
      for (let i = 0; i < len; i++) out[o + i] = a[ao + i * as]! === b[bo + i * bs]! ? 1 : 0;
      return;
    case "ne":
      for (let i = 0; i < len; i++) out[o + i] = a[ao + i * as]! !== b[bo + i * bs]! ? 1 : 0;
      return;
    case "lt":
      for (let i = 0; i < len; i++) out[o + i] = a[ao + i * as]! < b[bo + i * bs]! ? 1 : 0;
      return;
    case "le":
      for (let i = 0; i < len; i++) out[o + i] = a[ao + i * as]! <= b[bo + i * bs]! ? 1 : 0;
      return;
    case "gt":
      for (let i = 0; i < len; i++) out[o + i] = a[ao + i * as]! > b[bo + i * bs]! ? 1 : 0;
      return;
    case "ge":
      for (let i = 0; i < len; i++) out[o + i] = a[ao + i * as]! >= b[bo + i * bs]! ? 1 : 0;
      return;
  }
}

/** Strides of `shape` broadcast to `outShape` (0 along broadcast dimensions). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const n = outShape.length;
  const strides = new Array<number>(n).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    const oi = n - shape.length + i;
    strides[oi] = d === 1 ? 0 : s;
    s *= d;
  }
  return strides;
}

/**
 * out = op(a, b) with NumPy broadcasting, for the flat output elements [start, end).
 * `outShape` is the broadcast shape; a and b are contiguous with shapes aShape and bShape.
 */
export function binaryImpl(
  op: BinaryOp,
  a: TypedArray,
  aShape: readonly number[],
  b: TypedArray,
  bShape: readonly number[],
  out: TypedArray,
  outShape: readonly number[],
  start: number,
  end: number,
): void {
  if (end <= start) return;
  const outSize = out.length;
  const aFull = a.length === outSize;
  const bFull = b.length === outSize;
  // Fast paths: no broadcasting, or one side a single value.
  if ((aFull || a.length === 1) && (bFull || b.length === 1)) {
    stridedBinaryLoop(
      op,
      a,
      aFull ? start : 0,
      aFull ? 1 : 0,
      b,
      bFull ? start : 0,
      bFull ? 1 : 0,
      out,
      start,
      end - start,
    );
    return;
  }
  // General case: one strided loop per run along the output's last axis.
  const as = broadcastStrides(aShape, outShape);
  const bs = broadcastStrides(bShape, outShape);
  const last = outShape.length - 1;
  forEachBroadcastRun(outShape, [as, bs], start, end, (pos, len, offsets, col) => {
    stridedBinaryLoop(
      op,
      a,
      offsets[0]! + col * as[last]!,
      as[last]!,
      b,
      offsets[1]! + col * bs[last]!,
      bs[last]!,
      out,
      pos,
      len,
    );
  });
}

/** out[o + i] = cond[co + i*cs] != 0 ? a[ao + i*as] : b[bo + i*bs] for i in [0, len). */
function stridedWhereLoop(
  cond: TypedArray,
  co: number,
  cs: number,
  a: TypedArray,
  ao: number,
  as: number,
  b: TypedArray,
  bo: number,
  bs: number,
  out: TypedArray,
  o: number,
  len: number,
): void {
  for (let i = 0; i < len; i++) out[o + i] = cond[co + i * cs]! !== 0 ? a[ao + i * as]! : b[bo + i * bs]!;
}

/** out = cond != 0 ? a : b, all three broadcast to outShape, for flat output elements [start, end). */
export function whereImpl(
  cond: TypedArray,
  condShape: readonly number[],
  a: TypedArray,
  aShape: readonly number[],
  b: TypedArray,
  bShape: readonly number[],
  out: TypedArray,
  outShape: readonly number[],
  start: number,
  end: number,
): void {
  if (end <= start) return;
  const outSize = out.length;
  const cFull = cond.length === outSize;
  const aFull = a.length === outSize;
  const bFull = b.length === outSize;
  // Fast path: every operand is either laid out like the output or a single value.
  if ((cFull || cond.length === 1) && (aFull || a.length === 1) && (bFull || b.length === 1)) {
    stridedWhereLoop(
      cond,
      cFull ? start : 0,
      cFull ? 1 : 0,
      a,
      aFull ? start : 0,
      aFull ? 1 : 0,
      b,
      bFull ? start : 0,
      bFull ? 1 : 0,
      out,
      start,
      end - start,
    );
    return;
  }
  // General case: one strided loop per run along the output's last axis.
  const cs = broadcastStrides(condShape, outShape);
  const as = broadcastStrides(aShape, outShape);
  const bs = broadcastStrides(bShape, outShape);
  const last = outShape.length - 1;
  forEachBroadcastRun(outShape, [cs, as, bs], start, end, (pos, len, offsets, col) => {
    stridedWhereLoop(
      cond,
      offsets[0]! + col * cs[last]!,
      cs[last]!,
      a,
      offsets[1]! + col * as[last]!,
      as[last]!,
      b,
      offsets[2]! + col * bs[last]!,
      bs[last]!,
      out,
      pos,
      len,
    );
  });
}

/**
 * Cuts the flat output range [start, end) of a broadcasting op into runs along the output's last
 * axis and calls `run(pos, len, offsets, col)` for each: the run covers output elements
 * [pos, pos + len), starting at column `col` of its row, and offsets[j] is where operand j's row
 * begins (from its broadcast `strides[j]`, which are 0 along broadcast axes). One call per row, so
 * the per-element work stays in the strided loops.
 */
function forEachBroadcastRun(
  outShape: readonly number[],
  strides: readonly (readonly number[])[],
  start: number,
  end: number,
  run: (pos: number, len: number, offsets: readonly number[], col: number) => void,
): void {
  const rank = outShape.length;
  const inner = outShape[rank - 1]!;
  const offsets = new Array<number>(strides.length).fill(0);
  let row = Math.floor(start / inner);
  let col = start - row * inner;
  let pos = start;
  while (pos < end) {
    offsets.fill(0);
    let rem = row;
    for (let d = rank - 2; d >= 0; d--) {
      const dim = outShape[d]!;
      const idx = rem % dim;
      rem = (rem - idx) / dim;
      for (let j = 0; j < strides.length; j++) offsets[j] = offsets[j]! + idx * strides[j]![d]!;
    }
    const len = Math.min(inner - col, end - pos);
    run(pos, len, offsets, col);
    pos += len;
    row++;
    col = 0;
  }
}

/** out[i] = x[i] converted to out's element type (truncation toward zero into int32). */
export function castImpl(x: TypedArray, out: TypedArray, start: number, end: number): void {
  for (let i = start; i < end; i++) out[i] = x[i]!;
}
