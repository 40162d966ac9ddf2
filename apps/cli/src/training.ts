import { sampleMinibatch, shuffledMinibatches, type Minibatch } from "@bp/data";
import { Rng, type Backend, type FloatDType } from "@bp/tensor";
import { SGD, TwoLayerNet, iterationsPerEpoch, trainNet, type EpochRow } from "@bp/nets";
import type { Dataset } from "./dataset.js";

export interface TrainConfig {
  hidden: number;
  iterations: number;
  batch: number;
  lr: number;
  seed: number;
  dtype: FloatDType;
  weightInitStd: number;
  /** "choice": the book's random rows with replacement; "epoch": shuffled epochs without. */
  sampling: "choice" | "epoch";
}

export interface TrainResult {
  net: TwoLayerNet;
  epochs: EpochRow[];
  final: { trainAccuracy: number; testAccuracy: number; loss: number };
  seconds: number;
  iterationsPerEpoch: number;
}

export interface TrainHooks {
  onIteration?(iteration: number, loss: number): void;
  onEpoch?(row: EpochRow): void;
}

export { iterationsPerEpoch, type EpochRow } from "@bp/nets";

/**
 * `bp train`'s run: a fresh TwoLayerNet trained by the book's loop (`trainNet` from @bp/nets,
 * ch05/train_neuralnet.py) with SGD. Weights come from `seed`; minibatches from a second generator
 * seeded with `seed + 1`, drawn as the book does (`--sampling choice`) or as shuffled epochs.
 */
export function train(ds: Dataset, cfg: TrainConfig, backend: Backend, hooks: TrainHooks = {}): TrainResult {
  const start = performance.now();
  const net = new TwoLayerNet(ds.inputSize, cfg.hidden, ds.numClasses, {
    weightInitStd: cfg.weightInitStd,
    seed: cfg.seed,
    dtype: cfg.dtype,
    backend,
  });
  const rng = new Rng(cfg.seed + 1);
  const perEpoch = iterationsPerEpoch(ds.xTrain.shape[0]!, cfg.batch);
  let epochBatches: Iterator<Minibatch> | null = null;
  const nextBatch = (): Minibatch => {
    if (cfg.sampling === "choice") return sampleMinibatch(ds.xTrain, ds.tTrain, cfg.batch, rng);
    for (;;) {
      epochBatches ??= shuffledMinibatches(ds.xTrain, ds.tTrain, cfg.batch, rng);
      const r = epochBatches.next();
      if (!r.done) return r.value;
      epochBatches = null;
    }
  };

  const { epochs, final } = trainNet(net, ds, {
    iterations: cfg.iterations,
    nextBatch,
    iterationsPerEpoch: perEpoch,
    optimizer: new SGD({ lr: cfg.lr }),
    ...hooks,
  });
  return {
    net,
    epochs,
    final: { trainAccuracy: final.trainAccuracy, testAccuracy: final.testAccuracy, loss: final.loss },
    seconds: (performance.now() - start) / 1000,
    iterationsPerEpoch: perEpoch,
  };
}
