import { DataError } from "@bp/data";
import { intOption, stringOption, type Values } from "../args.js";
import type { Command, Context } from "../command.js";
import { datasetAsImages, imageShapeOf } from "../convNet.js";
import { checkRows, loadDataset, type Dataset } from "../dataset.js";
import { UsageError } from "../errors.js";
import { loadModel, type LoadedModel } from "../model.js";
import { bar, drawImage } from "../render.js";
import { softmax } from "@bp/layers";
import {
  BACKEND_OPTION,
  DATA_OPTIONS,
  JSON_OPTION,
  backendName,
  dataSpec,
  withBackend,
  type DataDefaults,
} from "./shared.js";
import {
  EVAL_CHUNK,
  MAX_MEMORY_OPTION,
  checkMemory,
  checkModelFile,
  evalEstimate,
  memoryLimit,
  tensorBytes,
} from "../memory.js";
import { evaluationRows } from "@bp/nets";
import type { Tensor } from "@bp/tensor";

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

/**
 * The CSV settings stored in a model's metadata, checked as a file's contents (a bad one is the
 * model file's fault, exit 1, not a bad flag); only those the command line does not override.
 */
function metadataDefaults(meta: Record<string, string>, values: Values, path: string, op: string): DataDefaults {
  const bad = (key: string, expected: string): never => {
    throw new DataError(
      op,
      { file: path },
      `the model's metadata holds ${key} ${JSON.stringify(meta[key])}; expected ${expected} (or give --${key === "labelColumn" ? "label-column" : key} to override it)`,
    );
  };
  const given = (key: string) => values[key] !== undefined;
  if (!given("data") && meta.data !== undefined && meta.data !== "mnist" && meta.data !== "csv")
    bad("data", '"mnist" or "csv"');
  const scale = meta.scale === undefined ? undefined : Number(meta.scale);
  if (!given("scale") && scale !== undefined && !(Number.isFinite(scale) && scale > 0)) bad("scale", "a number > 0");
  const delimiter = meta.delimiter;
  if (
    !given("delimiter") &&
    delimiter !== undefined &&
    delimiter !== "tab" &&
    (delimiter.length !== 1 || delimiter === '"')
  )
    bad("delimiter", 'one character or "tab"');
  if (!given("label-column") && meta.labelColumn !== undefined && meta.labelColumn.trim() === "")
    bad("labelColumn", "a column index or name");
  return { data: meta.data, scale, labelColumn: meta.labelColumn, delimiter };
}

/** Loads the model named by --model and the test data (defaults from the model's metadata). */
function loadModelAndData(
  values: Values,
  command: string,
  run: (model: LoadedModel, ds: Dataset, modelPath: string) => number,
): Promise<number> {
  const path = stringOption(values, "model");
  if (path === undefined) throw new UsageError(`${command} needs --model FILE (a model saved by bp train --save)`);
  const backend = backendName(values);
  const limit = memoryLimit(values);
  return withBackend(backend, (be) => {
    checkModelFile(command, path, limit);
    const model = loadModel(path, be);
    const spec = dataSpec(values, metadataDefaults(model.metadata, values, path, command));
    if (spec.data === "csv" && spec.test === undefined) {
      throw new UsageError(`${path} was trained on CSV data: give --test FILE`);
    }
    const loaded = loadDataset(spec, model.dtype, be, false);
    checkRows(loaded, spec, command, false);
    const image = imageShapeOf(model.description);
    // The width first: reshaping rows of the wrong width into images would fail inside reshape.
    if (loaded.inputSize !== model.inputSize) {
      throw new DataError(
        command,
        { file: path },
        `the model takes ${model.inputSize} features${image === null ? "" : ` (${image.join("x")} images)`} but ${loaded.name} has ${loaded.inputSize}`,
      );
    }
    const rows = loaded.xTest.shape[0]!;
    checkMemory(
      command,
      `evaluating ${path}`,
      evalEstimate(model.layout, model.dtype, { rows, bytes: tensorBytes(loaded.xTest, loaded.tTest) }),
      limit,
    );
    const ds = image === null ? loaded : datasetAsImages(loaded, image);
    return run(model, ds, path);
  });
}

/**
 * The net's scores for `x` (chunks of at most EVAL_CHUNK rows, 100 for images), handed to `each`
 * chunk by chunk; a score that is not finite (weights that overflow) is an error naming the row,
 * never an accuracy or a probability computed from Infinity or NaN.
 */
function eachScores(
  model: LoadedModel,
  x: Tensor,
  path: string,
  op: string,
  each: (scores: Tensor, start: number) => void,
): void {
  const rows = x.shape[0]!;
  const chunk = evaluationRows(model.layout.inputShape, rows, EVAL_CHUNK);
  for (let start = 0; start < rows; start += chunk) {
    const part =
      rows <= chunk ? x : x.gather(Int32Array.from({ length: Math.min(chunk, rows - start) }, (_, i) => start + i));
    const scores = model.net.predict(part);
    const d = scores.data;
    const classes = scores.shape[1]!;
    for (let i = 0; i < d.length; i++)
      if (!Number.isFinite(d[i]!))
        throw new DataError(
          op,
          { file: path },
          `the model's score of class ${i % classes} for test row ${start + Math.floor(i / classes)} is ${d[i]}; its weights overflow (expected finite scores)`,
        );
    each(scores, start);
    scores.dispose();
    if (part !== x) part.dispose();
  }
}

/** The fraction of rows whose highest score is the label's class, with every score checked. */
function checkedAccuracy(model: LoadedModel, x: Tensor, t: Tensor, path: string, op: string): number {
  let correct = 0;
  eachScores(model, x, path, op, (scores, start) => {
    const y = scores.argmax(1);
    for (let i = 0; i < y.size; i++) if (y.data[i] === t.data[start + i]) correct++;
    y.dispose();
  });
  return correct / x.shape[0]!;
}

export const evalCommand: Command = {
  name: "eval",
  brief: "accuracy of a saved model on the test set",
  summary: "Measures the accuracy of a saved model on the test set.",
  usage: "bp eval --model FILE [options]",
  options: [MODEL_OPTION, ...EVAL_DATA_OPTIONS, BACKEND_OPTION, MAX_MEMORY_OPTION, JSON_OPTION],
  run(ctx, values) {
    return loadModelAndData(values, "eval", (model, ds, path) => {
      const accuracy = checkedAccuracy(model, ds.xTest, ds.tTest, path, "eval");
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
    MAX_MEMORY_OPTION,
    JSON_OPTION,
  ],
  run(ctx, values) {
    const index = intOption(values, "index", 0, 0);
    return loadModelAndData(values, "predict", (model, ds, path) => {
      const total = ds.xTest.shape[0]!;
      if (index >= total) throw new UsageError(`--index ${index} is past the last test image (${total - 1})`);
      const x = ds.xTest.gather([index]);
      let probs: number[] = [];
      eachScores(model, x, path, "predict", (scores) => {
        probs = Array.from(softmax(scores).data);
      });
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
