// Two ways of leaving out zeros of A that both matrix products use besides their sparse rows
// (T = f64: assembly/matmul.ts, T = f32: assembly/matmul32.ts):
// - packLiveSteps, for a k-reduction of a transposed A with few rows and a B read in place, as in a
//   convolution's weight gradient doutᵀ · col: whole steps are left out where a row of B is all zero
//   (a blank patch of an image) or a row of A is (all channels at a pixel no gradient reached);
// - maskRows, for a product with few steps and A not transposed, as in a convolution's forward
//   product col · Wᵀ (25 steps): each row's nonzero steps as a bit mask, summed in registers.
//
// Each output element is still the running sum of its products in increasing p, rounded in T at
// every step, and a product is left out only where it is +0 or -0: adding +0 or -0 to a running sum
// leaves it as it was (the sum starts at +0, and in round-to-nearest a sum is -0 only when both
// terms are -0). A zero times a finite value is +0 or -0; a zero times an Inf or a NaN is NaN, so
// finiteness is tested on the other side of every zero that is left out.

import { kBlock } from "./blocking";

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
 * not once per value of A. With lists set by useLiveSteps (the worker backend's threads, below), the
 * block's live steps are those listed for all rows, by this thread or another, and each keeps its
 * rows' bits of the masks.
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
  const shared = sharedLive;
  let count = -1;
  let first = live;
  let shift: u64 = 0;
  let own = true;
  if (ASC_FEATURE_THREADS) {
    if (shared !== 0 && listed(shared, a, bRows - <usize>(pc * n) * sizeof<T>(), m, n, nc, ic, mc)) {
      // The block's live steps listed for all m rows (masks from row 0), by this thread or another.
      const i = pc / load<i32>(shared, 12);
      if (ready<T>(shared, i)) {
        const block = blockAt(shared, i);
        count = load<i32>(block);
        first = block + LIVE_STEP_BYTES;
        shift = <u64>ic;
        own = false;
        if (count < 0 || !sparseEnough(first, count, shift, mc, kb)) return false;
      }
    }
  }
  if (own) {
    count = findLiveSteps<T>(a, m, ic, mc, pc, kb, bRows, n, nc, live);
    if (count < 0) return false;
  }
  appendLive<T>(a, m, ic, mc, pc, n, kb, first, count, shift, w, counts, steps);
  return true;
}

// The k-reduction split between threads by output rows, as the worker backend runs it. Each thread
// would test every row of B (and its own values of every row of A) for zeros, which for a
// convolution's weight gradient (57600 steps of 25 + 30 values) costs about as much as the products.
// So the threads share the lists: each k block's live steps are listed once, for all m rows, by the
// first thread to reach the block (a thread that finds it being listed lists a later block
// meanwhile), and every thread takes its rows' bits of each step's mask (the usual matmul call, after
// useLiveSteps). The threads walk the blocks in the same order at about the same pace, so each lists
// about half of them, just before both read the same rows of A and B again. A thread never waits: if
// the block is still being listed and no later block is left, it tests its own rows as without the
// lists. A step is left out of a thread's rows exactly when packLiveSteps on those rows alone would
// leave it out or keep it with only zero products: a step left out for all m rows is left out for any
// of them; one kept for all rows is kept where a row's value is nonzero (or B's row is not finite),
// and a kept value whose product is +-0 leaves the sum as it was. So the bits are those of one thread.

/** Bytes before the blocks' states: a, b (u32), m, kc, n, k blocks (i32). */
const LIST_HEADER: usize = 32;

/** The live-step lists set by useLiveSteps for this thread's next products (0: none). */
let sharedLive: usize = 0;

/** Bytes of one k block's list: its count (i32, -1: too dense) in an entry's room, then its entries. */
function blockBytes(kc: i32): usize {
  return <usize>(kc + 1) * <usize>LIVE_STEP_BYTES;
}

/** Bytes of the blocks' states (i32: 0 not listed, 1 being listed, 2 listed), 16-byte aligned. */
function statesBytes(blocks: i32): usize {
  return (((<usize>blocks) << 2) + 15) & ~15;
}

/** Bytes of the lists of a product of these sizes, or 0 when that product (op(A) m x k with A
 * transposed, B k x n read in place) would not use them: one k block, more than 64 rows, or more
 * columns than one strip of the products (240). */
export function liveStepsBytes(m: i32, n: i32, k: i32): i32 {
  const kc = kBlock(k);
  if (m < 1 || m > 64 || n < 1 || n > 240 || k <= kc) return 0;
  const blocks = (k + kc - 1) / kc;
  return <i32>(LIST_HEADER + statesBytes(blocks) + <usize>blocks * blockBytes(kc));
}

/** Makes `at` (liveStepsBytes(m, n, k) bytes, 16-byte aligned) the empty lists of the product of A
 * (k x m, transposed) and B (k x n) for the threads' next calls. */
export function prepareLiveSteps(at: usize, a: usize, b: usize, m: i32, n: i32, k: i32): void {
  const kc = kBlock(k);
  const blocks = (k + kc - 1) / kc;
  store<u32>(at, <u32>a);
  store<u32>(at, <u32>b, 4);
  store<i32>(at, m, 8);
  store<i32>(at, kc, 12);
  store<i32>(at, n, 16);
  store<i32>(at, blocks, 20);
  store<i32>(at, k, 24);
  memory.fill(at + LIST_HEADER, 0, statesBytes(blocks));
}

/** Makes this thread's next products read and write the lists at `at` made by prepareLiveSteps (0:
 * test A and B themselves). A product of other operands or sizes ignores them. */
export function useLiveSteps(at: usize): void {
  sharedLive = at;
}

/** Block i's list. */
function blockAt(shared: usize, i: i32): usize {
  return shared + LIST_HEADER + statesBytes(load<i32>(shared, 20)) + <usize>i * blockBytes(load<i32>(shared, 12));
}

/** Whether block i is listed: by another thread, by this one now, or, while another thread lists
 * it, once this one has listed later blocks; false if it is still being listed when no later block
 * is left. */
function ready<T>(shared: usize, i: i32): bool {
  const blocks = load<i32>(shared, 20);
  const state = shared + LIST_HEADER + ((<usize>i) << 2);
  let next = i + 1;
  while (atomic.load<i32>(state) !== 2 && !claimAndList<T>(shared, i)) {
    while (next < blocks && !claimAndList<T>(shared, next)) next++;
    if (next >= blocks) return atomic.load<i32>(state) === 2;
    next++;
  }
  return true;
}

/** Lists block i for all m rows if no thread has yet; returns whether this thread did. */
function claimAndList<T>(shared: usize, i: i32): bool {
  const state = shared + LIST_HEADER + ((<usize>i) << 2);
  if (atomic.load<i32>(state) !== 0 || atomic.cmpxchg<i32>(state, 0, 1) !== 0) return false;
  const m = load<i32>(shared, 8);
  const kc = load<i32>(shared, 12);
  const n = load<i32>(shared, 16);
  const pc = i * kc;
  const kb = min(kc, load<i32>(shared, 24) - pc);
  const block = blockAt(shared, i);
  const bRows = <usize>load<u32>(shared, 4) + <usize>(pc * n) * sizeof<T>();
  store<i32>(block, findLiveSteps<T>(<usize>load<u32>(shared), m, 0, m, pc, kb, bRows, n, n, block + LIVE_STEP_BYTES));
  atomic.store<i32>(state, 2);
  return true;
}

/** Whether the lists at `shared` are those of this product and cover rows [ic, ic+mc) and the strip. */
function listed(shared: usize, a: usize, b: usize, m: i32, n: i32, nc: i32, ic: i32, mc: i32): bool {
  return (
    load<u32>(shared) === <u32>a &&
    load<u32>(shared, 4) === <u32>b &&
    load<i32>(shared, 8) === m &&
    load<i32>(shared, 16) === n &&
    nc === n &&
    ic + mc <= m
  );
}

/** Whether rows [shift, shift+mc) of the count listed steps at `first` keep at most SPARSE_MAX of
 * their kb steps' values. */
function sparseEnough(first: usize, count: i32, shift: u64, mc: i32, kb: i32): bool {
  const rows: u64 = mc === 64 ? <u64>-1 : ((<u64>1) << (<u64>mc)) - 1;
  let total = 0;
  for (let s = 0; s < count; s++) total += <i32>popcnt((load<u64>(first + ((<usize>s) << 4), 8) >> shift) & rows);
  return <f64>total <= SPARSE_MAX * <f64>mc * <f64>kb;
}

/**
 * Lists at `live` the steps of rows [ic, ic+mc) of a transposed A over the block's kb steps from pc
 * that are not left out (see packLiveSteps), each with the mask of the rows that keep their value;
 * returns their count, or -1 as soon as more than SPARSE_MAX of the A values would be kept (with
 * one step of slack).
 */
function findLiveSteps<T>(
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
): i32 {
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
    if (<f64>total > perStep * <f64>(p + 2)) return -1;
  }
  return <f64>total > perStep * <f64>kb ? -1 : count;
}

/**
 * Appends the kept values of rows [ic, ic+mc) of the count listed steps at `first` (masks of rows
 * from ic - shift; shift 0: from ic) to their rows' lists: row r's values at w + r*kb*sizeof<T>, the
 * byte offsets of their B rows (p * n * sizeof<T>) at steps + r*kb*4, its count at counts + 4r.
 */
function appendLive<T>(
  a: usize,
  m: i32,
  ic: i32,
  mc: i32,
  pc: i32,
  n: i32,
  kb: i32,
  first: usize,
  count: i32,
  shift: u64,
  w: usize,
  counts: usize,
  steps: usize,
): void {
  const size: usize = sizeof<T>() === 8 ? 3 : 2;
  const aRows = a + ((<usize>(pc * m + ic)) << size);
  const aRowBytes = (<usize>m) << size;
  const bRowBytes = (<u32>n) << (<u32>size);
  const rows: u64 = mc === 64 ? <u64>-1 : ((<u64>1) << (<u64>mc)) - 1;
  // Each row's count is kept, while appending, as the byte offset of its next value from w (row r's
  // values start at r * kb * sizeof<T>); its next B offset is at steps + that >> (size - 2).
  const rowW = (<usize>kb) << size;
  for (let r: usize = 0, at: usize = 0; r < <usize>mc; r++, at += rowW) store<u32>(counts + (r << 2), <u32>at);
  const toSteps = size - 2;
  for (let s = 0; s < count; s++) {
    const e = first + ((<usize>s) << 4);
    const p = load<u32>(e);
    let keep = (load<u64>(e, 8) >> shift) & rows;
    const aRow = aRows + <usize>p * aRowBytes;
    const offset = p * bRowBytes;
    while (keep !== 0) {
      const r = <usize>ctz(keep);
      keep &= keep - 1;
      const cp = counts + (r << 2);
      const at = <usize>load<u32>(cp);
      store<T>(w + at, load<T>(aRow + (r << size)));
      store<u32>(steps + (at >> toSteps), offset);
      store<u32>(cp, <u32>(at + (1 << size)));
    }
  }
  for (let r: usize = 0, at: usize = 0; r < <usize>mc; r++, at += rowW) {
    const cp = counts + (r << 2);
    store<u32>(cp, <u32>((<usize>load<u32>(cp) - at) >> size));
  }
}

/** rowTest's bits: some value is not +0 or -0; some value is an Inf or a NaN. */
const NONZERO = 1;
const NON_FINITE = 2;

/** NONZERO | NON_FINITE, each if some of the len values of type T at q is so. */
function rowTest<T>(q: usize, len: i32): i32 {
  // The values' bits ORed lane by lane (lanes past len read as zero). All zero but the sign bits:
  // every value is +0 or -0. An Inf or a NaN has every exponent bit set, and so then has the OR of
  // its lane: when no lane's OR has them all (values under 2 in magnitude, as pixels and gradients
  // are, always), every value is finite and the row is not read again.
  const bits = orOf<T>(q, len);
  const nonzero =
    sizeof<T>() === 8 ? v128.and(bits, i64x2.splat(i64.MAX_VALUE)) : v128.and(bits, i32x4.splat(0x7fffffff));
  const test = v128.any_true(nonzero) ? NONZERO : 0;
  if (sizeof<T>() === 8) {
    const exponent = i64x2.splat(0x7ff0000000000000);
    if (!v128.any_true(i64x2.eq(v128.and(bits, exponent), exponent))) return test;
  } else {
    const exponent = i32x4.splat(0x7f800000);
    if (!v128.any_true(i32x4.eq(v128.and(bits, exponent), exponent))) return test;
  }
  return test | (hasNonFinite<T>(q, len) ? NON_FINITE : 0);
}

/** The bits of the len values of type T at q ORed lane by lane, lanes past len zero. */
function orOf<T>(q: usize, len: i32): v128 {
  let b0 = v128.splat<i32>(0);
  let b1 = b0;
  let r = 0;
  if (sizeof<T>() === 8) {
    for (; r + 4 <= len; r += 4) {
      b0 = v128.or(b0, v128.load(q + ((<usize>r) << 3)));
      b1 = v128.or(b1, v128.load(q + ((<usize>r) << 3), 16));
    }
    if (r + 2 <= len) {
      b0 = v128.or(b0, v128.load(q + ((<usize>r) << 3)));
      r += 2;
    }
    if (r < len) b1 = v128.or(b1, v128.load64_zero(q + ((<usize>r) << 3)));
    return v128.or(b0, b1);
  }
  for (; r + 8 <= len; r += 8) {
    b0 = v128.or(b0, v128.load(q + ((<usize>r) << 2)));
    b1 = v128.or(b1, v128.load(q + ((<usize>r) << 2), 16));
  }
  if (r + 4 <= len) {
    b0 = v128.or(b0, v128.load(q + ((<usize>r) << 2)));
    r += 4;
  }
  // The last 1 to 3 values: lanes past len read as zero.
  if (r + 2 <= len) {
    b1 = v128.or(b1, v128.load64_zero(q + ((<usize>r) << 2)));
    r += 2;
  }
  if (r < len) b0 = v128.or(b0, v128.load32_zero(q + ((<usize>r) << 2)));
  return v128.or(b0, b1);
}

/** Whether some of the len values of type T at q is an Inf or a NaN: two sums of v * 0 (+0 or -0
 * while every v is finite, else NaN), two so that the additions do not wait on each other. */
function hasNonFinite<T>(q: usize, len: i32): bool {
  let s0 = v128.splat<i32>(0);
  let s1 = s0;
  let r = 0;
  if (sizeof<T>() === 8) {
    const zero = f64x2.splat(0);
    for (; r + 4 <= len; r += 4) {
      s0 = f64x2.add(s0, f64x2.mul(v128.load(q + ((<usize>r) << 3)), zero));
      s1 = f64x2.add(s1, f64x2.mul(v128.load(q + ((<usize>r) << 3), 16), zero));
    }
    if (r + 2 <= len) {
      s0 = f64x2.add(s0, f64x2.mul(v128.load(q + ((<usize>r) << 3)), zero));
      r += 2;
    }
    if (r < len) s1 = f64x2.add(s1, f64x2.mul(v128.load64_zero(q + ((<usize>r) << 3)), zero));
    s0 = f64x2.add(s0, s1);
    return v128.any_true(f64x2.ne(s0, s0));
  }
  const zero = f32x4.splat(0);
  for (; r + 8 <= len; r += 8) {
    s0 = f32x4.add(s0, f32x4.mul(v128.load(q + ((<usize>r) << 2)), zero));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(q + ((<usize>r) << 2), 16), zero));
  }
  if (r + 4 <= len) {
    s0 = f32x4.add(s0, f32x4.mul(v128.load(q + ((<usize>r) << 2)), zero));
    r += 4;
  }
  if (r + 2 <= len) {
    s1 = f32x4.add(s1, f32x4.mul(v128.load64_zero(q + ((<usize>r) << 2)), zero));
    r += 2;
  }
  if (r < len) s0 = f32x4.add(s0, f32x4.mul(v128.load32_zero(q + ((<usize>r) << 2)), zero));
  s0 = f32x4.add(s0, s1);
  return v128.any_true(f32x4.ne(s0, s0));
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
    // Sixteen values at a time: their four compares narrowed (saturating, so -1 and 0 stay so) to
    // one i8x16 for one bitmask; then eight, four, and the last 1 to 3 with lanes past len zero.
    const zero = f32x4.splat(0);
    for (; r + 16 <= len; r += 16) {
      const v = q + ((<usize>r) << 2);
      const n0 = i16x8.narrow_i32x4_s(f32x4.ne(v128.load(v), zero), f32x4.ne(v128.load(v, 16), zero));
      const n1 = i16x8.narrow_i32x4_s(f32x4.ne(v128.load(v, 32), zero), f32x4.ne(v128.load(v, 48), zero));
      bits |= (<u64>i8x16.bitmask(i8x16.narrow_i16x8_s(n0, n1))) << (<u64>r);
    }
    if (r + 8 <= len) {
      const v = q + ((<usize>r) << 2);
      const n0 = i16x8.narrow_i32x4_s(f32x4.ne(v128.load(v), zero), f32x4.ne(v128.load(v, 16), zero));
      bits |= (<u64>i16x8.bitmask(n0)) << (<u64>r);
      r += 8;
    }
    if (r + 4 <= len) {
      bits |= (<u64>i32x4.bitmask(f32x4.ne(v128.load(q + ((<usize>r) << 2)), zero))) << (<u64>r);
      r += 4;
    }
    if (r + 2 <= len) {
      bits |= (<u64>i32x4.bitmask(f32x4.ne(v128.load64_zero(q + ((<usize>r) << 2)), zero))) << (<u64>r);
      r += 2;
    }
    if (r < len) {
      bits |= (<u64>i32x4.bitmask(f32x4.ne(v128.load32_zero(q + ((<usize>r) << 2)), zero))) << (<u64>r);
    }
    return bits;
  }
  for (; r < len; r++) {
    bits |= (<u64>(load<T>(q + ((<usize>r) << (sizeof<T>() === 8 ? 3 : 2))) !== 0)) << (<u64>r);
  }
  return bits;
}

/** Products with at most this many steps can go by maskRows: a row's nonzero steps fit in a u32. */
export const MASK_K: i32 = 32;

/**
 * maskRows takes a block while at most this share of its A values is nonzero, float32 and float64
 * (else the dense tiles do). Measured on the convolution's forward product (m57600 n30 k25 Bᵀ,
 * tools/bench/src/conv-matmul.ts --density with each path forced): break-even at 0.77-0.8 (float32)
 * and 0.85-0.9 (float64), well above SPARSE_MAX, since maskRows keeps its sums in registers.
 */
const MASK_MAX_F32 = 0.75;
const MASK_MAX_F64 = 0.85;

/**
 * Copies steps [0, k) x columns [jc, jc+nc) of op(B) (transB: B stored n x k) to rows of ncp values
 * of type T at w, the columns past nc zero, for maskRows.
 */
export function packRowMajor<T>(b: usize, n: i32, k: i32, transB: bool, jc: i32, nc: i32, ncp: i32, w: usize): void {
  const shift: usize = sizeof<T>() === 8 ? 3 : 2;
  const rowStride = transB ? 1 : n;
  const colStride = transB ? k : 1;
  for (let p = 0; p < k; p++) {
    const row = w + ((<usize>(p * ncp)) << shift);
    for (let j = 0; j < nc; j++) {
      store<T>(row + ((<usize>j) << shift), load<T>(b + ((<usize>(p * rowStride + (jc + j) * colStride)) << shift)));
    }
    for (let j = nc; j < ncp; j++) store<T>(row + ((<usize>j) << shift), <T>0);
  }
}

/**
 * Writes at masks (4 bytes a row) each of rows [ic, ic+mc) of A's (not transposed, k <= MASK_K
 * steps) nonzero steps as a bit mask, for maskRows; returns false as soon as more than MASK_MAX of
 * the block's values are nonzero (the rows left could not bring it back under), as then the caller
 * multiplies densely.
 */
export function findMasks<T>(a: usize, k: i32, ic: i32, mc: i32, masks: usize): bool {
  const shift: usize = sizeof<T>() === 8 ? 3 : 2;
  const aRows = a + ((<usize>(ic * k)) << shift);
  const rowBytes = (<usize>k) << shift;
  const limit = <i32>((sizeof<T>() === 8 ? MASK_MAX_F64 : MASK_MAX_F32) * <f64>mc * <f64>k);
  let total = 0;
  for (let r = 0; r < mc; r++) {
    const mask = rowMask<T>(aRows + <usize>r * rowBytes, k);
    store<u32>(masks + ((<usize>r) << 2), mask);
    total += <i32>popcnt(mask);
    if (total > limit) return false;
  }
  return true;
}

/** Bit p set for each of the k (at most 32) values of type T at q that is not +0 or -0: four values
 * at a time, the last four (k >= 4) read again where k is not a multiple of 4 (their bits are the
 * same), so no value is tested alone. */
function rowMask<T>(q: usize, k: i32): u32 {
  if (k < 4) return <u32>nonzeroRows<T>(q, k);
  let mask: u32 = 0;
  if (sizeof<T>() === 8) {
    const zero = f64x2.splat(0);
    for (let p = 0; p + 4 <= k; p += 4) mask |= quad64(q + ((<usize>p) << 3), zero) << (<u32>p);
    return mask | (quad64(q + ((<usize>(k - 4)) << 3), zero) << (<u32>(k - 4)));
  }
  const zero = f32x4.splat(0);
  for (let p = 0; p + 4 <= k; p += 4) {
    mask |= (<u32>i32x4.bitmask(f32x4.ne(v128.load(q + ((<usize>p) << 2)), zero))) << (<u32>p);
  }
  return mask | ((<u32>i32x4.bitmask(f32x4.ne(v128.load(q + ((<usize>(k - 4)) << 2)), zero))) << (<u32>(k - 4)));
}

/** 4 bits: which of the 4 float64 values at q is not +0 or -0 (both compares narrowed to one i32x4). */
function quad64(q: usize, zero: v128): u32 {
  const n0 = f64x2.ne(v128.load(q), zero);
  const n1 = f64x2.ne(v128.load(q, 16), zero);
  return <u32>i32x4.bitmask(v128.shuffle<i32>(n0, n1, 0, 2, 4, 6));
}

/**
 * out rows [0, mc) (n values apart; columns [0, nc) written) = rows [ic, ic+mc) of A (not
 * transposed, k <= MASK_K steps: one k block) times a finite B packed by packRowMajor at bRows (rows
 * of ncp values), A's rows given by their masks from findMasks: each output value is the sum over
 * the row's nonzero steps in increasing p, started at +0, with up to PASS running vectors in locals
 * per pass over the mask, stored straight to out (no packed rows, no scratch sums). Zeros of A are
 * left out exactly as by the sparse rows (B is finite).
 */
export function maskRows<T>(
  a: usize,
  k: i32,
  ic: i32,
  mc: i32,
  bRows: usize,
  ncp: i32,
  nc: i32,
  out: usize,
  n: i32,
  masks: usize,
): void {
  const shift: usize = sizeof<T>() === 8 ? 3 : 2;
  const lanes = sizeof<T>() === 8 ? 2 : 4;
  const aRows = a + ((<usize>(ic * k)) << shift);
  const rowBytes = (<usize>k) << shift;
  const pass = PASS * lanes;
  const bStep = (<usize>ncp) << shift;
  // Passes of PASS vectors, then one of the `last` vectors left (0: none), constants of each copy of
  // the loop over the rows (type arguments), so that no width is tested per step and V8 keeps the
  // sums in registers. One full pass is written out in the loop as well: a loop of passes inside the
  // loop over the rows costs V8 registers (conv forward float32: 2.25 ms against 1.57). Float64's
  // two passes of 14 columns and the last of 2 do as well in the loop (3.18 ms against 3.32), so it
  // has one copy, for any widths.
  const full = nc / pass;
  const rest = nc - full * pass;
  const last = (rest + lanes - 1) / lanes;
  const shape = sizeof<T>() === 8 ? 16 : min(full, 2) * 8 + last;
  if (shape === 1) maskRowsOf<T, Vecs0, Vecs1>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 2) maskRowsOf<T, Vecs0, Vecs2>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 3) maskRowsOf<T, Vecs0, Vecs3>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 4) maskRowsOf<T, Vecs0, Vecs4>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 5) maskRowsOf<T, Vecs0, Vecs5>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 6) maskRowsOf<T, Vecs0, Vecs6>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 7) maskRowsOf<T, Vecs0, Vecs7>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 8) maskRowsOf<T, Vecs1, Vecs0>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 9) maskRowsOf<T, Vecs1, Vecs1>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 10)
    maskRowsOf<T, Vecs1, Vecs2>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 11)
    maskRowsOf<T, Vecs1, Vecs3>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 12)
    maskRowsOf<T, Vecs1, Vecs4>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 13)
    maskRowsOf<T, Vecs1, Vecs5>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 14)
    maskRowsOf<T, Vecs1, Vecs6>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else if (shape === 15)
    maskRowsOf<T, Vecs1, Vecs7>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
  else maskRowsOf<T, VecsAny, VecsAny>(aRows, rowBytes, mc, masks, bRows, bStep, full, rest, last, out, n);
}

/** A count as a type argument (a compile-time choice, as matmul32.ts's sparseRun takes its groups):
 * `of(v)` is the constant, or v itself for VecsAny. */
class Vecs0 {
  of(_: i32): i32 {
    return 0;
  }
}
class Vecs1 {
  of(_: i32): i32 {
    return 1;
  }
}
class Vecs2 {
  of(_: i32): i32 {
    return 2;
  }
}
class Vecs3 {
  of(_: i32): i32 {
    return 3;
  }
}
class Vecs4 {
  of(_: i32): i32 {
    return 4;
  }
}
class Vecs5 {
  of(_: i32): i32 {
    return 5;
  }
}
class Vecs6 {
  of(_: i32): i32 {
    return 6;
  }
}
class Vecs7 {
  of(_: i32): i32 {
    return 7;
  }
}
class VecsAny {
  of(v: i32): i32 {
    return v;
  }
}

/** maskRows' loop over the rows: `full` passes of PASS vectors, then one of `last` vectors for the
 * `rest` columns. F: the full passes written out (Vecs0 or Vecs1), or VecsAny: any number in a loop;
 * L: the last pass's vectors (then `last`), or VecsAny. */
function maskRowsOf<T, F, L>(
  aRows: usize,
  rowBytes: usize,
  mc: i32,
  masks: usize,
  bRows: usize,
  bStep: usize,
  full: i32,
  rest: i32,
  last: i32,
  out: usize,
  n: i32,
): void {
  const shift: usize = sizeof<T>() === 8 ? 3 : 2;
  const width = PASS * (sizeof<T>() === 8 ? 2 : 4);
  const passBytes = <usize>(PASS * 16);
  const lastAt = <usize>full * passBytes;
  const copies = changetype<F>(0).of(-1);
  const lastVecs = changetype<L>(0).of(last);
  for (let r = 0; r < mc; r++) {
    const mask = load<u32>(masks + ((<usize>r) << 2));
    const aRow = aRows + <usize>r * rowBytes;
    const o = out + ((<usize>(r * n)) << shift);
    if (copies === 1) inline.always(maskPass<T, Vecs7>(aRow, mask, bRows, bStep, width, o, PASS));
    else if (copies < 0) {
      for (let f: usize = 0; f < lastAt; f += passBytes) {
        inline.always(maskPass<T, Vecs7>(aRow, mask, bRows + f, bStep, width, o + f, PASS));
      }
    }
    if (lastVecs > 0) inline.always(maskPass<T, L>(aRow, mask, bRows + lastAt, bStep, rest, o + lastAt, lastVecs));
  }
}

/**
 * Running vectors of a pass of maskRows: 7 sums, the product's operand and the 7 vectors of B that
 * V8 loads at the top of each step (before the multiplies) fill the 15 vector registers it allocates
 * on x64; with 8 sums one is kept on the stack, and each step waits on storing and loading it again
 * (conv forward float32, 30 columns: 7 + 1 vectors 1.56 ms against 8 in one pass 1.78 ms).
 */
const PASS: i32 = 7;

/**
 * o[0..width) (width <= V's vectors of T, at most PASS: `count` for VecsAny) = sum over the set bits
 * p of mask, in increasing p, of a[p] * (row p of B at b + p*bStep), each product and sum rounded in
 * T, from +0. Its callers write it out (inline.always: called, it costs conv forward float32 1.78 ms
 * against 1.56).
 */
function maskPass<T, V>(a: usize, mask: u32, b: usize, bStep: usize, width: i32, o: usize, count: i32): void {
  const lanes = sizeof<T>() === 8 ? 2 : 4;
  const vecs = changetype<V>(0).of(count);
  let s0 = v128.splat<i32>(0);
  let s1 = s0;
  let s2 = s0;
  let s3 = s0;
  let s4 = s0;
  let s5 = s0;
  let s6 = s0;
  while (mask !== 0) {
    const p = <usize>ctz(mask);
    mask &= mask - 1;
    const q = b + p * bStep;
    if (sizeof<T>() === 8) {
      const x = v128.load64_splat(a + (p << 3));
      s0 = f64x2.add(s0, f64x2.mul(x, v128.load(q)));
      if (vecs > 1) s1 = f64x2.add(s1, f64x2.mul(x, v128.load(q, 16)));
      if (vecs > 2) s2 = f64x2.add(s2, f64x2.mul(x, v128.load(q, 32)));
      if (vecs > 3) s3 = f64x2.add(s3, f64x2.mul(x, v128.load(q, 48)));
      if (vecs > 4) s4 = f64x2.add(s4, f64x2.mul(x, v128.load(q, 64)));
      if (vecs > 5) s5 = f64x2.add(s5, f64x2.mul(x, v128.load(q, 80)));
      if (vecs > 6) s6 = f64x2.add(s6, f64x2.mul(x, v128.load(q, 96)));
    } else {
      const x = v128.load32_splat(a + (p << 2));
      s0 = f32x4.add(s0, f32x4.mul(x, v128.load(q)));
      if (vecs > 1) s1 = f32x4.add(s1, f32x4.mul(x, v128.load(q, 16)));
      if (vecs > 2) s2 = f32x4.add(s2, f32x4.mul(x, v128.load(q, 32)));
      if (vecs > 3) s3 = f32x4.add(s3, f32x4.mul(x, v128.load(q, 48)));
      if (vecs > 4) s4 = f32x4.add(s4, f32x4.mul(x, v128.load(q, 64)));
      if (vecs > 5) s5 = f32x4.add(s5, f32x4.mul(x, v128.load(q, 80)));
      if (vecs > 6) s6 = f32x4.add(s6, f32x4.mul(x, v128.load(q, 96)));
    }
  }
  putVector<T>(o, s0, width);
  if (vecs > 1) putVector<T>(o + 16, s1, width - lanes);
  if (vecs > 2) putVector<T>(o + 32, s2, width - 2 * lanes);
  if (vecs > 3) putVector<T>(o + 48, s3, width - 3 * lanes);
  if (vecs > 4) putVector<T>(o + 64, s4, width - 4 * lanes);
  if (vecs > 5) putVector<T>(o + 80, s5, width - 5 * lanes);
  if (vecs > 6) putVector<T>(o + 96, s6, width - 6 * lanes);
}

/** Stores v's values of type T at o, all of them if `rest` is at least a vector's, else only the
 * first `rest` (the bytes past them belong to the next output row, or lie past the output). */
function putVector<T>(o: usize, v: v128, rest: i32): void {
  const bytes = rest * sizeof<T>();
  if (bytes >= 16) v128.store(o, v);
  else if (bytes === 12) {
    v128.store64_lane(o, v, 0);
    v128.store32_lane(o, v, 2, 8);
  } else if (bytes === 8) v128.store64_lane(o, v, 0);
  else v128.store32_lane(o, v, 0);
}
