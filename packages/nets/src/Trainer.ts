import { checkTensor } from "@bp/layers";
import { ShapeError, ValueError, formatShape, type Tensor } from "@bp/tensor";
import { DivergenceError, type Divergence } from "./DivergenceError.js";
import { firstRows } from "./firstRows.js";
import type { Net } from "./Net.js";
import { createOptimizer, type OptimizerParams } from "./optimizers.js";
import { batchRng, minibatchSampler, type Sampling } from "./seededTraining.js";
import type { Optimizer } from "./Optimizer.js";
import { checkTrainerOptions } from "./trainerOptions.js";

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

/** One row of the per-epoch table (train and test accuracy once per epoch, as the book prints). */
export interface EpochRow {
  epoch: number;
  iteration: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** Mean minibatch loss over the iterations since the previous row. */
  loss: number;
}

/** The `iteration` event: one minibatch update done. */
export interface IterationEvent {
  /** 1-based. */
  iteration: number;
  loss: number;
}

/** What `train()` returns (the book's Trainer keeps the same three lists). */
export interface TrainerResult {
  /** One loss per iteration (the book's `train_loss_list`). */
  trainLossList: number[];
  /** One accuracy per epoch (`train_acc_list`, on `evaluateSampleNumPerEpoch` rows if set). */
  trainAccList: number[];
  testAccList: number[];
  /** The per-epoch rows. */
  epochs: EpochRow[];
  /** Accuracy on the whole training and test sets after the last iteration (the book's final test
   * accuracy), with the mean loss since the previous row. */
  final: EpochRow;
  iterations: number;
  /** The first divergence when training was told to continue past it (otherwise it throws). */
  divergence?: Divergence;
}

/** Trainer events and their payloads. */
export interface TrainerEvents {
  iteration: IterationEvent;
  epoch: EpochRow;
  divergence: Divergence;
  done: TrainerResult;
}

export interface TrainerOptions {
  /** Epochs to train (default 20, as the book's Trainer). */
  epochs?: number;
  /** Rows per minibatch (default 100). */
  miniBatchSize?: number;
  /** An optimizer or its name (`createOptimizer`; default "sgd"). */
  optimizer?: string | Optimizer;
  /** Settings of a named optimizer (default: the book's Trainer's `{ lr: 0.01 }`, that is, each
   * optimizer's own defaults). */
  optimizerParams?: OptimizerParams;
  /** Measure the per-epoch accuracies on the first N rows of the training and test sets only
   * (default: all rows; the final accuracies always use all rows). */
  evaluateSampleNumPerEpoch?: number;
  /** Minibatches come from `batchRng(seed)` = `Rng(seed + 1)` (default seed 0). */
  seed?: number;
  /** How minibatches are drawn (default "choice", the book's). */
  sampling?: Sampling;
  /** A minibatch source of your own (overrides `seed` and `sampling`). */
  nextBatch?: () => Batch;
  /** Iterations to run (default `epochs * iterationsPerEpoch`). */
  iterations?: number;
  /** Iterations between epoch rows (default the book's `max(trainSize / miniBatchSize, 1)`, rounded
   * down to whole iterations). */
  iterationsPerEpoch?: number;
  /** Record the loss of a second forward pass after the update, as the book's Trainer does (default
   * false: the loss of the gradient's own forward pass, before the update, which costs nothing). */
  lossAfterUpdate?: boolean;
  /** Keep training when the loss or a parameter becomes NaN/±Infinity (default false: throw a
   * `DivergenceError`). The first divergence is then reported by a `divergence` event and in the
   * result. */
  continueOnDivergence?: boolean;
  /** Listeners, the same as `trainer.on(...)`. */
  onIteration?(event: IterationEvent): void;
  onEpoch?(row: EpochRow): void;
}

/** The book's `iter_per_epoch = max(train_size / batch_size, 1)`, in whole iterations. */
export function iterationsPerEpoch(trainSize: number, batchSize: number): number {
  positiveInt("iterationsPerEpoch", "trainSize", trainSize);
  positiveInt("iterationsPerEpoch", "batchSize", batchSize);
  return Math.max(1, Math.floor(trainSize / batchSize));
}

type Listener<K extends keyof TrainerEvents> = (event: TrainerEvents[K]) => void;

/**
 * The book's `common/trainer.py`: trains a net with minibatches and an optimizer for a number of
 * epochs, measuring train and test accuracy after every epoch. Progress goes out as events
 * (`iteration`, `epoch`, `divergence`, `done`); nothing is printed. The net is trained in place.
 *
 * Each iteration takes a minibatch, computes the loss and gradient by backpropagation
 * (`net.lossAndGradient`), updates the parameters and checks that the loss and every parameter are
 * finite (else a `DivergenceError` naming the iteration and the value, unless
 * `continueOnDivergence`).
 *
 * Under the `Net` contract the gradients and the layers' caches are the net's; the Trainer disposes
 * only what it made itself: the minibatches it drew and the rows it copied for an evaluation.
 */
export class Trainer {
  readonly net: Net;
  readonly data: TrainData;
  readonly optimizer: Optimizer;
  readonly miniBatchSize: number;
  readonly iterPerEpoch: number;
  readonly maxIter: number;
  readonly evaluateSampleNumPerEpoch: number | undefined;
  readonly lossAfterUpdate: boolean;
  readonly continueOnDivergence: boolean;
  readonly trainLossList: number[] = [];
  readonly trainAccList: number[] = [];
  readonly testAccList: number[] = [];
  readonly epochs: EpochRow[] = [];
  /** Iterations done. */
  currentIter = 0;
  currentEpoch = 0;
  divergence: Divergence | undefined;
  private readonly nextBatch: () => Batch;
  /** The previous minibatch when the Trainer drew it itself (no `nextBatch` option): nobody else
   * was given it, so the next step disposes it and its gather reuses the storage. */
  private ownBatch: Batch | undefined;
  private readonly drawsOwnBatches: boolean;
  private readonly listeners: { [K in keyof TrainerEvents]: Listener<K>[] } = {
    iteration: [],
    epoch: [],
    divergence: [],
    done: [],
  };
  private lossSum = 0;
  private lossCount = 0;
  private lastLoss = Number.NaN;
  private stopped = false;

  constructor(net: Net, data: TrainData, options: TrainerOptions = {}) {
    const op = "Trainer";
    checkTrainerOptions(options, op);
    checkNet(op, net);
    checkData(op, data);
    this.net = net;
    this.data = data;
    const trainSize = data.xTrain.shape[0] ?? 0;
    if (trainSize === 0) throw new ValueError(op, "the training set has no rows");
    this.miniBatchSize = positiveInt(op, "miniBatchSize", options.miniBatchSize ?? 100);
    if (options.nextBatch === undefined && this.miniBatchSize > trainSize)
      throw new ValueError(
        op,
        `miniBatchSize ${this.miniBatchSize}${options.miniBatchSize === undefined ? " (the default)" : ""} is larger than the ${trainSize} training rows; expected at most ${trainSize}`,
      );
    this.iterPerEpoch = positiveInt(
      op,
      "iterationsPerEpoch",
      options.iterationsPerEpoch ?? iterationsPerEpoch(trainSize, this.miniBatchSize),
    );
    const epochs = positiveInt(op, "epochs", options.epochs ?? 20);
    this.maxIter = positiveInt(op, "iterations", options.iterations ?? epochs * this.iterPerEpoch);
    if (options.evaluateSampleNumPerEpoch !== undefined)
      positiveInt(op, "evaluateSampleNumPerEpoch", options.evaluateSampleNumPerEpoch);
    this.evaluateSampleNumPerEpoch = options.evaluateSampleNumPerEpoch;
    const opt = options.optimizer ?? "sgd";
    this.optimizer = typeof opt === "string" ? createOptimizer(opt, options.optimizerParams) : opt;
    if (typeof this.optimizer?.update !== "function")
      throw new ValueError(op, `optimizer must be a name or an Optimizer (with update), got ${String(opt)}`);
    this.nextBatch =
      options.nextBatch ??
      minibatchSampler(data.xTrain, data.tTrain, this.miniBatchSize, batchRng(options.seed ?? 0), options.sampling);
    this.drawsOwnBatches = options.nextBatch === undefined;
    this.lossAfterUpdate = options.lossAfterUpdate ?? false;
    this.continueOnDivergence = options.continueOnDivergence ?? false;
    if (options.onIteration) this.on("iteration", options.onIteration);
    if (options.onEpoch) this.on("epoch", options.onEpoch);
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof TrainerEvents>(type: K, listener: Listener<K>): () => void {
    const list = this.listeners[type] as Listener<K>[];
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Makes `train()` return after the current iteration (with a final evaluation). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * One iteration: minibatch, loss and gradient, a check that both are finite, the update, a check
   * that the parameters stayed finite, and an epoch row at the end of an epoch. Returns the
   * recorded loss. A non-finite loss or gradient throws a `DivergenceError` before the update, so
   * the net keeps the parameters of the previous iteration; a parameter that the update itself
   * made non-finite (an overflow) is caught after it.
   */
  trainStep(): number {
    // The layers' caches still point at the previous batch; the forward below replaces them.
    this.ownBatch?.xBatch.dispose();
    this.ownBatch?.tBatch.dispose();
    const batch = this.nextBatch();
    if (this.drawsOwnBatches) this.ownBatch = batch;
    const { xBatch, tBatch } = batch;
    // The gradients are the net's (the Net contract): valid until its next lossAndGradient.
    const { loss: gradLoss, grads } = this.net.lossAndGradient(xBatch, tBatch);
    const iteration = this.currentIter + 1;
    this.report(
      Number.isFinite(gradLoss)
        ? firstNonFinite(grads, iteration, "gradient")
        : { iteration, what: "loss", kind: "loss", value: gradLoss, afterUpdate: false },
    );
    this.optimizer.update(this.net.params, grads);
    const loss = this.lossAfterUpdate ? this.net.loss(xBatch, tBatch) : gradLoss;
    this.currentIter = iteration;
    this.report(
      Number.isFinite(loss)
        ? firstNonFinite(this.net.params, iteration, "parameter")
        : { iteration, what: "loss", kind: "loss", value: loss, afterUpdate: true },
    );
    this.trainLossList.push(loss);
    this.lastLoss = loss;
    this.lossSum += loss;
    this.lossCount++;
    this.emit("iteration", { iteration, loss });
    if (iteration % this.iterPerEpoch === 0) {
      this.currentEpoch++;
      const n = this.evaluateSampleNumPerEpoch;
      const row = this.evaluate(iteration, n);
      this.trainAccList.push(row.trainAccuracy);
      this.testAccList.push(row.testAccuracy);
      this.epochs.push(row);
      this.emit("epoch", row);
    }
    return loss;
  }

  /** Runs the remaining iterations, then `finish()`: the accuracy on the whole sets. */
  train(): TrainerResult {
    this.stopped = false;
    while (this.currentIter < this.maxIter && !this.stopped) this.trainStep();
    return this.finish();
  }

  /**
   * Ends the run where it is (after any number of `trainStep()` calls, or to stop a run early):
   * measures train and test accuracy on all rows (reusing the epoch row when it was measured at this
   * iteration on all rows), with the mean loss since the previous row, emits `done` and returns the
   * result, as `train()` does at its end. The net is kept as it is; `trainStep()` or `train()` may
   * go on afterwards.
   */
  finish(): TrainerResult {
    const last = this.epochs.at(-1);
    const final =
      last !== undefined && last.iteration === this.currentIter && this.evaluateSampleNumPerEpoch === undefined
        ? last
        : this.evaluate(this.currentIter, undefined);
    const result: TrainerResult = {
      trainLossList: this.trainLossList,
      trainAccList: this.trainAccList,
      testAccList: this.testAccList,
      epochs: this.epochs,
      final,
      iterations: this.currentIter,
    };
    if (this.divergence !== undefined) result.divergence = this.divergence;
    this.emit("done", result);
    return result;
  }

  private evaluate(iteration: number, sample: number | undefined): EpochRow {
    const { xTrain, tTrain, xTest, tTest } = this.data;
    const head = (v: Tensor): Tensor => (sample === undefined ? v : firstRows(v, sample));
    // The first rows are copies made here for this one call: disposed after it (Tensor.dispose), so
    // an epoch's evaluation leaves no storage behind (on wasm, heap blocks held until a collection).
    const accuracy = (x: Tensor, t: Tensor): number => {
      const [xs, ts] = [head(x), head(t)];
      try {
        return this.net.accuracy(xs, ts);
      } finally {
        if (xs !== x) xs.dispose();
        if (ts !== t) ts.dispose();
      }
    };
    const row: EpochRow = {
      epoch: iteration / this.iterPerEpoch,
      iteration,
      trainAccuracy: accuracy(xTrain, tTrain),
      testAccuracy: accuracy(xTest, tTest),
      loss: this.lossCount > 0 ? this.lossSum / this.lossCount : this.lastLoss,
    };
    this.lossSum = 0;
    this.lossCount = 0;
    return row;
  }

  /** Throws a divergence (or, with `continueOnDivergence`, reports the first one and goes on). */
  private report(found: Divergence | undefined): void {
    if (found === undefined || this.divergence !== undefined) return;
    if (!this.continueOnDivergence) throw new DivergenceError(found);
    this.divergence = found;
    this.emit("divergence", found);
  }

  private emit<K extends keyof TrainerEvents>(type: K, event: TrainerEvents[K]): void {
    for (const listener of this.listeners[type] as Listener<K>[]) listener(event);
  }
}

/** Refuses a `net` that is not a Net (null, a plain object) before training reads it. */
function checkNet(op: string, net: Net): void {
  const n = net as unknown as Record<string, unknown> | null;
  if (
    typeof n !== "object" ||
    n === null ||
    typeof n.params !== "object" ||
    typeof n.lossAndGradient !== "function" ||
    typeof n.accuracy !== "function"
  )
    throw new ValueError(op, `net must be a Net (params, lossAndGradient, accuracy, ...), got ${String(n)}`);
}

/** Refuses data that is not four tensors with matching row counts. */
function checkData(op: string, data: TrainData): void {
  if (typeof data !== "object" || data === null)
    throw new ValueError(op, `data must be { xTrain, tTrain, xTest, tTest } (tensors), got ${String(data)}`);
  for (const key of ["xTrain", "tTrain", "xTest", "tTest"] as const) checkTensor(op, `data.${key}`, data[key]);
  for (const [x, t, which] of [
    [data.xTrain, data.tTrain, "Train"],
    [data.xTest, data.tTest, "Test"],
  ] as const) {
    if (x.rank < 1 || t.rank < 1 || x.shape[0] !== t.shape[0])
      throw new ShapeError(
        op,
        `data.x${which} has shape ${formatShape(x.shape)} but data.t${which} has shape ${formatShape(t.shape)}: expected one label per row`,
      );
  }
}

/** The first NaN or ±Infinity among named gradients (before the update) or parameters (after it). */
function firstNonFinite(
  tensors: Readonly<Record<string, Tensor>>,
  iteration: number,
  kind: "gradient" | "parameter",
): Divergence | undefined {
  for (const [name, t] of Object.entries(tensors)) {
    if (t.allFinite()) continue; // the fast check; the loop below only names the first bad value
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i]!)) {
        const what = kind === "gradient" ? `gradient of ${name}` : name;
        return { iteration, what, kind, value: d[i]!, index: i, afterUpdate: kind === "parameter" };
      }
    }
  }
  return undefined;
}

function positiveInt(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new ValueError(op, `${name} must be a positive integer, got ${v}`);
  return v;
}
