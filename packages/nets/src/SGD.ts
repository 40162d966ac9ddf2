import { type Tensor, checkOptions, fusedFunction } from "@bp/tensor";
import { checkRate, gradOf, type Optimizer } from "./Optimizer.js";

export interface SGDOptions {
  /** Learning rate (default 0.01, as in the book's `common/optimizer.py`). */
  lr?: number;
}

/**
 * Stochastic gradient descent (book section 6.1.2): `params[key] -= lr * grads[key]`, written in
 * place into each parameter tensor with `assign`, so layers that hold these tensors see the new
 * values. The update is one `fused` pass over the parameter and its gradient (the same bits as
 * `p.assign(p.sub(g.mul(lr)))` op by op).
 */
export class SGD implements Optimizer {
  readonly lr: number;

  constructor(options: SGDOptions = {}) {
    checkOptions("SGD", options, "options");
    this.lr = checkRate("SGD", "lr", options.lr ?? 0.01);
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    const step = fusedFunction((p, g) => {
      p.assign(p.sub(g.mul(this.lr))); // params[key] -= lr * grads[key]
    });
    for (const [key, param] of Object.entries(params)) step(param, gradOf("SGD.update", grads, key));
  }
}
