import { type Tensor, checkOptions, fusedFunction } from "@bp/tensor";
import { rootStep } from "./AdaGrad.js";
import { checkDecay, checkRate, gradOf, slot, type Optimizer } from "./Optimizer.js";

export interface RMSpropOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** Weight of the old average (default 0.99, the book's `decay_rate`). */
  decayRate?: number;
}

/**
 * RMSprop (`common/optimizer.py`): `h = decayRate * h + (1 - decayRate) * grad²;
 * param -= lr * grad / (sqrt(h) + 1e-7)`, one `h` per parameter name, starting at zero. One `fused`
 * pass per parameter (the same bits as the ops one by one).
 */
export class RMSprop implements Optimizer {
  readonly lr: number;
  readonly decayRate: number;
  /** Moving averages of squared gradients by parameter name. */
  readonly h = new Map<string, Tensor>();

  constructor(options: RMSpropOptions = {}) {
    checkOptions("RMSprop", options, "options");
    this.lr = checkRate("RMSprop", "lr", options.lr ?? 0.01);
    this.decayRate = checkDecay("RMSprop", "decayRate", options.decayRate ?? 0.99);
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    const step = fusedFunction((p, g, h) => {
      // h = decayRate * h + (1 - decayRate) * grad²
      h.assign(h.mul(this.decayRate).add(g.square().mul(1 - this.decayRate)));
      rootStep(p, g, h, this.lr);
    });
    for (const [key, param] of Object.entries(params)) {
      const h = slot(this.h, key, param);
      step(param, gradOf("RMSprop.update", grads, key), h);
      this.h.set(key, h);
    }
  }
}
