import type { TypedArray } from "../dtype.js";

/** out[r] = x[r, indices[r]] for x viewed as rows of `depth` values, rows [start, end). */
export function takeAlongImpl(
  x: TypedArray,
  depth: number,
  indices: Int32Array,
  out: TypedArray,
  start: number,
  end: number,
): void {
  for (let r = start; r < end; r++) out[r] = x[r * depth + indices[r]!]!;
}

/**
 * Rows [start, end) of out (rows of `depth` values): values[r] at column indices[r], 0 elsewhere.
 * The indices are checked in the same pass: returns -1 when every index of the range is in
 * [0, depth), else the first row whose index is not (rows from it on may be left unwritten; nothing
 * is written outside out's rows).
 */
export function putAlongImpl(
  values: TypedArray,
  depth: number,
  indices: Int32Array,
  out: TypedArray,
  start: number,
  end: number,
): number {
  out.fill(0, start * depth, end * depth);
  for (let r = start; r < end; r++) {
    const index = indices[r]!;
    if (!(index >= 0 && index < depth)) return r;
    out[r * depth + index] = values[r]!;
  }
  return -1;
}

/** The position of the first of `indices` outside [0, limit), or -1. */
export function firstIndexOutside(indices: Int32Array, limit: number): number {
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (v < 0 || v >= limit) return i;
  }
  return -1;
}
