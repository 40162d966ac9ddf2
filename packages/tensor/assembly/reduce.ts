// biome-ignore-all lint/suspicious/noFallthroughSwitchClause: sumColumnGroup's switches fall through on purpose (one branch per row instead of one per vector: 118 against 132 us for [57600, 30] float32)
// Sums along a middle axis (reduceImpl's inner > 1 case, e.g. a bias gradient: the column sums of
// [rows, columns]) in WebAssembly SIMD, with the same bits as the TypeScript kernel: every output
// element is summed from +0 in increasing row order, in float64 for float64 values (f64x2 lanes) and
// in float32 for float32 values (f32x4 lanes: every partial sum rounded to float32, as reduceImpl's
// float32 scratch row does). SIMD runs across columns, so each lane is one column's sum.

/**
 * acc[j] += x[r * stride + j] for r in [0, rows), j in [0, cols), rows in increasing order; with
 * `init`, acc starts at +0. x and acc hold float64 values, or (f32) float32 values; `stride` counts
 * values. Pointers are byte offsets. Summing a range of columns of a block (stride: the block's
 * width) gives those columns' sums bit for bit as summing the whole block, so threads can split a
 * sum along a middle axis between its columns.
 */
export function sumRows(x: usize, rows: i32, cols: i32, stride: i32, acc: usize, f32: bool, init: bool): void {
  if (f32) sumRowsOf<f32>(x, rows, cols, stride, acc, init);
  else sumRowsOf<f64>(x, rows, cols, stride, acc, init);
}

function sumRowsOf<T>(x: usize, rows: i32, cols: i32, stride: i32, acc: usize, init: bool): void {
  const shift = alignof<T>();
  const lanes = 16 / sizeof<T>();
  if (init) memory.fill(acc, 0, (<usize>cols) << shift);
  // Up to GROUP vectors of columns (and the last few columns, one by one) summed in registers over
  // every row in one pass: an accumulator in memory would make each row wait for the previous
  // row's store (about 0.27 ms for [57600, 30] float32, against the array's read time).
  const group = GROUP * lanes;
  // More columns than one pass holds (float64 [57600, 30]: 16 + 14): the passes take turns over blocks
  // of rows that stay in L1, so the array is read from memory once, not once per pass; each column's
  // running sum waits in acc between blocks, which is exact (stored in its own type).
  const rowBytes = (<usize>stride) << shift;
  const block = cols > group ? max(1, <i32>(BLOCK_BYTES / rowBytes)) : rows;
  for (let r = 0; r < rows; r += block) {
    const x0 = x + <usize>r * rowBytes;
    const nr = min(block, rows - r);
    for (let j = 0; j < cols; j += group) {
      const n = min(group, cols - j);
      sumColumnGroup<T>(x0 + ((<usize>j) << shift), nr, n / lanes, n % lanes, stride, acc + ((<usize>j) << shift));
    }
  }
}

/** Bytes of rows that the passes of a sum along a middle axis take turns over (in L1). */
const BLOCK_BYTES: usize = 16384;

/** Vectors of columns whose sums one pass keeps in registers. */
const GROUP = 8;

/** acc[j] += x[r * stride + j] over the rows for `vectors` vectors of columns (at most GROUP), then
 * `singles` columns (fewer than a vector), each sum a running one in increasing r. */
function sumColumnGroup<T>(x: usize, rows: i32, vectors: i32, singles: i32, stride: i32, acc: usize): void {
  const shift = alignof<T>();
  const rowBytes = (<usize>stride) << shift;
  const tail = acc + ((<usize>vectors) << 4);
  const zero = i64x2.splat(0);
  let a0 = vectors > 0 ? v128.load(acc) : zero;
  let a1 = vectors > 1 ? v128.load(acc, 16) : zero;
  let a2 = vectors > 2 ? v128.load(acc, 32) : zero;
  let a3 = vectors > 3 ? v128.load(acc, 48) : zero;
  let a4 = vectors > 4 ? v128.load(acc, 64) : zero;
  let a5 = vectors > 5 ? v128.load(acc, 80) : zero;
  let a6 = vectors > 6 ? v128.load(acc, 96) : zero;
  let a7 = vectors > 7 ? v128.load(acc, 112) : zero;
  let s0 = singles > 0 ? load<T>(tail) : <T>0;
  let s1 = singles > 1 ? load<T>(tail + sizeof<T>()) : <T>0;
  let s2 = singles > 2 ? load<T>(tail + 2 * sizeof<T>()) : <T>0;
  const q = x + ((<usize>vectors) << 4); // the singles of row 0
  let p = x;
  let ps = q;
  for (let r = 0; r < rows; r++) {
    // Falls through: one branch per row for the group's vectors, one for its singles.
    switch (vectors) {
      case 8:
        a7 = add<T>(a7, v128.load(p, 112));
      case 7:
        a6 = add<T>(a6, v128.load(p, 96));
      case 6:
        a5 = add<T>(a5, v128.load(p, 80));
      case 5:
        a4 = add<T>(a4, v128.load(p, 64));
      case 4:
        a3 = add<T>(a3, v128.load(p, 48));
      case 3:
        a2 = add<T>(a2, v128.load(p, 32));
      case 2:
        a1 = add<T>(a1, v128.load(p, 16));
      case 1:
        a0 = add<T>(a0, v128.load(p));
    }
    switch (singles) {
      case 3:
        s2 = s2 + load<T>(ps + 2 * sizeof<T>());
      case 2:
        s1 = s1 + load<T>(ps + sizeof<T>());
      case 1:
        s0 = s0 + load<T>(ps);
    }
    p += rowBytes;
    ps += rowBytes;
  }
  if (vectors > 0) v128.store(acc, a0);
  if (vectors > 1) v128.store(acc, a1, 16);
  if (vectors > 2) v128.store(acc, a2, 32);
  if (vectors > 3) v128.store(acc, a3, 48);
  if (vectors > 4) v128.store(acc, a4, 64);
  if (vectors > 5) v128.store(acc, a5, 80);
  if (vectors > 6) v128.store(acc, a6, 96);
  if (vectors > 7) v128.store(acc, a7, 112);
  if (singles > 0) store<T>(tail, s0);
  if (singles > 1) store<T>(tail + sizeof<T>(), s1);
  if (singles > 2) store<T>(tail + 2 * sizeof<T>(), s2);
}

function add<T>(a: v128, b: v128): v128 {
  return sizeof<T>() === 4 ? f32x4.add(a, b) : f64x2.add(a, b);
}

/** Values per block of `firstNonFinite`'s fast pass (a multiple of 8). */
const FINITE_BLOCK = 512;

/**
 * The index of the first NaN or ±Infinity among `len` float64 (f32: float32) values at x, or -1
 * (firstNonFiniteImpl's meaning). A fast pass adds x - x per block (0 for every finite value, NaN
 * otherwise) in four vector sums; only a block whose sum is not 0 is searched value by value.
 */
export function firstNonFinite(x: usize, len: i32, f32: bool): i32 {
  const shift: usize = f32 ? 2 : 3;
  for (let i = 0; i < len; i += FINITE_BLOCK) {
    const n = min(FINITE_BLOCK, len - i);
    const p = x + ((<usize>i) << shift);
    if (f32 ? blockFinite32(p, n) : blockFinite64(p, n)) continue;
    for (let j = 0; j < n; j++) {
      const v = f32 ? <f64>load<f32>(p + ((<usize>j) << 2)) : load<f64>(p + ((<usize>j) << 3));
      if (v - v !== 0) return i + j; // NaN for NaN and ±Infinity
    }
  }
  return -1;
}

function blockFinite64(p: usize, n: i32): bool {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let s2 = f64x2.splat(0);
  let s3 = f64x2.splat(0);
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const q = p + ((<usize>j) << 3);
    const a = v128.load(q);
    const b = v128.load(q, 16);
    const c = v128.load(q, 32);
    const d = v128.load(q, 48);
    s0 = f64x2.add(s0, f64x2.sub(a, a));
    s1 = f64x2.add(s1, f64x2.sub(b, b));
    s2 = f64x2.add(s2, f64x2.sub(c, c));
    s3 = f64x2.add(s3, f64x2.sub(d, d));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let tail = 0.0;
  for (; j < n; j++) {
    const v = load<f64>(p + ((<usize>j) << 3));
    tail += v - v;
  }
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1) + tail === 0;
}

function blockFinite32(p: usize, n: i32): bool {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const q = p + ((<usize>j) << 2);
    const a = v128.load(q);
    const b = v128.load(q, 16);
    s0 = f32x4.add(s0, f32x4.sub(a, a));
    s1 = f32x4.add(s1, f32x4.sub(b, b));
  }
  const s = f32x4.add(s0, s1);
  let tail: f32 = 0;
  for (; j < n; j++) {
    const v = load<f32>(p + ((<usize>j) << 2));
    tail += v - v;
  }
  return (
    f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3) + tail ===
    0
  );
}
