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
  const rank = shape.length;
  if (rank === 2 && perm[0] === 1) {
    const rows = shape[0]!;
    const cols = shape[1]!; // out is cols x rows: out row r is x column r
    let i = start;
    while (i < end) {
      const r = Math.floor(i / rows);
      const c = i - r * rows;
      const len = Math.min(rows - c, end - i);
      let src = c * cols + r;
      for (let j = 0; j < len; j++, src += cols) out[i + j] = x[src]!;
      i += len;
    }
    return;
  }
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    inStrides[d] = s;
    s *= shape[d]!;
  }
  const outShape = perm.map((p) => shape[p]!);
  const srcStride = perm.map((p) => inStrides[p]!);
  for (let i = start; i < end; i++) {
    let rem = i;
    let src = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const dim = outShape[d]!;
      const idx = rem % dim;
      rem = (rem - idx) / dim;
      src += idx * srcStride[d]!;
    }
    out[i] = x[src]!;
  }
}

/** out row r = x row indices[r], each row `rowSize` elements long, for output rows [start, end). */
export function gatherRowsImpl(
  x: TypedArray,
  rowSize: number,
  indices: Int32Array,
  out: TypedArray,
  start: number,
  end: number,
): void {
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
