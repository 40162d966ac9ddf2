// The learning rate the Train view suggests for each optimizer, and a warning for rates that will
// not learn. The suggestions are `bp train`'s defaults: `RUN_LR` of @bp/nets (the book's
// common/optimizer.py defaults, except SGD's 0.1 of ch05/train_neuralnet.py).
import { OPTIMIZER_CLASS_NAMES, type OptimizerName, RUN_LR } from "@bp/nets";
import { t } from "./i18n/index.js";

export const SUGGESTED_LR: Readonly<Record<OptimizerName, number>> = RUN_LR;

/** Optimizers that scale each weight's step by its own gradient history, so that a step is about
 * `lr` in size whatever the gradient: weights of size 0.01 cannot take steps of 0.1 or more. */
const ADAPTIVE: ReadonlySet<OptimizerName> = new Set(["adagrad", "rmsprop", "adam"]);

/** Why `lr` will probably not learn with `optimizer`, or "" when it is a sensible rate. */
export function lrWarning(optimizer: OptimizerName, lr: number): string {
  const name = OPTIMIZER_CLASS_NAMES[optimizer];
  const suggested = SUGGESTED_LR[optimizer];
  // Measured in Node (TwoLayerNet seed 0, 600 minibatches of 100 from the first 10 000 images,
  // test accuracy on the first 1000): Adam 1 → 0.087, Adam 0.1 → 0.628, Adam 0.001 → 0.901;
  // SGD 10 → 0.094, SGD 1e-4 → 0.103, SGD 1e-6 → 0.095; Momentum 1 → 0.328.
  const tooLarge = ADAPTIVE.has(optimizer) ? lr > 0.1 : optimizer === "sgd" ? lr >= 10 : lr > 1;
  const tooSmall = ADAPTIVE.has(optimizer) ? lr < 1e-6 : lr <= 1e-4;
  // The rates as JavaScript writes them (1e-7, 0.001): strings, not regrouped for the language.
  const params = { name, lr: String(lr), suggested: String(suggested) };
  if (tooLarge) return t(ADAPTIVE.has(optimizer) ? "lr.adaptiveTooLarge" : "lr.tooLarge", params);
  if (tooSmall) return t("lr.tooSmall", params);
  return "";
}
