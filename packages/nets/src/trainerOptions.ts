import { ValueError, checkOptions, describeValue } from "@bp/tensor";
import { shortText } from "@bp/data";
import type { TrainerOptions } from "./Trainer.js";

/** Edit distance (insertions, deletions, substitutions) between two short names. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The known name closest to `name` (case-insensitive edit distance at most a third of it, or a
 * prefix either way), or undefined. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    const prefix = k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase());
    const score = prefix ? Math.min(d, 1) : d;
    if (score < bestDistance && (prefix || d <= Math.max(1, Math.floor(k.length / 3)))) {
      best = k;
      bestDistance = score;
    }
  }
  return best;
}

/**
 * Throws a ValueError unless `options` is an object (or undefined) whose every key is one of
 * `known`: an option the function does not use is refused by name, with the known one it probably
 * meant (`{ epoch: 3 }`: "unknown option epoch (did you mean epochs?)"), never silently ignored.
 */
export function checkOptionKeys(op: string, options: unknown, known: readonly string[], name = "options"): void {
  checkOptions(op, options, name);
  if (options === undefined) return;
  for (const key of Object.keys(options as object)) {
    if (known.includes(key)) continue;
    const guess = closestName(key, known);
    throw new ValueError(
      op,
      `unknown ${name === "options" ? "option" : `${name} key`} ${shortText(key)}${guess === undefined ? "" : ` (did you mean ${guess}?)`}; expected one of ${known.join(", ")}`,
    );
  }
}

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
  checkOptionKeys(op, options, TRAINER_OPTION_NAMES);
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
