// Bad calls into @bp/layers and @bp/nets, as a new user might make them: each throws a typed
// error (ShapeError, DTypeError, ValueError, ...) that names the op, what was wrong and what was
// expected, never a TypeError from inside the code or a silent NaN.
import { describe, expect, it } from "vitest";
import {
  AddLayer,
  Affine,
  BatchNormalization,
  Convolution,
  Dropout,
  MulLayer,
  Pooling,
  Relu,
  Sigmoid,
  SoftmaxWithLoss,
  crossEntropyError,
  softmax,
  type Layer,
} from "@bp/layers";
import { type BpError, Rng, ShapeError, ValueError, ones, tensor, zeros } from "@bp/tensor";
import {
  Adam,
  LayerNet,
  MultiLayerNet,
  MultiLayerNetExtend,
  Momentum,
  RMSprop,
  SGD,
  Trainer,
  TwoLayerNet,
  createNet,
  createOptimizer,
  encodeNet,
  iterationsPerEpoch,
  minibatchSampler,
  type TrainData,
} from "@bp/nets";

interface BadCall {
  name: string;
  fn: () => unknown;
  type: new (...args: never[]) => BpError;
  /** A fragment of the message (which starts with the op). */
  message: string | RegExp;
}

const noScores = zeros([0, 3]);
const noLabels = zeros([0], { dtype: "int32" });

/** A layer whose forward ran on `x`, ready for a backward. */
const forwarded = (layer: Layer, x: ReturnType<typeof ones>): Layer => {
  layer.forward(x, true);
  return layer;
};
const x23 = ones([2, 3]);
const img = ones([1, 1, 4, 4]);
const affine = (): Affine => new Affine(ones([3, 2]), zeros([2]));
const conv = (): Convolution => new Convolution(ones([2, 1, 3, 3]), zeros([2]));
const batchNorm = (): BatchNormalization => new BatchNormalization(ones([3]), zeros([3]));
/** Every layer, with an input it accepts: each forward(3) and backward(3) must be a ValueError. */
const layers: [string, () => Layer, ReturnType<typeof ones>][] = [
  ["Relu", () => new Relu(), x23],
  ["Sigmoid", () => new Sigmoid(), x23],
  ["Affine", affine, ones([2, 3])],
  ["BatchNormalization", batchNorm, x23],
  ["Dropout", () => new Dropout(new Rng(0)), x23],
  ["Convolution", conv, img],
  ["Pooling", () => new Pooling(2, 2, 2), img],
];
const layerCases: BadCall[] = layers.flatMap(([name, make, x]) => [
  {
    name: `${name}.forward(3)`,
    fn: () => make().forward(3 as never),
    type: ValueError,
    message: `${name}.forward: x must be a Tensor, got number 3`,
  },
  {
    name: `${name}.backward([[1]]) after a forward`,
    fn: () => forwarded(make(), x).backward([[1]] as never),
    type: ValueError,
    message: `${name}.backward: dout must be a Tensor, got an array (wrap it with tensor(...))`,
  },
]);

const blobs: TrainData = {
  xTrain: ones([4, 3]),
  tTrain: tensor(Int32Array.of(0, 1, 0, 1), { dtype: "int32" }),
  xTest: ones([2, 3]),
  tTest: tensor(Int32Array.of(0, 1), { dtype: "int32" }),
};
const small = (): TwoLayerNet => new TwoLayerNet(3, 4, 2);

const cases: BadCall[] = [
  ...layerCases,
  // 0 rows: the batch mean would be 0 / 0 = NaN.
  {
    name: "SoftmaxWithLoss.forward on 0 rows",
    fn: () => new SoftmaxWithLoss().forward(noScores, noLabels),
    type: ValueError,
    message: "SoftmaxWithLoss.forward: x has 0 rows (shape [0, 3]); expected at least one",
  },
  {
    name: "crossEntropyError on 0 rows",
    fn: () => crossEntropyError(noScores, noLabels),
    type: ValueError,
    message: "crossEntropyError: y has 0 rows (shape [0, 3]); expected at least one",
  },
  // @bp/layers: arguments that are not tensors, constructors
  {
    name: "new Affine(3, b)",
    fn: () => new Affine(3 as never, zeros([2])),
    type: ValueError,
    message: "Affine: W (inputs x outputs) must be a Tensor, got number 3",
  },
  {
    name: "new Affine(W, null)",
    fn: () => new Affine(ones([3, 2]), null as never),
    type: ValueError,
    message: "Affine: b must be a Tensor, got null",
  },
  {
    name: "new Convolution(W of [3, 3] as an array)",
    fn: () => new Convolution([[1]] as never, zeros([1])),
    type: ValueError,
    message: "Convolution: W [FN, C, FH, FW] must be a Tensor, got an array",
  },
  {
    name: "new BatchNormalization(gamma, beta, { runningVar: 0 })",
    fn: () => new BatchNormalization(ones([3]), zeros([3]), { runningVar: 0 as never }),
    type: ValueError,
    message: "BatchNormalization: runningVar must be a Tensor, got number 0",
  },
  {
    name: "new Dropout(0.5) (a ratio where the Rng goes)",
    fn: () => new Dropout(0.5 as never),
    type: ValueError,
    message: "Dropout: rng must be an Rng (new Rng(seed)), got number 0.5",
  },
  {
    name: "new Dropout({ seed: 1 })",
    fn: () => new Dropout({ seed: 1 } as never),
    type: ValueError,
    message: "Dropout: rng must be an Rng (new Rng(seed)), got Object",
  },
  {
    name: "MulLayer.forward('2', 3)",
    fn: () => new MulLayer().forward("2" as never, 3),
    type: ValueError,
    message: 'MulLayer.forward: x must be a number or a Tensor, got string "2"',
  },
  {
    name: "AddLayer.backward('1') after a number forward",
    fn: () => {
      const add = new AddLayer();
      add.forward(1, 2);
      return add.backward("1" as never);
    },
    type: ShapeError,
    message: 'AddLayer.backward: forward returned a number, so dout must be a number, got string "1"',
  },
  {
    name: "SoftmaxWithLoss.forward(scores, [0, 1])",
    fn: () => new SoftmaxWithLoss().forward(x23, [0, 1] as never),
    type: ValueError,
    message: "SoftmaxWithLoss.forward: t (labels) must be a Tensor, got an array",
  },
  {
    name: "SoftmaxWithLoss.backward(NaN)",
    fn: () => {
      const s = new SoftmaxWithLoss();
      s.forward(x23, tensor(Int32Array.of(0, 1), { dtype: "int32" }));
      return s.backward(Number.NaN);
    },
    type: ValueError,
    message: "SoftmaxWithLoss.backward: dout must be a finite number (default 1), got NaN",
  },
  { name: "softmax(3)", fn: () => softmax(3 as never), type: ValueError, message: "softmax: x must be a Tensor" },
  // @bp/nets: net constructors
  {
    name: "new MultiLayerNet(784, 100, 10) (hidden sizes not a list)",
    fn: () => new MultiLayerNet(784, 100 as never, 10),
    type: ValueError,
    message:
      "MultiLayerNet: hiddenSizeList must be a non-empty array of positive integers (one per hidden layer), got 100",
  },
  {
    name: "new MultiLayerNet(784, [], 10)",
    fn: () => new MultiLayerNet(784, [], 10),
    type: ValueError,
    message: "hiddenSizeList must be a non-empty array",
  },
  {
    name: "new MultiLayerNet(784, [100, 0.5], 10)",
    fn: () => new MultiLayerNet(784, [100, 0.5], 10),
    type: ValueError,
    message: "MultiLayerNet: hiddenSizeList[1] must be a positive integer, got 0.5",
  },
  {
    name: "new MultiLayerNet(-1, [10], 10)",
    fn: () => new MultiLayerNet(-1, [10], 10),
    type: ValueError,
    message: "MultiLayerNet: inputSize must be a positive integer, got -1",
  },
  {
    name: "MultiLayerNetExtend dropoutRatio 1",
    fn: () => new MultiLayerNetExtend(4, [3], 2, { useDropout: true, dropoutRatio: 1 }),
    type: ValueError,
    message: "MultiLayerNetExtend: dropoutRatio must be in [0, 1), got 1",
  },
  {
    name: 'MultiLayerNet weightInitStd "gaussian"',
    fn: () => new MultiLayerNet(4, [3], 2, { weightInitStd: "gaussian" as never }),
    type: ValueError,
    message:
      'MultiLayerNet: weightInitStd must be "relu", "he", "sigmoid", "xavier" or a finite number, got "gaussian"',
  },
  {
    name: "a LayerNet with a layer that is not a layer",
    fn: () => new LayerNet([["Affine1", null as never]], new SoftmaxWithLoss()),
    type: ValueError,
    message: "LayerNet: layer Affine1 must be a layer (with forward and backward), got null",
  },
  {
    name: "net.loss(3, t)",
    fn: () => small().loss(3 as never, blobs.tTrain),
    type: ValueError,
    message: "TwoLayerNet.loss: x must be a Tensor, got number 3",
  },
  {
    name: "net.accuracy(x, [0, 1])",
    fn: () => small().accuracy(blobs.xTest, [0, 1] as never),
    type: ValueError,
    message: "TwoLayerNet.accuracy: t must be a Tensor, got an array",
  },
  // @bp/nets: optimizers
  {
    name: "SGD lr -1",
    fn: () => new SGD({ lr: -1 }),
    type: ValueError,
    message: "SGD: lr must be a finite number >= 0, got -1",
  },
  {
    name: "Momentum momentum NaN",
    fn: () => new Momentum({ momentum: Number.NaN }),
    type: ValueError,
    message: "Momentum: momentum must be a finite number >= 0, got NaN",
  },
  {
    name: "Adam beta1 1",
    fn: () => new Adam({ beta1: 1 }),
    type: ValueError,
    message: "Adam: beta1 must be a number in [0, 1), got 1",
  },
  {
    name: "Adam beta2 Infinity",
    fn: () => new Adam({ beta2: Number.POSITIVE_INFINITY }),
    type: ValueError,
    message: "Adam: beta2 must be a number in [0, 1), got Infinity",
  },
  {
    name: "RMSprop decayRate 2",
    fn: () => new RMSprop({ decayRate: 2 }),
    type: ValueError,
    message: "RMSprop: decayRate must be a number in [0, 1), got 2",
  },
  {
    name: "createOptimizer(undefined)",
    fn: () => createOptimizer(undefined as never),
    type: ValueError,
    message: "createOptimizer: name must be a string",
  },
  // @bp/nets: building, copying and saving nets
  {
    name: "createNet(null)",
    fn: () => createNet(null as never),
    type: ValueError,
    message: "createNet: description must be a net description with kind and config (net.describe()), got null",
  },
  {
    name: "encodeNet(null)",
    fn: () => encodeNet(null as never),
    type: ValueError,
    message: "encodeNet: net must be a Net (with params, state and describe()), got null",
  },
  {
    name: "net.to(null)",
    fn: () => small().to(null as never),
    type: ValueError,
    message: "to: backend must be a Backend (cpu, new CpuBackend(), ...), got null",
  },
  {
    name: "TwoLayerNet.fromParams(null)",
    fn: () => TwoLayerNet.fromParams(null as never),
    type: ValueError,
    message: "TwoLayerNet.fromParams: params must be { W1, b1, W2, b2 } (tensors), got null",
  },
  {
    name: "TwoLayerNet.fromParams with W1 a nested array",
    fn: () => TwoLayerNet.fromParams({ ...small().params, W1: [[1]] } as never),
    type: ValueError,
    message: "TwoLayerNet.fromParams: W1 must be a Tensor, got an array",
  },
  {
    name: "minibatchSampler(x, t, 2, seed 0)",
    fn: () => minibatchSampler(blobs.xTrain, blobs.tTrain, 2, 0 as never),
    type: ValueError,
    message: "minibatchSampler: rng must be an Rng, got 0",
  },
  {
    name: "minibatchSampler(3, ...)",
    fn: () => minibatchSampler(3 as never, blobs.tTrain, 2, new Rng(0)),
    type: ValueError,
    message: "minibatchSampler: x must be a Tensor, got number 3",
  },
  {
    name: 'iterationsPerEpoch("a", 100)',
    fn: () => iterationsPerEpoch("a" as never, 100),
    type: ValueError,
    message: "iterationsPerEpoch: trainSize must be a positive integer, got a",
  },
  // @bp/nets: Trainer
  {
    name: "new Trainer(net, null)",
    fn: () => new Trainer(small(), null as never),
    type: ValueError,
    message: "Trainer: data must be { xTrain, tTrain, xTest, tTest } (tensors), got null",
  },
  {
    name: "new Trainer(net, data without xTest)",
    fn: () => new Trainer(small(), { ...blobs, xTest: undefined } as never),
    type: ValueError,
    message: "Trainer: data.xTest must be a Tensor, got undefined",
  },
  {
    name: "new Trainer(null, data)",
    fn: () => new Trainer(null as never, blobs),
    type: ValueError,
    message: "Trainer: net must be a Net",
  },
  {
    name: "new Trainer with 3 labels for 4 rows",
    fn: () => new Trainer(small(), { ...blobs, tTrain: blobs.tTrain.gather([0, 1, 2]) }),
    type: ShapeError,
    message: "Trainer: data.xTrain has shape [4, 3] but data.tTrain has shape [3]: expected one label per row",
  },
  {
    name: "miniBatchSize 5 for 4 training rows",
    fn: () => new Trainer(small(), blobs, { miniBatchSize: 5 }),
    type: ValueError,
    message: "Trainer: miniBatchSize 5 is larger than the 4 training rows; expected at most 4",
  },
  {
    name: "the default miniBatchSize (100) for 4 training rows",
    fn: () => new Trainer(small(), blobs),
    type: ValueError,
    message: "Trainer: miniBatchSize 100 (the default) is larger than the 4 training rows",
  },
  {
    name: "an optimizer that is not one",
    fn: () => new Trainer(small(), blobs, { miniBatchSize: 2, optimizer: {} as never }),
    type: ValueError,
    message: "Trainer: optimizer must be a name or an Optimizer (with update)",
  },
  // Options given as null (a parameter default does not apply to null): a ValueError, not a TypeError.
  ...(
    [
      ["Affine", () => new Affine(ones([3, 2]), zeros([2]), null as never)],
      ["BatchNormalization", () => new BatchNormalization(ones([3]), zeros([3]), null as never)],
      ["Dropout", () => new Dropout(new Rng(1), null as never)],
      ["TwoLayerNet", () => new TwoLayerNet(2, 2, 2, null as never)],
      ["MultiLayerNet", () => new MultiLayerNet(2, [2], 2, null as never)],
      ["SGD", () => new SGD(null as never)],
      ["Adam", () => new Adam(null as never)],
      ["createOptimizer", () => createOptimizer("sgd", null as never)],
      ["Trainer", () => new Trainer(small(), blobs, null as never)],
      ["encodeNet", () => encodeNet(small(), null as never)],
    ] as [string, () => unknown][]
  ).map(([op, fn]) => ({
    name: `${op} with options null`,
    fn,
    type: ValueError,
    message: `${op}: ${op === "encodeNet" ? "metadata" : op === "createOptimizer" ? "params" : "options"} must be an object (or left out), got null`,
  })),
];

describe("bad arguments get typed errors naming the op", () => {
  it.each(cases)("$name", ({ fn, type, message }) => {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(type);
    if (typeof message === "string") expect((error as Error).message).toContain(message);
    else expect((error as Error).message).toMatch(message);
  });
});
