import { Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss, type Layer } from "@bp/layers";
import { Rng, ValueError, cpu, ones, randn, zeros, type Backend, type FloatDType, checkOptions } from "@bp/tensor";
import { LayerNet, type LayerNetOptions } from "./LayerNet.js";
import { dropoutSeed } from "./seededTraining.js";

/** The hidden layers' activation (the book's `activation`). */
export type Activation = "relu" | "sigmoid";

/** The initial weights' scale: "relu"/"he" √(2/n), "sigmoid"/"xavier" √(1/n) (n: the inputs of
 * the layer), or a number used as the standard deviation (the book's `weight_init_std`). */
export type WeightInitStd = "relu" | "he" | "sigmoid" | "xavier" | number;

export interface MultiLayerNetOptions {
  /** Activation after every hidden Affine layer (default "relu"). */
  activation?: Activation;
  /** Scale of the initial weights (default "relu", i.e. He). */
  weightInitStd?: WeightInitStd;
  /** λ of the weight decay ½λΣW² (default 0). */
  weightDecayLambda?: number;
  /** Seed of the one `Rng` that draws W1, W2, ... in order (default 0). */
  seed?: number;
  /** Parameter dtype (default "float64"). */
  dtype?: FloatDType;
  /** Where parameters live and ops run (default `cpu`). */
  backend?: Backend;
}

const ACTIVATIONS: Record<Activation, () => Layer> = { relu: () => new Relu(), sigmoid: () => new Sigmoid() };

/** The standard deviation of the weights of a layer with `fanIn` inputs. */
export function weightScale(weightInitStd: WeightInitStd, fanIn: number): number {
  if (typeof weightInitStd === "number") return weightInitStd;
  if (weightInitStd === "relu" || weightInitStd === "he") return Math.sqrt(2 / fanIn);
  return Math.sqrt(1 / fanIn);
}

/** What `MultiLayerNetExtend` adds to `MultiLayerNet` (all off in `MultiLayerNet`). */
export interface MultiLayerExtras {
  useDropout?: boolean;
  dropoutRatio?: number;
  useBatchnorm?: boolean;
}

/**
 * The layers and LayerNet options of the book's multi-layer nets, built once for `MultiLayerNet`
 * and `MultiLayerNetExtend`: for each hidden layer k, `Affine{k}`, then `BatchNorm{k}` (gamma{k} =
 * 1, beta{k} = 0) if `useBatchnorm`, `Activation_function{k}`, then `Dropout{k}` if `useDropout`;
 * finally `Affine{n+1}`. The weights are drawn as the book's `__init_weight` does: W_k =
 * scale_k · randn(sizes[k-1], sizes[k]) in order from one `Rng(seed)`, b_k = 0; Dropout masks come
 * from `Rng(dropoutSeed(seed))`.
 */
export function multiLayerParts(
  kind: "MultiLayerNet" | "MultiLayerNetExtend",
  inputSize: number,
  hiddenSizeList: readonly number[],
  outputSize: number,
  options: MultiLayerNetOptions & MultiLayerExtras,
): { layers: [string, Layer][]; lastLayer: SoftmaxWithLoss; options: LayerNetOptions } {
  if (!Array.isArray(hiddenSizeList) || hiddenSizeList.length === 0)
    throw new ValueError(
      kind,
      `hiddenSizeList must be a non-empty array of positive integers (one per hidden layer), got ${JSON.stringify(hiddenSizeList) ?? String(hiddenSizeList)}`,
    );
  for (const [name, v] of [
    ["inputSize", inputSize],
    ["outputSize", outputSize],
    ...hiddenSizeList.map((h, i) => [`hiddenSizeList[${i}]`, h] as const),
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new ValueError(kind, `${name} must be a positive integer, got ${v}`);
  }
  const activation = options.activation ?? "relu";
  if (!Object.hasOwn(ACTIVATIONS, activation))
    throw new ValueError(kind, `activation must be "relu" or "sigmoid", got ${JSON.stringify(activation)}`);
  const weightInitStd = options.weightInitStd ?? "relu";
  if (
    typeof weightInitStd === "number"
      ? !Number.isFinite(weightInitStd)
      : !["relu", "he", "sigmoid", "xavier"].includes(weightInitStd)
  )
    throw new ValueError(
      kind,
      `weightInitStd must be "relu", "he", "sigmoid", "xavier" or a finite number, got ${JSON.stringify(weightInitStd)}`,
    );
  const dtype = options.dtype ?? "float64";
  if (dtype !== "float64" && dtype !== "float32")
    throw new ValueError(kind, `dtype must be "float64" or "float32", got ${String(dtype)}`);
  // A plain MultiLayerNet has no BatchNorm or Dropout, whatever its options say.
  const extend = kind === "MultiLayerNetExtend";
  const useDropout = extend && (options.useDropout ?? false);
  const dropoutRatio = extend ? (options.dropoutRatio ?? 0.5) : 0.5;
  if (!(dropoutRatio >= 0 && dropoutRatio < 1))
    throw new ValueError(kind, `dropoutRatio must be in [0, 1), got ${dropoutRatio}`);
  const useBatchnorm = extend && (options.useBatchnorm ?? false);
  const seed = options.seed ?? 0;
  const backend = options.backend ?? cpu;
  const like = { dtype, backend };
  const rng = new Rng(dropoutSeed(seed));
  const sizes = [inputSize, ...hiddenSizeList, outputSize];
  const weightRng = new Rng(seed);
  const layers: [string, Layer][] = [];
  for (let k = 1; k < sizes.length; k++) {
    const fanIn = sizes[k - 1]!;
    const out = sizes[k]!;
    const W = randn([fanIn, out], { rng: weightRng, std: weightScale(weightInitStd, fanIn), ...like });
    layers.push([`Affine${k}`, new Affine(W, zeros([out], like))]);
    if (k === sizes.length - 1) break;
    if (useBatchnorm) layers.push([`BatchNorm${k}`, new BatchNormalization(ones([out], like), zeros([out], like))]);
    layers.push([`Activation_function${k}`, ACTIVATIONS[activation]()]);
    if (useDropout) layers.push([`Dropout${k}`, new Dropout(rng, { dropoutRatio })]);
  }
  const weightDecayLambda = options.weightDecayLambda ?? 0;
  const base = {
    inputSize,
    hiddenSizeList: [...hiddenSizeList],
    outputSize,
    activation,
    weightInitStd,
    weightDecayLambda,
  };
  const config = extend ? { ...base, useDropout, dropoutRatio, useBatchnorm } : base;
  return {
    layers,
    lastLayer: new SoftmaxWithLoss(),
    options: { kind, config: { ...config, seed }, weightDecayLambda, dtype, backend, rng },
  };
}

/** How `MultiLayerNetExtend` passes its extras to this constructor (module-private: a plain
 * `MultiLayerNet` has no BatchNorm or Dropout options). */
export const EXTEND = Symbol("MultiLayerNetExtend");
type ConstructorOptions = MultiLayerNetOptions & MultiLayerExtras & { [EXTEND]?: true };

/**
 * The book's `MultiLayerNet` (`common/multi_layer_net.py`): fully connected layers
 * `Affine1 -> Activation_function1 -> ... -> Affine{n+1}` for `hiddenSizeList` of length n, then
 * SoftmaxWithLoss, with He/Xavier/fixed initial weights and weight decay. Parameters W1, b1, ...
 */
export class MultiLayerNet extends LayerNet {
  readonly inputSize: number;
  readonly hiddenSizeList: readonly number[];
  readonly outputSize: number;

  constructor(
    inputSize: number,
    hiddenSizeList: readonly number[],
    outputSize: number,
    options: MultiLayerNetOptions = {},
  ) {
    checkOptions("MultiLayerNet", options, "options");
    const kind = (options as ConstructorOptions)[EXTEND] === true ? "MultiLayerNetExtend" : "MultiLayerNet";
    const parts = multiLayerParts(kind, inputSize, hiddenSizeList, outputSize, options);
    super(parts.layers, parts.lastLayer, parts.options);
    this.inputSize = inputSize;
    this.hiddenSizeList = Object.freeze([...hiddenSizeList]);
    this.outputSize = outputSize;
  }
}
