import {
  BackendError,
  DTypeError,
  ShapeError,
  ValueError,
  formatShape,
  zeros,
  type Shape,
  type Tensor,
  checkOptions,
} from "@bp/tensor";
import { checkSameKind, checkTensor } from "./arguments.js";
import { fromForward } from "./cache.js";
import { checkSameShape } from "./gradientShape.js";
import type { ParameterLayer, StatefulLayer } from "./Layer.js";

/** The book's `10e-7` (that is, 1e-6) added to the variance before its square root. */
export const BATCH_NORM_EPS = 10e-7;

export interface BatchNormalizationOptions {
  /** Weight of the old running statistics in each update (default 0.9, as in the book). */
  momentum?: number;
  /** Initial running mean (default zeros of gamma's shape). Held, not copied. */
  runningMean?: Tensor;
  /** Initial running variance (default zeros of gamma's shape). Held, not copied. */
  runningVar?: Tensor;
}

/**
 * Batch normalization (book section 6.3, `common/layers.py`). With `train` (the default) each
 * column is normalised by its batch mean and variance, `xn = (x - μ) / sqrt(σ² + 1e-6)`, and the
 * running statistics move towards them: `runningMean = momentum · runningMean + (1 - momentum) · μ`
 * (the same for `runningVar`). With `train = false` the running statistics are used instead. The
 * output is `gamma · xn + beta`. An input with more than two axes (N x C x H x W) is flattened to N
 * rows first (gamma then has C·H·W entries), and the output and `dx` come back in its shape.
 *
 * `gamma` and `beta` are the parameters (`params`, gradients `dgamma`, `dbeta`); `runningMean` and
 * `runningVar` are untrained state (`state`), updated in place with `assign`, so the tensors in
 * `state` stay the ones the layer uses (and are saved with a net).
 */
export class BatchNormalization implements ParameterLayer, StatefulLayer {
  readonly gamma: Tensor;
  readonly beta: Tensor;
  readonly momentum: number;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  computeDx = true;
  /** The shape the input came in, restored on the output and `dx`. */
  inputShape: Shape | null = null;
  batchSize: number | null = null;
  /** `x - μ` of the last training forward. */
  xc: Tensor | null = null;
  /** The normalised input of the last training forward. */
  xn: Tensor | null = null;
  /** `sqrt(σ² + eps)` of the last training forward. */
  std: Tensor | null = null;
  dgamma: Tensor | null = null;
  dbeta: Tensor | null = null;

  constructor(gamma: Tensor, beta: Tensor, options: BatchNormalizationOptions = {}) {
    const op = "BatchNormalization";
    checkOptions(op, options, "options");
    checkTensor(op, "gamma", gamma);
    checkTensor(op, "beta", beta);
    for (const key of ["runningMean", "runningVar"] as const)
      if (options[key] !== undefined) checkTensor(op, key, options[key]);
    if (gamma.rank !== 1) throw new ShapeError(op, `gamma must be 1-d, got shape ${formatShape(gamma.shape)}`);
    const d = gamma.shape[0]!;
    const like = { dtype: gamma.dtype, backend: gamma.backend };
    const runningMean = options.runningMean ?? zeros([d], like);
    const runningVar = options.runningVar ?? zeros([d], like);
    for (const [name, t] of [
      ["beta", beta],
      ["runningMean", runningMean],
      ["runningVar", runningVar],
    ] as const) {
      if (t.rank !== 1 || t.shape[0] !== d)
        throw new ShapeError(op, `${name} must have shape [${d}] like gamma, got ${formatShape(t.shape)}`);
      checkSameKind(op, "gamma", gamma, name, t);
    }
    const momentum = options.momentum ?? 0.9;
    if (!(momentum >= 0 && momentum <= 1)) throw new ValueError(op, `momentum must be in [0, 1], got ${momentum}`);
    this.gamma = gamma;
    this.beta = beta;
    this.momentum = momentum;
    this.runningMean = runningMean;
    this.runningVar = runningVar;
  }

  get params(): { gamma: Tensor; beta: Tensor } {
    return { gamma: this.gamma, beta: this.beta };
  }

  /** `{ gamma: dgamma, beta: dbeta }` from the last `backward`. */
  get grads(): { gamma: Tensor; beta: Tensor } {
    const op = "BatchNormalization.grads";
    return { gamma: fromForward(this.dgamma, op, "dgamma"), beta: fromForward(this.dbeta, op, "dbeta") };
  }

  get state(): { runningMean: Tensor; runningVar: Tensor } {
    return { runningMean: this.runningMean, runningVar: this.runningVar };
  }

  forward(x: Tensor, train = true): Tensor {
    const op = "BatchNormalization.forward";
    checkTensor(op, "x", x);
    const d = this.gamma.shape[0]!;
    const rows = x.rank < 1 ? 0 : x.shape[0]!;
    if (x.rank < 2 || x.size !== rows * d) {
      throw new ShapeError(
        op,
        `x has shape ${formatShape(x.shape)} but gamma has ${d} entries: expected [N, ${d}] or [N, ...] with ${d} elements per row`,
      );
    }
    if (x.dtype !== this.gamma.dtype) throw new DTypeError(op, `x is ${x.dtype} but gamma is ${this.gamma.dtype}`);
    if (x.backend !== this.gamma.backend)
      throw new BackendError(op, `x lives on '${x.backend.name}' but gamma on '${this.gamma.backend.name}'`);
    if (train && rows === 0) throw new ValueError(op, "cannot normalise a batch of 0 rows in training mode");
    this.inputShape = x.shape;
    const x2 = x.reshape([rows, d]);
    let xn: Tensor;
    if (train) {
      const mu = x2.mean(0);
      const xc = x2.sub(mu);
      const variance = xc.square().mean(0);
      const std = variance.add(BATCH_NORM_EPS).sqrt();
      xn = xc.div(std);
      this.batchSize = rows;
      this.xc = xc;
      this.xn = xn;
      this.std = std;
      // The running statistics are updated in place: `state` hands out these very tensors.
      this.updateRunning(this.runningMean, mu);
      this.updateRunning(this.runningVar, variance);
    } else {
      xn = x2.sub(this.runningMean).div(this.runningVar.add(BATCH_NORM_EPS).sqrt());
      // A backward now would differentiate the training pass, not this one: make it throw.
      this.xc = this.xn = this.std = null;
      this.batchSize = null;
    }
    return xn.mul(this.gamma).add(this.beta).reshape(x.shape);
  }

  /** `running = momentum · running + (1 - momentum) · batch`, in place (`assign`). */
  private updateRunning(running: Tensor, batch: Tensor): void {
    running.assign(running.mul(this.momentum).add(batch.mul(1 - this.momentum)));
  }

  /** The book's backward through the normalisation (after a training forward). */
  backward(dout: Tensor): Tensor | null {
    const op = "BatchNormalization.backward";
    const inputShape = fromForward(this.inputShape, op, "inputShape");
    const xc = fromForward(this.xc, op, "xc (backward needs a forward with train = true)");
    const xn = fromForward(this.xn, op, "xn");
    const std = fromForward(this.std, op, "std");
    const n = fromForward(this.batchSize, op, "batchSize");
    checkSameShape(op, dout, inputShape, "the forward input");
    const d2 = dout.reshape(xc.shape);
    this.dbeta = d2.sum(0);
    this.dgamma = xn.mul(d2).sum(0);
    if (!this.computeDx) return null;
    const dxn = d2.mul(this.gamma);
    const dstd = dxn.mul(xc).div(std.mul(std)).sum(0).neg(); // -Σ_rows (dxn · xc) / std²
    const dvar = dstd.mul(0.5).div(std); // 0.5 · dstd / std
    const dxc = dxn.div(std).add(xc.mul(2 / n).mul(dvar)); // dxn / std + (2 / n) · xc · dvar
    const dx = dxc.sub(dxc.sum(0).div(n)); // dxc - Σ_rows dxc / n
    return dx.reshape(inputShape);
  }
}
