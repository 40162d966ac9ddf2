import { ValueError, type Tensor } from "@bp/tensor";
import { SGD, type Optimizer } from "./SGD.js";
import type { TwoLayerNet } from "./TwoLayerNet.js";

/** A training set and a test set: inputs and their labels (int32 class indices or one-hot rows). */
export interface TrainData {
  xTrain: Tensor;
  tTrain: Tensor;
  xTest: Tensor;
  tTest: Tensor;
}

/** One minibatch: inputs and their labels. */
export interface Batch {
  xBatch: Tensor;
  tBatch: Tensor;
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

export interface TrainNetOptions {
  /** Minibatch updates to run. */
  iterations: number;
  /**
   * Where minibatches come from, one call per iteration: for the book's sampling, random rows with
   * replacement, `() => sampleMinibatch(xTrain, tTrain, 100, rng)` from @bp/data.
   */
  nextBatch: () => Batch;
  /** Iterations between accuracy rows: the book's `max(train_size / batch_size, 1)`, see
   * `iterationsPerEpoch`. */
  iterationsPerEpoch: number;
  /** Updates the parameters (default: SGD with the book's lr 0.1). */
  optimizer?: Optimizer;
  onIteration?(iteration: number, loss: number): void;
  onEpoch?(row: EpochRow): void;
}

export interface TrainNetResult {
  /** One row at the end of every epoch. */
  epochs: EpochRow[];
  /** Accuracies after the last iteration (the last epoch row, or an extra evaluation when the
   * run does not end on an epoch boundary) and the mean loss since the previous row. */
  final: EpochRow;
}

/** The book's `iter_per_epoch = max(train_size / batch_size, 1)`, in whole iterations. */
export function iterationsPerEpoch(trainSize: number, batchSize: number): number {
  return Math.max(1, Math.floor(trainSize / batchSize));
}

/**
 * The book's training loop (`ch05/train_neuralnet.py`): each iteration takes a minibatch,
 * computes the gradient by backpropagation, updates the parameters and records the minibatch loss
 * (the one the gradient's forward pass computed, so no extra forward pass is run); after every
 * epoch it measures the accuracy on the whole training and test sets. The net is trained in place.
 */
export function trainNet(net: TwoLayerNet, data: TrainData, options: TrainNetOptions): TrainNetResult {
  const { iterations, nextBatch, onIteration, onEpoch } = options;
  const perEpoch = options.iterationsPerEpoch;
  for (const [name, v] of [
    ["iterations", iterations],
    ["iterationsPerEpoch", perEpoch],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ValueError("trainNet", `${name} must be a positive integer, got ${v}`);
  }
  const optimizer = options.optimizer ?? new SGD({ lr: 0.1 });
  const epochs: EpochRow[] = [];
  let lossSum = 0;
  let lossCount = 0;
  let lastLoss = NaN;
  const evaluate = (iteration: number): EpochRow => {
    const row: EpochRow = {
      epoch: iteration / perEpoch,
      iteration,
      trainAccuracy: net.accuracy(data.xTrain, data.tTrain),
      testAccuracy: net.accuracy(data.xTest, data.tTest),
      loss: lossCount > 0 ? lossSum / lossCount : lastLoss,
    };
    lossSum = 0;
    lossCount = 0;
    return row;
  };

  for (let i = 1; i <= iterations; i++) {
    const { xBatch, tBatch } = nextBatch();
    const grads = net.gradient(xBatch, tBatch);
    const loss = net.lastLayer.loss ?? NaN;
    optimizer.update(net.params, grads);
    lastLoss = loss;
    lossSum += loss;
    lossCount++;
    onIteration?.(i, loss);
    if (i % perEpoch === 0) {
      const row = evaluate(i);
      epochs.push(row);
      onEpoch?.(row);
    }
  }
  const last = epochs.at(-1);
  const final = last !== undefined && last.iteration === iterations ? last : evaluate(iterations);
  return { epochs, final };
}
