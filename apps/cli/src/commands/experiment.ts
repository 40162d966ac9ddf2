import { intOption, stringOption } from "../args.js";
import type { Command } from "../command.js";
import { UsageError } from "../errors.js";
import { EXPERIMENTS, EXPERIMENT_NAMES, type ExperimentName, type ExperimentSettings } from "../experiments.js";
import { resultFigure, resultTable, summarize } from "../experimentReport.js";
import { checkSaveTarget, writeFileAtomic } from "@bp/data";
import { renderSvg } from "../plot.js";
import { table } from "../render.js";
import { BACKEND_OPTION, DTYPE_OPTION, JSON_OPTION, backendName, dtypeOption, withBackend } from "./shared.js";

export const experimentCommand: Command = {
  name: "experiment",
  brief: "run one of the book's chapter 6 experiments on MNIST: a table, and an SVG figure with --plot",
  summary:
    "Runs an experiment of the book's chapter 6 on MNIST with the book's settings and prints a table:\n" +
    "  optimizers    SGD, Momentum, AdaGrad, Adam on 784-100x4-10, 2000 iterations of 128 (optimizer_compare_mnist.py)\n" +
    "  init          std 0.01, Xavier, He with SGD lr 0.01, 2000 iterations of 128 (weight_init_compare.py)\n" +
    "  batchnorm     with and without BatchNorm at 16 weight scales, 1000 rows, 20 epochs (batch_norm_test.py)\n" +
    "  weight-decay  lambda 0 and 0.1 on 300 rows, 784-100x6-10, 201 epochs (overfit_weight_decay.py)\n" +
    "  dropout       without and with Dropout 0.2 on 300 rows, 784-100x6-10, 301 epochs (overfit_dropout.py)\n" +
    "Loss tables show the minibatch loss after the update, as the book prints it, and the mean of the last\n" +
    "100 iterations; the figure smooths losses with the book's smooth_curve. Runs take minutes; --iterations,\n" +
    "--epochs and --train-size give shorter runs.",
  usage: `bp experiment ${EXPERIMENT_NAMES.join("|")} [options]`,
  positionals: 1,
  options: [
    {
      name: "seed",
      type: "string",
      arg: "N",
      description: "seed of the weights (and, plus one, of the minibatches)",
      default: "0",
    },
    { name: "plot", type: "string", arg: "FILE.svg", description: "write the figure as SVG" },
    {
      name: "iterations",
      type: "string",
      arg: "N",
      description: "iterations of the loss experiments (optimizers, init)",
      default: "2000",
    },
    {
      name: "epochs",
      type: "string",
      arg: "N",
      description: "epochs of batchnorm, weight-decay, dropout",
      default: "20, 201, 301",
    },
    {
      name: "train-size",
      type: "string",
      arg: "N",
      description: "training rows of batchnorm, weight-decay, dropout",
      default: "1000, 300, 300",
    },
    {
      name: "eval-samples",
      type: "string",
      arg: "N",
      description: "measure test accuracy on the first N test rows (weight-decay, dropout)",
      default: "all 10000",
    },
    DTYPE_OPTION,
    BACKEND_OPTION,
    JSON_OPTION,
  ],
  async run(ctx, values, positionals) {
    const which = positionals[0];
    if (which === undefined)
      throw new UsageError(`experiment needs the name of an experiment: ${EXPERIMENT_NAMES.join(", ")}`);
    if (!(EXPERIMENT_NAMES as readonly string[]).includes(which))
      throw new UsageError(`unknown experiment ${JSON.stringify(which)} (expected ${EXPERIMENT_NAMES.join(", ")})`);
    const name = which as ExperimentName;
    const experiment = EXPERIMENTS[name];
    const plot = stringOption(values, "plot");
    if (plot !== undefined && !plot.toLowerCase().endsWith(".svg"))
      throw new UsageError(`--plot writes an SVG file: give a name ending in .svg, got ${JSON.stringify(plot)}`);
    for (const option of ["iterations", "epochs", "train-size"] as const) {
      if (values[option] !== undefined && !experiment.options.includes(option))
        throw new UsageError(`--${option} is not a setting of the ${name} experiment`);
    }
    if (values["eval-samples"] !== undefined && !experiment.options.includes("eval-samples"))
      throw new UsageError(`--eval-samples is not a setting of the ${name} experiment`);
    const settings: ExperimentSettings = {
      seed: intOption(values, "seed", 0, 0, 4294967295),
      dtype: dtypeOption(values),
      iterations: intOption(values, "iterations", experiment.defaults.iterations ?? 0, 1),
      epochs: intOption(values, "epochs", experiment.defaults.epochs ?? 0, 1),
      trainSize: intOption(values, "train-size", experiment.defaults.trainSize ?? 0, 1, 60_000),
      evalSamples: values["eval-samples"] === undefined ? undefined : intOption(values, "eval-samples", 0, 1),
    };
    const json = values.json === true;
    // A bad --plot path is reported before minutes of training, not after.
    if (plot !== undefined) checkSaveTarget(plot, "experiment --plot");
    return withBackend(backendName(values), (be) => {
      if (!json) ctx.out(experiment.describe(settings, be.name));
      const start = performance.now();
      const result = experiment.run(settings, be, (line) => {
        if (!json) ctx.err(ctx.errStyle.dim(line));
      });
      const seconds = (performance.now() - start) / 1000;
      if (plot !== undefined)
        writeFileAtomic(
          plot,
          renderSvg(resultFigure(result, experiment.title, experiment.markers)),
          "experiment --plot",
        );
      if (json) {
        ctx.out(
          JSON.stringify({
            experiment: name,
            settings: { ...applicable(settings, experiment.options), backend: be.name },
            result,
            summary: summarize(result),
            seconds: Math.round(seconds * 1000) / 1000,
            ...(plot !== undefined ? { plot } : {}),
          }),
        );
        return 0;
      }
      const { header, rows, notes } = resultTable(result);
      for (const line of table(header, rows, ctx.style)) ctx.out(line);
      for (const note of notes) ctx.out(note);
      ctx.out(`time: ${seconds.toFixed(1)} s`);
      if (plot !== undefined) ctx.out(`plot: ${plot}`);
      return 0;
    });
  },
};

/** The settings an experiment uses (seed, dtype and its own of --iterations, --epochs, ...). */
function applicable(s: ExperimentSettings, options: readonly string[]): Partial<ExperimentSettings> {
  const { iterations, epochs, trainSize, evalSamples, ...always } = s;
  return {
    ...always,
    ...(options.includes("iterations") ? { iterations } : {}),
    ...(options.includes("epochs") ? { epochs } : {}),
    ...(options.includes("train-size") ? { trainSize } : {}),
    ...(options.includes("eval-samples") && evalSamples !== undefined ? { evalSamples } : {}),
  };
}
