import { type Tensor, checkOptions } from "@bp/tensor";
import { rootStep } from "./AdaGrad.js";
import { checkDecay, checkRate, disposeAll, gradOf, slot, type Optimizer } from "./Optimizer.js";

export interface RMSpropOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
  /** Weight of the old average (default 0.99, the book's `decay_rate`). */
  decayRate?: number;
}

/**
 * RMSprop (`common/optimizer.py`): `h = decayRate * h + (1 - decayRate) * grad²;
 * param -= lr * grad / (sqrt(h) + 1e-7)`, one `h` per parameter name, starting at zero.
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
    for (const [key, p] of Object.entries(params)) {
      const g = gradOf("RMSprop.update", grads, key);
      const h0 = slot(this.h, key, p);
      const kept = h0.mul(this.decayRate);
      const g2 = g.square();
      const added = g2.mul(1 - this.decayRate);
      const h = kept.add(added);
      this.h.set(key, h);
      disposeAll(h0, kept, g2, added);
      rootStep(p, g, h, this.lr);
    }
  }
}
