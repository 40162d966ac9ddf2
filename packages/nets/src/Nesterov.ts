import type { Tensor } from "@bp/tensor";
import type { MomentumOptions } from "./Momentum.js";
import { checkRate, gradOf, slot, type Optimizer } from "./SGD.js";

/**
 * Nesterov's accelerated gradient as the book writes it (`common/optimizer.py`):
 * `v = momentum * v - lr * grad; param += momentum² * v - (1 + momentum) * lr * grad`. Defaults lr
 * 0.01, momentum 0.9.
 */
export class Nesterov implements Optimizer {
  readonly lr: number;
  readonly momentum: number;
  /** Velocities by parameter name, created on the first update. */
  readonly v = new Map<string, Tensor>();

  constructor(options: MomentumOptions = {}) {
    this.lr = checkRate("Nesterov", "lr", options.lr ?? 0.01);
    this.momentum = checkRate("Nesterov", "momentum", options.momentum ?? 0.9);
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    const m = this.momentum;
    for (const [key, p] of Object.entries(params)) {
      const g = gradOf("Nesterov.update", grads, key);
      const v = slot(this.v, key, p).mul(m).sub(g.mul(this.lr));
      this.v.set(key, v);
      p.assign(p.add(v.mul(m * m)).sub(g.mul((1 + m) * this.lr)));
    }
  }
}
