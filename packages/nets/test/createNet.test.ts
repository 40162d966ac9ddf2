// createNet: a fresh net from the kind and constructor config that describe() records.
import { describe, expect, it } from "vitest";
import { Affine, SoftmaxWithLoss } from "@bp/layers";
import { CpuBackend, Rng, ValueError, randn, tensor, zeros, type Tensor } from "@bp/tensor";
import {
  LayerNet,
  MultiLayerNet,
  MultiLayerNetExtend,
  SimpleConvNet,
  TwoLayerNet,
  NETS,
  NET_NAMES,
  createNet,
  decodeNet,
  netNamed,
  netTitle,
  encodeNet,
  type Net,
} from "@bp/nets";

const values = (t: Tensor): number[] => Array.from(t.data);

function expectSameStart(fresh: Net, original: Net): void {
  expect(fresh.describe()).toEqual(original.describe());
  for (const [k, p] of Object.entries<Tensor>(original.params)) expect(values(fresh.params[k]!), k).toEqual(values(p));
}

describe("createNet", () => {
  it("rebuilds each kind's initial weights from its description", () => {
    const nets: Net[] = [
      new TwoLayerNet(5, 4, 3, { seed: 3, weightInitStd: 0.2 }),
      new MultiLayerNet(5, [4, 4], 3, {
        activation: "sigmoid",
        weightInitStd: "xavier",
        seed: 4,
        weightDecayLambda: 0.1,
      }),
      new MultiLayerNetExtend(5, [4], 3, { useBatchnorm: true, useDropout: true, dropoutRatio: 0.3, seed: 5 }),
      new SimpleConvNet({
        inputDim: [1, 8, 8],
        convParam: { filterNum: 2, filterSize: 3, pad: 1 },
        hiddenSize: 5,
        seed: 6,
      }),
      new MultiLayerNet(5, [4], 3, { dtype: "float32", seed: 7 }),
    ];
    for (const net of nets) expectSameStart(createNet(net.describe()), net);
  });

  it("gives the untrained net of a saved, trained one, on the backend asked for", () => {
    const net = new MultiLayerNetExtend(5, [4], 3, { useBatchnorm: true, seed: 8 });
    const before = new MultiLayerNetExtend(5, [4], 3, { useBatchnorm: true, seed: 8 });
    const rng = new Rng(1);
    net.gradient(randn([6, 5], { rng }), tensor(Array.from(rng.choice(3, 6)), { dtype: "int32" }));
    const { description } = decodeNet(encodeNet(net));
    const backend = new CpuBackend();
    const fresh = createNet(description, { backend });
    expect(fresh.backend).toBe(backend);
    expect(values(fresh.params.W1!)).toEqual(values(before.params.W1!));
  });

  it("refuses a net built from a layer list, and configs that are not a constructor's", () => {
    const layerNet = new LayerNet([["Affine1", new Affine(zeros([2, 2]), zeros([2]))]], new SoftmaxWithLoss());
    expect(() => createNet(layerNet.describe())).toThrow(ValueError);
    expect(() => createNet(layerNet.describe())).toThrow('createNet: cannot create a "LayerNet" from its config');
    expect(() =>
      createNet({ kind: "MultiLayerNet", config: { inputSize: 5, hiddenSizeList: 4, outputSize: 3 } }),
    ).toThrow("createNet: config.hiddenSizeList must be an array, got 4");
    expect(() => createNet({ kind: "TwoLayerNet", config: { inputSize: 0, hiddenSize: 2, outputSize: 2 } })).toThrow(
      "TwoLayerNet: inputSize must be a positive integer, got 0",
    );
  });
});

describe("createNet from a NetSpec (the names both apps use)", () => {
  it("builds the net each name stands for, with the book's defaults for what the spec leaves out", () => {
    const pairs: [Net, Net][] = [
      [createNet({ net: "two-layer", inputSize: 6, outputSize: 3, seed: 2 }), new TwoLayerNet(6, 50, 3, { seed: 2 })],
      [
        createNet({ net: "multi", inputSize: 6, outputSize: 3, hidden: [4, 5], weightDecay: 0.1 }),
        new MultiLayerNet(6, [4, 5], 3, { weightInitStd: "he", weightDecayLambda: 0.1 }),
      ],
      [
        createNet({
          net: "multi",
          inputSize: 6,
          outputSize: 3,
          activation: "sigmoid",
          init: "xavier",
          dtype: "float32",
        }),
        new MultiLayerNet(6, [100, 100, 100, 100], 3, {
          activation: "sigmoid",
          weightInitStd: "xavier",
          dtype: "float32",
        }),
      ],
      [
        createNet({
          net: "multi-extend",
          inputSize: 6,
          outputSize: 3,
          hidden: [4],
          batchnorm: true,
          dropout: 0.2,
          seed: 9,
        }),
        new MultiLayerNetExtend(6, [4], 3, {
          weightInitStd: "he",
          useBatchnorm: true,
          useDropout: true,
          dropoutRatio: 0.2,
          seed: 9,
        }),
      ],
      [
        createNet({ net: "simple-conv", inputSize: 64, outputSize: 3, hidden: [5], init: 0.1 }),
        new SimpleConvNet({ inputDim: [1, 8, 8], hiddenSize: 5, outputSize: 3, weightInitStd: 0.1 }),
      ],
    ];
    for (const [fromSpec, direct] of pairs) {
      expect(fromSpec.constructor).toBe(direct.constructor);
      expectSameStart(fromSpec, direct);
    }
  });

  it("one word, one meaning: names, earlier spellings and the book's class names", () => {
    expect(NET_NAMES.map((n) => NETS[n].className)).toEqual([
      "TwoLayerNet",
      "MultiLayerNet",
      "MultiLayerNetExtend",
      "SimpleConvNet",
    ]);
    expect(netNamed("two")).toBe("two-layer"); // the CLI's earlier --net two
    expect(netNamed("conv")).toBe("simple-conv"); // the web app's earlier ?net=conv
    expect(netNamed("multi")).toBe("multi");
    expect(netNamed("MultiLayerNetExtend")).toBe("multi-extend");
    expect(netNamed("multilayernet")).toBe("multi");
    expect(netNamed("resnet")).toBeUndefined();
  });

  it("titles the net the same way in both apps", () => {
    expect(netTitle({ net: "two-layer", inputSize: 784, outputSize: 10 })).toBe("TwoLayerNet 784-50-10");
    expect(
      netTitle({
        net: "multi",
        inputSize: 784,
        outputSize: 10,
        hidden: [20, 20],
        activation: "sigmoid",
        init: "xavier",
        weightDecay: 0.1,
      }),
    ).toBe("MultiLayerNet 784-20-20-10 (sigmoid, Xavier init, weight decay 0.1)");
    expect(
      netTitle({
        net: "multi-extend",
        inputSize: 784,
        outputSize: 10,
        hidden: [40, 40],
        init: 0.01,
        batchnorm: true,
        dropout: 0.2,
      }),
    ).toBe("MultiLayerNetExtend 784-40-40-10 (ReLU, std 0.01 init, BatchNorm, Dropout 0.2)");
    expect(netTitle({ net: "simple-conv", inputSize: 784, outputSize: 10 })).toBe(
      "SimpleConvNet 1x28x28-conv30x5x5-pool2x2-100-10",
    );
  });

  it("refuses settings the net does not take and sizes it cannot have, naming what would take them", () => {
    const base = { inputSize: 6, outputSize: 3 };
    expect(() => createNet({ net: "multi", ...base, batchnorm: true })).toThrow(
      "createNet: batchnorm true needs multi-extend; multi (MultiLayerNet) does not take it",
    );
    expect(() => createNet({ net: "two-layer", ...base, init: "he" })).toThrow(
      'createNet: init "he" needs multi or multi-extend; two-layer (TwoLayerNet) does not take it',
    );
    expect(() => createNet({ net: "simple-conv", ...base, dropout: 0.5 })).toThrow(ValueError);
    expect(() => createNet({ net: "two-layer", ...base, activation: "sigmoid" })).toThrow(
      'createNet: activation "sigmoid" needs multi or multi-extend',
    );
    // What the net does anyway is no conflict: TwoLayerNet's hidden layer is a ReLU, without decay.
    const plain = { activation: "relu", weightDecay: 0, batchnorm: false } as const;
    expectSameStart(createNet({ net: "two-layer", ...base, ...plain }), createNet({ net: "two-layer", ...base }));
    expect(() => createNet({ net: "two-layer", ...base, hidden: [4, 4] })).toThrow(
      "createNet: two-layer (TwoLayerNet) has one hidden layer, got hidden [4,4]",
    );
    expect(() => createNet({ net: "simple-conv", ...base })).toThrow(
      "createNet: simple-conv (SimpleConvNet) needs square images (784 = 28x28 for MNIST), got rows of 6 features",
    );
    expect(() => createNet({ net: "two" as "two-layer", ...base })).toThrow(
      'createNet: spec.net must be one of two-layer, multi, multi-extend, simple-conv, got "two"',
    );
  });
});
