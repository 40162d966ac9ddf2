// Sums along a middle axis (reduceImpl's inner > 1 case, e.g. a bias gradient: the column sums of
// [rows, columns]) in WebAssembly SIMD, with the same bits as the TypeScript kernel: every output
// element is summed from +0 in increasing row order, in float64 for float64 values (f64x2 lanes) and
// in float32 for float32 values (f32x4 lanes: every partial sum rounded to float32, as reduceImpl's
// float32 scratch row does). SIMD runs across columns, so each lane is one column's sum.

/**
 * acc[j] += x[r * inner + j] for r in [0, rows), j in [0, inner); with `init`, acc starts at +0. x and
 * acc hold float64 values, or (f32) float32 values. Pointers are byte offsets.
 */
export function sumRows(x: usize, rows: i32, inner: i32, acc: usize, f32: bool, init: bool): void {
  if (f32) sumRowsOf<f32>(x, rows, inner, acc, init);
  else sumRowsOf<f64>(x, rows, inner, acc, init);
}

function sumRowsOf<T>(x: usize, rows: i32, inner: i32, acc: usize, init: bool): void {
  const shift = alignof<T>();
  const lanes = 16 / sizeof<T>();
  if (init) memory.fill(acc, 0, (<usize>inner) << shift);
  const rowBytes = (<usize>inner) << shift;
  for (let r = 0; r < rows; r++) {
    let j = 0;
    for (; j + lanes <= inner; j += lanes) {
      const p = acc + ((<usize>j) << shift);
      const v = v128.load(x + ((<usize>j) << shift));
      v128.store(p, sizeof<T>() === 4 ? f32x4.add(v128.load(p), v) : f64x2.add(v128.load(p), v));
    }
    for (; j < inner; j++) {
      const p = acc + ((<usize>j) << shift);
      store<T>(p, load<T>(p) + load<T>(x + ((<usize>j) << shift)));
    }
    x += rowBytes;
  }
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
