// putAlongLastAxis (src/kernels/alongAxis.ts, putAlongImpl) in WebAssembly, with the same bits: it
// only copies values and writes zeros. Pooling's backward routes each window's gradient to the
// position of its maximum with it. Pointers are byte offsets.

/**
 * Rows [0, rows) of `depth` values at out: zeros, but out[r * depth + indices[r]] = values[r].
 * indices are int32 in [0, depth) (validated by Tensor.putAlongLastAxis); values and out hold
 * float64 or (f32) float32 values.
 */
export function putAlongRows(values: usize, indices: usize, rows: i32, depth: i32, out: usize, f32: bool): void {
  if (f32) putAlongT<f32>(values, indices, rows, depth, out);
  else putAlongT<f64>(values, indices, rows, depth, out);
}

function putAlongT<T>(values: usize, indices: usize, rows: i32, depth: i32, out: usize): void {
  const size = sizeof<T>();
  const rowBytes = <usize>depth * size;
  const zero = i64x2.splat(0);
  for (let r = 0; r < rows; r++) {
    // The row zeroed 16 bytes at a time while in cache, then its one value stored.
    const o = out + <usize>r * rowBytes;
    let z: usize = 0;
    for (; z + 16 <= rowBytes; z += 16) v128.store(o + z, zero);
    for (; z < rowBytes; z += size) store<T>(o + z, <T>0);
    store<T>(o + <usize>load<i32>(indices + ((<usize>r) << 2)) * size, load<T>(values + <usize>r * size));
  }
}
