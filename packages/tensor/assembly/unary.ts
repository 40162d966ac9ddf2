// Element-wise unary ops, `where` and the last-axis argmax of src/kernels/ (unaryImpl, whereImpl,
// argmaxImpl) in WebAssembly SIMD, with the same results bit for bit. The TypeScript loops branch on
// every element (`v > 0 ? v : 0`), which on real data mispredicts about every other element; here the
// choices are lane masks (`f64x2.gt` then `v128.and` / `v128.bitselect`), which do not branch.
//
// float64 lanes do exactly the TypeScript operation. float32 lanes do the f32x4 operation, which
// rounds the exact result once; TypeScript computes in float64 and rounds on store. For negation,
// abs, the comparisons and the selections nothing is rounded; for x*x the float64 product of two
// float32 values is exact, and for sqrt and 1/x float64 carries more than twice float32's precision
// plus two bits, so rounding twice never differs from rounding once. Pointers are byte offsets.

import { ABS, NEG, RECIPROCAL, RELU, SQRT, SQUARE, STEP } from "../src/wasm/opcodes";
import { FILL_BYTES, zeroPiece } from "./fill";

// One class per op, its float64 (two lanes) and float32 (four lanes) forms. `unaryLoop<Op>` is
// compiled once per op, so each loop does its own operation only (a dispatch inside the loop made the
// optimizer compute every op's result for every vector and keep one).
class Neg {
  v64(x: v128): v128 {
    return f64x2.neg(x);
  }
  v32(x: v128): v128 {
    return f32x4.neg(x);
  }
}
class Abs {
  v64(x: v128): v128 {
    return f64x2.abs(x);
  }
  v32(x: v128): v128 {
    return f32x4.abs(x);
  }
}
class Square {
  v64(x: v128): v128 {
    return f64x2.mul(x, x);
  }
  v32(x: v128): v128 {
    return f32x4.mul(x, x);
  }
}
class Sqrt {
  v64(x: v128): v128 {
    return f64x2.sqrt(x);
  }
  v32(x: v128): v128 {
    return f32x4.sqrt(x);
  }
}
class Reciprocal {
  v64(x: v128): v128 {
    return f64x2.div(f64x2.splat(1), x);
  }
  v32(x: v128): v128 {
    return f32x4.div(f32x4.splat(1), x);
  }
}
/** x where x > 0, else the bits of +0 (NaN and ±0 included). */
class Relu {
  v64(x: v128): v128 {
    return v128.and(x, f64x2.gt(x, f64x2.splat(0)));
  }
  v32(x: v128): v128 {
    return v128.and(x, f32x4.gt(x, f32x4.splat(0)));
  }
}
class Step {
  v64(x: v128): v128 {
    return v128.and(f64x2.splat(1), f64x2.gt(x, f64x2.splat(0)));
  }
  v32(x: v128): v128 {
    return v128.and(f32x4.splat(1), f32x4.gt(x, f32x4.splat(0)));
  }
}
/** 1 where x > 0, -1 where x < 0, else x (NaN, ±0). */
class Sign {
  v64(x: v128): v128 {
    const zero = f64x2.splat(0);
    const negative = v128.bitselect(f64x2.splat(-1), x, f64x2.lt(x, zero));
    return v128.bitselect(f64x2.splat(1), negative, f64x2.gt(x, zero));
  }
  v32(x: v128): v128 {
    const zero = f32x4.splat(0);
    const negative = v128.bitselect(f32x4.splat(-1), x, f32x4.lt(x, zero));
    return v128.bitselect(f32x4.splat(1), negative, f32x4.gt(x, zero));
  }
}

// Out is zeroed a page at a time ahead of the stores (assembly/fill.ts), two vectors per pass. In a
// training step the input was just written (in cache) and out was not (Relu's forward after the conv
// layer's transpose): then the stores' reading of out's lines from memory is most of the cost, and
// zeroing it first saves that read. float32 relu [1728000], the kernel timed alone (medians; eight
// sets of arrays in turn, so that they are out of cache, the input read just before): 0.49-0.50 ->
// 0.42-0.48 ms; all out of cache 0.54-0.56 -> 0.52-0.55; in cache 0.240 -> 0.227 (the fill alone had
// made it 0.08 ms slower there: two vectors per pass pay for it; two vectors per pass alone: 0.17 in
// cache, but 3 % slower with the input in cache and out not). float64 relu, input in cache: 0.85-0.94
// -> 0.70-0.85. Also tried, out of cache: a load of one byte of the page ahead once per page (the input's: 0
// to 3 % either way; out's too: 5-28 % slower), the array as two far-apart halves at once, no faster.
// In the float32 SimpleConvNet step's profile relu was no faster (0.61-0.62 ms, both modules in one
// process, 14 runs): there its output storage may be a block freed just before, still in cache.

/** The op on the lanes of x: four float32 or two float64. */
function lanesOp<Op, T>(op: Op, x: v128): v128 {
  return sizeof<T>() === 4 ? op.v32(x) : op.v64(x);
}

function unaryLoop<Op, T>(op: Op, x: usize, out: usize, len: i32, zero: bool): void {
  const step = <i32>(16 / sizeof<T>());
  let i = 0;
  while (len - i >= 2 * step) {
    // A piece zeroed first (without `zero`: the rest, as one piece).
    const stop = i + (zero ? zeroPiece(out, len - i, sizeof<T>() === 4 ? 2 : 3) : len - i);
    for (; i + 2 * step <= stop; i += 2 * step) {
      v128.store(out, lanesOp<Op, T>(op, v128.load(x)));
      v128.store(out, lanesOp<Op, T>(op, v128.load(x, 16)), 16);
      x += 32;
      out += 32;
    }
  }
  for (; i + step <= len; i += step) {
    v128.store(out, lanesOp<Op, T>(op, v128.load(x)));
    x += 16;
    out += 16;
  }
  // The tail: the same lane operation on a splat, one element stored.
  for (; i < len; i++) {
    if (sizeof<T>() === 4) store<f32>(out, f32x4.extract_lane(op.v32(v128.load32_splat(x)), 0));
    else store<f64>(out, f64x2.extract_lane(op.v64(v128.load64_splat(x)), 0));
    x += sizeof<T>();
    out += sizeof<T>();
  }
}

function unaryOf<Op>(op: Op, x: usize, out: usize, len: i32, f32: bool, zero: bool): void {
  if (f32) unaryLoop<Op, f32>(op, x, out, len, zero);
  else unaryLoop<Op, f64>(op, x, out, len, zero);
}

function unaryOp(op: i32, x: usize, out: usize, len: i32, f32: bool, zero: bool): void {
  if (op === NEG) unaryOf<Neg>(changetype<Neg>(0), x, out, len, f32, zero);
  else if (op === ABS) unaryOf<Abs>(changetype<Abs>(0), x, out, len, f32, zero);
  else if (op === SQUARE) unaryOf<Square>(changetype<Square>(0), x, out, len, f32, zero);
  else if (op === SQRT) unaryOf<Sqrt>(changetype<Sqrt>(0), x, out, len, f32, zero);
  else if (op === RECIPROCAL) unaryOf<Reciprocal>(changetype<Reciprocal>(0), x, out, len, f32, zero);
  else if (op === RELU) unaryOf<Relu>(changetype<Relu>(0), x, out, len, f32, zero);
  else if (op === STEP) unaryOf<Step>(changetype<Step>(0), x, out, len, f32, zero);
  else unaryOf<Sign>(changetype<Sign>(0), x, out, len, f32, zero);
}

/** out[i] = op(x[i]) for i in [0, len); op 7 is sign. out must not overlap x (it is zeroed ahead). */
export function unary(op: i32, x: usize, out: usize, len: i32, f32: bool): void {
  unaryOp(op, x, out, len, f32, true);
}

/** `unary` where out may be x itself (the fused interpreter's registers, in L1): nothing zeroed. */
export function unaryInPlace(op: i32, x: usize, out: usize, len: i32, f32: bool): void {
  unaryOp(op, x, out, len, f32, false);
}

/** A vector of T values from p: loaded (stride 1) or one value splat (stride 0). */
function lanes<T>(p: usize, stride: i32): v128 {
  if (stride !== 0) return v128.load(p);
  return sizeof<T>() === 4 ? v128.load32_splat(p) : v128.load64_splat(p);
}

function whereT<T>(cond: usize, cs: i32, a: usize, as: i32, b: usize, bs: i32, out: usize, len: i32): void {
  const size = sizeof<T>();
  const step: i32 = sizeof<T>() === 4 ? 4 : 2;
  const cStep = <usize>cs * 16;
  const aStep = <usize>as * 16;
  const bStep = <usize>bs * 16;
  let i = 0;
  if (cs === 1 && as === 1 && bs === 0) {
    // Relu's backward, dout where the mask is set else 0: two vectors per pass, b splat once; out
    // zeroed a piece at a time ahead of the stores (assembly/fill.ts): float32 [1728000] in the
    // SimpleConvNet step's profile 0.77 -> 0.59 ms (means of 13 runs), timed alone in cache no slower
    // (0.33-0.37).
    const y = lanes<T>(b, 0);
    for (let stop = 0; len - i >= 2 * step; ) {
      stop = i + zeroPiece(out, len - i, sizeof<T>() === 4 ? 2 : 3);
      for (; i + 2 * step <= stop; i += 2 * step) {
        const c0 = v128.load(cond);
        const c1 = v128.load(cond, 16);
        const m0 = size === 4 ? f32x4.ne(c0, f32x4.splat(0)) : f64x2.ne(c0, f64x2.splat(0));
        const m1 = size === 4 ? f32x4.ne(c1, f32x4.splat(0)) : f64x2.ne(c1, f64x2.splat(0));
        v128.store(out, v128.bitselect(v128.load(a), y, m0));
        v128.store(out, v128.bitselect(v128.load(a, 16), y, m1), 16);
        cond += 32;
        a += 32;
        out += 32;
      }
    }
  }
  for (; i + step <= len; i += step) {
    const c = lanes<T>(cond, cs);
    const mask = size === 4 ? f32x4.ne(c, f32x4.splat(0)) : f64x2.ne(c, f64x2.splat(0));
    v128.store(out, v128.bitselect(lanes<T>(a, as), lanes<T>(b, bs), mask));
    cond += cStep;
    a += aStep;
    b += bStep;
    out += 16;
  }
  for (; i < len; i++) {
    store<T>(out, load<T>(cond) !== 0 ? load<T>(a) : load<T>(b));
    cond += <usize>cs * size;
    a += <usize>as * size;
    b += <usize>bs * size;
    out += size;
  }
}

/**
 * out[i] = cond[i * cs] != 0 ? a[i * as] : b[i * bs] for i in [0, len), strides 0 or 1 (elements);
 * cond, a, b and out all float64 or all float32. `!= 0` is an unordered comparison: NaN counts as
 * nonzero and ±0 as zero, as `!==` does in TypeScript.
 */
export function where(
  cond: usize,
  cs: i32,
  a: usize,
  as: i32,
  b: usize,
  bs: i32,
  out: usize,
  len: i32,
  f32: bool,
): void {
  if (f32) whereT<f32>(cond, cs, a, as, b, bs, out, len);
  else whereT<f64>(cond, cs, a, as, b, bs, out, len);
}

/**
 * out[r] (int32) = the index of the largest of row r's `len` values (rows back to back), for r in
 * [0, rows): the first maximum on ties, and the first NaN if the row has one (argmaxImpl's meaning:
 * it stops at the first NaN, and a leading NaN wins at index 0). SIMD lanes hold rows (two float64
 * rows or four float32 rows at a time), so every step is a lane mask and a `v128.bitselect`, with no
 * branch per element (engines may compile a scalar float `select` to a branch).
 */
export function argmaxRows(x: usize, rows: i32, len: i32, out: usize, f32: bool): void {
  const rowBytes = (<usize>len) << (f32 ? 2 : 3);
  let r = 0;
  if (len === 4) {
    // Rows of four (2x2 pooling windows): rows loaded whole, their elements compared in pairs.
    r = rowsOf4<Argmax4>(changetype<Argmax4>(0), x, rows, out, f32);
    x += <usize>r * rowBytes;
    out += (<usize>r) << 2;
  }
  if (f32) {
    for (; r + 4 <= rows; r += 4) {
      let best = lanes32x4(x, rowBytes, 0);
      let bestK = i32x4.splat(0);
      let nanSeen = f32x4.ne(best, best);
      let nanK = i32x4.splat(0);
      for (let k = 1; k < len; k++) {
        const v = lanes32x4(x, rowBytes, k);
        const kv = i32x4.splat(k);
        const gt = f32x4.gt(v, best);
        best = v128.bitselect(v, best, gt);
        bestK = v128.bitselect(kv, bestK, gt);
        const isNan = f32x4.ne(v, v);
        nanK = v128.bitselect(kv, nanK, v128.andnot(isNan, nanSeen));
        nanSeen = v128.or(nanSeen, isNan);
      }
      v128.store(out, v128.bitselect(nanK, bestK, nanSeen));
      x += rowBytes << 2;
      out += 16;
    }
  } else {
    for (; r + 2 <= rows; r += 2) {
      let best = lanes64x2(x, rowBytes, 0);
      let bestK = i64x2.splat(0);
      let nanSeen = f64x2.ne(best, best);
      let nanK = i64x2.splat(0);
      for (let k = 1; k < len; k++) {
        const v = lanes64x2(x, rowBytes, k);
        const kv = i64x2.splat(k);
        const gt = f64x2.gt(v, best);
        best = v128.bitselect(v, best, gt);
        bestK = v128.bitselect(kv, bestK, gt);
        const isNan = f64x2.ne(v, v);
        nanK = v128.bitselect(kv, nanK, v128.andnot(isNan, nanSeen));
        nanSeen = v128.or(nanSeen, isNan);
      }
      const k2 = v128.bitselect(nanK, bestK, nanSeen);
      store<i32>(out, <i32>i64x2.extract_lane(k2, 0));
      store<i32>(out + 4, <i32>i64x2.extract_lane(k2, 1));
      x += rowBytes << 1;
      out += 8;
    }
  }
  // The last rows, one at a time.
  for (; r < rows; r++) {
    store<i32>(out, argmaxOf(x, len, f32));
    x += rowBytes;
    out += 4;
  }
}

/** The argmax of one row of `len` values at x, element by element (argmaxImpl's loop). */
function argmaxOf(x: usize, len: i32, f32: bool): i32 {
  let best: f64 = f32 ? <f64>load<f32>(x) : load<f64>(x);
  let bestK: i32 = 0;
  if (best === best) {
    for (let k = 1; k < len; k++) {
      const v: f64 = f32 ? <f64>load<f32>(x + ((<usize>k) << 2)) : load<f64>(x + ((<usize>k) << 3));
      if (v > best) {
        best = v;
        bestK = k;
      } else if (v !== v) {
        bestK = k;
        break;
      }
    }
  }
  return bestK;
}

// Rows of four (2x2 pooling windows). Without NaN, the first of equal maxima of a row is found as a
// tournament: elements 0 and 1, then 2 and 3, each pair keeping its first element unless the second
// is strictly larger, then the two winners the same way. That is the first maximum, as in the
// TypeScript loop (a later element wins only when strictly larger than every earlier one), and of
// equal values (-0 and +0) the first stays. Keeping `a` unless `b` is strictly larger is exactly
// `f32x4.pmax(a, b)` (`a < b ? b : a`, one instruction on x86 and ARM; `f32x4.max` would prefer +0
// and NaN), and `pmin` for the minimum. NaN is handled per block: a block is first computed as if it
// held no NaN, and when the sum of its values is NaN (a NaN among them, or Infinity - Infinity) it is
// done again row by row with the exact loops, which costs nothing on blocks without NaN.

/** Rows per block of the rows-of-four paths (a multiple of four). */
const BLOCK4 = 64;

/**
 * Rows of four values: blocks of BLOCK4 rows (then one of fewer, a whole number of groups), four
 * float32 or two float64 rows per group, out zeroed a page at a time first (assembly/fill.ts: in a
 * training step, where out is not in cache, float32 argmax [432000, 4] takes 0.31-0.35 ms instead
 * of 0.35-0.39). Returns the rows done (all but the last rows % 4 or % 2).
 */
function rowsOf4<K>(kernel: K, x: usize, rows: i32, out: usize, f32: bool): i32 {
  const outShift = kernel.outShift(f32);
  const groupMask = f32 ? ~3 : ~1;
  let r = 0;
  const fillRows = <i32>(FILL_BYTES >> outShift);
  for (let n = min(BLOCK4, rows) & groupMask; n > 0; n = min(BLOCK4, rows - r) & groupMask) {
    if (r % fillRows === 0) zeroPiece(out, rows - r, <i32>outShift);
    if (!(f32 ? block4x32<K>(kernel, x, n, out) : block4x64<K>(kernel, x, n, out))) kernel.exact(x, n, out, f32);
    x += (<usize>n) << (f32 ? 4 : 5);
    out += (<usize>n) << outShift;
    r += n;
  }
  return r;
}

/**
 * n rows (a multiple of 4) of four float32 values, four rows a, b, c, d (64 bytes) at a time, given
 * to the kernel as the even and odd elements of rows a and b (a0 a2 b0 b2, a1 a3 b1 b3) and of c and
 * d. Returns false when the sum of the values is NaN (the results are then not the exact ones).
 */
function block4x32<K>(kernel: K, x: usize, n: i32, out: usize): bool {
  let sum = f32x4.splat(0);
  for (let i = 0; i < n; i += 4, x += 64, out += 16) {
    const a = v128.load(x);
    const b = v128.load(x, 16);
    const c = v128.load(x, 32);
    const d = v128.load(x, 48);
    sum = f32x4.add(sum, f32x4.add(f32x4.add(a, b), f32x4.add(c, d)));
    kernel.rows32(
      out,
      i32x4.shuffle(a, b, 0, 2, 4, 6),
      i32x4.shuffle(a, b, 1, 3, 5, 7),
      i32x4.shuffle(c, d, 0, 2, 4, 6),
      i32x4.shuffle(c, d, 1, 3, 5, 7),
    );
  }
  return !v128.any_true(f32x4.ne(sum, sum));
}

/**
 * block4x32 for float64: two rows a, b (64 bytes) at a time, given to the kernel as element k of
 * both rows (ak bk) for k = 0 to 3.
 */
function block4x64<K>(kernel: K, x: usize, n: i32, out: usize): bool {
  let sum = f64x2.splat(0);
  for (let i = 0; i < n; i += 2, x += 64, out += kernel.outBytes64()) {
    const a01 = v128.load(x);
    const a23 = v128.load(x, 16);
    const b01 = v128.load(x, 32);
    const b23 = v128.load(x, 48);
    sum = f64x2.add(sum, f64x2.add(f64x2.add(a01, a23), f64x2.add(b01, b23)));
    kernel.rows64(
      out,
      i64x2.shuffle(a01, b01, 0, 2),
      i64x2.shuffle(a01, b01, 1, 3),
      i64x2.shuffle(a23, b23, 0, 2),
      i64x2.shuffle(a23, b23, 1, 3),
    );
  }
  return !v128.any_true(f64x2.ne(sum, sum));
}

/** argmaxRows on rows of four: the tournament's winner's index (a true lane mask is -1, so `2 - mask`
 * is 3 where the second of elements 2 and 3 won, and 2 where the first did). */
class Argmax4 {
  outShift(_f32: bool): usize {
    return 2;
  }
  outBytes64(): usize {
    return 8;
  }
  rows64(out: usize, v0: v128, v1: v128, v2: v128, v3: v128): void {
    const g01 = f64x2.gt(v1, v0);
    const g23 = f64x2.gt(v3, v2);
    const g = f64x2.gt(f64x2.pmax(v2, v3), f64x2.pmax(v0, v1));
    // The 64-bit lanes' indices, each in both of its 32-bit halves: the low halves are the result.
    const k = v128.bitselect(i32x4.sub(i32x4.splat(2), g23), i32x4.neg(g01), g);
    v128.store64_lane(out, i32x4.shuffle(k, k, 0, 2, 0, 2), 0);
  }
  rows32(out: usize, eab: v128, oab: v128, ecd: v128, ocd: v128): void {
    // Each pair's winner and index (lanes: a's pair 01, a's pair 23, b's pair 01, b's pair 23).
    const pair = i32x4(0, 2, 0, 2);
    const kab = i32x4.sub(pair, f32x4.gt(oab, eab));
    const kcd = i32x4.sub(pair, f32x4.gt(ocd, ecd));
    const ab = f32x4.pmax(eab, oab);
    const cd = f32x4.pmax(ecd, ocd);
    // Pair 23's winner against pair 01's, for rows a, b, c, d.
    const g = f32x4.gt(i32x4.shuffle(ab, cd, 1, 3, 5, 7), i32x4.shuffle(ab, cd, 0, 2, 4, 6));
    v128.store(out, v128.bitselect(i32x4.shuffle(kab, kcd, 1, 3, 5, 7), i32x4.shuffle(kab, kcd, 0, 2, 4, 6), g));
  }
  exact(x: usize, rows: i32, out: usize, f32: bool): void {
    const rowBytes: usize = f32 ? 16 : 32;
    for (let r = 0; r < rows; r++) store<i32>(out + ((<usize>r) << 2), argmaxOf(x + <usize>r * rowBytes, 4, f32));
  }
}

/** extremeOfRows on rows of four: the tournament's winner. */
class Extreme4<Cmp> {
  outShift(f32: bool): usize {
    return f32 ? 2 : 3;
  }
  outBytes64(): usize {
    return 16;
  }
  rows64(out: usize, v0: v128, v1: v128, v2: v128, v3: v128): void {
    const cmp = changetype<Cmp>(0);
    v128.store(out, cmp.pick64(cmp.pick64(v0, v1), cmp.pick64(v2, v3)));
  }
  rows32(out: usize, eab: v128, oab: v128, ecd: v128, ocd: v128): void {
    const cmp = changetype<Cmp>(0);
    const ab = cmp.pick32(eab, oab);
    const cd = cmp.pick32(ecd, ocd);
    v128.store(out, cmp.pick32(i32x4.shuffle(ab, cd, 0, 2, 4, 6), i32x4.shuffle(ab, cd, 1, 3, 5, 7)));
  }
  exact(x: usize, rows: i32, out: usize, f32: bool): void {
    const rowBytes: usize = f32 ? 16 : 32;
    for (let r = 0; r < rows; r++) extremeOf<Cmp>(x + <usize>r * rowBytes, 4, out + ((<usize>r) << (f32 ? 2 : 3)), f32);
  }
}

/** Element k of rows 0 and 1 (float64, rows `rowBytes` apart) in one vector. */
function lanes64x2(x: usize, rowBytes: usize, k: i32): v128 {
  const p = x + ((<usize>k) << 3);
  return f64x2.replace_lane(f64x2.splat(load<f64>(p)), 1, load<f64>(p + rowBytes));
}

/** Element k of rows 0 to 3 (float32, rows `rowBytes` apart) in one vector. */
function lanes32x4(x: usize, rowBytes: usize, k: i32): v128 {
  const p = x + ((<usize>k) << 2);
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + rowBytes));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * rowBytes));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * rowBytes));
}

// The comparisons of maxRows: which value wins over the running best (strictly, so the first of equal
// values stays), the same choice as one operation (`pick`: best unless v wins, NaN ignored), and
// where the running best starts.
class Greater {
  v64(v: v128, best: v128): v128 {
    return f64x2.gt(v, best);
  }
  v32(v: v128, best: v128): v128 {
    return f32x4.gt(v, best);
  }
  pick64(best: v128, v: v128): v128 {
    return f64x2.pmax(best, v);
  }
  pick32(best: v128, v: v128): v128 {
    return f32x4.pmax(best, v);
  }
  start(): f64 {
    return -Infinity;
  }
}
class Less {
  v64(v: v128, best: v128): v128 {
    return f64x2.lt(v, best);
  }
  v32(v: v128, best: v128): v128 {
    return f32x4.lt(v, best);
  }
  pick64(best: v128, v: v128): v128 {
    return f64x2.pmin(best, v);
  }
  pick32(best: v128, v: v128): v128 {
    return f32x4.pmin(best, v);
  }
  start(): f64 {
    return Infinity;
  }
}

function extremeRows<Cmp>(cmp: Cmp, x: usize, rows: i32, len: i32, out: usize, f32: bool): void {
  const rowBytes = (<usize>len) << (f32 ? 2 : 3);
  let r = 0;
  if (len === 4) {
    // Rows of four (2x2 pooling windows), loaded whole as argmaxRows does.
    r = rowsOf4<Extreme4<Cmp>>(changetype<Extreme4<Cmp>>(0), x, rows, out, f32);
    x += <usize>r * rowBytes;
    out += (<usize>r) << (f32 ? 2 : 3);
  }
  if (f32) {
    for (; r + 4 <= rows; r += 4) {
      let best = f32x4.splat(<f32>cmp.start());
      let nanSeen = i32x4.splat(0);
      for (let k = 0; k < len; k++) {
        const v = lanes32x4(x, rowBytes, k);
        best = v128.bitselect(v, best, cmp.v32(v, best));
        nanSeen = v128.or(nanSeen, f32x4.ne(v, v));
      }
      v128.store(out, v128.bitselect(f32x4.splat(NaN), best, nanSeen));
      x += rowBytes << 2;
      out += 16;
    }
  } else {
    for (; r + 2 <= rows; r += 2) {
      let best = f64x2.splat(cmp.start());
      let nanSeen = i64x2.splat(0);
      for (let k = 0; k < len; k++) {
        const v = lanes64x2(x, rowBytes, k);
        best = v128.bitselect(v, best, cmp.v64(v, best));
        nanSeen = v128.or(nanSeen, f64x2.ne(v, v));
      }
      v128.store(out, v128.bitselect(f64x2.splat(NaN), best, nanSeen));
      x += rowBytes << 1;
      out += 16;
    }
  }
  // The last rows, one at a time.
  for (; r < rows; r++) {
    extremeOf<Cmp>(x, len, out, f32);
    x += rowBytes;
    out += f32 ? 4 : 8;
  }
}

/** The extreme of one row of `len` values at x into out, in the lanes of one vector. */
function extremeOf<Cmp>(x: usize, len: i32, out: usize, f32: bool): void {
  const cmp = changetype<Cmp>(0);
  if (f32) {
    let best = f32x4.splat(<f32>cmp.start());
    let nanSeen = i32x4.splat(0);
    for (let k = 0; k < len; k++) {
      const v = v128.load32_splat(x + ((<usize>k) << 2));
      best = v128.bitselect(v, best, cmp.v32(v, best));
      nanSeen = v128.or(nanSeen, f32x4.ne(v, v));
    }
    store<f32>(out, f32x4.extract_lane(v128.bitselect(f32x4.splat(NaN), best, nanSeen), 0));
  } else {
    let best = f64x2.splat(cmp.start());
    let nanSeen = i64x2.splat(0);
    for (let k = 0; k < len; k++) {
      const v = v128.load64_splat(x + ((<usize>k) << 3));
      best = v128.bitselect(v, best, cmp.v64(v, best));
      nanSeen = v128.or(nanSeen, f64x2.ne(v, v));
    }
    store<f64>(out, f64x2.extract_lane(v128.bitselect(f64x2.splat(NaN), best, nanSeen), 0));
  }
}

/**
 * out[r] = the largest (or with `min`, the smallest) of row r's `len` values (rows back to back), for
 * r in [0, rows): reduceImpl's max/min along the last axis. NaN anywhere in a row gives NaN; otherwise
 * the running value starts at -Infinity (+Infinity) and is replaced only by a strictly larger
 * (smaller) value, so of equal values (-0 and +0) the first stays. Two float64 or four float32 rows
 * per vector, no branch per element.
 */
export function extremeOfRows(x: usize, rows: i32, len: i32, out: usize, f32: bool, min: bool): void {
  if (min) extremeRows<Less>(changetype<Less>(0), x, rows, len, out, f32);
  else extremeRows<Greater>(changetype<Greater>(0), x, rows, len, out, f32);
}
