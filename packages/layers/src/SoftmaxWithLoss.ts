import { ShapeError, ValueError, formatShape, type Tensor } from "@bp/tensor";
import { checkTensor } from "./arguments.js";
import { fromForward } from "./cache.js";
import { checkRows, crossEntropyError, softmax } from "./functions.js";
import type { LossLayer } from "./Layer.js";

/**
 * Softmax followed by the cross-entropy error (book section 5.6.3). `forward(x, t)` returns the
 * batch-mean loss; `backward(dout = 1)` returns `(y - t) / N · dout`, where `t` is one-hot (int32
 * class indices are expanded to one-hot rows).
 */
export class SoftmaxWithLoss implements LossLayer {
  loss: number | null = null;
  /** The softmax output. */
  y: Tensor | null = null;
  /** The labels: int32 class indices or one-hot rows. */
  t: Tensor | null = null;

  forward(x: Tensor, t: Tensor): number {
    checkTensor("SoftmaxWithLoss.forward", "x (scores)", x);
    checkTensor("SoftmaxWithLoss.forward", "t (labels)", t);
    if (x.rank !== 1 && x.rank !== 2)
      throw new ShapeError("SoftmaxWithLoss.forward", `x must be [N, C] or [C], got ${formatShape(x.shape)}`);
    checkRows("SoftmaxWithLoss.forward", "x", x);
    this.t = t;
    this.y = softmax(x);
    this.loss = crossEntropyError(this.y, t);
    return this.loss;
  }

  backward(dout = 1): Tensor {
    const y = fromForward(this.y, "SoftmaxWithLoss.backward", "y");
    const t = fromForward(this.t, "SoftmaxWithLoss.backward", "t");
    if (typeof dout !== "number" || !Number.isFinite(dout))
      throw new ValueError("SoftmaxWithLoss.backward", `dout must be a finite number (default 1), got ${String(dout)}`);
    const batchSize = y.rank === 1 ? 1 : y.shape[0]!;
    const c = y.shape[y.rank - 1]!;
    // int32 class indices become one-hot rows of y's dtype.
    const target =
      t.dtype === "int32" ? t.reshape([batchSize]).oneHot(c, y.dtype === "float32" ? "float32" : "float64") : t;
    const dx = y.sub(target.reshape(y.shape)).div(batchSize);
    return dout === 1 ? dx : dx.mul(dout);
  }
}
