import { ShapeError, ValueError } from "@bp/tensor";
import { describe, expect, it } from "vitest";
import {
  MultiLayerNet,
  MultiLayerNetExtend,
  SimpleConvNet,
  TwoLayerNet,
  estimateMemory,
  evaluationRows,
  formatBytes,
  netLayout,
  optimizerSlots,
  type Net,
} from "../src/index.js";

/** The layers and shapes `describe()` lists, in the form `netLayout` gives them. */
function described(net: Net) {
  const d = net.describe();
  const stateShapes = Object.fromEntries(Object.entries(net.state).map(([n, t]) => [n, [...t.shape]]));
  return { layers: d.layers, paramShapes: d.paramShapes, stateShapes };
}

describe("netLayout: the layers a constructor builds, without building them", () => {
  const nets: [string, () => Net][] = [
    ["TwoLayerNet 784-50-10", () => new TwoLayerNet(784, 50, 10)],
    ["MultiLayerNet 5-4-3-2 sigmoid", () => new MultiLayerNet(5, [4, 3], 2, { activation: "sigmoid" })],
    [
      "MultiLayerNetExtend with BatchNorm and Dropout",
      () => new MultiLayerNetExtend(6, [5, 4, 3], 2, { useBatchnorm: true, useDropout: true, dropoutRatio: 0.25 }),
    ],
    ["MultiLayerNetExtend plain", () => new MultiLayerNetExtend(6, [5], 2)],
    ["SimpleConvNet (the book's)", () => new SimpleConvNet({ hiddenSize: 7 })],
    [
      "SimpleConvNet 3x12x12, pad 1, stride 1, 4 filters 3x3",
      () =>
        new SimpleConvNet({
          inputDim: [3, 12, 12],
          convParam: { filterNum: 4, filterSize: 3, pad: 1, stride: 1 },
          hiddenSize: 5,
          outputSize: 3,
        }),
    ],
  ];
  for (const [name, make] of nets) {
    it(`${name}: the same layers and shapes as describe()`, () => {
      const net = make();
      const { inputShape, ...layout } = netLayout(net.describe());
      expect(layout).toEqual(described(net));
      expect(inputShape.reduce((a, b) => a * b, 1)).toBe(
        net.describe().kind === "SimpleConvNet"
          ? (net as SimpleConvNet).inputDim.reduce((a, b) => a * b, 1)
          : net.params.W1!.shape[0],
      );
    });
  }

  it("refuses a config no constructor accepts, naming the field", () => {
    expect(() => netLayout({ kind: "TwoLayerNet", config: { inputSize: 2, hiddenSize: -1, outputSize: 2 } })).toThrow(
      /config.hiddenSize must be a positive integer, got -1/,
    );
    expect(() =>
      netLayout({ kind: "MultiLayerNet", config: { inputSize: 2, hiddenSizeList: "3", outputSize: 2 } }),
    ).toThrow(ValueError);
    expect(() => netLayout({ kind: "SimpleConvNet", config: { inputDim: [4, 13, 13] } })).toThrow(ShapeError);
    expect(() => netLayout({ kind: "LayerNet", config: {} })).toThrow(/cannot lay out a net of kind "LayerNet"/);
  });
});

describe("estimateMemory", () => {
  it("counts parameters, gradients and Adam's two slots, by hand for a TwoLayerNet 4-3-2", () => {
    const layout = netLayout({ kind: "TwoLayerNet", config: { inputSize: 4, hiddenSize: 3, outputSize: 2 } });
    // Parameters: W1 4x3 + b1 3 + W2 3x2 + b2 2 = 23 elements of 8 bytes = 184 bytes.
    const e = estimateMemory(layout, { dtype: "float64", batch: 10, optimizerSlots: optimizerSlots("adam") });
    expect(e.parts.params).toBe(184);
    expect(e.parts.gradients).toBe(184);
    // Adam's m and v (2 x 23) plus the temporaries of the largest parameter's update (2 x 12): 70 x 8.
    expect(e.parts.optimizerState).toBe(560);
    // Per row: kept = Affine1 3 + Relu1 3 + Affine2 2 + softmax 2 x 2 = 12; the largest temporary is
    // Affine1's 2 x 3 + 4 = 10; 10 rows x 22 x 8 bytes.
    expect(e.parts.activations).toBe(1760);
    expect(e.parts.evaluation).toBe(0);
    expect(e.bytes).toBe(184 + 184 + 560 + 1760);
    // float32 halves everything.
    expect(estimateMemory(layout, { dtype: "float32", batch: 10, optimizerSlots: 2 }).bytes).toBe(e.bytes / 2);
  });

  it("sees SimpleConvNet's 4320 x hidden matrix and its im2col columns", () => {
    const layout = netLayout({ kind: "SimpleConvNet", config: { hiddenSize: 100000 } });
    expect(layout.paramShapes.W2).toEqual([4320, 100000]);
    const e = estimateMemory(layout, { dtype: "float64", batch: 100, optimizerSlots: 2, evalRows: 100 });
    // W2 alone is 4320 x 100000 x 8 bytes = 3.2 GiB; with gradients and Adam, four times that.
    expect(e.parts.params).toBeGreaterThan(4320 * 100000 * 8);
    expect(e.bytes).toBeGreaterThan(4 * 4320 * 100000 * 8);
    // The columns of one image: 24 x 24 windows of 25 values, 14 400 elements, for 100 rows.
    expect(e.parts.activations).toBeGreaterThan(100 * 14400 * 8);
  });

  it("evaluates image nets 100 rows at a time, row nets all at once or by the chunk", () => {
    expect(evaluationRows([1, 28, 28], 10000)).toBe(100);
    expect(evaluationRows([784], 10000)).toBe(10000);
    expect(evaluationRows([784], 10000, 1000)).toBe(1000);
    expect(evaluationRows([784], 50, 1000)).toBe(50);
  });

  it("refuses a layer whose input does not fit, naming it", () => {
    const layout = netLayout({ kind: "TwoLayerNet", config: { inputSize: 4, hiddenSize: 3, outputSize: 2 } });
    layout.paramShapes.W2 = [5, 2];
    expect(() => estimateMemory(layout, { dtype: "float64" })).toThrow(
      /layer Affine2 takes 5 values per row but gets 3/,
    );
  });

  it("formats bytes", () => {
    expect(formatBytes(100)).toBe("100 bytes");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(300 * 2 ** 20)).toBe("300 MiB");
    expect(formatBytes(12.25 * 2 ** 30)).toBe("12.3 GiB");
  });
});
