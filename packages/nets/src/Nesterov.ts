import { type Tensor, checkOptions } from "@bp/tensor";
import type { MomentumOptions } from "./Momentum.js";
import { checkRate, disposeAll, gradOf, slot, type Optimizer } from "./Optimizer.js";

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
    checkOptions("Nesterov", options, "options");
    this.lr = checkRate("Nesterov", "lr", options.lr ?? 0.01);
    this.momentum = checkRate("Nesterov", "momentum", options.momentum ?? 0.9);
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    const m = this.momentum;
    for (const [key, p] of Object.entries(params)) {
      const g = gradOf("Nesterov.update", grads, key);
      const v0 = slot(this.v, key, p);
      const kept = v0.mul(m);
      const step = g.mul(this.lr);
      const v = kept.sub(step);
      this.v.set(key, v);
      const ahead = v.mul(m * m);
      const moved = p.add(ahead);
      const correction = g.mul((1 + m) * this.lr);
      const next = moved.sub(correction);
      p.assign(next);
      disposeAll(v0, kept, step, ahead, moved, correction, next);
    }
  }
}
