import { type FusedValue, type Tensor, checkOptions, fusedFunction } from "@bp/tensor";
import { checkRate, gradOf, slot, type Optimizer } from "./Optimizer.js";

export interface AdaGradOptions {
  /** Learning rate (default 0.01). */
  lr?: number;
}

/** The small constant the book's AdaGrad, RMSprop and Adam add to the root (`1e-7`). */
export const OPTIMIZER_EPS = 1e-7;

/**
 * AdaGrad (book section 6.1.5): `h += grad²; param -= lr * grad / (sqrt(h) + 1e-7)`, one `h` per
 * parameter name, starting at zero. One `fused` pass per parameter (the same bits as the ops one
 * by one).
 */
export class AdaGrad implements Optimizer {
  readonly lr: number;
  /** Sums of squared gradients by parameter name. */
  readonly h = new Map<string, Tensor>();

  constructor(options: AdaGradOptions = {}) {
    checkOptions("AdaGrad", options, "options");
    this.lr = checkRate("AdaGrad", "lr", options.lr ?? 0.01);
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    const step = fusedFunction((p, g, h) => {
      h.assign(h.add(g.square())); // h += grad²
      rootStep(p, g, h, this.lr);
    });
    for (const [key, param] of Object.entries(params)) {
      const h = slot(this.h, key, param);
      step(param, gradOf("AdaGrad.update", grads, key), h);
      this.h.set(key, h);
    }
  }
}

/** `param -= lr * grad / (sqrt(h) + 1e-7)`, written into the parameter, inside a `fused` update
 * (AdaGrad and RMSprop; Adam with its lr_t, m and v). */
export function rootStep(p: FusedValue, g: FusedValue, h: FusedValue, lr: number): void {
  p.assign(p.sub(g.mul(lr).div(h.sqrt().add(OPTIMIZER_EPS))));
}
