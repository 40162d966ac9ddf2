import type { Net } from "@bp/nets";
import { ValueError, type Tensor, checkOptions } from "@bp/tensor";
import { compareValues, makeReport, tolerances, type CheckReport, type ToleranceOptions } from "./compare.js";
import { settle } from "./GradCheckError.js";

export interface NetCheckOptions extends ToleranceOptions {
  /** Central-difference step (default 1e-4). */
  h?: number;
}

/**
 * The book's gradient check (section 5.7.3, `gradient_check.py`): `net.gradient(x, t)` (backprop)
 * against `net.numericalGradient(x, t)` (central differences of the loss), for every parameter.
 * Each comparison holds the book's figure, the mean absolute difference, with the largest absolute
 * and relative errors and where they occur. A net with Dropout needs fixed masks
 * (`dropout.fixedMask`) so that every forward pass computes the same function.
 */
export function checkNet(net: Net, x: Tensor, t: Tensor, options: NetCheckOptions = {}): CheckReport {
  checkOptions("checkNet", options, "options");
  const tol = tolerances(options);
  const grads = net.gradient(x, t);
  const numeric = net.numericalGradient(x, t, options.h === undefined ? {} : { h: options.h });
  const comparisons = Object.entries<Tensor>(net.params).map(([name, p]) => {
    const g = grads[name];
    const n = numeric[name];
    if (g === undefined || n === undefined)
      throw new ValueError("checkNet", `net.gradient returned no '${name}' (it has ${Object.keys(grads).join(", ")})`);
    return compareValues(name, g.data, n.data, p.shape, tol);
  });
  return settle(makeReport("checkNet", "backprop vs numerical", comparisons, tol), options.throwOnFailure);
}
