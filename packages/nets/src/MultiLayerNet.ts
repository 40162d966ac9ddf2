import { Affine, Relu, Sigmoid, SoftmaxWithLoss, type Layer } from "@bp/layers";
import { Rng, ValueError, cpu, randn, zeros, type Backend, type FloatDType, type Tensor } from "@bp/tensor";
import { LayerNet } from "./LayerNet.js";

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

/** Checks the sizes and options shared by `MultiLayerNet` and `MultiLayerNetExtend`. */
export function checkMultiLayerArgs(
  op: string,
  inputSize: number,
  hiddenSizeList: readonly number[],
  outputSize: number,
  options: MultiLayerNetOptions,
): void {
  for (const [name, v] of [
    ["inputSize", inputSize],
    ["outputSize", outputSize],
    ...hiddenSizeList.map((h, i) => [`hiddenSizeList[${i}]`, h] as const),
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new ValueError(op, `${name} must be a positive integer, got ${v}`);
  }
  const activation = options.activation ?? "relu";
  if (!(activation in ACTIVATIONS))
    throw new ValueError(op, `activation must be "relu" or "sigmoid", got ${JSON.stringify(activation)}`);
  const std = options.weightInitStd ?? "relu";
  if (typeof std === "number" ? !Number.isFinite(std) : !["relu", "he", "sigmoid", "xavier"].includes(std))
    throw new ValueError(
      op,
      `weightInitStd must be "relu", "he", "sigmoid", "xavier" or a finite number, got ${JSON.stringify(std)}`,
    );
  const dtype = options.dtype ?? "float64";
  if (dtype !== "float64" && dtype !== "float32")
    throw new ValueError(op, `dtype must be "float64" or "float32", got ${String(dtype)}`);
}

/** The activation layer of a hidden layer. */
export function activationLayer(activation: Activation): Layer {
  return ACTIVATIONS[activation]();
}

/**
 * The Affine weights of `sizes` = [input, ...hidden, output], drawn as the book's `__init_weight`
 * does: W_k = scale_k · randn(sizes[k-1], sizes[k]) in order from one `Rng(seed)`, b_k = 0.
 */
export function affineParams(
  sizes: readonly number[],
  weightInitStd: WeightInitStd,
  seed: number,
  dtype: FloatDType,
  backend: Backend,
): { W: Tensor; b: Tensor }[] {
  const rng = new Rng(seed);
  return sizes.slice(1).map((out, i) => ({
    W: randn([sizes[i]!, out], { rng, std: weightScale(weightInitStd, sizes[i]!), dtype, backend }),
    b: zeros([out], { dtype, backend }),
  }));
}

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
    checkMultiLayerArgs("MultiLayerNet", inputSize, hiddenSizeList, outputSize, options);
    const activation = options.activation ?? "relu";
    const weightInitStd = options.weightInitStd ?? "relu";
    const seed = options.seed ?? 0;
    const dtype = options.dtype ?? "float64";
    const backend = options.backend ?? cpu;
    const affine = affineParams([inputSize, ...hiddenSizeList, outputSize], weightInitStd, seed, dtype, backend);
    const layers: [string, Layer][] = [];
    affine.forEach(({ W, b }, i) => {
      layers.push([`Affine${i + 1}`, new Affine(W, b)]);
      if (i < hiddenSizeList.length) layers.push([`Activation_function${i + 1}`, activationLayer(activation)]);
    });
    const weightDecayLambda = options.weightDecayLambda ?? 0;
    super(layers, new SoftmaxWithLoss(), {
      kind: "MultiLayerNet",
      config: {
        inputSize,
        hiddenSizeList: [...hiddenSizeList],
        outputSize,
        activation,
        weightInitStd,
        weightDecayLambda,
        seed,
      },
      weightDecayLambda,
      dtype,
      backend,
    });
    this.inputSize = inputSize;
    this.hiddenSizeList = Object.freeze([...hiddenSizeList]);
    this.outputSize = outputSize;
  }
}
