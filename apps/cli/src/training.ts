import {
  MultiLayerNet,
  MultiLayerNetExtend,
  Trainer,
  TwoLayerNet,
  type EpochRow,
  type Net,
  type OptimizerName,
  type Sampling,
} from "@bp/nets";
import type { Backend, FloatDType } from "@bp/tensor";
import { buildSimpleConvNet, datasetAsImages, squareImage } from "./convNet.js";
import type { Dataset } from "./dataset.js";
import type { NetSpec } from "./netOptions.js";

export interface TrainConfig {
  spec: NetSpec;
  optimizer: OptimizerName;
  lr: number;
  iterations: number;
  batch: number;
  seed: number;
  dtype: FloatDType;
  /** "choice": the book's random rows with replacement; "epoch": shuffled epochs without. */
  sampling: Sampling;
  /** Per-epoch accuracies on the first N rows only (the book's evaluate_sample_num_per_epoch). */
  evalSamples?: number | undefined;
}

export interface TrainResult {
  net: Net;
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

/** The book's class name of the net a spec builds. */
export function netClassName(spec: NetSpec): string {
  const names = {
    two: "TwoLayerNet",
    multi: "MultiLayerNet",
    "multi-extend": "MultiLayerNetExtend",
    "simple-conv": "SimpleConvNet",
  };
  return names[spec.net];
}

/** A fresh net of `spec` with weights from `Rng(seed)` (the library's seeded setup). */
export function buildNet(
  spec: NetSpec,
  inputSize: number,
  outputSize: number,
  o: { seed: number; dtype: FloatDType; backend: Backend },
): Net {
  if (spec.net === "simple-conv")
    return buildSimpleConvNet(inputSize, spec.hidden[0]!, outputSize, spec.init as number, o);
  if (spec.net === "two") {
    return new TwoLayerNet(inputSize, spec.hidden[0]!, outputSize, {
      weightInitStd: spec.init as number,
      ...o,
    });
  }
  const common = {
    activation: spec.activation,
    weightInitStd: spec.init,
    weightDecayLambda: spec.weightDecay,
    ...o,
  };
  if (spec.net === "multi") return new MultiLayerNet(inputSize, spec.hidden, outputSize, common);
  return new MultiLayerNetExtend(inputSize, spec.hidden, outputSize, {
    ...common,
    useBatchnorm: spec.batchnorm,
    useDropout: spec.dropout !== undefined,
    ...(spec.dropout !== undefined ? { dropoutRatio: spec.dropout } : {}),
  });
}

/**
 * `bp train`'s run: a fresh net trained by the library's `Trainer` (the book's
 * common/trainer.py) with weights from `seed` and minibatches from the library's `batchRng(seed)`,
 * accuracies after every epoch. Throws the library's `DivergenceError` when the loss or a
 * parameter stops being finite.
 */
export function train(ds: Dataset, cfg: TrainConfig, backend: Backend, hooks: TrainHooks = {}): TrainResult {
  const start = performance.now();
  const net = buildNet(cfg.spec, ds.inputSize, ds.numClasses, { seed: cfg.seed, dtype: cfg.dtype, backend });
  // SimpleConvNet takes images [N, 1, H, W] (the book's load_mnist(flatten=False)).
  const data = cfg.spec.net === "simple-conv" ? datasetAsImages(ds, squareImage(ds.inputSize)) : ds;
  const trainer = new Trainer(net, data, {
    iterations: cfg.iterations,
    miniBatchSize: cfg.batch,
    optimizer: cfg.optimizer,
    optimizerParams: { lr: cfg.lr },
    seed: cfg.seed,
    sampling: cfg.sampling,
    ...(cfg.evalSamples !== undefined ? { evaluateSampleNumPerEpoch: cfg.evalSamples } : {}),
  });
  if (hooks.onIteration) trainer.on("iteration", (e) => hooks.onIteration?.(e.iteration, e.loss));
  if (hooks.onEpoch) trainer.on("epoch", (row) => hooks.onEpoch?.(row));
  const { epochs, final } = trainer.train();
  return {
    net,
    epochs,
    final: { trainAccuracy: final.trainAccuracy, testAccuracy: final.testAccuracy, loss: final.loss },
    seconds: (performance.now() - start) / 1000,
    iterationsPerEpoch: trainer.iterPerEpoch,
  };
}
