import { ValueError, checkOptions } from "@bp/tensor";
import { AdaGrad } from "./AdaGrad.js";
import { Adam } from "./Adam.js";
import { Momentum } from "./Momentum.js";
import { Nesterov } from "./Nesterov.js";
import { RMSprop } from "./RMSprop.js";
import type { Optimizer } from "./Optimizer.js";
import { SGD } from "./SGD.js";

/** The optimizers by name (lower case, as `bp train --optimizer` takes them). */
export type OptimizerName = "sgd" | "momentum" | "nesterov" | "adagrad" | "rmsprop" | "adam";

export const OPTIMIZER_NAMES: readonly OptimizerName[] = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"];

/** Every optimizer's settings; each optimizer reads the ones it has (`lr` for all). */
export interface OptimizerParams {
  lr?: number;
  momentum?: number;
  decayRate?: number;
  beta1?: number;
  beta2?: number;
}

/** The book's default learning rate of each optimizer (`common/optimizer.py`). */
export const DEFAULT_LR: Readonly<Record<OptimizerName, number>> = {
  sgd: 0.01,
  momentum: 0.01,
  nesterov: 0.01,
  adagrad: 0.01,
  rmsprop: 0.01,
  adam: 0.001,
};

const FACTORIES: Record<OptimizerName, (p: OptimizerParams) => Optimizer> = {
  sgd: (p) => new SGD(p),
  momentum: (p) => new Momentum(p),
  nesterov: (p) => new Nesterov(p),
  adagrad: (p) => new AdaGrad(p),
  rmsprop: (p) => new RMSprop(p),
  adam: (p) => new Adam(p),
};

/**
 * An optimizer by name (case-insensitive, like the book's Trainer: "SGD", "Adam", ...) with its
 * settings; unset settings take the book's defaults.
 */
export function createOptimizer(name: string, params: OptimizerParams = {}): Optimizer {
  checkOptions("createOptimizer", params, "params");
  if (typeof name !== "string")
    throw new ValueError(
      "createOptimizer",
      `name must be a string (${OPTIMIZER_NAMES.join(", ")}), got ${String(name)}`,
    );
  const key = name.toLowerCase() as OptimizerName;
  const factory = FACTORIES[key];
  if (!Object.hasOwn(FACTORIES, key) || factory === undefined)
    throw new ValueError(
      "createOptimizer",
      `unknown optimizer ${JSON.stringify(name)}; expected one of ${OPTIMIZER_NAMES.join(", ")}`,
    );
  return factory(params);
}
