import { type Tensor, checkOptions, fusedFunction } from "@bp/tensor";
import { checkRate, gradOf, slot, type Optimizer } from "./Optimizer.js";

export interface MomentumOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** Momentum coefficient (default 0.9). */
  momentum?: number;
}

/**
 * Momentum SGD (book section 6.1.4): `v = momentum * v - lr * grad; param += v`, with one
 * velocity per parameter name, starting at zero. Parameters are updated in place with `assign`, in
 * one `fused` pass per parameter (the same bits as the ops one by one).
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
    const step = fusedFunction((p, g, v) => {
      v.assign(v.mul(this.momentum).sub(g.mul(this.lr))); // v = momentum * v - lr * grad
      p.assign(p.add(v)); // param += v
    });
    for (const [key, param] of Object.entries(params)) {
      const v = slot(this.v, key, param);
      step(param, gradOf("Momentum.update", grads, key), v);
      this.v.set(key, v);
    }
  }
}
