// Sums along a middle axis (reduceImpl's inner > 1 case, e.g. a bias gradient: the column sums of
// [rows, columns]) in WebAssembly SIMD, with the same bits: every output element is summed in
// float64, +0 first, in increasing row order, as the TypeScript kernel's float64 scratch row does
// (float32 values are widened exactly). SIMD runs across columns, so each lane is one column's sum.

/**
 * acc[j] (float64) += x[r * inner + j] for r in [0, rows), j in [0, inner); with `init`, acc starts
 * at +0. x holds float64 or (f32) float32 values. Pointers are byte offsets.
 */
export function sumRows(x: usize, rows: i32, inner: i32, acc: usize, f32: bool, init: bool): void {
  if (init) memory.fill(acc, 0, (<usize>inner) << 3);
  const rowBytes = (<usize>inner) << (f32 ? 2 : 3);
  for (let r = 0; r < rows; r++) {
    let j = 0;
    if (f32) {
      for (; j + 2 <= inner; j += 2) {
        const p = acc + ((<usize>j) << 3);
        v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v128.load64_zero(x + ((<usize>j) << 2)))));
      }
      for (; j < inner; j++) {
        const p = acc + ((<usize>j) << 3);
        store<f64>(p, load<f64>(p) + <f64>load<f32>(x + ((<usize>j) << 2)));
      }
    } else {
      for (; j + 2 <= inner; j += 2) {
        const p = acc + ((<usize>j) << 3);
        v128.store(p, f64x2.add(v128.load(p), v128.load(x + ((<usize>j) << 3))));
      }
      for (; j < inner; j++) {
        const p = acc + ((<usize>j) << 3);
        store<f64>(p, load<f64>(p) + load<f64>(x + ((<usize>j) << 3)));
      }
    }
    x += rowBytes;
  }
}
