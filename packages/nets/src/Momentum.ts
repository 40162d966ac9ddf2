import { type Tensor, checkOptions } from "@bp/tensor";
import { checkRate, disposeAll, gradOf, slot, type Optimizer } from "./Optimizer.js";

export interface MomentumOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** Momentum coefficient (default 0.9). */
  momentum?: number;
}

/**
 * Momentum SGD (book section 6.1.4): `v = momentum * v - lr * grad; param += v`, with one
 * velocity per parameter name, starting at zero. Parameters are updated in place with `assign`.
 */
export class Momentum implements Optimizer {
  readonly lr: number;
  readonly momentum: number;
  /** Velocities by parameter name, created on the first update. */
  readonly v = new Map<string, Tensor>();

  constructor(options: MomentumOptions = {}) {
    checkOptions("Momentum", options, "options");
    this.lr = checkRate("Momentum", "lr", options.lr ?? 0.01);
    this.momentum = checkRate("Momentum", "momentum", options.momentum ?? 0.9);
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    for (const [key, p] of Object.entries(params)) {
      const g = gradOf("Momentum.update", grads, key);
      const v0 = slot(this.v, key, p);
      const kept = v0.mul(this.momentum);
      const step = g.mul(this.lr);
      const v = kept.sub(step);
      this.v.set(key, v);
      const next = p.add(v);
      p.assign(next);
      disposeAll(v0, kept, step, next);
    }
  }
}
