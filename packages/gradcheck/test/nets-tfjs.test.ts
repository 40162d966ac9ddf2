// TwoLayerNet against TensorFlow.js through @bp/gradcheck/tfjs: predict, loss and every gradient.
import { describe, expect, it } from "vitest";
import { Rng, rand, tensor } from "@bp/tensor";
import { formatReport } from "@bp/gradcheck";
import { crossCheckNet } from "@bp/gradcheck/tfjs";
import { TwoLayerNet } from "@bp/nets";

describe("TwoLayerNet against tfjs-core (float32)", () => {
  const rng = new Rng(21);
  const x = rand([5, 784], { rng });
  const labels = Array.from(rng.choice(10, 5));

  // bp float64 vs tfjs float32: sums of 784 products in float32 carry ~1e-6 relative error.
  const TOL = { atol: 1e-6, rtol: 1e-4 };

  it("float64 net, class-index labels", async () => {
    const net = new TwoLayerNet(784, 50, 10, { seed: 0, weightInitStd: 0.1 });
    const report = await crossCheckNet(net, x, tensor(labels, { dtype: "int32" }), TOL);
    expect(report.passed, formatReport(report)).toBe(true);
    expect(Object.keys(report.comparisons)).toEqual(["out", "loss", "W1", "b1", "W2", "b2"]);
  });

  it("float32 net, one-hot labels", async () => {
    const net = new TwoLayerNet(784, 50, 10, { seed: 0, weightInitStd: 0.1, dtype: "float32" });
    const t = tensor(labels, { dtype: "int32" }).oneHot(10, "float32");
    const report = await crossCheckNet(net, x.cast("float32"), t, TOL);
    expect(report.passed, formatReport(report)).toBe(true);
  });
});
