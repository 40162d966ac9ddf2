import { Affine, Convolution, Pooling, Relu, SoftmaxWithLoss } from "@bp/layers";
import {
  Rng,
  ShapeError,
  ValueError,
  cpu,
  randn,
  zeros,
  type Backend,
  type FloatDType,
  checkOptions,
} from "@bp/tensor";
import { LayerNet } from "./LayerNet.js";

/** The convolution layer's settings (the book's `conv_param`). */
export interface ConvParam {
  /** Number of filters (default 30). */
  filterNum?: number;
  /** Height and width of each filter (default 5). */
  filterSize?: number;
  /** Zero padding on every side (default 0). */
  pad?: number;
  /** Step between windows (default 1). */
  stride?: number;
}

/** The book's `conv_param` (ch07/train_convnet.py): 30 filters 5x5, no padding, stride 1. */
export const DEFAULT_CONV_PARAM: Readonly<Required<ConvParam>> = Object.freeze({
  filterNum: 30,
  filterSize: 5,
  pad: 0,
  stride: 1,
});

export interface SimpleConvNetOptions {
  /** [channels, height, width] of one input image (default [1, 28, 28]). */
  inputDim?: readonly [number, number, number];
  convParam?: ConvParam;
  /** Units of the hidden Affine layer (default 100). */
  hiddenSize?: number;
  /** Classes (default 10). */
  outputSize?: number;
  /** Standard deviation of the initial weights (default 0.01). */
  weightInitStd?: number;
  /** Seed of the one `Rng` that draws W1, W2 and W3 in that order (default 0). */
  seed?: number;
  /** Parameter dtype (default "float64"). */
  dtype?: FloatDType;
  /** Where parameters live and ops run (default `cpu`). */
  backend?: Backend;
}

/**
 * The book's `SimpleConvNet` (`ch07/simple_convnet.py`): Conv1 -> Relu1 -> Pool1 (2x2 max pooling,
 * stride 2) -> Affine1 -> Relu2 -> Affine2, then SoftmaxWithLoss, as a `LayerNet`. Parameters W1, b1
 * (the filters, [filterNum, C, filterSize, filterSize]), W2, b2 (pooled features to hidden) and W3,
 * b3 (hidden to classes); the W's are `weightInitStd` times standard normal draws from one
 * `Rng(seed)` in that order, the b's start at zero.
 */
export class SimpleConvNet extends LayerNet {
  readonly inputDim: readonly [number, number, number];
  readonly convParam: Readonly<Required<ConvParam>>;
  readonly hiddenSize: number;
  readonly outputSize: number;

  constructor(options: SimpleConvNetOptions = {}) {
    const op = "SimpleConvNet";
    checkOptions(op, options, "options");
    const inputDim = options.inputDim ?? [1, 28, 28];
    const conv = { ...DEFAULT_CONV_PARAM, ...options.convParam };
    const hiddenSize = options.hiddenSize ?? 100;
    const outputSize = options.outputSize ?? 10;
    const std = options.weightInitStd ?? 0.01;
    const seed = options.seed ?? 0;
    const dtype = options.dtype ?? "float64";
    const backend = options.backend ?? cpu;
    if (!Array.isArray(inputDim) || inputDim.length !== 3)
      throw new ValueError(op, `inputDim must be [channels, height, width], got ${JSON.stringify(inputDim)}`);
    const positive: [string, number][] = [
      ["inputDim[0]", inputDim[0]],
      ["inputDim[1]", inputDim[1]],
      ["inputDim[2]", inputDim[2]],
      ["convParam.filterNum", conv.filterNum],
      ["convParam.filterSize", conv.filterSize],
      ["convParam.stride", conv.stride],
      ["hiddenSize", hiddenSize],
      ["outputSize", outputSize],
    ];
    for (const [name, v] of positive)
      if (!Number.isInteger(v) || v <= 0) throw new ValueError(op, `${name} must be a positive integer, got ${v}`);
    if (!Number.isInteger(conv.pad) || conv.pad < 0)
      throw new ValueError(op, `convParam.pad must be a non-negative integer, got ${conv.pad}`);
    if (!Number.isFinite(std)) throw new ValueError(op, `weightInitStd must be a finite number, got ${std}`);
    if (dtype !== "float64" && dtype !== "float32")
      throw new ValueError(op, `dtype must be "float64" or "float32", got ${String(dtype)}`);
    const [C, H, W] = inputDim;
    const convOut = (H + 2 * conv.pad - conv.filterSize) / conv.stride + 1;
    if (W !== H || !Number.isInteger(convOut) || convOut < 2 || convOut % 2 !== 0) {
      throw new ShapeError(
        op,
        `input ${H}x${W} with ${conv.filterSize}x${conv.filterSize} filters, pad ${conv.pad}, stride ${conv.stride} gives a ${convOut}x${convOut} convolution output; the net needs square images and an even integer size for its 2x2 pooling`,
      );
    }
    const poolOutputSize = conv.filterNum * (convOut / 2) * (convOut / 2);
    const rng = new Rng(seed);
    const like = { rng, std, dtype, backend };
    const W1 = randn([conv.filterNum, C, conv.filterSize, conv.filterSize], like);
    const W2 = randn([poolOutputSize, hiddenSize], like);
    const W3 = randn([hiddenSize, outputSize], like);
    const b = (n: number) => zeros([n], { dtype, backend });
    super(
      [
        ["Conv1", new Convolution(W1, b(conv.filterNum), conv.stride, conv.pad)],
        ["Relu1", new Relu()],
        ["Pool1", new Pooling(2, 2, 2)],
        ["Affine1", new Affine(W2, b(hiddenSize))],
        ["Relu2", new Relu()],
        ["Affine2", new Affine(W3, b(outputSize))],
      ],
      new SoftmaxWithLoss(),
      {
        kind: "SimpleConvNet",
        config: { inputDim: [...inputDim], convParam: conv, hiddenSize, outputSize, weightInitStd: std, seed },
        dtype,
        backend,
      },
    );
    this.inputDim = Object.freeze([C, H, W] as [number, number, number]);
    this.convParam = Object.freeze(conv);
    this.hiddenSize = hiddenSize;
    this.outputSize = outputSize;
  }
}
