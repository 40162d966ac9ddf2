import type { TypedArray } from "../dtype.js";

/** out = x with its axes permuted by perm (out.shape[i] = shape[perm[i]]), flat elements [start, end). */
export function transposeImpl(
  x: TypedArray,
  shape: readonly number[],
  perm: readonly number[],
  out: TypedArray,
  start: number,
  end: number,
): void {
  if (end <= start) return;
  const c = collapseTranspose(shape, perm);
  const rank = c.shape.length;
  if (rank <= 1) {
    for (let i = start; i < end; i++) out[i] = x[i]!;
    return;
  }
  const batched = batchedDims(c);
  if (batched !== null) {
    batchedTransposeImpl(x, batched[1], batched[2], out, start, end);
    return;
  }
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    inStrides[d] = s;
    s *= c.shape[d]!;
  }
  const outShape = c.perm.map((p) => c.shape[p]!);
  const srcStride = c.perm.map((p) => inStrides[p]!);
  // Walk the output in runs along its last axis; the multi-index is carried like an odometer, so
  // only the first element of the range needs divisions.
  const idx = new Array<number>(rank);
  let src = 0;
  let rem = start;
  for (let d = rank - 1; d >= 0; d--) {
    const dim = outShape[d]!;
    idx[d] = rem % dim;
    rem = (rem - idx[d]!) / dim;
    src += idx[d]! * srcStride[d]!;
  }
  const last = rank - 1;
  const lastDim = outShape[last]!;
  const lastStride = srcStride[last]!;
  let i = start;
  while (i < end) {
    const len = Math.min(lastDim - idx[last]!, end - i);
    let k = src;
    for (let j = 0; j < len; j++, k += lastStride) out[i + j] = x[k]!;
    i += len;
    src += len * lastStride;
    idx[last]! += len;
    if (idx[last] === lastDim) {
      idx[last] = 0;
      src -= lastDim * lastStride;
      for (let d = last - 1; d >= 0; d--) {
        idx[d]!++;
        src += srcStride[d]!;
        if (idx[d]! < outShape[d]!) break;
        idx[d] = 0;
        src -= outShape[d]! * srcStride[d]!;
      }
    }
  }
}

/** Output rows a tile of `batchedTransposeImpl` writes at once (reading TILE contiguous inputs). */
const TILE = 16;

/**
 * out[b, c, r] = x[b, r, c] for x of shape [batches, rows, cols] (any number of batches), flat output
 * elements [start, end).
 * Whole tiles of TILE output rows are copied by reading each input row's TILE contiguous values once
 * (both sides stay in cache); partial rows at the ends of the range, and the last columns when cols
 * is not a multiple of TILE, are copied one output row at a time.
 */
function batchedTransposeImpl(
  x: TypedArray,
  rows: number,
  cols: number,
  out: TypedArray,
  start: number,
  end: number,
): void {
  let i = start;
  while (i < end) {
    const row = Math.floor(i / rows); // output row: batch * cols + col
    const r0 = i - row * rows;
    const b = Math.floor(row / cols);
    const c = row - b * cols;
    const xb = b * rows * cols;
    if (r0 === 0 && c + TILE <= cols && end - i >= TILE * rows) {
      for (let r = 0; r < rows; r++) {
        const src = xb + r * cols + c;
        let dst = i + r;
        for (let t = 0; t < TILE; t++, dst += rows) out[dst] = x[src + t]!;
      }
      i += TILE * rows;
      continue;
    }
    const len = Math.min(rows - r0, end - i);
    let src = xb + r0 * cols + c;
    for (let j = 0; j < len; j++, src += cols) out[i + j] = x[src]!;
    i += len;
  }
}

/**
 * [batches, rows, cols] when permuting x's axes by `perm` is a batched matrix transpose,
 * out[b, c, r] = x[b, r, c] (after merging axes that stay together, e.g. [N, H, W, C] -> [N, C, H, W]
 * is [N, H*W, C] -> [N, C, H*W]); null for any other permutation (and for none at all).
 */
export function batchedTransposeDims(
  shape: readonly number[],
  perm: readonly number[],
): [number, number, number] | null {
  return batchedDims(collapseTranspose(shape, perm));
}

function batchedDims(c: { shape: number[]; perm: number[] }): [number, number, number] | null {
  if (c.shape.length === 2) return [1, c.shape[0]!, c.shape[1]!];
  if (c.shape.length === 3 && c.perm[0] === 0 && c.perm[1] === 2) return [c.shape[0]!, c.shape[1]!, c.shape[2]!];
  return null;
}

/**
 * The same transpose on fewer axes: axes of length 1 dropped, and input axes that stay next to each
 * other in the same order merged (a [N, H, W, C] -> [N, C, H, W] transpose is [N, H*W, C] -> [N, C, H*W]).
 */
function collapseTranspose(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  // The remaining axes, renumbered 0, 1, ... in input order.
  const kept = perm.filter((p) => shape[p] !== 1);
  const inputOrder = [...kept].sort((a, b) => a - b);
  const dims = inputOrder.map((p) => shape[p]!);
  const groups: number[][] = [];
  for (const p of kept.map((q) => inputOrder.indexOf(q))) {
    const g = groups[groups.length - 1];
    if (g !== undefined && g[g.length - 1]! + 1 === p) g.push(p);
    else groups.push([p]);
  }
  // Input order of the groups gives the collapsed input shape; their output order gives the perm.
  const byInput = [...groups].sort((a, b) => a[0]! - b[0]!);
  const cshape = byInput.map((g) => g.reduce((n, p) => n * dims[p]!, 1));
  const cperm = groups.map((g) => byInput.indexOf(g));
  return { shape: cshape, perm: cperm };
}

/** From this many elements per row, gather copies each row with one `set` (a memory copy): 4x the
 * element loop on 784-value MNIST rows; shorter rows keep the loop (no view object per row). */
const GATHER_SET_MIN_ROW = 32;

/** out row r = x row indices[r], each row `rowSize` elements long, for output rows [start, end).
 * x and out have the same element type, so a row copy is exact either way. */
export function gatherRowsImpl(
  x: TypedArray,
  rowSize: number,
  indices: Int32Array,
  out: TypedArray,
  start: number,
  end: number,
): void {
  if (rowSize >= GATHER_SET_MIN_ROW) {
    for (let r = start; r < end; r++) {
      const src = indices[r]! * rowSize;
      out.set(x.subarray(src, src + rowSize), r * rowSize);
    }
    return;
  }
  for (let r = start; r < end; r++) {
    const src = indices[r]! * rowSize;
    const dst = r * rowSize;
    for (let j = 0; j < rowSize; j++) out[dst + j] = x[src + j]!;
  }
}

/** out row r = one-hot of indices[r] over `depth` classes, for rows [start, end). */
export function oneHotImpl(indices: Int32Array, depth: number, out: TypedArray, start: number, end: number): void {
  out.fill(0, start * depth, end * depth);
  for (let r = start; r < end; r++) out[r * depth + indices[r]!] = 1;
}
