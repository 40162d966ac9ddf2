import { type Tensor, checkOptions, fusedFunction } from "@bp/tensor";
import type { MomentumOptions } from "./Momentum.js";
import { checkRate, gradOf, slot, type Optimizer } from "./Optimizer.js";

/**
 * Nesterov's accelerated gradient as the book writes it (`common/optimizer.py`):
 * `v = momentum * v - lr * grad; param += momentum² * v - (1 + momentum) * lr * grad`. Defaults lr
 * 0.01, momentum 0.9. One `fused` pass per parameter (the same bits as the ops one by one).
 */
export class Nesterov implements Optimizer {
  readonly lr: number;
  readonly momentum: number;
  /** Velocities by parameter name, created on the first update. */
  readonly v = new Map<string, Tensor>();

  constructor(options: MomentumOptions = {}) {
    checkOptions("Nesterov", options, "options");
    this.lr = checkRate("Nesterov", "lr", options.lr ?? 0.01);
    this.momentum = checkRate("Nesterov", "momentum", options.momentum ?? 0.9);
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    const m = this.momentum;
    const step = fusedFunction((p, g, v) => {
      v.assign(v.mul(m).sub(g.mul(this.lr))); // v = momentum * v - lr * grad
      // param += momentum² * v; param -= (1 + momentum) * lr * grad
      p.assign(p.add(v.mul(m * m)).sub(g.mul((1 + m) * this.lr)));
    });
    for (const [key, param] of Object.entries(params)) {
      const v = slot(this.v, key, param);
      step(param, gradOf("Nesterov.update", grads, key), v);
      this.v.set(key, v);
    }
  }
}
