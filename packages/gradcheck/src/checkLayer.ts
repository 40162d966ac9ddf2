import { type Tensor, checkOptions } from "@bp/tensor";
import { compareValues, makeReport, tolerances, type CheckReport, type ToleranceOptions } from "./compare.js";
import { settle } from "./GradCheckError.js";
import { layerName, runLayer, type CheckableLayer, type LayerRunOptions } from "./layerGradients.js";
import { numericalGradient } from "@bp/layers";

export interface LayerCheckOptions extends LayerRunOptions, ToleranceOptions {
  /** Central-difference step (default 1e-4). */
  h?: number;
}

/**
 * Checks a layer's `backward` against numerical gradients: of `sum(forward(x) * dout)` (or
 * `dout * loss` for a loss layer) with respect to each input and each parameter (`W`, `b`), under
 * a given or a seeded random upstream gradient `dout`. Use float64 inputs and parameters for a
 * meaningful check (float32 rounding swamps a central difference).
 *
 * ```ts
 * const report = checkLayer(new Affine(W, b), x);       // report.comparisons.x / .W / .b
 * checkLayer(new SoftmaxWithLoss(), x, { t: labels });   // a loss layer
 * checkLayer(new MulLayer(), [x, y]);                    // two inputs: comparisons x and y
 * ```
 */
export function checkLayer(
  layer: CheckableLayer,
  inputs: Tensor | readonly Tensor[],
  options: LayerCheckOptions = {},
): CheckReport {
  checkOptions("checkLayer", options, "options");
  const tol = tolerances(options);
  const title = `checkLayer(${layerName(layer)})`;
  const run = runLayer(title, layer, inputs, options);
  const comparisons = Object.entries(run.wrt).map(([name, x]) => {
    const numeric = numericalGradient(run.objective, x, options.h === undefined ? {} : { h: options.h });
    return compareValues(name, run.grads[name]!.data, numeric.data, x.shape, tol);
  });
  return settle(makeReport(title, "backprop vs numerical", comparisons, tol), options.throwOnFailure);
}
