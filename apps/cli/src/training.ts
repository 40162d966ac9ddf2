import { NETS, Trainer, createNet, type EpochRow, type Net, type OptimizerName, type Sampling } from "@bp/nets";
import type { Backend, FloatDType } from "@bp/tensor";
import { datasetAsImages, squareImage } from "./convNet.js";
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

/**
 * A fresh net of `spec` for rows of `inputSize` features and `outputSize` classes, with weights from
 * `Rng(seed)`: the library's `createNet`, which the web app builds its nets with too.
 */
export function buildNet(
  spec: NetSpec,
  inputSize: number,
  outputSize: number,
  o: { seed: number; dtype: FloatDType; backend: Backend },
): Net {
  // SimpleConvNet takes square images: say so as a usage error before the library's ValueError.
  if (NETS[spec.net].images) squareImage(inputSize);
  return createNet({ ...spec, inputSize, outputSize, seed: o.seed, dtype: o.dtype }, { backend: o.backend });
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
  const data = NETS[cfg.spec.net].images ? datasetAsImages(ds, squareImage(ds.inputSize)) : ds;
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
