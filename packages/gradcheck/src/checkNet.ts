import { ValueError, type Tensor } from "@bp/tensor";
import { compareValues, makeReport, tolerances, type CheckReport, type ToleranceOptions } from "./compare.js";
import { settle } from "./GradCheckError.js";
import { numericalGradient } from "@bp/layers";

/** What a net needs for a gradient check: the book's `params`, `loss` and `gradient`. `params`
 * must be the tensors the net computes with (the check perturbs them in place). */
export interface GradientNet {
  readonly params: Readonly<Record<string, Tensor>>;
  loss(x: Tensor, t: Tensor): number;
  gradient(x: Tensor, t: Tensor): Readonly<Record<string, Tensor>>;
}

export interface NetCheckOptions extends ToleranceOptions {
  /** Central-difference step (default 1e-4). */
  h?: number;
}

/**
 * The book's gradient check (section 5.7.3, `gradient_check.py`): `net.gradient(x, t)` (backprop)
 * against central differences of `net.loss(x, t)`, for every parameter. Each comparison holds the
 * book's figure, the mean absolute difference, with the largest absolute and relative errors and
 * where they occur.
 */
export function checkNet(net: GradientNet, x: Tensor, t: Tensor, options: NetCheckOptions = {}): CheckReport {
  const tol = tolerances(options);
  const grads = net.gradient(x, t);
  const comparisons = Object.entries(net.params).map(([name, p]) => {
    const g = grads[name];
    if (g === undefined)
      throw new ValueError("checkNet", `net.gradient returned no '${name}' (it has ${Object.keys(grads).join(", ")})`);
    const numeric = numericalGradient(() => net.loss(x, t), p, options.h === undefined ? {} : { h: options.h });
    return compareValues(name, g.data, numeric.data, p.shape, tol);
  });
  return settle(makeReport("checkNet", "backprop vs numerical", comparisons, tol), options.throwOnFailure);
}
