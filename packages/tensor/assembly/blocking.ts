// The k blocking both matrix products share (matmul.ts for float64, matmul32.ts for float32). The
// blocking changes no bit: each output element's running sum is carried from one k block to the
// next in scratch of its own type. Also the test of B's finiteness that both run only when a sparse
// path needs it (a zero of A is left out only where the B value it meets is finite).

import { firstNonFinite } from "./reduce";

/** Upper bound of the k block; the actual block is k split into equal parts (depends on k only). */
export const KC: i32 = 256;

/** x rounded up to a multiple of `to`. */
export function roundUp(x: i32, to: i32): i32 {
  return ((x + to - 1) / to) * to;
}

/** The k block for a product of inner size k: k split into equal parts of at most KC. */
export function kBlock(k: i32): i32 {
  if (k <= 0) return 1;
  const blocks = (k + KC - 1) / KC;
  return (k + blocks - 1) / blocks;
}

/** B's finiteness not yet tested (else 1: all finite, 0: not). */
export const FINITE_UNKNOWN: i32 = -1;

/** `state` if B was tested, else whether all `len` values of type T (f64 or f32) at p are finite (1
 * or 0). */
export function finiteOnce<T>(state: i32, p: usize, len: i32): i32 {
  return state !== FINITE_UNKNOWN ? state : <i32>(firstNonFinite(p, len, sizeof<T>() === 4) < 0);
}
