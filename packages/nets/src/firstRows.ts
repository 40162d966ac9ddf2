import { checkTensor } from "@bp/layers";
import { ShapeError, ValueError, type Tensor } from "@bp/tensor";

/**
 * The first `n` rows of `x` (the book's `x_train[:300]`), as a new tensor; `x` itself (not a
 * copy) when it has `n` rows or fewer. Works for inputs and labels alike (any rank >= 1).
 */
export function firstRows(x: Tensor, n: number): Tensor {
  const op = "firstRows";
  checkTensor(op, "x", x);
  if (x.rank === 0) throw new ShapeError(op, "x must have at least one axis (rows), got a scalar");
  if (!Number.isInteger(n) || n < 0) throw new ValueError(op, `n must be an integer >= 0, got ${n}`);
  return n >= x.shape[0]! ? x : x.gather(Int32Array.from({ length: n }, (_, i) => i));
}
