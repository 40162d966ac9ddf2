// The benchmark cases: the matrix products of the book's 784-50-10 network trained on minibatches
// of 100 (forward x @ W1, backward dW1 = x^T @ dout both as a plain product of a stored transpose
// and with transposeA, a whole 10000-image test pass) and two square sizes, all on standard normal
// values; then the book's products again with real MNIST images as A, as in training (the wasm
// kernel skips A's zeros, which changes no bit, so these rows show what that gains on real data).
import { loadMnist } from "@bp/data";
import { randn, type DType } from "@bp/tensor";
import type { MatmulCase } from "./target.js";

export interface NamedMatmulCase extends MatmulCase {
  /** How the row names the shape, e.g. "784x100 @ 100x50 (transposeA)". */
  shape: string;
  /** Left out of --quick runs (slow baselines). */
  slow?: boolean;
}

function mm(m: number, k: number, n: number, transposeA = false, slow = false, mnistA = false): NamedMatmulCase {
  const shape = `${m}x${k} @ ${k}x${n}${transposeA ? " (transposeA)" : ""}${mnistA ? ", A: MNIST" : ""}`;
  return { m, k, n, transposeA, transposeB: false, shape, slow, mnistA };
}

export const MATMUL_CASES: readonly NamedMatmulCase[] = [
  mm(100, 784, 50),
  mm(784, 100, 50),
  mm(784, 100, 50, true),
  mm(10000, 784, 50, false, true),
  mm(512, 512, 512),
  mm(1024, 1024, 1024, false, true),
  mm(100, 784, 50, false, false, true),
  mm(784, 100, 50, true, false, true),
  mm(10000, 784, 50, false, true, true),
];

let mnistPixels: Float64Array | null = null;

/** The values of A for a case (as stored: k x m when transposeA): MNIST training images in order,
 * pixels / 255, for `mnistA` cases; else standard normal values from seed 1. */
export function matmulOperandA(c: MatmulCase, dtype: DType): Float64Array | Float32Array {
  const shape = c.transposeA ? [c.k, c.m] : [c.m, c.k];
  if (!c.mnistA) return randn(shape, { seed: 1, dtype }).data as Float64Array | Float32Array;
  mnistPixels ??= loadMnist({ normalize: true, flatten: true }).xTrain.data as Float64Array;
  const values = mnistPixels.subarray(0, shape[0]! * shape[1]!);
  return dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values);
}

/** The values of B for a case: standard normal values from seed 2. */
export function matmulOperandB(c: MatmulCase, dtype: DType): Float64Array | Float32Array {
  return randn(c.transposeB ? [c.n, c.k] : [c.k, c.n], { seed: 2, dtype }).data as Float64Array | Float32Array;
}

/** Floating-point operations of one product (a multiply and an add per term). */
export function matmulFlops(c: MatmulCase): number {
  return 2 * c.m * c.n * c.k;
}
