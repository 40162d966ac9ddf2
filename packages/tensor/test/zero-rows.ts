// Operands with zeros where a convolution's weight gradient doutᵀ · col has them, for the tests of
// the products that leave out zero steps (wasm-matmul-steps, worker-chunks).
import { sampleValues } from "./reference/float64.js";

/** rows x cols values; each row all zero (+0 and -0 mixed) with probability `zeroRows`, else each
 * value zero with probability `zeros`. */
export function rowsWithZeros(rows: number, cols: number, seed: number, zeroRows: number, zeros: number): number[] {
  const u = sampleValues(rows * cols, seed + 5, 0, 1);
  const r = sampleValues(rows, seed + 9, 0, 1);
  return sampleValues(rows * cols, seed).map((v, i) => {
    const zero = r[Math.floor(i / cols)]! < zeroRows || u[i]! < zeros;
    return zero ? (i % 3 === 0 ? -0 : 0) : v;
  });
}
