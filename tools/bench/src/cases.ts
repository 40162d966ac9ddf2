// The benchmark cases: the matrix products of the book's 784-50-10 network trained on minibatches
// of 100 (forward x @ W1, backward dW1 = x^T @ dout both as a plain product of a stored transpose
// and with transposeA, a whole 10000-image test pass) and two square sizes.
import type { MatmulCase } from "./target.js";

export interface NamedMatmulCase extends MatmulCase {
  /** How the row names the shape, e.g. "784x100 @ 100x50 (transposeA)". */
  shape: string;
  /** Left out of --quick runs (slow baselines). */
  slow?: boolean;
}

function mm(m: number, k: number, n: number, transposeA = false, slow = false): NamedMatmulCase {
  const shape = `${m}x${k} @ ${k}x${n}${transposeA ? " (transposeA)" : ""}`;
  return { m, k, n, transposeA, transposeB: false, shape, slow };
}

export const MATMUL_CASES: readonly NamedMatmulCase[] = [
  mm(100, 784, 50),
  mm(784, 100, 50),
  mm(784, 100, 50, true),
  mm(10000, 784, 50, false, true),
  mm(512, 512, 512),
  mm(1024, 1024, 1024, false, true),
];

/** Floating-point operations of one product (a multiply and an add per term). */
export function matmulFlops(c: MatmulCase): number {
  return 2 * c.m * c.n * c.k;
}
