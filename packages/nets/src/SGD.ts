import { type Tensor, checkOptions } from "@bp/tensor";
import { checkRate, disposeAll, gradOf, type Optimizer } from "./Optimizer.js";

export interface SGDOptions {
  /** Learning rate (default 0.01, as in the book's `common/optimizer.py`). */
  lr?: number;
}

/**
 * Stochastic gradient descent (book section 6.1.2): `params[key] -= lr * grads[key]`, written in
 * place into each parameter tensor with `assign`, so layers that hold these tensors see the new
 * values.
 */
export class SGD implements Optimizer {
  readonly lr: number;

  constructor(options: SGDOptions = {}) {
    checkOptions("SGD", options, "options");
    this.lr = checkRate("SGD", "lr", options.lr ?? 0.01);
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    for (const [key, p] of Object.entries(params)) {
      const step = gradOf("SGD.update", grads, key).mul(this.lr);
      const next = p.sub(step);
      p.assign(next);
      disposeAll(step, next);
    }
  }
}
