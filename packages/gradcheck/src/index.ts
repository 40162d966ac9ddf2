export { numericalGradient, type ScalarFunction, type NumericalGradientOptions } from "@bp/layers";
export { checkLayer, type LayerCheckOptions } from "./checkLayer.js";
export { checkNet, type NetCheckOptions } from "./checkNet.js";
export { compareNets, compareBackends } from "./compareNets.js";
export {
  compareValues,
  formatReport,
  unravel,
  DEFAULT_ATOL,
  DEFAULT_RTOL,
  type Comparison,
  type CheckReport,
  type ToleranceOptions,
} from "./compare.js";
export { GradCheckError } from "./GradCheckError.js";
export type { CheckableLayer, LayerRunOptions } from "./layerGradients.js";
