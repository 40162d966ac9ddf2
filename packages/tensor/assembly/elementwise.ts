// Element-wise arithmetic of src/kernels/elementwise.ts (stridedBinaryLoop) for add, sub, mul and
// div, in WebAssembly SIMD. Each lane computes one IEEE operation on one pair of elements, as the
// TypeScript loop does, so the results are the same bit for bit: float64 directly; float32 with
// f32x4 operations, which round each exact result once to float32, while TypeScript computes in
// float64 and rounds on store: for +, -, * and / the two agree exactly (float64 has more than twice
// float32's precision plus two bits, so rounding twice never differs from rounding once).
//
// out[i] = a[i * aStride] op b[i * bStride] for i in [0, len); strides are 0 (one broadcast value)
// or 1, in elements. Pointers are byte offsets.

import { ADD, MUL, SUB } from "../src/wasm/opcodes";
import { zeroPiece } from "./fill";

// One class per op: two float64 lanes, four float32 lanes, and one value of each. `binaryLoop<Op>` is
// compiled once per op, so each loop does its own operation only (a dispatch inside the loop made the
// optimizer compute every op's result for every vector and keep one).
class Add {
  v64(x: v128, y: v128): v128 {
    return f64x2.add(x, y);
  }
  v32(x: v128, y: v128): v128 {
    return f32x4.add(x, y);
  }
  s64(x: f64, y: f64): f64 {
    return x + y;
  }
  s32(x: f32, y: f32): f32 {
    return x + y;
  }
}
class Sub {
  v64(x: v128, y: v128): v128 {
    return f64x2.sub(x, y);
  }
  v32(x: v128, y: v128): v128 {
    return f32x4.sub(x, y);
  }
  s64(x: f64, y: f64): f64 {
    return x - y;
  }
  s32(x: f32, y: f32): f32 {
    return x - y;
  }
}
class Mul {
  v64(x: v128, y: v128): v128 {
    return f64x2.mul(x, y);
  }
  v32(x: v128, y: v128): v128 {
    return f32x4.mul(x, y);
  }
  s64(x: f64, y: f64): f64 {
    return x * y;
  }
  s32(x: f32, y: f32): f32 {
    return x * y;
  }
}
class Div {
  v64(x: v128, y: v128): v128 {
    return f64x2.div(x, y);
  }
  v32(x: v128, y: v128): v128 {
    return f32x4.div(x, y);
  }
  s64(x: f64, y: f64): f64 {
    return x / y;
  }
  s32(x: f32, y: f32): f32 {
    return x / y;
  }
}

/** A vector of T values from p: loaded (stride 1) or one value splat (stride 0). */
function lanes<T>(p: usize, stride: i32): v128 {
  if (stride !== 0) return v128.load(p);
  return sizeof<T>() === 4 ? v128.load32_splat(p) : v128.load64_splat(p);
}

/** The op on the lanes of x and y: four float32 or two float64. */
function vop<Op, T>(op: Op, x: v128, y: v128): v128 {
  return sizeof<T>() === 4 ? op.v32(x, y) : op.v64(x, y);
}

function binaryLoop<Op>(op: Op, a: usize, aStride: i32, b: usize, bStride: i32, out: usize, len: i32, f32: bool): void {
  if (f32) binaryLanes<Op, f32>(op, a, aStride, b, bStride, out, len);
  else binaryLanes<Op, f64>(op, a, aStride, b, bStride, out, len);
}

function binaryLanes<Op, T>(op: Op, a: usize, aStride: i32, b: usize, bStride: i32, out: usize, len: i32): void {
  const step: i32 = 16 / sizeof<T>();
  let i = 0;
  // Two vectors per pass, with the strides' cases decided once (not per vector); then one vector,
  // then one value at a time.
  if (aStride === 1 && bStride === 1) {
    for (; i + 2 * step <= len; i += 2 * step) {
      v128.store(out, vop<Op, T>(op, v128.load(a), v128.load(b)));
      v128.store(out, vop<Op, T>(op, v128.load(a, 16), v128.load(b, 16)), 16);
      a += 32;
      b += 32;
      out += 32;
    }
  } else if (aStride === 1) {
    const y = lanes<T>(b, 0);
    for (; i + 2 * step <= len; i += 2 * step) {
      v128.store(out, vop<Op, T>(op, v128.load(a), y));
      v128.store(out, vop<Op, T>(op, v128.load(a, 16), y), 16);
      a += 32;
      out += 32;
    }
  } else if (bStride === 1) {
    const x = lanes<T>(a, 0);
    for (; i + 2 * step <= len; i += 2 * step) {
      v128.store(out, vop<Op, T>(op, x, v128.load(b)));
      v128.store(out, vop<Op, T>(op, x, v128.load(b, 16)), 16);
      b += 32;
      out += 32;
    }
  }
  const as = <usize>aStride * sizeof<T>();
  const bs = <usize>bStride * sizeof<T>();
  for (; i + step <= len; i += step) {
    v128.store(out, vop<Op, T>(op, lanes<T>(a, aStride), lanes<T>(b, bStride)));
    a += as * step;
    b += bs * step;
    out += 16;
  }
  for (; i < len; i++) {
    if (sizeof<T>() === 4) store<f32>(out, op.s32(load<f32>(a), load<f32>(b)));
    else store<f64>(out, op.s64(load<f64>(a), load<f64>(b)));
    a += as;
    b += bs;
    out += sizeof<T>();
  }
}

export function binary(op: i32, a: usize, aStride: i32, b: usize, bStride: i32, out: usize, len: i32, f32: bool): void {
  if (op === ADD) binaryLoop<Add>(changetype<Add>(0), a, aStride, b, bStride, out, len, f32);
  else if (op === SUB) binaryLoop<Sub>(changetype<Sub>(0), a, aStride, b, bStride, out, len, f32);
  else if (op === MUL) binaryLoop<Mul>(changetype<Mul>(0), a, aStride, b, bStride, out, len, f32);
  else binaryLoop<Div>(changetype<Div>(0), a, aStride, b, bStride, out, len, f32);
}

/** out row r = a row r op b[r] (one value per row) for `rows` rows of `len` values (binaryCols). */
function colsLoop<Op>(op: Op, a: usize, b: usize, out: usize, rows: i32, len: i32, f32: bool): void {
  const bytes = (<usize>len) << (f32 ? 2 : 3);
  const bNext: usize = f32 ? 4 : 8;
  for (let r = 0; r < rows; r++) {
    binaryLoop<Op>(op, a, 1, b, 0, out, len, f32);
    a += bytes;
    b += bNext;
    out += bytes;
  }
}

/** Values of T from b (`len` of them) repeated at bb: bb[k] = b[k % len] for k in [0, len + 4 * step),
 * so that four vectors read at bb from any element j < len hold b[j % len], b[(j + 1) % len], ... */
function patternOf<T>(b: usize, len: i32, bb: usize): void {
  const size = sizeof<T>();
  const n = len + 64 / size;
  for (let k = 0, m = 0; k < n; k++) {
    store<T>(bb + <usize>k * size, load<T>(b + <usize>m * size));
    if (++m === len) m = 0;
  }
}

/**
 * out[i] = a[i] op b[i % len] for i in [0, rows * len): every row of a with the same b row (a bias),
 * as one flat pass over a and out. The vectors of b come from `bb`, b repeated (patternOf), at the
 * element the flat position has reached in the row, so a short row (a conv layer's 30 channels)
 * costs no call, no scalar tail and no misaligned start per row. Each element gets the same one
 * IEEE operation as in `binary`.
 *
 * Four vectors per pass, out zeroed a page at a time ahead of the stores (assembly/fill.ts). In a
 * training step a (the conv product) was just written and out was not: the stores' reading of out's
 * lines from memory is then most of the cost, and zeroing saves it. float32 [57600,30] + [30], a in
 * cache and out not (medians): 0.51 -> 0.45-0.48 ms; in the SimpleConvNet step's profile (both
 * modules in one process, 14 runs) 0.58 -> 0.53; in cache 0.27 ms either way (zeroing alone, with
 * two vectors per pass, had cost 0.08 ms there); four vectors per pass without zeroing were 0.27 ->
 * 0.20 ms in cache but 3-10 % slower with out not in cache.
 */
function rowsFlat<Op, T>(op: Op, a: usize, b: usize, out: usize, rows: i32, len: i32, bb: usize): void {
  const size = sizeof<T>();
  const step: i32 = 16 / size;
  patternOf<T>(b, len, bb);
  const total = rows * len;
  let i = 0;
  let j = 0; // i % len
  for (let stop = 0; total - i >= 4 * step; ) {
    stop = i + zeroPiece(out, total - i, sizeof<T>() === 4 ? 2 : 3);
    for (; i + 4 * step <= stop; i += 4 * step) {
      const p = bb + <usize>j * size;
      v128.store(out, vop<Op, T>(op, v128.load(a), v128.load(p)));
      v128.store(out, vop<Op, T>(op, v128.load(a, 16), v128.load(p, 16)), 16);
      v128.store(out, vop<Op, T>(op, v128.load(a, 32), v128.load(p, 32)), 32);
      v128.store(out, vop<Op, T>(op, v128.load(a, 48), v128.load(p, 48)), 48);
      a += 64;
      out += 64;
      j += 4 * step;
      while (j >= len) j -= len;
    }
  }
  for (; i + 2 * step <= total; i += 2 * step) {
    const p = bb + <usize>j * size;
    v128.store(out, vop<Op, T>(op, v128.load(a), v128.load(p)));
    v128.store(out, vop<Op, T>(op, v128.load(a, 16), v128.load(p, 16)), 16);
    a += 32;
    out += 32;
    j += 2 * step;
    while (j >= len) j -= len;
  }
  for (; i < total; i++) {
    const y = bb + <usize>j * size;
    if (sizeof<T>() === 4) store<f32>(out, op.s32(load<f32>(a), load<f32>(y)));
    else store<f64>(out, op.s64(load<f64>(a), load<f64>(y)));
    a += size;
    out += size;
    if (++j === len) j = 0;
  }
}

function rowsFlatOf<Op>(op: Op, a: usize, b: usize, out: usize, rows: i32, len: i32, f32: bool, bb: usize): void {
  if (f32) rowsFlat<Op, f32>(op, a, b, out, rows, len, bb);
  else rowsFlat<Op, f64>(op, a, b, out, rows, len, bb);
}

/** `binary` on each of `rows` rows of `len` values: out row r = a row r op b (one row, read by every
 * row: a bias). One call for all rows, and the op chosen once, so a caller pays nothing per row.
 * `bb`: scratch for (len + 8) values of 8 bytes (b repeated, see rowsFlat). */
export function binaryRows(op: i32, a: usize, b: usize, out: usize, rows: i32, len: i32, f32: bool, bb: usize): void {
  if (op === ADD) rowsFlatOf<Add>(changetype<Add>(0), a, b, out, rows, len, f32, bb);
  else if (op === SUB) rowsFlatOf<Sub>(changetype<Sub>(0), a, b, out, rows, len, f32, bb);
  else if (op === MUL) rowsFlatOf<Mul>(changetype<Mul>(0), a, b, out, rows, len, f32, bb);
  else rowsFlatOf<Div>(changetype<Div>(0), a, b, out, rows, len, f32, bb);
}

/** `binary` on each of `rows` rows of `len` values with one b value per row: out row r = a row r op
 * b[r] (a column broadcast along the rows, e.g. softmax's `x - max(x, -1, keepDims)`). */
export function binaryCols(op: i32, a: usize, b: usize, out: usize, rows: i32, len: i32, f32: bool): void {
  if (op === ADD) colsLoop<Add>(changetype<Add>(0), a, b, out, rows, len, f32);
  else if (op === SUB) colsLoop<Sub>(changetype<Sub>(0), a, b, out, rows, len, f32);
  else if (op === MUL) colsLoop<Mul>(changetype<Mul>(0), a, b, out, rows, len, f32);
  else colsLoop<Div>(changetype<Div>(0), a, b, out, rows, len, f32);
}
