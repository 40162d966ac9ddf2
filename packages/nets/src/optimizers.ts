import { ValueError, checkOptions } from "@bp/tensor";
import { AdaGrad } from "./AdaGrad.js";
import { Adam } from "./Adam.js";
import { Momentum } from "./Momentum.js";
import { Nesterov } from "./Nesterov.js";
import { RMSprop } from "./RMSprop.js";
import type { Optimizer } from "./Optimizer.js";
import { SGD } from "./SGD.js";

/** Every optimizer's settings; each optimizer reads the ones it has (`lr` for all). */
export interface OptimizerParams {
  lr?: number;
  momentum?: number;
  decayRate?: number;
  beta1?: number;
  beta2?: number;
}

/** One row per optimizer, by the lower-case name `bp train --optimizer` takes: the book's class
 * name, its default learning rate (`common/optimizer.py`) and how it is made. */
const OPTIMIZERS = {
  sgd: { className: "SGD", lr: 0.01, create: (p: OptimizerParams): Optimizer => new SGD(p) },
  momentum: { className: "Momentum", lr: 0.01, create: (p: OptimizerParams): Optimizer => new Momentum(p) },
  nesterov: { className: "Nesterov", lr: 0.01, create: (p: OptimizerParams): Optimizer => new Nesterov(p) },
  adagrad: { className: "AdaGrad", lr: 0.01, create: (p: OptimizerParams): Optimizer => new AdaGrad(p) },
  rmsprop: { className: "RMSprop", lr: 0.01, create: (p: OptimizerParams): Optimizer => new RMSprop(p) },
  adam: { className: "Adam", lr: 0.001, create: (p: OptimizerParams): Optimizer => new Adam(p) },
} as const;

/** The optimizers by name (lower case, as `bp train --optimizer` takes them). */
export type OptimizerName = keyof typeof OPTIMIZERS;

export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as readonly OptimizerName[];

const byName = <T>(f: (row: (typeof OPTIMIZERS)[OptimizerName]) => T) =>
  Object.fromEntries(OPTIMIZER_NAMES.map((n) => [n, f(OPTIMIZERS[n])])) as Readonly<Record<OptimizerName, T>>;

/** The book's default learning rate of each optimizer (`common/optimizer.py`). */
export const DEFAULT_LR: Readonly<Record<OptimizerName, number>> = byName((row) => row.lr);

/**
 * The learning rate bp's apps start a run with (`bp train --optimizer NAME` without `--lr`, the web
 * app's suggestion): the book's defaults (`DEFAULT_LR`), except SGD's 0.1 of
 * `ch05/train_neuralnet.py`, so that the default run is the book's (its SGD class defaults to 0.01).
 */
export const RUN_LR: Readonly<Record<OptimizerName, number>> = { ...DEFAULT_LR, sgd: 0.1 };

/** The book's class name of each optimizer ("SGD", "AdaGrad", ...). */
export const OPTIMIZER_CLASS_NAMES: Readonly<Record<OptimizerName, string>> = byName((row) => row.className);

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
  if (!Object.hasOwn(OPTIMIZERS, key))
    throw new ValueError(
      "createOptimizer",
      `unknown optimizer ${JSON.stringify(name)}; expected one of ${OPTIMIZER_NAMES.join(", ")}`,
    );
  return OPTIMIZERS[key].create(params);
}
