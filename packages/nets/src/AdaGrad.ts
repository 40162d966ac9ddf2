import { type Tensor, checkOptions } from "@bp/tensor";
import { checkRate, disposeAll, gradOf, slot, type Optimizer } from "./Optimizer.js";

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
    checkOptions("AdaGrad", options, "options");
    this.lr = checkRate("AdaGrad", "lr", options.lr ?? 0.01);
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    for (const [key, p] of Object.entries(params)) {
      const g = gradOf("AdaGrad.update", grads, key);
      const h0 = slot(this.h, key, p);
      const g2 = g.square();
      const h = h0.add(g2);
      this.h.set(key, h);
      disposeAll(h0, g2);
      rootStep(p, g, h, this.lr);
    }
  }
}

/** `param -= lr * grad / (sqrt(h) + 1e-7)` in place, one tensor op per step in that order,
 * temporaries disposed (AdaGrad and RMSprop; Adam with its lr_t, m and v). */
export function rootStep(p: Tensor, g: Tensor, h: Tensor, lr: number): void {
  const step = g.mul(lr);
  const root = h.sqrt();
  const denom = root.add(OPTIMIZER_EPS);
  root.dispose();
  const delta = step.div(denom);
  disposeAll(step, denom);
  const next = p.sub(delta);
  delta.dispose();
  p.assign(next);
  next.dispose();
}
