import { sampleMinibatch, shuffledMinibatches, type Minibatch } from "@bp/data";
import { Rng, type Backend, type FloatDType } from "@bp/tensor";
import { SGD, TwoLayerNet } from "@bp/nets";
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

/** One row of the per-epoch table (the book prints train and test accuracy once per epoch). */
export interface EpochRow {
  epoch: number;
  iteration: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** Mean minibatch loss over the iterations since the previous row (each computed in the
   * gradient's forward pass, before that iteration's update). */
  loss: number;
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

/** The book's `iter_per_epoch = max(train_size / batch_size, 1)`, in whole iterations. */
export function iterationsPerEpoch(trainSize: number, batch: number): number {
  return Math.max(1, Math.floor(trainSize / batch));
}

/**
 * The book's training loop (ch05/train_neuralnet.py): each iteration draws a minibatch, computes
 * the gradient by backpropagation, updates the parameters with SGD and records the minibatch
 * loss; after every epoch it measures the accuracy on the whole training and test sets.
 * Weights come from `seed`; minibatches from a second generator seeded with `seed + 1`.
 */
export function train(ds: Dataset, cfg: TrainConfig, backend: Backend, hooks: TrainHooks = {}): TrainResult {
  const start = performance.now();
  const net = new TwoLayerNet(ds.inputSize, cfg.hidden, ds.numClasses, {
    weightInitStd: cfg.weightInitStd,
    seed: cfg.seed,
    dtype: cfg.dtype,
    backend,
  });
  const optimizer = new SGD({ lr: cfg.lr });
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

  const epochs: EpochRow[] = [];
  let lossSum = 0;
  let lossCount = 0;
  let lastLoss = NaN;
  const evaluate = (iteration: number): EpochRow => {
    const row: EpochRow = {
      epoch: iteration / perEpoch,
      iteration,
      trainAccuracy: net.accuracy(ds.xTrain, ds.tTrain),
      testAccuracy: net.accuracy(ds.xTest, ds.tTest),
      loss: lossCount > 0 ? lossSum / lossCount : lastLoss,
    };
    lossSum = 0;
    lossCount = 0;
    return row;
  };

  for (let i = 1; i <= cfg.iterations; i++) {
    const { xBatch, tBatch } = nextBatch();
    const grads = net.gradient(xBatch, tBatch);
    // The loss of this minibatch from the gradient's own forward pass, before the update (the
    // book calls network.loss after the update: one more forward pass for a plot).
    const loss = net.lastLayer.loss ?? NaN;
    optimizer.update(net.params, grads);
    lastLoss = loss;
    lossSum += loss;
    lossCount++;
    hooks.onIteration?.(i, loss);
    if (i % perEpoch === 0) {
      const row = evaluate(i);
      epochs.push(row);
      hooks.onEpoch?.(row);
    }
  }
  const last = epochs.at(-1);
  const end = last !== undefined && last.iteration === cfg.iterations ? last : evaluate(cfg.iterations);
  return {
    net,
    epochs,
    final: { trainAccuracy: end.trainAccuracy, testAccuracy: end.testAccuracy, loss: end.loss },
    seconds: (performance.now() - start) / 1000,
    iterationsPerEpoch: perEpoch,
  };
}
