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

/** Rows [start, end) of out (rows of `depth` values): values[r] at column indices[r], 0 elsewhere. */
export function putAlongImpl(
  values: TypedArray,
  depth: number,
  indices: Int32Array,
  out: TypedArray,
  start: number,
  end: number,
): void {
  out.fill(0, start * depth, end * depth);
  for (let r = start; r < end; r++) out[r * depth + indices[r]!] = values[r]!;
}
