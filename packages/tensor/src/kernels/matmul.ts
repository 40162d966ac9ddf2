import type { FloatArray } from "../dtype.js";

/**
 * out = op(A) @ op(B) for output rows [rowStart, rowEnd), where op(A) is m x k and op(B) is k x n.
 * With transA, A is stored k x m (row-major) and read transposed in place; likewise transB (n x k).
 * out is m x n, row-major, and is overwritten.
 *
 * Each output element is accumulated over k in the same order whatever the row range, so splitting
 * rows between threads gives bitwise identical results.
 */
export function matmulImpl(
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  rowStart: number,
  rowEnd: number,
): void {
  void m;
  const aRow = transA ? 1 : k; // stride between rows of op(A)
  const aCol = transA ? m : 1; // stride between columns of op(A)
  const bRow = transB ? 1 : n;
  const bCol = transB ? k : 1;
  for (let i = rowStart; i < rowEnd; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * aRow + p * aCol]! * b[p * bRow + j * bCol]!;
      out[i * n + j] = s;
    }
  }
}
