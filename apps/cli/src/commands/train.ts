import { choiceOption, intOption, numberOption, stringOption } from "../args.js";
import type { Command } from "../command.js";
import { loadDataset } from "../dataset.js";
import { UsageError } from "../errors.js";
import { saveModel } from "../model.js";
import { ProgressBar } from "../progress.js";
import { tableRow } from "../render.js";
import { iterationsPerEpoch, train, type TrainConfig } from "../training.js";
import {
  BACKEND_OPTION,
  DATA_OPTIONS,
  DTYPE_OPTION,
  JSON_OPTION,
  backendName,
  dataSpec,
  dtypeOption,
  withBackend,
} from "./shared.js";

/** Columns of the per-epoch table and their widths. */
const HEADER = ["epoch", "iteration", "   loss", "train acc", "test acc"];

export const trainCommand: Command = {
  brief: "train the book's TwoLayerNet (default: 784-50-10 on MNIST, 10000 iterations)",
  name: "train",
  summary:
    "Trains the book's TwoLayerNet (ch05/train_neuralnet.py) by backpropagation and SGD, printing train and\n" +
    "test accuracy after every epoch and a summary. With no options: 784-50-10 on MNIST, 10000 iterations,\n" +
    "batch 100, lr 0.1. A progress bar goes to stderr when it is a terminal.",
  usage: "bp train [options]",
  options: [
    ...DATA_OPTIONS,
    { name: "hidden", type: "string", arg: "N", description: "hidden layer size", default: "50" },
    { name: "iters", type: "string", arg: "N", description: "iterations (minibatch updates)", default: "10000" },
    {
      name: "epochs",
      type: "string",
      arg: "N",
      description: "train for N epochs instead (an epoch is training size / batch iterations)",
    },
    { name: "batch", type: "string", arg: "N", description: "minibatch size", default: "100" },
    { name: "lr", type: "string", arg: "X", description: "learning rate", default: "0.1" },
    {
      name: "weight-init-std",
      type: "string",
      arg: "X",
      description: "standard deviation of the initial weights",
      default: "0.01",
    },
    {
      name: "seed",
      type: "string",
      arg: "N",
      description: "seed of the weights (and, plus one, of the minibatches)",
      default: "0",
    },
    {
      name: "sampling",
      type: "string",
      arg: "choice|epoch",
      description: "choice: random rows with replacement (the book); epoch: shuffled epochs",
      default: "choice",
    },
    DTYPE_OPTION,
    BACKEND_OPTION,
    { name: "save", type: "string", arg: "FILE", description: "save the trained model as safetensors" },
    JSON_OPTION,
    { name: "no-progress", type: "boolean", description: "no progress bar" },
  ],
  async run(ctx, values) {
    const spec = dataSpec(values);
    if (values.iters !== undefined && values.epochs !== undefined)
      throw new UsageError("give --iters or --epochs, not both");
    const base = {
      hidden: intOption(values, "hidden", 50, 1, 100_000),
      batch: intOption(values, "batch", 100, 1),
      lr: numberOption(values, "lr", 0.1, 0)!,
      weightInitStd: numberOption(values, "weight-init-std", 0.01, 0)!,
      seed: intOption(values, "seed", 0, 0, 4294967295),
      dtype: dtypeOption(values),
      sampling: choiceOption(values, "sampling", ["choice", "epoch"] as const, "choice"),
    };
    const iters = intOption(values, "iters", 10_000, 1);
    const epochs = values.epochs === undefined ? undefined : intOption(values, "epochs", 1, 1);
    const backend = backendName(values);
    const save = stringOption(values, "save");
    const json = values.json === true;

    return withBackend(backend, (be) => {
      const ds = loadDataset(spec, base.dtype, be);
      const trainSize = ds.xTrain.shape[0]!;
      if (base.batch > trainSize)
        throw new UsageError(`--batch ${base.batch} is larger than the ${trainSize} training rows`);
      const perEpoch = iterationsPerEpoch(trainSize, base.batch);
      const cfg: TrainConfig = { ...base, iterations: epochs !== undefined ? epochs * perEpoch : iters };
      const shape = `${ds.inputSize}-${cfg.hidden}-${ds.numClasses}`;
      if (!json) {
        ctx.out(
          `TwoLayerNet ${shape} on ${ds.name} (${trainSize} train, ${ds.xTest.shape[0]} test): ${cfg.iterations} iterations ` +
            `(${perEpoch} per epoch), batch ${cfg.batch}, lr ${cfg.lr}, seed ${cfg.seed}, ${cfg.dtype}, ${be.name} backend`,
        );
        ctx.out(ctx.style.bold(HEADER.join("  ")));
      }
      const bar =
        ctx.io.stderr.isTTY === true && values["no-progress"] !== true
          ? new ProgressBar(ctx.io.stderr, cfg.iterations, ctx.errStyle)
          : null;
      const result = train(ds, cfg, be, {
        onIteration: (i, loss) => bar?.update(i, loss),
        onEpoch: (row) => {
          if (json) return;
          bar?.clear();
          ctx.out(
            tableRow(HEADER, [
              String(row.epoch),
              String(row.iteration),
              row.loss.toFixed(4),
              row.trainAccuracy.toFixed(4),
              row.testAccuracy.toFixed(4),
            ]),
          );
        },
      });
      bar?.clear();
      const { final } = result;
      if (save !== undefined) {
        saveModel(save, result.net, {
          data: spec.data,
          scale: spec.data === "csv" ? spec.scale : undefined,
          labelColumn: spec.data === "csv" ? spec.labelColumn : undefined,
          delimiter: spec.data === "csv" ? spec.delimiter : undefined,
          dtype: cfg.dtype,
          iterations: cfg.iterations,
          batch: cfg.batch,
          lr: cfg.lr,
          seed: cfg.seed,
          trainAccuracy: final.trainAccuracy,
          testAccuracy: final.testAccuracy,
        });
      }
      if (json) {
        ctx.out(
          JSON.stringify({
            epochs: result.epochs.map(({ epoch, iteration, trainAccuracy, testAccuracy }) => ({
              epoch,
              iteration,
              trainAccuracy,
              testAccuracy,
            })),
            final,
            seconds: round(result.seconds, 3),
            config: {
              data: spec.data,
              dataName: ds.name,
              inputSize: ds.inputSize,
              hidden: cfg.hidden,
              outputSize: ds.numClasses,
              iterations: cfg.iterations,
              iterationsPerEpoch: perEpoch,
              batch: cfg.batch,
              lr: cfg.lr,
              weightInitStd: cfg.weightInitStd,
              seed: cfg.seed,
              sampling: cfg.sampling,
              dtype: cfg.dtype,
              backend: be.name,
              ...(spec.data === "csv"
                ? { scale: spec.scale, labelColumn: spec.labelColumn, delimiter: spec.delimiter }
                : {}),
              ...(save !== undefined ? { save } : {}),
            },
          }),
        );
        return 0;
      }
      const s = ctx.style;
      ctx.out(
        `final: train accuracy ${s.bold(final.trainAccuracy.toFixed(4))}, test accuracy ${s.bold(final.testAccuracy.toFixed(4))}, loss ${final.loss.toFixed(4)}`,
      );
      ctx.out(`time: ${result.seconds.toFixed(1)} s (${(cfg.iterations / result.seconds).toFixed(0)} iterations/s)`);
      if (save !== undefined) ctx.out(`saved: ${save}`);
      return 0;
    });
  },
};

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
