// putAlongLastAxis (src/kernels/alongAxis.ts, putAlongImpl) in WebAssembly, with the same bits: it
// only copies values and writes zeros. Pooling's backward routes each window's gradient to the
// position of its maximum with it. Pointers are byte offsets.

/**
 * Rows [0, rows) of `depth` values at out: zeros, but out[r * depth + indices[r]] = values[r].
 * values and out hold float64 or (f32) float32 values. The indices are checked here, in the same
 * pass (Tensor.putAlongLastAxis does not scan them first): returns -1 when every index is an int32
 * in [0, depth), else the first row r whose index is not, having written nothing outside out's rows
 * (rows from r on may be left unwritten: the op then throws and nobody sees out).
 */
export function putAlongRows(values: usize, indices: usize, rows: i32, depth: i32, out: usize, f32: bool): i32 {
  return f32 ? putAlongT<f32>(values, indices, rows, depth, out) : putAlongT<f64>(values, indices, rows, depth, out);
}

/** Rows zeroed at a time before their values are stored. */
const BLOCK = 64;

function putAlongT<T>(values: usize, indices: usize, rows: i32, depth: i32, out: usize): i32 {
  const size = sizeof<T>();
  const rowBytes = <usize>depth * size;
  // Blocks of BLOCK rows: zeroed, then their values stored while the block is in cache.
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = min(rows, r0 + BLOCK);
    memory.fill(out + <usize>r0 * rowBytes, 0, <usize>(r1 - r0) * rowBytes);
    for (let r = r0; r < r1; r++) {
      const index = load<i32>(indices + ((<usize>r) << 2));
      // One unsigned comparison: negative indices are huge as u32.
      if (<u32>index >= <u32>depth) return r;
      store<T>(out + <usize>r * rowBytes + <usize>index * size, load<T>(values + <usize>r * size));
    }
  }
  return -1;
}
