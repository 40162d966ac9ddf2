import { loadMnist } from "@bp/data";
import {
  MultiLayerNet,
  MultiLayerNetExtend,
  Trainer,
  batchRng,
  createOptimizer,
  firstRows,
  minibatchSampler,
  type Net,
  type Optimizer,
} from "@bp/nets";
import type { Backend, FloatDType, Tensor } from "@bp/tensor";
import type { AccuracyRuns, ExperimentResult, LossCurves, ScaleRuns } from "./experimentReport.js";
import type { Marker } from "./plot.js";

export const EXPERIMENT_NAMES = ["optimizers", "init", "batchnorm", "weight-decay", "dropout"] as const;
export type ExperimentName = (typeof EXPERIMENT_NAMES)[number];

export interface ExperimentSettings {
  seed: number;
  dtype: FloatDType;
  /** Iterations of the loss experiments. */
  iterations: number;
  /** Epochs of the accuracy experiments. */
  epochs: number;
  /** Training rows of the accuracy experiments (the first N of MNIST's training set). */
  trainSize: number;
  /** Test rows measured per epoch (default all). */
  evalSamples: number | undefined;
}

export interface Experiment {
  /** The figure's title. */
  title: string;
  /** The markers of the book's figure, one per curve (loss experiments). */
  markers?: readonly Marker[];
  /** Which of --iterations, --epochs, --train-size, --eval-samples apply. */
  options: readonly string[];
  defaults: { iterations?: number; epochs?: number; trainSize?: number };
  /** The first line printed: what runs, with which settings. */
  describe(s: ExperimentSettings, backend: string): string;
  /** Runs it; `progress` gets a line now and then (printed on stderr). */
  run(s: ExperimentSettings, backend: Backend, progress: (line: string) => void): ExperimentResult;
}

type Mnist = { xTrain: Tensor; tTrain: Tensor; xTest: Tensor; tTest: Tensor };

function mnist(dtype: FloatDType, backend: Backend): Mnist {
  const m = loadMnist({ dtype, backend });
  return { xTrain: m.xTrain, tTrain: m.tTrain, xTest: m.xTest, tTest: m.tTest };
}

/**
 * The loop of optimizer_compare_mnist.py and weight_init_compare.py: every net takes the same
 * minibatch of 128 rows, computes its gradient, is updated by its optimizer, and records the loss on
 * that minibatch after the update.
 */
function lossCurves(
  nets: { name: string; net: Net; optimizer: Optimizer }[],
  data: Mnist,
  s: ExperimentSettings,
  yMax: number,
  progress: (line: string) => void,
): LossCurves {
  const next = minibatchSampler(data.xTrain, data.tTrain, 128, batchRng(s.seed));
  const curves = nets.map(({ name }) => ({ name, losses: [] as number[] }));
  for (let i = 0; i < s.iterations; i++) {
    const { xBatch, tBatch } = next();
    nets.forEach(({ net, optimizer }, k) => {
      optimizer.update(net.params, net.gradient(xBatch, tBatch));
      curves[k]!.losses.push(net.loss(xBatch, tBatch));
    });
    if (i % 100 === 0)
      progress(`iteration ${i}: ${curves.map((c) => `${c.name} ${c.losses[i]!.toFixed(4)}`).join(", ")}`);
  }
  return { kind: "loss", curves, yMax };
}

const HIDDEN4 = [100, 100, 100, 100];
const HIDDEN6 = [100, 100, 100, 100, 100, 100];

/** The book's Trainer run of overfit_weight_decay.py / overfit_dropout.py on the first rows. */
function overfitRun(name: string, net: Net, data: Mnist, s: ExperimentSettings, progress: (line: string) => void) {
  const train = { ...data, xTrain: firstRows(data.xTrain, s.trainSize), tTrain: firstRows(data.tTrain, s.trainSize) };
  const trainer = new Trainer(net, train, {
    epochs: s.epochs,
    miniBatchSize: 100,
    optimizer: "sgd",
    optimizerParams: { lr: 0.01 },
    seed: s.seed,
    ...(s.evalSamples !== undefined ? { evaluateSampleNumPerEpoch: s.evalSamples } : {}),
  });
  trainer.on("epoch", (e) => {
    if (e.epoch % 10 === 0)
      progress(`${name}: epoch ${e.epoch}, train ${e.trainAccuracy.toFixed(4)}, test ${e.testAccuracy.toFixed(4)}`);
  });
  trainer.train();
  return { name, trainAccuracy: [...trainer.trainAccList], testAccuracy: [...trainer.testAccList] };
}

export const EXPERIMENTS: Record<ExperimentName, Experiment> = {
  optimizers: {
    title: "Optimizers on MNIST (784-100-100-100-100-10, batch 128)",
    markers: ["o", "x", "s", "D"],
    options: ["iterations"],
    defaults: { iterations: 2000 },
    describe: (s, be) =>
      `optimizer_compare_mnist.py: SGD, Momentum, AdaGrad, Adam (the book's default lr) on MultiLayerNet 784-100-100-100-100-10 (He init), ${s.iterations} iterations of 128 MNIST rows, seed ${s.seed}, ${s.dtype}, ${be} backend`,
    run(s, backend, progress) {
      const data = mnist(s.dtype, backend);
      const nets = (["SGD", "Momentum", "AdaGrad", "Adam"] as const).map((name) => ({
        name,
        net: new MultiLayerNet(784, HIDDEN4, 10, { seed: s.seed, dtype: s.dtype, backend }),
        optimizer: createOptimizer(name.toLowerCase()),
      }));
      return lossCurves(nets, data, s, 1, progress);
    },
  },
  init: {
    title: "Weight initialisation on MNIST (784-100-100-100-100-10, SGD lr 0.01)",
    markers: ["o", "s", "D"],
    options: ["iterations"],
    defaults: { iterations: 2000 },
    describe: (s, be) =>
      `weight_init_compare.py: std 0.01, Xavier, He on MultiLayerNet 784-100-100-100-100-10 (ReLU), SGD lr 0.01, ${s.iterations} iterations of 128 MNIST rows, seed ${s.seed}, ${s.dtype}, ${be} backend`,
    run(s, backend, progress) {
      const data = mnist(s.dtype, backend);
      const inits = [
        ["std=0.01", 0.01],
        ["Xavier", "xavier"],
        ["He", "he"],
      ] as const;
      const nets = inits.map(([name, weightInitStd]) => ({
        name,
        net: new MultiLayerNet(784, HIDDEN4, 10, { weightInitStd, seed: s.seed, dtype: s.dtype, backend }),
        optimizer: createOptimizer("sgd", { lr: 0.01 }),
      }));
      return lossCurves(nets, data, s, 2.5, progress);
    },
  },
  batchnorm: {
    title: "Batch Normalization at 16 weight scales (784-100x5-10, SGD lr 0.01)",
    options: ["epochs", "train-size"],
    defaults: { epochs: 20, trainSize: 1000 },
    describe: (s, be) =>
      `batch_norm_test.py: MultiLayerNetExtend 784-100-100-100-100-100-10 with and without BatchNorm at 16 weight scales (logspace 1 to 1e-4), SGD lr 0.01, ${s.epochs} epochs of the first ${s.trainSize} MNIST rows, batch 100, seed ${s.seed}, ${s.dtype}, ${be} backend`,
    run(s, backend, progress): ScaleRuns {
      const data = mnist(s.dtype, backend);
      const xTrain = firstRows(data.xTrain, s.trainSize);
      const tTrain = firstRows(data.tTrain, s.trainSize);
      const hidden = [100, 100, 100, 100, 100];
      // np.logspace(0, -4, num=16): 10^(-4k/15).
      const weightScales = Array.from({ length: 16 }, (_, k) => 10 ** ((-4 * k) / 15));
      const perEpoch = Math.max(1, Math.floor(s.trainSize / 100));
      const scales = weightScales.map((w, k) => {
        const make = (useBatchnorm: boolean) =>
          new MultiLayerNetExtend(784, hidden, 10, {
            weightInitStd: w,
            useBatchnorm,
            seed: s.seed,
            dtype: s.dtype,
            backend,
          });
        const bnNet = make(true);
        const net = make(false);
        const optimizer = createOptimizer("sgd", { lr: 0.01 });
        const next = minibatchSampler(xTrain, tTrain, 100, batchRng(s.seed));
        const normal: number[] = [];
        const batchnorm: number[] = [];
        // The book's loop: both nets take the same minibatch; accuracy on the training rows after
        // the first update of every epoch, for `epochs` epochs.
        for (let i = 0; batchnorm.length < s.epochs; i++) {
          const { xBatch, tBatch } = next();
          for (const n of [bnNet, net]) optimizer.update(n.params, n.gradient(xBatch, tBatch));
          if (i % perEpoch === 0) {
            normal.push(net.accuracy(xTrain, tTrain));
            batchnorm.push(bnNet.accuracy(xTrain, tTrain));
          }
        }
        progress(
          `${k + 1}/16 W:${w.toPrecision(4)}: normal ${normal.at(-1)!.toFixed(4)}, batchnorm ${batchnorm.at(-1)!.toFixed(4)}`,
        );
        return { weightScale: w, normal, batchnorm };
      });
      return { kind: "scales", scales };
    },
  },
  "weight-decay": {
    title: "Overfitting and weight decay (300 rows, 784-100x6-10, SGD lr 0.01)",
    options: ["epochs", "train-size", "eval-samples"],
    defaults: { epochs: 201, trainSize: 300 },
    describe: (s, be) =>
      `overfit_weight_decay.py: MultiLayerNet 784-100x6-10 with weight decay lambda 0 and 0.1, SGD lr 0.01, ${s.epochs} epochs of the first ${s.trainSize} MNIST rows, batch 100, seed ${s.seed}, ${s.dtype}, ${be} backend`,
    run(s, backend, progress): AccuracyRuns {
      const data = mnist(s.dtype, backend);
      const runs = ([0, 0.1] as const).map((lambda) =>
        overfitRun(
          `lambda ${lambda}`,
          new MultiLayerNet(784, HIDDEN6, 10, { weightDecayLambda: lambda, seed: s.seed, dtype: s.dtype, backend }),
          data,
          s,
          progress,
        ),
      );
      return { kind: "accuracy", runs };
    },
  },
  dropout: {
    title: "Overfitting and Dropout (300 rows, 784-100x6-10, SGD lr 0.01)",
    options: ["epochs", "train-size", "eval-samples"],
    defaults: { epochs: 301, trainSize: 300 },
    describe: (s, be) =>
      `overfit_dropout.py: MultiLayerNetExtend 784-100x6-10 without and with Dropout 0.2, SGD lr 0.01, ${s.epochs} epochs of the first ${s.trainSize} MNIST rows, batch 100, seed ${s.seed}, ${s.dtype}, ${be} backend`,
    run(s, backend, progress): AccuracyRuns {
      const data = mnist(s.dtype, backend);
      const runs = ([false, true] as const).map((useDropout) =>
        overfitRun(
          useDropout ? "dropout 0.2" : "no dropout",
          new MultiLayerNetExtend(784, HIDDEN6, 10, {
            useDropout,
            dropoutRatio: 0.2,
            seed: s.seed,
            dtype: s.dtype,
            backend,
          }),
          data,
          s,
          progress,
        ),
      );
      return { kind: "accuracy", runs };
    },
  },
};
