import { DTypeError, IndexError, ShapeError, ValueError, formatShape, isFloatDType, type Tensor } from "@bp/tensor";
import { checkTensor } from "./arguments.js";

/**
 * Softmax over the last axis (book section 3.5, `common/functions.py`), for 1-d and 2-d (and
 * higher) inputs. The row maximum is subtracted first, so large scores do not overflow `exp`.
 */
export function softmax(x: Tensor): Tensor {
  checkTensor("softmax", "x", x);
  if (x.rank === 0) throw new ShapeError("softmax", "needs at least one axis, got a scalar");
  if (!isFloatDType(x.dtype))
    throw new DTypeError("softmax", `needs float32 or float64 scores, got ${x.dtype} ${formatShape(x.shape)}`);
  const e = x.sub(x.max(-1, true)).exp();
  return e.div(e.sum(-1, true));
}

/** The small constant the book adds inside the log, so that log(0) never happens. */
export const CROSS_ENTROPY_DELTA = 1e-7;

/**
 * Cross-entropy error averaged over the batch (book section 4.2, `common/functions.py`):
 * `-Σ log(y[i, t_i] + 1e-7) / N`.
 *
 * - `y`: probabilities, `[N, C]` (or `[C]` for one sample), N >= 1 (the mean of 0 rows would be
 *   NaN, so 0 rows is a ValueError).
 * - `t`: class indices (an int32 tensor `[N]`, or `[]`/`[1]` for one sample), or one-hot labels
 *   of `y`'s size (as in the book, a float label row is read as the class at its maximum).
 */
export function crossEntropyError(y: Tensor, t: Tensor): number {
  const op = "crossEntropyError";
  checkTensor(op, "y", y);
  checkTensor(op, "t", t);
  if (y.rank !== 1 && y.rank !== 2) throw new ShapeError(op, `y must be [N, C] or [C], got ${formatShape(y.shape)}`);
  const y2 = y.rank === 1 ? y.reshape([1, y.size]) : y;
  const [n, c] = y2.shape as [number, number];
  checkRows(op, "y", y);
  const labels = classIndices(op, t, n, c, y.shape);
  const picked = new Int32Array(n);
  for (let i = 0; i < n; i++) picked[i] = i * c + labels[i]!;
  // y[i, t_i] for each row i, read from y's flat storage.
  const p = y2.reshape([n * c]).gather(picked);
  return -p.add(CROSS_ENTROPY_DELTA).log().sum().item() / n;
}

/**
 * The class index of each of `n` rows from labels `t`: int32 indices (checked to lie in [0, c)),
 * or one-hot rows of the scores' size (read by argmax, like the book).
 */
export function classIndices(op: string, t: Tensor, n: number, c: number, yShape: readonly number[]): Int32Array {
  if (t.dtype === "int32") {
    if (t.size !== n || t.rank > 1) {
      throw new ShapeError(
        op,
        `class-index labels t must have shape [${n}] for scores of shape ${formatShape(yShape)}, got ${formatShape(t.shape)}`,
      );
    }
    for (let i = 0; i < n; i++) {
      const v = t.data[i]!;
      if (v < 0 || v >= c) throw new IndexError(op, `label ${v} at position ${i} is not a class index in [0, ${c})`);
    }
    return Int32Array.from(t.data);
  }
  if (t.size !== n * c) {
    throw new ShapeError(
      op,
      `one-hot labels t must have the shape of the scores ${formatShape(yShape)}, got ${formatShape(t.shape)} (or pass int32 class indices of shape [${n}])`,
    );
  }
  return Int32Array.from(t.reshape([n, c]).argmax(1).data);
}

/** Refuses a batch of 0 rows (its mean loss would be 0 / 0 = NaN), naming the op and the shape. */
export function checkRows(op: string, name: string, x: Tensor): void {
  if (x.rank > 1 && x.shape[0] === 0)
    throw new ValueError(op, `${name} has 0 rows (shape ${formatShape(x.shape)}); expected at least one`);
}
