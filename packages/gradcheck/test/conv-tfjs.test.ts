// Convolution, Pooling and SimpleConvNet against TensorFlow.js through @bp/gradcheck/tfjs (the
// TF_LAYERS rows): outputs and every gradient, with strides, padding and several channels.
import { describe, expect, it } from "vitest";
import { Rng, rand, randn, tensor } from "@bp/tensor";
import { Convolution, Pooling } from "@bp/layers";
import { SimpleConvNet } from "@bp/nets";
import { formatReport } from "@bp/gradcheck";
import { crossCheckLayer, crossCheckNet } from "@bp/gradcheck/tfjs";

// bp float64 vs tfjs float32: sums of at most a few dozen products (27 per output of a 3x3x3
// filter, 32 rows per dW entry), each rounded to float32 (relative 6e-8): well inside these.
const TOL = { atol: 1e-5, rtol: 1e-5 };

describe("Convolution and Pooling in the tfjs cross-check table", () => {
  const rng = new Rng(12);

  it("Convolution: stride 2, pad 1, 3 channels, 4 filters (out, x, W, b)", async () => {
    const layer = new Convolution(randn([4, 3, 3, 3], { rng }), randn([4], { rng }), 2, 1);
    const report = await crossCheckLayer(layer, randn([2, 3, 7, 7], { rng }), TOL);
    expect(report.passed, formatReport(report)).toBe(true);
    expect(Object.keys(report.comparisons)).toEqual(["out", "x", "W", "b"]);
  });

  it("Pooling: 3x3 windows, stride 2, pad 1 (zero padding, as the book's im2col), 2 channels", async () => {
    // Negative inputs too: a window reaching into the padding has a maximum of at least 0 in both.
    const report = await crossCheckLayer(new Pooling(3, 3, 2, 1), randn([2, 2, 7, 7], { rng }), TOL);
    expect(report.passed, formatReport(report)).toBe(true);
    expect(Object.keys(report.comparisons)).toEqual(["out", "x"]);
  });

  it("SimpleConvNet (a small one): predict, loss and W1...b3", async () => {
    const net = new SimpleConvNet({
      inputDim: [2, 10, 10],
      convParam: { filterNum: 4, filterSize: 3, pad: 1, stride: 1 },
      hiddenSize: 12,
      weightInitStd: 0.1,
      seed: 2,
    });
    const x = rand([3, 2, 10, 10], { rng });
    const report = await crossCheckNet(net, x, tensor([3, 1, 4], { dtype: "int32" }), { atol: 1e-6, rtol: 1e-4 });
    expect(report.passed, formatReport(report)).toBe(true);
    expect(Object.keys(report.comparisons)).toEqual(["out", "loss", "W1", "b1", "W2", "b2", "W3", "b3"]);
  });
});
