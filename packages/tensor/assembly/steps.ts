// A k-reduction that leaves out whole steps, for both matrix products (T = f64: assembly/matmul.ts,
// T = f32: assembly/matmul32.ts): a transposed A with few rows times a B read in place, as in a
// convolution's weight gradient doutᵀ · col, where a whole row of B is zero for a blank patch of an
// image, and a whole row of A (all channels at one pixel) is zero where no gradient reached it.
//
// Each output element is still the running sum of its products in increasing p, rounded in T at
// every step, and a step is left out only where each of its products is +0 or -0: adding +0 or -0
// to a running sum leaves it as it was (the sum starts at +0, and in round-to-nearest a sum is -0
// only when both terms are -0). A zero times a finite value is +0 or -0; a zero times an Inf or a
// NaN is NaN, so finiteness is tested on the other side of every zero that is left out.

/** Bytes per live step: its p (u32), padding, then a mask of the rows that keep their value (u64). */
export const LIVE_STEP_BYTES: i32 = 16;

/** A block is multiplied this way when at most this share of its A values is kept (as for the sparse
 * rows of matmul.ts and matmul32.ts). */
const SPARSE_MAX = 0.5;

/**
 * Packs rows [ic, ic+mc) (mc <= 64) of a transposed A (stored k x m) over the block's steps
 * [pc, pc+kb) as sparse rows for a B read in place (row p of the block: nc values at
 * bRows + p*n*sizeof<T>): row r's kept values at w + r*kb*sizeof<T>, their B rows' byte offsets
 * p*n*sizeof<T> at steps + r*kb*4, in increasing p, and its count at counts + 4r (the layout of
 * matmul.ts's and matmul32.ts's packRows, which their sparseRows multiply). Returns false when more
 * than SPARSE_MAX of the A values would be kept (the caller multiplies the block densely).
 *
 * First the block's live steps are listed at `live` (16-byte aligned, kb * LIVE_STEP_BYTES bytes),
 * B and A tested one row at a time: a step whose B row is all zero and whose A row is finite is left
 * out, and so is one whose A row is all zero and whose B row is finite; at the others a row keeps its
 * A value if it is nonzero, or whatever it is if the B row holds an Inf or a NaN. Only then are the
 * kept values appended to their rows' lists, so a count in memory is updated once per kept value,
 * not once per value of A.
 */
export function packLiveSteps<T>(
  a: usize,
  m: i32,
  ic: i32,
  mc: i32,
  pc: i32,
  kb: i32,
  bRows: usize,
  n: i32,
  nc: i32,
  live: usize,
  w: usize,
  counts: usize,
  steps: usize,
): bool {
  const shift: usize = sizeof<T>() === 8 ? 3 : 2;
  const aRows = a + ((<usize>(pc * m + ic)) << shift);
  const aRowBytes = (<usize>m) << shift;
  const bRowBytes = (<usize>n) << shift;
  const allRows: u64 = mc === 64 ? <u64>-1 : ((<u64>1) << (<u64>mc)) - 1;
  const perStep = SPARSE_MAX * <f64>mc;
  let count = 0;
  let total = 0;
  for (let p = 0; p < kb; p++) {
    const bTest = rowTest<T>(bRows + <usize>p * bRowBytes, nc);
    const aRow = aRows + <usize>p * aRowBytes;
    let keep: u64;
    if ((bTest & NON_FINITE) !== 0) keep = allRows;
    else {
      keep = nonzeroRows<T>(aRow, mc);
      if (keep === 0 || ((bTest & NONZERO) === 0 && (rowTest<T>(aRow, mc) & NON_FINITE) === 0)) continue;
    }
    const e = live + ((<usize>count) << 4);
    store<u32>(e, p);
    store<u64>(e, keep, 8);
    count++;
    total += <i32>popcnt(keep);
    // Gives up early when too dense, with one step of slack.
    if (<f64>total > perStep * <f64>(p + 2)) return false;
  }
  if (<f64>total > perStep * <f64>kb) return false;
  memory.fill(counts, 0, (<usize>mc) << 2);
  const rowW = (<usize>kb) << shift;
  const rowSteps = (<usize>kb) << 2;
  for (let s = 0; s < count; s++) {
    const e = live + ((<usize>s) << 4);
    const p = load<u32>(e);
    let keep = load<u64>(e, 8);
    const aRow = aRows + <usize>p * aRowBytes;
    const offset = p * <u32>bRowBytes;
    while (keep !== 0) {
      const r = <usize>ctz(keep);
      keep &= keep - 1;
      const cp = counts + (r << 2);
      const c = <usize>load<u32>(cp);
      store<T>(w + r * rowW + (c << shift), load<T>(aRow + (r << shift)));
      store<u32>(steps + r * rowSteps + (c << 2), offset);
      store<u32>(cp, <u32>c + 1);
    }
  }
  return true;
}

/** rowTest's bits: some value is not +0 or -0; some value is an Inf or a NaN. */
const NONZERO = 1;
const NON_FINITE = 2;

/** NONZERO | NON_FINITE, each if some of the len values of type T at q is so. */
function rowTest<T>(q: usize, len: i32): i32 {
  // The values' bits ORed (all zero but the sign bit: all +0 or -0), and two sums of v * 0 (+0 or
  // -0 while every v is finite, else NaN), two so that the additions do not wait on each other.
  let bits = v128.splat<i32>(0);
  let s0 = bits;
  let s1 = bits;
  let r = 0;
  if (sizeof<T>() === 8) {
    const zero = f64x2.splat(0);
    for (; r + 4 <= len; r += 4) {
      const v0 = v128.load(q + ((<usize>r) << 3));
      const v1 = v128.load(q + ((<usize>r) << 3), 16);
      bits = v128.or(bits, v128.or(v0, v1));
      s0 = f64x2.add(s0, f64x2.mul(v0, zero));
      s1 = f64x2.add(s1, f64x2.mul(v1, zero));
    }
    if (r + 2 <= len) {
      const v = v128.load(q + ((<usize>r) << 3));
      bits = v128.or(bits, v);
      s0 = f64x2.add(s0, f64x2.mul(v, zero));
      r += 2;
    }
    if (r < len) {
      const v = v128.load64_zero(q + ((<usize>r) << 3));
      bits = v128.or(bits, v);
      s1 = f64x2.add(s1, f64x2.mul(v, zero));
    }
    s0 = f64x2.add(s0, s1);
    bits = v128.and(bits, i64x2.splat(0x7fffffffffffffff));
    return (v128.any_true(bits) ? NONZERO : 0) | (v128.any_true(f64x2.ne(s0, s0)) ? NON_FINITE : 0);
  }
  const zero = f32x4.splat(0);
  for (; r + 8 <= len; r += 8) {
    const v0 = v128.load(q + ((<usize>r) << 2));
    const v1 = v128.load(q + ((<usize>r) << 2), 16);
    bits = v128.or(bits, v128.or(v0, v1));
    s0 = f32x4.add(s0, f32x4.mul(v0, zero));
    s1 = f32x4.add(s1, f32x4.mul(v1, zero));
  }
  if (r + 4 <= len) {
    const v = v128.load(q + ((<usize>r) << 2));
    bits = v128.or(bits, v);
    s0 = f32x4.add(s0, f32x4.mul(v, zero));
    r += 4;
  }
  // The last 1 to 3 values: lanes past len read as zero.
  if (r + 2 <= len) {
    const v = v128.load64_zero(q + ((<usize>r) << 2));
    bits = v128.or(bits, v);
    s1 = f32x4.add(s1, f32x4.mul(v, zero));
    r += 2;
  }
  if (r < len) {
    const v = v128.load32_zero(q + ((<usize>r) << 2));
    bits = v128.or(bits, v);
    s0 = f32x4.add(s0, f32x4.mul(v, zero));
  }
  s0 = f32x4.add(s0, s1);
  bits = v128.and(bits, i32x4.splat(0x7fffffff));
  return (v128.any_true(bits) ? NONZERO : 0) | (v128.any_true(f32x4.ne(s0, s0)) ? NON_FINITE : 0);
}

/** Bit r set for each of the len (at most 64) values of type T at q that is not +0 or -0. */
function nonzeroRows<T>(q: usize, len: i32): u64 {
  let bits: u64 = 0;
  let r = 0;
  if (sizeof<T>() === 8) {
    const zero = f64x2.splat(0);
    // Four values at a time: their two compares' 64-bit lanes narrowed to one i32x4 for one bitmask.
    for (; r + 4 <= len; r += 4) {
      const n0 = f64x2.ne(v128.load(q + ((<usize>r) << 3)), zero);
      const n1 = f64x2.ne(v128.load(q + ((<usize>r) << 3), 16), zero);
      bits |= (<u64>i32x4.bitmask(v128.shuffle<i32>(n0, n1, 0, 2, 4, 6))) << (<u64>r);
    }
    if (r + 2 <= len) {
      bits |= (<u64>i64x2.bitmask(f64x2.ne(v128.load(q + ((<usize>r) << 3)), zero))) << (<u64>r);
      r += 2;
    }
  } else {
    const zero = f32x4.splat(0);
    for (; r + 4 <= len; r += 4) {
      bits |= (<u64>i32x4.bitmask(f32x4.ne(v128.load(q + ((<usize>r) << 2)), zero))) << (<u64>r);
    }
  }
  for (; r < len; r++) {
    bits |= (<u64>(load<T>(q + ((<usize>r) << (sizeof<T>() === 8 ? 3 : 2))) !== 0)) << (<u64>r);
  }
  return bits;
}
