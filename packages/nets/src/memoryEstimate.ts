import { ShapeError, ValueError, type FloatDType } from "@bp/tensor";
import { shortJson, shortText } from "@bp/data";
import type { LayerDescription, NetDescription, NetKind } from "./Net.js";

/**
 * What a net is made of, without a single tensor: its layers (as `describe()` lists them), the
 * shapes of its parameters and state, and the shape of one input row ([features], or [channels,
 * height, width] for a conv net).
 */
export interface NetLayout {
  layers: LayerDescription[];
  paramShapes: Record<string, number[]>;
  stateShapes: Record<string, number[]>;
  /** One input row: [features] or [channels, height, width]. */
  inputShape: number[];
}

/** The book's BatchNorm momentum, which every constructor uses. */
const BN_MOMENTUM = 0.9;

type Config = Readonly<Record<string, unknown>>;

function positiveInt(op: string, c: Config, key: string, fallback?: number): number {
  const v = c[key] ?? fallback;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0)
    throw new ValueError(op, `config.${key} must be a positive integer, got ${shortJson(v)}`);
  return v;
}

function multiLayout(op: string, c: Config, extend: boolean): NetLayout {
  const inputSize = positiveInt(op, c, "inputSize");
  const outputSize = positiveInt(op, c, "outputSize");
  const hidden = c.hiddenSizeList;
  if (!Array.isArray(hidden) || hidden.length === 0)
    throw new ValueError(op, `config.hiddenSizeList must be a non-empty array, got ${shortJson(hidden)}`);
  for (let i = 0; i < hidden.length; i++) positiveInt(op, hidden as unknown as Config, String(i));
  const activation = c.activation ?? "relu";
  if (activation !== "relu" && activation !== "sigmoid")
    throw new ValueError(op, `config.activation must be "relu" or "sigmoid", got ${shortJson(activation)}`);
  const flag = (key: string): boolean => {
    const v = c[key] ?? false;
    if (typeof v !== "boolean") throw new ValueError(op, `config.${key} must be true or false, got ${shortJson(v)}`);
    return extend && v;
  };
  const useBatchnorm = flag("useBatchnorm");
  const useDropout = flag("useDropout");
  const dropoutRatio = c.dropoutRatio ?? 0.5;
  if (useDropout && !(typeof dropoutRatio === "number" && dropoutRatio >= 0 && dropoutRatio < 1))
    throw new ValueError(op, `config.dropoutRatio must be a number in [0, 1), got ${shortJson(dropoutRatio)}`);
  const sizes = [inputSize, ...(hidden as number[]), outputSize];
  const layout: NetLayout = { layers: [], paramShapes: {}, stateShapes: {}, inputShape: [inputSize] };
  let bn = 0;
  for (let k = 1; k < sizes.length; k++) {
    const out = sizes[k]!;
    affine(layout, `Affine${k}`, k, sizes[k - 1]!, out);
    if (k === sizes.length - 1) break;
    if (useBatchnorm) {
      bn++;
      layout.layers.push({
        name: `BatchNorm${k}`,
        type: "BatchNormalization",
        params: { gamma: `gamma${bn}`, beta: `beta${bn}` },
        state: { runningMean: `runningMean${bn}`, runningVar: `runningVar${bn}` },
        config: { momentum: BN_MOMENTUM },
      });
      layout.paramShapes[`gamma${bn}`] = [out];
      layout.paramShapes[`beta${bn}`] = [out];
      layout.stateShapes[`runningMean${bn}`] = [out];
      layout.stateShapes[`runningVar${bn}`] = [out];
    }
    layout.layers.push({ name: `Activation_function${k}`, type: activation === "relu" ? "Relu" : "Sigmoid" });
    if (useDropout)
      layout.layers.push({ name: `Dropout${k}`, type: "Dropout", config: { dropoutRatio: dropoutRatio as number } });
  }
  return layout;
}

function affine(layout: NetLayout, name: string, k: number, rows: number, cols: number): void {
  layout.layers.push({ name, type: "Affine", params: { W: `W${k}`, b: `b${k}` } });
  layout.paramShapes[`W${k}`] = [rows, cols];
  layout.paramShapes[`b${k}`] = [cols];
}

function simpleConvLayout(op: string, c: Config): NetLayout {
  const dim = c.inputDim ?? [1, 28, 28];
  if (!Array.isArray(dim) || dim.length !== 3)
    throw new ValueError(op, `config.inputDim must be [channels, height, width], got ${shortJson(dim)}`);
  const [C, H, W] = [0, 1, 2].map((i) => positiveInt(op, dim as unknown as Config, String(i))) as [
    number,
    number,
    number,
  ];
  const cp = c.convParam ?? {};
  if (typeof cp !== "object" || cp === null || Array.isArray(cp))
    throw new ValueError(op, `config.convParam must be an object, got ${shortJson(cp)}`);
  const conv = cp as Config;
  const filterNum = positiveInt(op, conv, "filterNum", 30);
  const filterSize = positiveInt(op, conv, "filterSize", 5);
  const stride = positiveInt(op, conv, "stride", 1);
  const pad = conv.pad ?? 0;
  if (typeof pad !== "number" || !Number.isSafeInteger(pad) || pad < 0)
    throw new ValueError(op, `config.convParam.pad must be a non-negative integer, got ${shortJson(pad)}`);
  const hiddenSize = positiveInt(op, c, "hiddenSize", 100);
  const outputSize = positiveInt(op, c, "outputSize", 10);
  const convOut = (H + 2 * pad - filterSize) / stride + 1;
  if (W !== H || !Number.isInteger(convOut) || convOut < 2 || convOut % 2 !== 0)
    throw new ShapeError(
      op,
      `input ${H}x${W} with ${filterSize}x${filterSize} filters, pad ${pad}, stride ${stride} gives a ${convOut}x${convOut} convolution output; a SimpleConvNet needs square images and an even integer size for its 2x2 pooling`,
    );
  const layout: NetLayout = { layers: [], paramShapes: {}, stateShapes: {}, inputShape: [C, H, W] };
  layout.layers.push({ name: "Conv1", type: "Convolution", params: { W: "W1", b: "b1" }, config: { stride, pad } });
  layout.paramShapes.W1 = [filterNum, C, filterSize, filterSize];
  layout.paramShapes.b1 = [filterNum];
  layout.layers.push(
    { name: "Relu1", type: "Relu" },
    { name: "Pool1", type: "Pooling", config: { poolH: 2, poolW: 2, stride: 2, pad: 0 } },
  );
  affine(layout, "Affine1", 2, filterNum * (convOut / 2) ** 2, hiddenSize);
  layout.layers.push({ name: "Relu2", type: "Relu" });
  affine(layout, "Affine2", 3, hiddenSize, outputSize);
  return layout;
}

/** How each kind of net lays out its layers from the `config` it records (one row per kind). */
const LAYOUTS: Readonly<Record<Exclude<NetKind, "LayerNet">, (op: string, c: Config) => NetLayout>> = {
  TwoLayerNet: (op, c) => {
    const layout: NetLayout = { layers: [], paramShapes: {}, stateShapes: {}, inputShape: [] };
    const [i, h, o] = ["inputSize", "hiddenSize", "outputSize"].map((k) => positiveInt(op, c, k)) as [
      number,
      number,
      number,
    ];
    layout.inputShape = [i];
    affine(layout, "Affine1", 1, i, h);
    layout.layers.push({ name: "Relu1", type: "Relu" });
    affine(layout, "Affine2", 2, h, o);
    return layout;
  },
  MultiLayerNet: (op, c) => multiLayout(op, c, false),
  MultiLayerNetExtend: (op, c) => multiLayout(op, c, true),
  SimpleConvNet: simpleConvLayout,
};

/** Whether `netLayout` knows the kind (every kind but a plain "LayerNet"). */
export function hasLayout(kind: unknown): kind is Exclude<NetKind, "LayerNet"> {
  return typeof kind === "string" && Object.hasOwn(LAYOUTS, kind);
}

/**
 * The layers and parameter shapes the constructor of `kind` builds from `config` (the
 * constructor arguments a net records in `describe()`), computed without allocating a tensor:
 * `netLayout(net.describe())` lists the same layers and shapes as `net.describe()`. A config that
 * no constructor would accept is a ValueError (or a ShapeError for impossible conv geometry).
 */
export function netLayout(description: Pick<NetDescription, "kind" | "config">, op = "netLayout"): NetLayout {
  const kind = description?.kind;
  if (!hasLayout(kind))
    throw new ValueError(
      op,
      `cannot lay out a net of kind ${shortJson(kind)} from its config; kinds: ${Object.keys(LAYOUTS).join(", ")}`,
    );
  const config = description.config;
  if (typeof config !== "object" || config === null || Array.isArray(config))
    throw new ValueError(op, `config must be an object, got ${shortJson(config)}`);
  return LAYOUTS[kind](`${op} (${kind})`, config as Config);
}

/** Settings of a layer's config as numbers (conv and pooling geometry). */
function layerNum(op: string, l: LayerDescription, key: string, fallback?: number): number {
  const v = l.config?.[key] ?? fallback;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
    throw new ValueError(
      op,
      `layer ${shortText(l.name)}: config ${key} must be a non-negative integer, got ${shortJson(v)}`,
    );
  return v;
}

const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** One layer's footprint per input row, in elements: what a forward keeps, what it only needs
 * while it runs, and the shape it hands on. */
interface LayerCost {
  out: number[];
  /** Outputs and caches a training forward keeps until the next pass (per row). */
  kept: number;
  /** Temporaries of the forward and the backward (per row), freed before the next layer's. */
  transient: number;
}

/**
 * The cost of each layer of `layout` for one input row, following the shapes through the layers:
 * an Affine layer's product and sum, a Convolution's im2col columns [OH·OW, C·FH·FW], its product
 * and reordering, a Pooling's window columns, BatchNorm's centred and normalised copies, Dropout's
 * mask. A layer whose input does not fit its parameters is a ShapeError naming the layer.
 */
function layerCosts(layout: NetLayout, op: string): LayerCost[] {
  let shape = layout.inputShape;
  const costs: LayerCost[] = [];
  for (const l of layout.layers) {
    const size = product(shape);
    const param = (key: string): number[] => {
      const n = l.params?.[key];
      const s = n === undefined ? undefined : layout.paramShapes[n];
      if (s === undefined) throw new ValueError(op, `layer ${shortText(l.name)} has no parameter ${key}`);
      return s;
    };
    let cost: LayerCost;
    switch (l.type) {
      case "Affine": {
        const [rows, cols] = param("W") as [number, number];
        if (rows !== size)
          throw new ShapeError(
            op,
            `layer ${shortText(l.name)} takes ${rows} values per row but gets ${size} ([${shape.join(", ")}])`,
          );
        cost = { out: [cols], kept: cols, transient: 2 * cols + size };
        break;
      }
      case "Convolution": {
        const [FN, C, FH, FW] = param("W") as [number, number, number, number];
        const [c, h, w] = shape as [number, number, number];
        const stride = layerNum(op, l, "stride", 1);
        const pad = layerNum(op, l, "pad", 0);
        const oh = (h + 2 * pad - FH) / stride + 1;
        const ow = (w + 2 * pad - FW) / stride + 1;
        if (shape.length !== 3 || c !== C || !(Number.isInteger(oh) && oh >= 1 && Number.isInteger(ow) && ow >= 1))
          throw new ShapeError(
            op,
            `layer ${shortText(l.name)} (${FN} filters ${C}x${FH}x${FW}, stride ${stride}, pad ${pad}) does not fit its input [${shape.join(", ")}]`,
          );
        const col = oh * ow * C * FH * FW;
        const out = FN * oh * ow;
        // Kept: the columns and the output; while it runs: the product, the sum and the transpose
        // (forward), the reordered dout and the columns' gradient (backward).
        cost = { out: [FN, oh, ow], kept: col + out, transient: 3 * out + col };
        break;
      }
      case "Pooling": {
        const [c, h, w] = shape as [number, number, number];
        const ph = layerNum(op, l, "poolH");
        const pw = layerNum(op, l, "poolW");
        const stride = layerNum(op, l, "stride");
        const pad = layerNum(op, l, "pad", 0);
        const oh = (h + 2 * pad - ph) / stride + 1;
        const ow = (w + 2 * pad - pw) / stride + 1;
        if (shape.length !== 3 || stride < 1 || !(Number.isInteger(oh) && oh >= 1 && Number.isInteger(ow) && ow >= 1))
          throw new ShapeError(
            op,
            `layer ${shortText(l.name)} (${ph}x${pw} pooling, stride ${stride}, pad ${pad}) does not fit its input [${shape.join(", ")}]`,
          );
        const out = c * oh * ow;
        cost = { out: [c, oh, ow], kept: 2 * out, transient: out * ph * pw + size };
        break;
      }
      case "BatchNormalization":
        cost = { out: shape, kept: 3 * size, transient: 3 * size };
        break;
      case "Dropout":
        cost = { out: shape, kept: 2 * size, transient: size };
        break;
      default:
        // Relu, Sigmoid: the output (Relu's mask is its output).
        cost = { out: shape, kept: size, transient: size };
    }
    costs.push(cost);
    shape = cost.out;
  }
  return costs;
}

/** The elements of one output row of the layout (the number of classes). */
export function layoutOutputSize(layout: NetLayout, op = "layoutOutputSize"): number {
  const costs = layerCosts(layout, op);
  return product(costs.at(-1)?.out ?? layout.inputShape);
}

/** What a run does with a net, for `estimateMemory`. */
export interface MemoryRun {
  dtype: FloatDType;
  /** Rows of a training minibatch (0 or left out: no training, as eval and predict). */
  batch?: number;
  /** Slots of optimizer state per parameter: 0 SGD, 1 Momentum/Nesterov/AdaGrad/RMSprop, 2 Adam
   * (see `optimizerSlots`). */
  optimizerSlots?: number;
  /** Rows of one evaluation forward pass (see `evaluationRows`; 0: none). */
  evalRows?: number;
  /** Bytes of data the run holds besides the net (the data sets as tensors). */
  dataBytes?: number;
  /** Weight decay copies every W's gradient once more. */
  weightDecay?: boolean;
  /** A numerical gradient check: one more copy of the parameters (the numerical gradients). */
  gradcheck?: boolean;
  /** Further nets of the same layout held at the same time (bp filters' fresh net). */
  extraNets?: number;
}

/** An estimate in bytes, with its parts. */
export interface MemoryEstimate {
  bytes: number;
  parts: {
    params: number;
    gradients: number;
    optimizerState: number;
    /** The layers' outputs and caches of a training pass over one minibatch (im2col columns
     * included), and the largest temporary of its forward and backward. */
    activations: number;
    /** One evaluation pass (a forward over `evalRows` rows). */
    evaluation: number;
    data: number;
  };
}

/** Slots of optimizer state per parameter element for each optimizer name. */
export function optimizerSlots(name: string): number {
  return name === "sgd" ? 0 : name === "adam" ? 2 : 1;
}

/**
 * Rows of one evaluation forward pass of a net whose input rows have `inputShape`, when `rows` rows
 * are evaluated: a net of image inputs goes 100 rows at a time (as `LayerNet.accuracy` does, the
 * book's batch_size=100); a net of flat rows takes them all at once, or `chunk` at a time.
 */
export function evaluationRows(inputShape: readonly number[], rows: number, chunk = Number.POSITIVE_INFINITY): number {
  return Math.min(rows, inputShape.length > 1 ? 100 : chunk);
}

/**
 * The memory a net of `layout` needs for `run`, before anything is allocated: the parameters and
 * state, the gradients and the optimizer's state (when training), the outputs and caches of a
 * training pass over a minibatch (Convolution's im2col columns included) plus its largest
 * temporary, one evaluation pass, and the data. It follows bp's layers and `LayerNet` (each pass
 * keeps the layers' outputs until the next; temporaries return to the storage pool), so it is an
 * estimate, not a bound: the test that runs the largest accepted nets measures peaks within 1.5x
 * of it. Impossible geometry is a ShapeError naming the layer.
 */
export function estimateMemory(layout: NetLayout, run: MemoryRun, op = "estimateMemory"): MemoryEstimate {
  const bytesPer = run.dtype === "float32" ? 4 : 8;
  const costs = layerCosts(layout, op);
  const paramElements = Object.values(layout.paramShapes).reduce((n, s) => n + product(s), 0);
  const stateElements = Object.values(layout.stateShapes).reduce((n, s) => n + product(s), 0);
  const classes = product(costs.at(-1)?.out ?? layout.inputShape);
  const kept = costs.reduce((n, c) => n + c.kept, 0) + 2 * classes;
  const transient = Math.max(0, ...costs.map((c) => c.transient));
  const largestParam = Math.max(0, ...Object.values(layout.paramShapes).map(product));
  const batch = run.batch ?? 0;
  const training = batch > 0;
  const nets = 1 + (run.extraNets ?? 0);
  const weightDecayCopies = training && run.weightDecay === true ? 1 : 0;
  const parts = {
    params: (paramElements + stateElements) * nets * bytesPer,
    gradients:
      (training || run.gradcheck === true ? paramElements * (1 + weightDecayCopies) : 0) * bytesPer +
      (run.gradcheck === true ? paramElements * bytesPer : 0),
    // The state, plus the temporaries of one parameter's update.
    optimizerState: training ? (paramElements * (run.optimizerSlots ?? 0) + 2 * largestParam) * bytesPer : 0,
    activations: training ? batch * (kept + transient) * bytesPer : 0,
    evaluation: (run.evalRows ?? 0) * (kept + transient) * bytesPer,
    data: run.dataBytes ?? 0,
  };
  const bytes = Object.values(parts).reduce((a, b) => a + b, 0);
  return { bytes, parts };
}

/** "1.5 GiB", "300 MiB", "12 KiB", "100 bytes". */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} bytes` : `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}
