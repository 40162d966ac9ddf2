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
    // The previous y was this layer's own cache (nobody else was given it): its storage serves the
    // softmax below (Tensor.dispose). Reading it after the next forward is a ValueError.
    this.y?.dispose();
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
    let target: Tensor;
    if (t.dtype === "int32") {
      const labels = t.rank === 1 ? t : t.reshape([batchSize]);
      const hot = labels.oneHot(c, y.dtype === "float32" ? "float32" : "float64");
      if (labels !== t) labels.dispose();
      target = y.rank === 2 ? hot : hot.reshape(y.shape);
      if (target !== hot) hot.dispose();
    } else target = t.reshape(y.shape);
    const diff = y.sub(target);
    const dx = diff.div(batchSize);
    // Temporaries (Tensor.dispose): the one-hot rows, or a view of t (disposing a view leaves t alone).
    diff.dispose();
    target.dispose();
    if (dout === 1) return dx;
    const scaled = dx.mul(dout);
    dx.dispose();
    return scaled;
  }
}
