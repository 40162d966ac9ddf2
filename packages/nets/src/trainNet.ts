import { ValueError } from "@bp/tensor";
import type { Net } from "./Net.js";
import { SGD, type Optimizer } from "./SGD.js";
import { Trainer, type Batch, type EpochRow, type TrainData } from "./Trainer.js";

export interface TrainNetOptions {
  /** Minibatch updates to run. */
  iterations: number;
  /** Where minibatches come from, one call per iteration (see `minibatchSampler`). */
  nextBatch: () => Batch;
  /** Iterations between accuracy rows (see `iterationsPerEpoch`). */
  iterationsPerEpoch: number;
  /** Updates the parameters (default: SGD with the book's lr 0.1). */
  optimizer?: Optimizer;
  onIteration?(iteration: number, loss: number): void;
  onEpoch?(row: EpochRow): void;
}

export interface TrainNetResult {
  /** One row at the end of every epoch. */
  epochs: EpochRow[];
  /** Accuracies after the last iteration and the mean loss since the previous row. */
  final: EpochRow;
}

/**
 * @deprecated Use `Trainer` (this is now a thin wrapper over it, kept until the CLI and the web
 * app have moved). The book's `ch05/train_neuralnet.py` loop: `iterations` updates with
 * `nextBatch()`, an accuracy row every `iterationsPerEpoch` iterations.
 */
export function trainNet(net: Net, data: TrainData, options: TrainNetOptions): TrainNetResult {
  const { iterations, nextBatch, onIteration, onEpoch } = options;
  for (const [name, v] of [
    ["iterations", iterations],
    ["iterationsPerEpoch", options.iterationsPerEpoch],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ValueError("trainNet", `${name} must be a positive integer, got ${v}`);
  }
  const trainer = new Trainer(net, data, {
    iterations,
    iterationsPerEpoch: options.iterationsPerEpoch,
    nextBatch,
    optimizer: options.optimizer ?? new SGD({ lr: 0.1 }),
    continueOnDivergence: true,
  });
  if (onIteration) trainer.on("iteration", (e) => onIteration(e.iteration, e.loss));
  if (onEpoch) trainer.on("epoch", onEpoch);
  const { epochs, final } = trainer.train();
  return { epochs, final };
}
