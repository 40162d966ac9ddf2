import { type Tensor, checkOptions, fusedFunction } from "@bp/tensor";
import { pow } from "@bp/tensor/kernels";
import { rootStep } from "./AdaGrad.js";
import { checkDecay, checkRate, gradOf, slot, type Optimizer } from "./Optimizer.js";

export interface AdamOptions {
  /** Learning rate (default 0.001). */
  lr?: number;
  /** Decay of the first moment (default 0.9). */
  beta1?: number;
  /** Decay of the second moment (default 0.999). */
  beta2?: number;
}

/**
 * Adam as the book writes it (`common/optimizer.py`): with `iter` counting updates from 1,
 * `lr_t = lr * sqrt(1 - beta2^iter) / (1 - beta1^iter)`, `m += (1 - beta1) * (grad - m)`,
 * `v += (1 - beta2) * (grad² - v)`, `param -= lr_t * m / (sqrt(v) + 1e-7)`, one op per arithmetic
 * step, all of a parameter's in one `fused` pass over memory (the same bits as the ops one by one;
 * the step is traced once per update, `fusedFunction`, and run on every parameter).
 * `m` and `v` hold the moments, updated in place as the book's `+=` does (each update writes into
 * the lines it has just read instead of into fresh storage).
 */
export class Adam implements Optimizer {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  /** Updates made so far (the book's `iter`). */
  iter = 0;
  readonly m = new Map<string, Tensor>();
  readonly v = new Map<string, Tensor>();

  constructor(options: AdamOptions = {}) {
    checkOptions("Adam", options, "options");
    this.lr = checkRate("Adam", "lr", options.lr ?? 0.001);
    this.beta1 = checkDecay("Adam", "beta1", options.beta1 ?? 0.9);
    this.beta2 = checkDecay("Adam", "beta2", options.beta2 ?? 0.999);
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    this.iter += 1;
    const lrT = (this.lr * Math.sqrt(1 - pow(this.beta2, this.iter))) / (1 - pow(this.beta1, this.iter));
    const step = fusedFunction((p, g, m, v) => {
      m.assign(m.add(g.sub(m).mul(1 - this.beta1))); // m += (1 - beta1) * (grad - m)
      v.assign(
        v.add(
          g
            .square()
            .sub(v)
            .mul(1 - this.beta2),
        ),
      ); // v += (1 - beta2) * (grad² - v)
      rootStep(p, m, v, lrT); // param -= lr_t * m / (sqrt(v) + 1e-7)
    });
    for (const [key, param] of Object.entries(params)) {
      const m = slot(this.m, key, param);
      const v = slot(this.v, key, param);
      step(param, gradOf("Adam.update", grads, key), m, v);
      this.m.set(key, m);
      this.v.set(key, v);
    }
  }
}
