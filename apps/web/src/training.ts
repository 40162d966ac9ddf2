// The training loop of apps/cli/src/training.ts ("choice" sampling), written for the worker: the
// same order of random draws (weights from Rng(seed), minibatches from Rng(seed + 1)), so a run
// here gives the CLI's numbers bit for bit on either backend.
import { sampleMinibatch, type MnistData } from "@bp/data";
import { SGD, TwoLayerNet } from "@bp/nets";
import { Rng, type Backend } from "@bp/tensor";
import type { EpochRow, TrainRequest } from "./messages.js";

export interface TrainHooks {
  onIteration(iteration: number, loss: number): void;
  onEpoch(row: EpochRow): void;
}

export interface TrainOutcome {
  net: TwoLayerNet;
  final: EpochRow;
}

/** The book's `iter_per_epoch = max(train_size / batch_size, 1)`, in whole iterations. */
export function iterationsPerEpoch(trainSize: number, batch: number): number {
  return Math.max(1, Math.floor(trainSize / batch));
}

export function train(data: MnistData, cfg: TrainRequest, backend: Backend, hooks: TrainHooks): TrainOutcome {
  const { xTrain, tTrain, xTest, tTest } = data;
  const net = new TwoLayerNet(xTrain.shape[1]!, cfg.hidden, 10, { seed: cfg.seed, dtype: cfg.dtype, backend });
  const optimizer = new SGD({ lr: cfg.lr });
  const rng = new Rng(cfg.seed + 1);
  const perEpoch = iterationsPerEpoch(xTrain.shape[0]!, cfg.batch);
  let lossSum = 0;
  let lossCount = 0;
  let lastLoss = NaN;
  const evaluate = (iteration: number): EpochRow => {
    const row: EpochRow = {
      epoch: iteration / perEpoch,
      iteration,
      trainAccuracy: net.accuracy(xTrain, tTrain),
      testAccuracy: net.accuracy(xTest, tTest),
      loss: lossCount > 0 ? lossSum / lossCount : lastLoss,
    };
    lossSum = 0;
    lossCount = 0;
    return row;
  };

  let last: EpochRow | null = null;
  for (let i = 1; i <= cfg.iterations; i++) {
    const { xBatch, tBatch } = sampleMinibatch(xTrain, tTrain, cfg.batch, rng);
    const grads = net.gradient(xBatch, tBatch);
    const loss = net.lastLayer.loss ?? NaN;
    optimizer.update(net.params, grads);
    lastLoss = loss;
    lossSum += loss;
    lossCount++;
    hooks.onIteration(i, loss);
    if (i % perEpoch === 0) {
      last = evaluate(i);
      hooks.onEpoch(last);
    }
  }
  const final = last !== null && last.iteration === cfg.iterations ? last : evaluate(cfg.iterations);
  return { net, final };
}
