import { ValueError, checkOptions, describeValue } from "@bp/tensor";
import type { TrainerOptions } from "./Trainer.js";

/** Every option `Trainer` reads. */
export const TRAINER_OPTION_NAMES: readonly (keyof TrainerOptions)[] = [
  "epochs",
  "miniBatchSize",
  "optimizer",
  "optimizerParams",
  "evaluateSampleNumPerEpoch",
  "seed",
  "sampling",
  "nextBatch",
  "iterations",
  "iterationsPerEpoch",
  "lossAfterUpdate",
  "continueOnDivergence",
  "onIteration",
  "onEpoch",
];

const SAMPLINGS = ["choice", "epoch"];

/**
 * The checks of `Trainer`'s options that need no net or data: an object of known keys only (a
 * typo such as `epoch` is refused naming `epochs`), `sampling` "choice" or "epoch", booleans that
 * are booleans, listeners and `nextBatch` that are functions.
 */
export function checkTrainerOptions(options: unknown, op = "Trainer"): void {
  checkOptions(op, options, "options", TRAINER_OPTION_NAMES);
  if (options === undefined) return;
  const o = options as Record<string, unknown>;
  if (o.sampling !== undefined && !SAMPLINGS.includes(o.sampling as string))
    throw new ValueError(op, `sampling must be "choice" or "epoch", got ${describeValue(o.sampling)}`);
  for (const key of ["lossAfterUpdate", "continueOnDivergence"])
    if (o[key] !== undefined && typeof o[key] !== "boolean")
      throw new ValueError(op, `${key} must be true or false, got ${describeValue(o[key])}`);
  for (const key of ["nextBatch", "onIteration", "onEpoch"])
    if (o[key] !== undefined && typeof o[key] !== "function")
      throw new ValueError(op, `${key} must be a function, got ${describeValue(o[key])}`);
  if (o.optimizerParams !== undefined) checkOptions(op, o.optimizerParams, "optimizerParams");
}
