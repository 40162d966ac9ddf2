import { type CheckReport, DEFAULT_ATOL, DEFAULT_RTOL, checkNet, formatReport } from "@bp/gradcheck";
import { Dropout } from "@bp/layers";
import { netTitle, type Net } from "@bp/nets";
import type { Backend, FloatDType, Tensor } from "@bp/tensor";
import { NET_OPTIONS, type NetSpec, netSpec } from "../netOptions.js";
import { buildNet } from "../training.js";
import { intOption, numberOption, type Values } from "../args.js";
import type { Command, Context } from "../command.js";
import { bookConvCheck } from "../convNet.js";
import { type DataSpec, loadDataset } from "../dataset.js";
import { UsageError } from "../errors.js";
import {
  MAX_MEMORY_OPTION,
  type MemoryLimit,
  checkMemory,
  gradcheckEstimate,
  memoryLimit,
  tensorBytes,
} from "../memory.js";
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

/**
 * float32 tolerances: the loss is only good to about 6e-8 x |loss|, so a central difference with
 * h = 1e-4 carries errors near 6e-8 x 2.3 / 2e-4 ~ 7e-4 (measured: max |diff| ~1e-3).
 */
const FLOAT32_ATOL = 1e-2;
const FLOAT32_RTOL = 1e-1;

export const gradcheckCommand: Command = {
  brief: "compare backprop gradients with numerical ones (the book's gradient check)",
  name: "gradcheck",
  summary:
    "The book's gradient check (ch05/gradient_check.py): on the first training images, compares the gradient\n" +
    "from backpropagation with the numerical one (central differences) for every parameter (W1, b1, ...;\n" +
    "gamma1, beta1, ... with --batchnorm), prints the book's mean absolute difference of each and a table of\n" +
    "the largest errors. Exit status 1 when an element is out of tolerance (|backprop - numerical| > atol +\n" +
    "rtol * |numerical|). Takes the net options of bp train; with --dropout, every forward pass of the check\n" +
    "uses the masks of one first training forward.",
  usage: "bp gradcheck [options]",
  options: [
    ...DATA_OPTIONS,
    { name: "count", type: "string", arg: "N", description: "number of training images", default: "3" },
    ...NET_OPTIONS,
    { name: "seed", type: "string", arg: "N", description: "seed of the weights", default: "0" },
    {
      name: "atol",
      type: "string",
      arg: "X",
      description: "absolute tolerance per element",
      default: `${DEFAULT_ATOL}; float32: ${FLOAT32_ATOL}`,
    },
    {
      name: "rtol",
      type: "string",
      arg: "X",
      description: "relative tolerance per element",
      default: `${DEFAULT_RTOL}; float32: ${FLOAT32_RTOL}`,
    },
    DTYPE_OPTION,
    BACKEND_OPTION,
    MAX_MEMORY_OPTION,
    JSON_OPTION,
  ],
  async run(ctx, values) {
    // The ch07 check's fixed net: the options it does not read are refused before any is parsed.
    if (values.net === "simple-conv") refuseUnusedByConvCheck(values);
    const data = dataSpec(values);
    const spec = netSpec(values);
    const count = intOption(values, "count", 3, 1, 1000);
    // --net simple-conv: the book's ch07 check (see bookConvCheck). Its default seed puts the check
    // point at least h = 1e-4 away from every ReLU and max-pool kink, where central differences are
    // exact to rounding; a point closer to a kink gets a wrong numerical gradient there.
    const conv = spec.net === "simple-conv";
    const seed = intOption(values, "seed", conv ? 5 : 0, 0, 4294967295);
    const dtype = dtypeOption(values);
    const atol = numberOption(values, "atol", dtype === "float64" ? DEFAULT_ATOL : FLOAT32_ATOL, 0)!;
    const rtol = numberOption(values, "rtol", dtype === "float64" ? DEFAULT_RTOL : FLOAT32_RTOL, 0)!;
    const limit = memoryLimit(values);
    return withBackend(backendName(values), (be) => {
      const { net, x, t, title, config } = conv
        ? convCase(seed, dtype, be)
        : dataCase(data, spec, count, seed, dtype, be, limit);
      const report = checkNet(net, x, t, { atol, rtol });
      const comparisons = Object.values(report.comparisons);
      if (values.json === true) {
        ctx.out(
          JSON.stringify({
            passed: report.passed,
            atol: report.atol,
            rtol: report.rtol,
            params: comparisons,
            config: { ...config, seed, dtype, backend: be.name },
            net: net.describe(),
          }),
        );
      } else {
        ctx.out(title);
        printReport(ctx, comparisons, report);
      }
      return report.passed ? 0 : 1;
    });
  },
};

/** What a gradient check runs on: the net, its inputs and labels, the title line and JSON config. */
interface CheckCase {
  net: Net;
  x: Tensor;
  t: Tensor;
  title: string;
  config: Record<string, unknown>;
}

/** The book's ch05/ch06 check: a net of the given options on the first `count` training rows. */
function dataCase(
  data: DataSpec,
  spec: NetSpec,
  count: number,
  seed: number,
  dtype: FloatDType,
  be: Backend,
  limit: MemoryLimit,
): CheckCase {
  const ds = loadDataset(data, dtype, be);
  const n = ds.xTrain.shape[0]!;
  if (count > n) throw new UsageError(`--count ${count} is more than the ${n} training rows`);
  checkMemory(
    "gradcheck",
    `checking ${netTitle({ ...spec, inputSize: ds.inputSize, outputSize: ds.numClasses })} on ${count} rows`,
    gradcheckEstimate(spec, ds.inputSize, ds.numClasses, {
      dtype,
      count,
      dataBytes: tensorBytes(ds.xTrain, ds.tTrain, ds.xTest, ds.tTest),
    }),
    limit,
  );
  const rows = Int32Array.from({ length: count }, (_, i) => i);
  const x = ds.xTrain.gather(rows);
  const t = ds.tTrain.gather(rows);
  const net = buildNet(spec, ds.inputSize, ds.numClasses, { seed, dtype, backend: be });
  if (spec.dropout !== undefined) {
    // A gradient check differentiates one function: every forward pass must drop the same
    // units, so the masks of a first training forward are kept for the whole check.
    net.loss(x, t, true);
    for (const layer of net.layers.values()) if (layer instanceof Dropout) layer.fixedMask = layer.mask;
  }
  return {
    net,
    x,
    t,
    title: `${netTitle({ ...spec, inputSize: ds.inputSize, outputSize: ds.numClasses })} (seed ${seed}, ${dtype}) on the first ${count} training rows of ${ds.name}`,
    config: {
      data: data.data,
      dataName: ds.name,
      count,
      inputSize: ds.inputSize,
      hidden: spec.net === "two-layer" ? spec.hidden[0] : spec.hidden,
      outputSize: ds.numClasses,
    },
  };
}

/** The options the ch07 check of --net simple-conv reads: it checks the book's fixed net on one
 * random image, so data and net-shape options would be silently ignored. */
const CONV_CHECK_OPTIONS = ["net", "seed", "atol", "rtol", "dtype", "backend", "max-memory", "json", "help"];

/** Refuses, by name, every given option the ch07 check does not use. */
function refuseUnusedByConvCheck(values: Values): void {
  const unused = Object.keys(values).filter((k) => values[k] !== undefined && !CONV_CHECK_OPTIONS.includes(k));
  if (unused.length > 0)
    throw new UsageError(
      `${unused.map((k) => `--${k}`).join(", ")} ${unused.length === 1 ? "is" : "are"} not used by gradcheck --net simple-conv (the book's ch07 check: a fixed 1x10x10 net on one random image)`,
    );
}

/** The book's ch07 check (ch07/gradient_check.py) for --net simple-conv: one random image. */
function convCase(seed: number, dtype: FloatDType, be: Backend): CheckCase {
  const { net, x, t } = bookConvCheck(seed, dtype, be);
  return {
    net,
    x,
    t,
    title: `SimpleConvNet 1x10x10-conv10x3x3-pool2x2-10-10 (seed ${seed}, ${dtype}) on one random 1x10x10 image of label 1 (ch07/gradient_check.py)`,
    config: { net: "simple-conv", inputDim: [1, 10, 10], filterNum: 10, filterSize: 3, hidden: 10, outputSize: 10 },
  };
}

/** The book's lines `key:mean |diff|`, then the report table, coloured. */
function printReport(ctx: Context, comparisons: { name: string; meanAbsDiff: number }[], report: CheckReport): void {
  const s = ctx.style;
  // The book prints key + ":" + str(diff) for each parameter.
  for (const c of comparisons) ctx.out(`${c.name}:${c.meanAbsDiff}`);
  ctx.out();
  for (const line of formatReport(report).split("\n")) {
    ctx.out(
      line
        .replace(/\bok$/, s.green("ok"))
        .replace(/FAIL \(\d+\)$/, (m) => s.red(m))
        .replace(/: (passed|FAILED) /, (_, w: string) => `: ${w === "passed" ? s.green(w) : s.red(w)} `),
    );
  }
}
