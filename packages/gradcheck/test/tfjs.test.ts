// The TensorFlow.js cross-check (@bp/gradcheck/tfjs) under vitest, from the TypeScript sources.
import { describe, expect, it } from "vitest";
import { Rng, randn, tensor, type Tensor } from "@bp/tensor";
import { AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss } from "@bp/layers";
import { formatReport, type CheckReport } from "@bp/gradcheck";
import { crossCheckLayer, crossCheckNet, loadTfjs } from "@bp/gradcheck/tfjs";
import { TinyNet } from "./tinyNet.js";

const rng = new Rng(11);

// float32 tolerances for bp (float64) against tfjs (float32): a few roundings of 6e-8 relative.
const TOL = { atol: 1e-6, rtol: 1e-5 };

function expectPass(report: CheckReport, names: string[]): void {
  expect(report.passed, formatReport(report)).toBe(true);
  expect(Object.keys(report.comparisons)).toEqual(names);
  expect(report.against).toBe("bp vs tfjs");
}

describe("crossCheckLayer: every layer against tfjs", () => {
  it("loads tfjs with its gradients registered and the cpu backend selected", async () => {
    const tf = await loadTfjs();
    expect(tf.getBackend()).toBe("cpu");
    expect(tf.getGradient(tf.Sum)).toBeDefined();
    // d/dx sum(x^2) = 2x, from tfjs's own gradient registry
    expect(
      Array.from(
        tf
          .grad((x) => tf.sum(tf.square(x)))(tf.tensor([1, -2]))
          .dataSync(),
      ),
    ).toEqual([2, -4]);
  });

  it("Relu, Sigmoid", async () => {
    expectPass(await crossCheckLayer(new Relu(), randn([4, 5], { rng }), TOL), ["out", "x"]);
    expectPass(await crossCheckLayer(new Sigmoid(), randn([4, 5], { rng, std: 3 }), TOL), ["out", "x"]);
  });

  it("Affine (3-d input) and Affine with computeDx: false", async () => {
    const W = randn([6, 3], { rng });
    const b = randn([3], { rng });
    expectPass(await crossCheckLayer(new Affine(W, b), randn([4, 3, 2], { rng }), TOL), ["out", "x", "W", "b"]);
    expectPass(await crossCheckLayer(new Affine(W, b, { computeDx: false }), randn([4, 6], { rng }), TOL), [
      "out",
      "W",
      "b",
    ]);
  });

  it("MulLayer and AddLayer with broadcasting", async () => {
    expectPass(await crossCheckLayer(new MulLayer(), [randn([3, 4], { rng }), randn([4], { rng })], TOL), [
      "out",
      "x",
      "y",
    ]);
    expectPass(await crossCheckLayer(new AddLayer(), [randn([3, 4], { rng }), randn([3, 1], { rng })], TOL), [
      "out",
      "x",
      "y",
    ]);
  });

  it("SoftmaxWithLoss with both label kinds", async () => {
    const x = randn([6, 5], { rng, std: 2 });
    const t = tensor(Array.from(rng.choice(5, 6)), { dtype: "int32" });
    expectPass(await crossCheckLayer(new SoftmaxWithLoss(), x, { ...TOL, t }), ["loss", "x"]);
    expectPass(await crossCheckLayer(new SoftmaxWithLoss(), x, { ...TOL, t: t.oneHot(5), dout: 0.5 }), ["loss", "x"]);
  });

  it("catches a planted bug (Sigmoid backward without the (1 - y) factor)", async () => {
    class Wrong extends Sigmoid {
      override backward(dout: Tensor): Tensor {
        return dout.mul(this.out!);
      }
    }
    const report = await crossCheckLayer(new Wrong(), randn([3, 3], { rng }), TOL);
    expect(report.passed).toBe(false);
    expect(report.comparisons.out!.passed).toBe(true);
    expect(report.comparisons.x!.passed).toBe(false);
  });
});

describe("crossCheckNet", () => {
  it("a net's outputs, loss and every gradient match tfjs", async () => {
    const net = TinyNet.random(6, 5, 4, 3);
    const x = randn([8, 6], { rng });
    const t = tensor(Array.from(rng.choice(4, 8)), { dtype: "int32" });
    const report = await crossCheckNet(net, x, t, TOL);
    expect(report.passed, formatReport(report)).toBe(true);
    expect(Object.keys(report.comparisons)).toEqual(["out", "loss", "W1", "b1", "W2", "b2"]);
  });

  it("says when a layer's parameters are not the net's params", async () => {
    const net = TinyNet.random(2, 2, 2, 3);
    // The same net, but its params record holds a copy of W1 instead of the tensor Affine1 uses.
    const detached: TinyNet = Object.create(net);
    Object.defineProperty(detached, "params", { value: { ...net.params, W1: net.params.W1.clone() } });
    await expect(crossCheckNet(detached, randn([1, 2], { rng }), tensor([1], { dtype: "int32" }))).rejects.toThrow(
      "crossCheckNet: Affine1.W is not one of net.params (W1, b1, W2, b2); the params must be the tensors the layers use",
    );
  });
});
