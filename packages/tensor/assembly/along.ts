// putAlongLastAxis (src/kernels/alongAxis.ts, putAlongImpl) in WebAssembly, with the same bits: it
// only copies values and writes zeros. Pooling's backward routes each window's gradient to the
// position of its maximum with it. Pointers are byte offsets.

import { FILL_BYTES, zeroPiece } from "./fill";

/**
 * Rows [0, rows) of `depth` values at out: zeros, but out[r * depth + indices[r]] = values[r].
 * values and out hold float64 or (f32) float32 values. The indices are checked here, in the same
 * pass (Tensor.putAlongLastAxis does not scan them first): returns -1 when every index is an int32
 * in [0, depth), else the first row r whose index is not, having written nothing outside out's rows
 * (rows from r on may be left unwritten: the op then throws and nobody sees out).
 */
export function putAlongRows(values: usize, indices: usize, rows: i32, depth: i32, out: usize, f32: bool): i32 {
  if (depth === 4) return f32 ? putAlong4x32(values, indices, rows, out) : putAlong4x64(values, indices, rows, out);
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

// Rows of four (2x2 pooling windows) are written whole, in one pass with vector stores: a row is its
// value where the lane's position equals the row's index and +0 elsewhere (`v128.and` of the value
// with the lane mask `index == position`): the same bits as zeroing the row and storing the value.
// Out is zeroed FILL_BYTES ahead of the stores (assembly/fill.ts; the check rides on the loop's row
// count instead of `fillTo`'s address test, 1-4 % faster here): when out is not in cache
// (Pooling's backward in a training step) it is written about 30% faster (float32 [432000, 4]: 0.37
// ms instead of 0.52; float64 0.66 instead of 1.0); with out in cache the fill costs about 0.1 ms.
// Measured and not kept (float32, layout-ops --cold --warm and the SimpleConvNet step's profile, both
// modules in one process): eight rows a pass (one index check for both fours), in cache 0.357 ->
// 0.295 ms, with its input in cache 0.505 -> 0.475, in the step 0.406 -> 0.400 (100 rounds of 3
// steps, medians: no faster); each row's value and index splat by `load32_splat` instead of lane
// shuffles (no faster anywhere: the shuffles are not what limits it); zeroing pieces of out and
// storing only each row's value, as putAlongT does, 22 % slower in cache, 4-8 % out of it.

/** putAlongRows for rows of four float32 values: four rows (four indices, four values, four row
 * vectors) at a time. */
function putAlong4x32(values: usize, indices: usize, rows: i32, out: usize): i32 {
  const position = i32x4(0, 1, 2, 3);
  const fillRows = <i32>(FILL_BYTES >> 4);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    if ((r & (fillRows - 1)) === 0) zeroPiece(out + ((<usize>r) << 4), rows - r, 4);
    const k = v128.load(indices + ((<usize>r) << 2));
    // Any index with a bit outside 0..3 (negative ones included): the rows one by one, to find it.
    if (v128.any_true(v128.and(k, i32x4.splat(~3)))) break;
    const v = v128.load(values + ((<usize>r) << 2));
    const o = out + ((<usize>r) << 4);
    v128.store(o, v128.and(i32x4.shuffle(v, v, 0, 0, 0, 0), i32x4.eq(i32x4.shuffle(k, k, 0, 0, 0, 0), position)));
    v128.store(o, v128.and(i32x4.shuffle(v, v, 1, 1, 1, 1), i32x4.eq(i32x4.shuffle(k, k, 1, 1, 1, 1), position)), 16);
    v128.store(o, v128.and(i32x4.shuffle(v, v, 2, 2, 2, 2), i32x4.eq(i32x4.shuffle(k, k, 2, 2, 2, 2), position)), 32);
    v128.store(o, v128.and(i32x4.shuffle(v, v, 3, 3, 3, 3), i32x4.eq(i32x4.shuffle(k, k, 3, 3, 3, 3), position)), 48);
  }
  for (; r < rows; r++) {
    const index = load<i32>(indices + ((<usize>r) << 2));
    if (<u32>index >= 4) return r;
    const v = v128.load32_splat(values + ((<usize>r) << 2));
    v128.store(out + ((<usize>r) << 4), v128.and(v, i32x4.eq(i32x4.splat(index), position)));
  }
  return -1;
}

/** putAlongRows for rows of four float64 values: four rows at a time, each row two vectors, masked
 * by positions (0, 1) and (2, 3) (as 32-bit lanes (0, 0, 1, 1) and (2, 2, 3, 3): both halves of a
 * 64-bit lane match). */
function putAlong4x64(values: usize, indices: usize, rows: i32, out: usize): i32 {
  const low = i32x4(0, 0, 1, 1);
  const high = i32x4(2, 2, 3, 3);
  const fillRows = <i32>(FILL_BYTES >> 5);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    if ((r & (fillRows - 1)) === 0) zeroPiece(out + ((<usize>r) << 5), rows - r, 5);
    const k = v128.load(indices + ((<usize>r) << 2));
    if (v128.any_true(v128.and(k, i32x4.splat(~3)))) break;
    const v01 = v128.load(values + ((<usize>r) << 3));
    const v23 = v128.load(values + ((<usize>r) << 3), 16);
    const o = out + ((<usize>r) << 5);
    row64(o, i64x2.shuffle(v01, v01, 0, 0), i32x4.shuffle(k, k, 0, 0, 0, 0), low, high);
    row64(o + 32, i64x2.shuffle(v01, v01, 1, 1), i32x4.shuffle(k, k, 1, 1, 1, 1), low, high);
    row64(o + 64, i64x2.shuffle(v23, v23, 0, 0), i32x4.shuffle(k, k, 2, 2, 2, 2), low, high);
    row64(o + 96, i64x2.shuffle(v23, v23, 1, 1), i32x4.shuffle(k, k, 3, 3, 3, 3), low, high);
  }
  for (; r < rows; r++) {
    const index = load<i32>(indices + ((<usize>r) << 2));
    if (<u32>index >= 4) return r;
    row64(out + ((<usize>r) << 5), v128.load64_splat(values + ((<usize>r) << 3)), i32x4.splat(index), low, high);
  }
  return -1;
}

/** Row o (float64) of value v at the position whose 32-bit lanes k matches in low or high. */
function row64(o: usize, v: v128, k: v128, low: v128, high: v128): void {
  v128.store(o, v128.and(v, i32x4.eq(k, low)));
  v128.store(o, v128.and(v, i32x4.eq(k, high)), 16);
}
