// What `--net simple-conv` (the book's ch07 SimpleConvNet) needs beyond the fully connected nets:
// images instead of rows, the ch07/train_convnet.py recipe as defaults, and the ch07 gradient check.
import { createNet, netNamed, squareImage as imageOfPixels, type NetDescription, type SimpleConvNet } from "@bp/nets";
import { rand, tensor, type Backend, type FloatDType, type Tensor } from "@bp/tensor";
import type { Values } from "./args.js";
import type { Dataset } from "./dataset.js";
import { UsageError } from "./errors.js";

/** [channels, height, width] of one input image: a square one-channel image of `inputSize` pixels. */
export function squareImage(inputSize: number): [number, number, number] {
  const image = imageOfPixels(inputSize);
  if (image === null)
    throw new UsageError(
      `--net simple-conv needs square images (784 = 28x28 for MNIST), got rows of ${inputSize} features`,
    );
  return image;
}

/** The image shape a saved net takes (from a SimpleConvNet's `inputDim`), or null for row nets. */
export function imageShapeOf(d: NetDescription): [number, number, number] | null {
  const dim = d.config.inputDim;
  return d.kind === "SimpleConvNet" && Array.isArray(dim) && dim.length === 3
    ? (dim.map(Number) as [number, number, number])
    : null;
}

/** Rows [N, C*H*W] as images [N, C, H, W] (shares storage). */
export function asImages(x: Tensor, shape: readonly number[]): Tensor {
  return x.reshape([-1, ...shape]);
}

/** The data set with its inputs as images of `shape`. */
export function datasetAsImages(ds: Dataset, shape: readonly number[]): Dataset {
  return { ...ds, xTrain: asImages(ds.xTrain, shape), xTest: asImages(ds.xTest, shape) };
}

/**
 * The ch07/train_convnet.py recipe as defaults of `bp train --net simple-conv`: Adam (lr 0.001, its
 * default), 20 epochs, per-epoch accuracies on 1000 rows. Options given on the command line win.
 */
export function convRecipe(values: Values): Values {
  if (typeof values.net !== "string" || netNamed(values.net) !== "simple-conv") return values;
  const v: Values = { ...values };
  v.optimizer ??= "adam";
  if (v.iters === undefined) v.epochs ??= "20";
  v["eval-samples"] ??= "1000";
  return v;
}

/**
 * The gradient check of ch07/gradient_check.py: a SimpleConvNet on 1x10x10 inputs (10 filters 3x3,
 * hidden 10, output 10, weight_init_std 0.01) and one random image of label 1. The net draws its
 * weights from `seed`, the image from `seed + 100`.
 */
export function bookConvCheck(
  seed: number,
  dtype: FloatDType,
  backend: Backend,
): { net: SimpleConvNet; x: Tensor; t: Tensor } {
  const config = {
    inputDim: [1, 10, 10],
    convParam: { filterNum: 10, filterSize: 3, pad: 0, stride: 1 },
    hiddenSize: 10,
    outputSize: 10,
    weightInitStd: 0.01,
    seed,
  };
  // Not the book's conv_param, so built from a description rather than a `--net` spec.
  const net = createNet({ kind: "SimpleConvNet", config, dtype }, { backend }) as SimpleConvNet;
  const x = rand([1, 1, 10, 10], { seed: seed + 100, dtype, backend });
  return { net, x, t: tensor([1], { dtype: "int32", backend }) };
}
