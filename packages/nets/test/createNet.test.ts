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
  createNet,
  decodeNet,
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
