import { DataError } from "@bp/data";
import { intOption, stringOption, type Values } from "../args.js";
import type { Command, Context } from "../command.js";
import { datasetAsImages, imageShapeOf } from "../convNet.js";
import { checkRows, loadDataset, type Dataset } from "../dataset.js";
import { UsageError } from "../errors.js";
import { loadModel, type LoadedModel } from "../model.js";
import { bar, drawImage } from "../render.js";
import { softmax } from "@bp/layers";
import { BACKEND_OPTION, DATA_OPTIONS, JSON_OPTION, backendName, dataSpec, withBackend } from "./shared.js";

const MODEL_OPTION = {
  name: "model",
  type: "string" as const,
  arg: "FILE",
  description: "a net saved by bp train --save (safetensors; any --net)",
};
const EVAL_DATA_OPTIONS = DATA_OPTIONS.map((o) =>
  o.name === "data"
    ? { ...o, default: "what the model was trained on" }
    : ["scale", "label-column", "delimiter"].includes(o.name)
      ? { ...o, default: `as in training, else ${o.default}` }
      : o,
);

/** Loads the model named by --model and the test data (defaults from the model's metadata). */
function loadModelAndData(
  values: Values,
  command: string,
  run: (model: LoadedModel, ds: Dataset, modelPath: string) => number,
): Promise<number> {
  const path = stringOption(values, "model");
  if (path === undefined) throw new UsageError(`${command} needs --model FILE (a model saved by bp train --save)`);
  const backend = backendName(values);
  return withBackend(backend, (be) => {
    const model = loadModel(path, be);
    const meta = model.metadata;
    const scale = Number(meta.scale);
    const spec = dataSpec(values, {
      data: meta.data,
      scale: Number.isFinite(scale) && scale > 0 ? scale : undefined,
      labelColumn: meta.labelColumn,
      delimiter: meta.delimiter,
    });
    if (spec.data === "csv" && spec.test === undefined) {
      throw new UsageError(`${path} was trained on CSV data: give --test FILE`);
    }
    const loaded = loadDataset(spec, model.dtype, be, false);
    const image = imageShapeOf(model.description);
    const ds = image === null ? loaded : datasetAsImages(loaded, image);
    checkRows(ds, spec, command, false);
    if (ds.inputSize !== model.inputSize) {
      throw new DataError(
        command,
        { file: path },
        `the model takes ${model.inputSize} features but ${ds.name} has ${ds.inputSize}`,
      );
    }
    return run(model, ds, path);
  });
}

export const evalCommand: Command = {
  name: "eval",
  brief: "accuracy of a saved model on the test set",
  summary: "Measures the accuracy of a saved model on the test set.",
  usage: "bp eval --model FILE [options]",
  options: [MODEL_OPTION, ...EVAL_DATA_OPTIONS, BACKEND_OPTION, JSON_OPTION],
  run(ctx, values) {
    return loadModelAndData(values, "eval", (model, ds, path) => {
      const accuracy = model.net.accuracy(ds.xTest, ds.tTest);
      const total = ds.xTest.shape[0]!;
      const correct = Math.round(accuracy * total);
      if (values.json === true) {
        ctx.out(JSON.stringify({ model: path, data: ds.name, testAccuracy: accuracy, correct, total }));
      } else {
        ctx.out(`${path}: ${model.description.kind} ${model.sizes.join("-")} (${model.dtype})`);
        ctx.out(`test accuracy: ${ctx.style.bold(accuracy.toFixed(4))} (${correct} of ${total} on ${ds.name})`);
      }
      return 0;
    });
  },
};

export const predictCommand: Command = {
  name: "predict",
  brief: "draw one test image and the saved model's class probabilities",
  summary: "Shows one test image in the terminal with the model's class probabilities.",
  usage: "bp predict --model FILE --index N [options]",
  options: [
    MODEL_OPTION,
    { name: "index", type: "string", arg: "N", description: "which test image (0-based)", default: "0" },
    ...EVAL_DATA_OPTIONS,
    BACKEND_OPTION,
    JSON_OPTION,
  ],
  run(ctx, values) {
    const index = intOption(values, "index", 0, 0);
    return loadModelAndData(values, "predict", (model, ds) => {
      const total = ds.xTest.shape[0]!;
      if (index >= total) throw new UsageError(`--index ${index} is past the last test image (${total - 1})`);
      const x = ds.xTest.gather([index]);
      const probs = Array.from(softmax(model.net.predict(x)).data);
      const label = ds.tTest.get(index);
      const predicted = probs.indexOf(Math.max(...probs));
      if (values.json === true) {
        ctx.out(JSON.stringify({ index, label, predicted, probabilities: probs }));
        return 0;
      }
      printPrediction(ctx, Array.from(x.data), index, label, predicted, probs);
      return 0;
    });
  },
};

function printPrediction(
  ctx: Context,
  pixels: number[],
  index: number,
  label: number,
  predicted: number,
  probs: number[],
): void {
  const s = ctx.style;
  ctx.out(`test image ${index}, label ${label}`);
  const side = Math.round(Math.sqrt(pixels.length));
  if (side * side === pixels.length) {
    let max = 0;
    for (const v of pixels) max = Math.max(max, v);
    for (const line of drawImage(max > 1 ? pixels.map((v) => v / max) : pixels, side, s)) ctx.out(line);
  } else {
    ctx.out(s.dim(`(${pixels.length} features: not a square image, not drawn)`));
  }
  ctx.out(s.bold("class  probability"));
  probs.forEach((p, c) => {
    const row = `${String(c).padStart(5)}  ${p.toFixed(4)}  ${bar(p, 30)}`.trimEnd();
    ctx.out(c === predicted ? (c === label ? s.green(row) : s.red(row)) : row);
  });
  ctx.out(
    `prediction: ${predicted} (${predicted === label ? s.green("correct") : s.red(`wrong, the label is ${label}`)})`,
  );
}
