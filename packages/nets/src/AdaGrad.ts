import type { Tensor } from "@bp/tensor";
import { checkRate, gradOf, slot, type Optimizer } from "./SGD.js";

export interface AdaGradOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
}

/** The small constant the book's AdaGrad, RMSprop and Adam add to the root (`1e-7`). */
export const OPTIMIZER_EPS = 1e-7;

/**
 * AdaGrad (book section 6.1.5): `h += grad²; param -= lr * grad / (sqrt(h) + 1e-7)`, one `h` per
 * parameter name, starting at zero.
 */
export class AdaGrad implements Optimizer {
  readonly lr: number;
  /** Sums of squared gradients by parameter name. */
  readonly h = new Map<string, Tensor>();

  constructor(options: AdaGradOptions = {}) {
    this.lr = checkRate("AdaGrad", "lr", options.lr ?? 0.01);
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    for (const [key, p] of Object.entries(params)) {
      const g = gradOf("AdaGrad.update", grads, key);
      const h = slot(this.h, key, p).add(g.square());
      this.h.set(key, h);
      p.assign(p.sub(g.mul(this.lr).div(h.sqrt().add(OPTIMIZER_EPS))));
    }
  }
}
