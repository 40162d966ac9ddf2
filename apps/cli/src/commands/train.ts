import { checkSaveTarget } from "@bp/data";
import { DivergenceError, firstRows, netTitle } from "@bp/nets";
import { choiceOption, intOption, stringOption } from "../args.js";
import type { Command } from "../command.js";
import { checkRows, loadDataset, type Dataset } from "../dataset.js";
import { convRecipe } from "../convNet.js";
import { UsageError } from "../errors.js";
import { divergenceHint } from "../divergenceHint.js";
import { MAX_MEMORY_OPTION, checkMemory, memoryLimit, tensorBytes, trainEstimate } from "../memory.js";
import { saveModel } from "../model.js";
import { NET_OPTIONS, OPTIMIZER_OPTIONS, netSpec, optimizerOption } from "../netOptions.js";
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

/** `--train-size N` / `--test-size N`: the first N rows, as the book's overfitting scripts do. */
function takeRows(ds: Dataset, trainSize: number | undefined, testSize: number | undefined): Dataset {
  return {
    ...ds,
    ...(trainSize !== undefined
      ? { xTrain: firstRows(ds.xTrain, trainSize), tTrain: firstRows(ds.tTrain, trainSize) }
      : {}),
    ...(testSize !== undefined ? { xTest: firstRows(ds.xTest, testSize), tTest: firstRows(ds.tTest, testSize) } : {}),
  };
}

export const trainCommand: Command = {
  brief: "train a net of the book (default: TwoLayerNet 784-50-10 on MNIST, 10000 iterations)",
  name: "train",
  summary:
    "Trains a net of the book by backpropagation with the library's Trainer (common/trainer.py), printing\n" +
    "train and test accuracy after every epoch and a summary. With no options, the book's ch05 run\n" +
    "(train_neuralnet.py): TwoLayerNet 784-50-10 on MNIST, 10000 iterations, batch 100, SGD lr 0.1.\n" +
    "--net multi and multi-extend are chapter 6's MultiLayerNet and MultiLayerNetExtend; --net simple-conv\n" +
    "is chapter 7's SimpleConvNet, trained by default with ch07/train_convnet.py's recipe (Adam lr 0.001,\n" +
    "20 epochs, per-epoch accuracies on 1000 rows). The web app names the nets the same way. A progress bar\n" +
    "goes to stderr when it is a terminal. A run whose loss or parameters stop being finite ends with\n" +
    "exit status 1 and saves nothing.",
  usage: "bp train [options]",
  options: [
    ...DATA_OPTIONS,
    ...NET_OPTIONS,
    ...OPTIMIZER_OPTIONS,
    { name: "iters", type: "string", arg: "N", description: "iterations (minibatch updates)", default: "10000" },
    {
      name: "epochs",
      type: "string",
      arg: "N",
      description: "train for N epochs instead (an epoch is training size / batch iterations)",
    },
    { name: "batch", type: "string", arg: "N", description: "minibatch size", default: "100" },
    { name: "train-size", type: "string", arg: "N", description: "train on the first N training rows only" },
    { name: "test-size", type: "string", arg: "N", description: "test on the first N test rows only" },
    {
      name: "eval-samples",
      type: "string",
      arg: "N",
      description: "per-epoch accuracies on the first N rows of each set (the final ones use all)",
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
    MAX_MEMORY_OPTION,
    { name: "save", type: "string", arg: "FILE", description: "save the trained model as safetensors" },
    JSON_OPTION,
    { name: "no-progress", type: "boolean", description: "no progress bar" },
  ],
  async run(ctx, given) {
    const values = convRecipe(given);
    const data = dataSpec(values);
    const spec = netSpec(values);
    if (values.iters !== undefined && values.epochs !== undefined)
      throw new UsageError("give --iters or --epochs, not both");
    const base = {
      spec,
      ...optimizerOption(values),
      batch: intOption(values, "batch", 100, 1),
      seed: intOption(values, "seed", 0, 0, 4294967295),
      dtype: dtypeOption(values),
      sampling: choiceOption(values, "sampling", ["choice", "epoch"] as const, "choice"),
    };
    const iters = intOption(values, "iters", 10_000, 1);
    const epochs = values.epochs === undefined ? undefined : intOption(values, "epochs", 1, 1);
    const sizeOption = (name: string) => (values[name] === undefined ? undefined : intOption(values, name, 1, 1));
    const trainSize = sizeOption("train-size");
    const testSize = sizeOption("test-size");
    const evalSamples = sizeOption("eval-samples");
    const backend = backendName(values);
    const limit = memoryLimit(values);
    const save = stringOption(values, "save");
    const json = values.json === true;

    // A bad --save path is reported before training, not after.
    if (save !== undefined) checkSaveTarget(save, "train --save");
    return withBackend(backend, (be) => {
      const full = loadDataset(data, base.dtype, be);
      const ds = takeRows(full, trainSize, testSize);
      checkRows(ds, data, "train");
      const rowsTrain = ds.xTrain.shape[0]!;
      if (base.batch > rowsTrain)
        throw new UsageError(`--batch ${base.batch} is larger than the ${rowsTrain} training rows`);
      // Before the net is built: refuse a run that would not fit (estimate and limit in the message).
      const estimate = trainEstimate(spec, ds.inputSize, ds.numClasses, {
        dtype: base.dtype,
        batch: base.batch,
        optimizer: base.optimizer,
        data: {
          rows: Math.max(rowsTrain, ds.xTest.shape[0]!),
          bytes: tensorBytes(
            full.xTrain,
            full.tTrain,
            full.xTest,
            full.tTest,
            ds.xTrain,
            ds.tTrain,
            ds.xTest,
            ds.tTest,
          ),
        },
      });
      const title = netTitle({ ...spec, inputSize: ds.inputSize, outputSize: ds.numClasses });
      checkMemory("train", `training ${title} with batch ${base.batch}`, estimate, limit);
      const perEpoch = iterationsPerEpoch(rowsTrain, base.batch);
      const cfg: TrainConfig = {
        ...base,
        iterations: epochs !== undefined ? epochs * perEpoch : iters,
        evalSamples,
      };
      if (!json) {
        const lr = cfg.optimizer === "sgd" ? `lr ${cfg.lr}` : `${cfg.optimizer} lr ${cfg.lr}`;
        ctx.out(
          `${title} on ${ds.name} (${rowsTrain} train, ${ds.xTest.shape[0]} test): ${cfg.iterations} iterations ` +
            `(${perEpoch} per epoch), batch ${cfg.batch}, ${lr}, seed ${cfg.seed}, ${cfg.dtype}, ${be.name} backend`,
        );
        ctx.out(ctx.style.bold(HEADER.join("  ")));
      }
      const bar =
        ctx.io.stderr.isTTY === true && values["no-progress"] !== true
          ? new ProgressBar(ctx.io.stderr, cfg.iterations, ctx.errStyle)
          : null;
      let result: ReturnType<typeof train>;
      try {
        result = train(ds, cfg, be, {
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
      } catch (e) {
        if (!(e instanceof DivergenceError)) throw e;
        bar?.clear();
        const d = e.divergence;
        const hint = divergenceHint({
          spec,
          lr: cfg.lr,
          xTrain: ds.xTrain,
          scale: data.data === "csv" ? data.scale : undefined,
        });
        ctx.err(
          `${ctx.errStyle.red("bp:")} training diverged at iteration ${d.iteration} (${d.what} is ${d.value}); ` +
            `${hint}${save !== undefined ? `; nothing was saved to ${save}` : ""}`,
        );
        return 1;
      }
      bar?.clear();
      const { final } = result;
      if (save !== undefined) {
        saveModel(save, result.net, {
          data: data.data,
          scale: data.data === "csv" ? data.scale : undefined,
          labelColumn: data.data === "csv" ? data.labelColumn : undefined,
          delimiter: data.data === "csv" ? data.delimiter : undefined,
          dtype: cfg.dtype,
          iterations: cfg.iterations,
          batch: cfg.batch,
          optimizer: cfg.optimizer,
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
              data: data.data,
              dataName: ds.name,
              inputSize: ds.inputSize,
              hidden: spec.net === "two-layer" ? spec.hidden[0] : spec.hidden,
              outputSize: ds.numClasses,
              iterations: cfg.iterations,
              iterationsPerEpoch: perEpoch,
              batch: cfg.batch,
              optimizer: cfg.optimizer,
              lr: cfg.lr,
              ...(typeof spec.init === "number" ? { weightInitStd: spec.init } : { init: spec.init }),
              seed: cfg.seed,
              sampling: cfg.sampling,
              dtype: cfg.dtype,
              backend: be.name,
              trainSize: rowsTrain,
              testSize: ds.xTest.shape[0],
              ...(evalSamples !== undefined ? { evalSamples } : {}),
              ...(data.data === "csv"
                ? { scale: data.scale, labelColumn: data.labelColumn, delimiter: data.delimiter }
                : {}),
              ...(save !== undefined ? { save } : {}),
            },
            net: result.net.describe(),
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
