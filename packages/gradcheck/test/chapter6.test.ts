// Gradient checks of the chapter 6 layers and nets (float64): backprop against central differences,
// with the book's figure (mean |diff|) and the largest relative error; and the nets against
// TensorFlow.js (float32).
import { describe, expect, it } from "vitest";
import { BatchNormalization, Dropout, Relu } from "@bp/layers";
import { MultiLayerNet, MultiLayerNetExtend, type Net } from "@bp/nets";
import { Rng, rand, randn, tensor, type Tensor } from "@bp/tensor";
import { checkLayer, checkNet, formatReport, type CheckReport } from "@bp/gradcheck";
import { crossCheckNet } from "@bp/gradcheck/tfjs";

function batch(seed: number, n: number, inputs: number, classes: number): { x: Tensor; t: Tensor } {
  const rng = new Rng(seed);
  return { x: randn([n, inputs], { rng }), t: tensor(Array.from(rng.choice(classes, n)), { dtype: "int32" }) };
}

/** Passed, with the book's figure small and (where the gradient is not ~0) small relative errors. */
function expectGood(report: CheckReport, names: string[], meanAbs: number): void {
  expect(report.passed, formatReport(report)).toBe(true);
  expect(Object.keys(report.comparisons)).toEqual(names);
  for (const c of Object.values(report.comparisons)) expect(c.meanAbsDiff, c.name).toBeLessThan(meanAbs);
}

/**
 * Runs one training forward pass and returns the smallest |input| of any ReLU (a central difference
 * that straddles ReLU's kink at 0 is not a derivative) after fixing every Dropout layer's mask to a
 * seeded one of its input's shape, so that each forward pass computes one function.
 */
function prepare(net: Net, x: Tensor, seed: number): number {
  const rng = new Rng(seed);
  let h = x;
  let nearestKink = Infinity;
  for (const layer of net.layers.values()) {
    if (layer instanceof Dropout) layer.fixedMask = rand(h.shape, { rng }).gt(layer.dropoutRatio);
    if (layer instanceof Relu) for (const v of h.data) nearestKink = Math.min(nearestKink, Math.abs(v));
    h = layer.forward(h, true);
  }
  return nearestKink;
}

describe("chapter 6 layers: backward against numerical gradients (float64)", () => {
  it("BatchNormalization: x, gamma, beta (2-d and 4-d inputs)", () => {
    const rng = new Rng(11);
    const bn = new BatchNormalization(randn([4], { rng, mean: 1, std: 0.5 }), randn([4], { rng }));
    const report = checkLayer(bn, randn([5, 4], { rng, std: 2 }));
    expectGood(report, ["x", "gamma", "beta"], 1e-7);
    for (const c of Object.values(report.comparisons)) expect(c.maxRelError, c.name).toBeLessThan(1e-5);
    const bn4 = new BatchNormalization(randn([6], { rng, mean: 1 }), randn([6], { rng }));
    expectGood(checkLayer(bn4, randn([4, 3, 1, 2], { rng })), ["x", "gamma", "beta"], 1e-7);
  });

  it("Dropout with a fixed mask", () => {
    const drop = new Dropout(new Rng(0), { dropoutRatio: 0.5 });
    drop.fixedMask = rand([3, 6], { seed: 2 }).gt(0.5);
    const report = checkLayer(drop, randn([3, 6], { seed: 3 }));
    expectGood(report, ["x"], 1e-9);
    expect(report.comparisons.x!.maxRelError).toBeLessThan(1e-7);
  });
});

describe("chapter 6 nets: gradient (backprop) against numericalGradient (float64)", () => {
  const { x, t } = batch(5, 6, 7, 3);

  it("MultiLayerNet, relu and sigmoid, with weight decay", () => {
    for (const activation of ["relu", "sigmoid"] as const) {
      const net = new MultiLayerNet(7, [5, 4], 3, { activation, weightInitStd: 0.5, weightDecayLambda: 0.1, seed: 1 });
      const report = checkNet(net, x, t);
      expectGood(report, ["W1", "b1", "W2", "b2", "W3", "b3"], 1e-7);
      for (const n of ["W1", "W2", "W3"]) expect(report.comparisons[n]!.maxRelError, n).toBeLessThan(1e-4);
    }
  });

  it("MultiLayerNetExtend with BatchNorm and Dropout (fixed masks)", () => {
    const net = new MultiLayerNetExtend(7, [5, 4], 3, {
      useBatchnorm: true,
      useDropout: true,
      dropoutRatio: 0.3,
      weightInitStd: "he",
      weightDecayLambda: 0.05,
      seed: 3,
    });
    // With seed 2 one pre-activation lies 4e-5 from the kink, and the check (h = 1e-4) fails there.
    expect(prepare(net, x, 9)).toBeGreaterThan(1e-3);
    const report = checkNet(net, x, t);
    expectGood(report, ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"], 1e-7);
    // b1 and b2 feed a BatchNorm, which subtracts the batch mean: their true gradient is 0.
    expect(report.comparisons.b1!.maxAbsDiff).toBeLessThan(1e-9);
    for (const n of ["W1", "gamma1", "beta1", "W3"]) expect(report.comparisons[n]!.maxRelError, n).toBeLessThan(1e-4);
  });
});

describe("chapter 6 nets against tfjs (float32)", () => {
  const TOL = { atol: 1e-5, rtol: 1e-3 };
  const { x, t } = batch(8, 8, 7, 3);

  it("MultiLayerNet (sigmoid, Xavier, weight decay)", async () => {
    const net = new MultiLayerNet(7, [6, 5], 3, {
      activation: "sigmoid",
      weightInitStd: "xavier",
      weightDecayLambda: 0.1,
    });
    const report = await crossCheckNet(net, x, t, TOL);
    expect(report.passed, formatReport(report)).toBe(true);
    expect(Object.keys(report.comparisons)).toEqual(["out", "loss", "W1", "b1", "W2", "b2", "W3", "b3"]);
  });

  it("MultiLayerNetExtend with BatchNorm and Dropout, after a few steps (running statistics in use)", async () => {
    const net = new MultiLayerNetExtend(7, [6, 5], 3, { useBatchnorm: true, useDropout: true, seed: 3 });
    for (let i = 0; i < 3; i++) net.gradient(x, t); // moves the running statistics away from 0 and 1
    const report = await crossCheckNet(net, x, t, TOL);
    expect(report.passed, formatReport(report)).toBe(true);
    expect(Object.keys(report.comparisons)).toContain("gamma2");
  });
});
