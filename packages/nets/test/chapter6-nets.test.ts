// MultiLayerNet and MultiLayerNetExtend (common/multi_layer_net.py, multi_layer_net_extend.py):
// the book's names, initial weights, weight decay, train/test behaviour, descriptions and copies.
import { describe, expect, it } from "vitest";
import { Affine, type BatchNormalization, type Dropout, SoftmaxWithLoss } from "@bp/layers";
import { CpuBackend, Rng, ValueError, randn, tensor, zeros } from "@bp/tensor";
import { LayerNet, MultiLayerNet, MultiLayerNetExtend, TwoLayerNet, weightScale } from "@bp/nets";

const rng = new Rng(21);
const x = randn([5, 6], { rng });
const t = tensor(Array.from(rng.choice(3, 5)), { dtype: "int32" });

describe("MultiLayerNet", () => {
  it("names layers and parameters the book's way; only the first layer skips dx", () => {
    const net = new MultiLayerNet(6, [4, 4], 3);
    expect([...net.layers.keys()]).toEqual([
      "Affine1",
      "Activation_function1",
      "Affine2",
      "Activation_function2",
      "Affine3",
    ]);
    expect(Object.keys(net.params)).toEqual(["W1", "b1", "W2", "b2", "W3", "b3"]);
    expect(net.params.W2!.shape).toEqual([4, 4]);
    expect(net.lastLayer).toBeInstanceOf(SoftmaxWithLoss);
    expect((net.layers.get("Affine1") as Affine).computeDx).toBe(false);
    expect((net.layers.get("Affine2") as Affine).computeDx).toBe(true);
    expect((net.layers.get("Affine1") as Affine).W).toBe(net.params.W1);
    expect(Object.isFrozen(net.params)).toBe(true);
  });

  it("draws W_k = scale · randn from one Rng(seed), in order: He √(2/n), Xavier √(1/n) or a number", () => {
    expect(weightScale("relu", 8)).toBe(0.5);
    expect(weightScale("he", 8)).toBe(0.5);
    expect(weightScale("sigmoid", 4)).toBe(0.5);
    expect(weightScale("xavier", 4)).toBe(0.5);
    expect(weightScale(0.01, 4)).toBe(0.01);
    for (const [init, s1, s2] of [
      ["he", Math.sqrt(2 / 6), Math.sqrt(2 / 4)],
      ["xavier", Math.sqrt(1 / 6), Math.sqrt(1 / 4)],
      [0.01, 0.01, 0.01],
    ] as const) {
      const net = new MultiLayerNet(6, [4], 3, { weightInitStd: init, seed: 4 });
      const draws = new Rng(4);
      const w1 = Array.from({ length: 24 }, () => s1 * draws.normal());
      const w2 = Array.from({ length: 12 }, () => s2 * draws.normal());
      expect(Array.from(net.params.W1!.data)).toEqual(w1);
      expect(Array.from(net.params.W2!.data)).toEqual(w2);
      expect(Array.from(net.params.b1!.data)).toEqual([0, 0, 0, 0]);
    }
  });

  it("weight decay adds ½λΣW² to the loss and λW to every dW (not to db)", () => {
    const plain = new MultiLayerNet(6, [4], 3, { seed: 1 });
    const decayed = new MultiLayerNet(6, [4], 3, { seed: 1, weightDecayLambda: 0.1 });
    const sumSq = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v * v, 0);
    const decay = 0.5 * 0.1 * (sumSq(plain.params.W1!.data) + sumSq(plain.params.W2!.data));
    expect(Math.abs(decayed.loss(x, t) - (plain.loss(x, t) + decay))).toBeLessThan(1e-12);
    const g0 = plain.gradient(x, t);
    const g1 = decayed.gradient(x, t);
    for (const [i, v] of g1.W1!.data.entries())
      expect(Math.abs(v - (g0.W1!.data[i]! + 0.1 * plain.params.W1!.data[i]!))).toBeLessThan(1e-15);
    expect(Array.from(g1.b1!.data)).toEqual(Array.from(g0.b1!.data));
  });

  it("lossAndGradient gives the loss of its own forward pass", () => {
    const net = new MultiLayerNet(6, [4], 3, { seed: 2, weightDecayLambda: 0.01 });
    const { loss, grads } = net.lossAndGradient(x, t);
    expect(loss).toBe(net.loss(x, t));
    expect(Object.keys(grads)).toEqual(Object.keys(net.params));
  });

  it("refuses bad sizes and options, and 0 rows", () => {
    expect(() => new MultiLayerNet(6, [4, 0], 3)).toThrow(
      "MultiLayerNet: hiddenSizeList[1] must be a positive integer, got 0",
    );
    expect(() => new MultiLayerNet(6, [4], 3, { activation: "tanh" as "relu" })).toThrow(ValueError);
    expect(() => new MultiLayerNet(6, [4], 3, { weightInitStd: "lecun" as "he" })).toThrow(
      'MultiLayerNet: weightInitStd must be "relu", "he", "sigmoid", "xavier" or a finite number, got "lecun"',
    );
    expect(() => new MultiLayerNet(6, [4], 3, { weightDecayLambda: -1 })).toThrow(ValueError);
    const net = new MultiLayerNet(6, [4], 3);
    const empty = zeros([0, 6]);
    const noLabels = tensor([], { dtype: "int32" });
    expect(() => net.accuracy(empty, noLabels)).toThrow(ValueError);
    expect(() => net.accuracy(empty, noLabels)).toThrow("MultiLayerNet.accuracy: x has 0 rows (shape [0, 6])");
    expect(() => net.loss(empty, noLabels)).toThrow("MultiLayerNet.loss: x has 0 rows");
    expect(() => new TwoLayerNet(6, 4, 3).loss(empty, noLabels)).toThrow("TwoLayerNet.loss: x has 0 rows");
  });
});

describe("MultiLayerNetExtend", () => {
  const net = new MultiLayerNetExtend(6, [4, 4], 3, { useBatchnorm: true, useDropout: true, dropoutRatio: 0.2 });

  it("adds BatchNorm{k} before and Dropout{k} after each hidden activation, with the book's names", () => {
    expect([...net.layers.keys()]).toEqual([
      "Affine1",
      "BatchNorm1",
      "Activation_function1",
      "Dropout1",
      "Affine2",
      "BatchNorm2",
      "Activation_function2",
      "Dropout2",
      "Affine3",
    ]);
    expect(Object.keys(net.params)).toEqual(["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]);
    expect(Object.keys(net.state)).toEqual(["runningMean1", "runningVar1", "runningMean2", "runningVar2"]);
    const bn1 = net.layers.get("BatchNorm1") as BatchNormalization;
    expect(bn1.gamma).toBe(net.params.gamma1);
    expect(bn1.runningVar).toBe(net.state.runningVar1);
    expect(Array.from(bn1.gamma.data)).toEqual([1, 1, 1, 1]);
    expect((net.layers.get("Dropout2") as Dropout).dropoutRatio).toBe(0.2);
  });

  it("without the options it is MultiLayerNet: same layers and the same numbers", () => {
    const a = new MultiLayerNetExtend(6, [4], 3, { seed: 3 });
    const b = new MultiLayerNet(6, [4], 3, { seed: 3 });
    expect([...a.layers.keys()]).toEqual([...b.layers.keys()]);
    expect(a.loss(x, t)).toBe(b.loss(x, t));
  });

  it("is a MultiLayerNet (the book's class extends it); a plain MultiLayerNet takes none of its options", () => {
    expect(net).toBeInstanceOf(MultiLayerNet);
    expect(net.hiddenSizeList).toEqual([4, 4]);
    expect(net.describe().kind).toBe("MultiLayerNetExtend");
    // Options MultiLayerNet does not have (from JavaScript, past the types) add no layers.
    const plain = new MultiLayerNet(6, [4], 3, { useBatchnorm: true, useDropout: true } as object);
    expect([...plain.layers.keys()]).toEqual(["Affine1", "Activation_function1", "Affine2"]);
    expect(plain.describe().kind).toBe("MultiLayerNet");
    expect(() => new MultiLayerNetExtend(6, [4], 3, { useDropout: true, dropoutRatio: 1 })).toThrow(
      "MultiLayerNetExtend: dropoutRatio must be in [0, 1), got 1",
    );
  });

  it("predict and loss default to test mode (the book's train_flg=False); gradient trains", () => {
    const n = new MultiLayerNetExtend(6, [4], 3, { useBatchnorm: true, useDropout: true, seed: 5 });
    const before = Array.from(n.state.runningMean1!.data);
    expect(Array.from(n.predict(x).data)).toEqual(Array.from(n.predict(x).data)); // no masks drawn
    n.loss(x, t);
    expect(Array.from(n.state.runningMean1!.data)).toEqual(before); // test mode leaves them
    n.gradient(x, t);
    expect(Array.from(n.state.runningMean1!.data)).not.toEqual(before); // a training pass moves them
    expect(n.loss(x, t, true)).not.toBe(n.loss(x, t, true)); // fresh dropout masks each time
  });

  it("draws the same dropout masks from the same seed (Rng(seed + 2))", () => {
    const a = new MultiLayerNetExtend(6, [4], 3, { useDropout: true, seed: 8 });
    const b = new MultiLayerNetExtend(6, [4], 3, { useDropout: true, seed: 8 });
    expect(a.loss(x, t, true)).toBe(b.loss(x, t, true));
    expect(a.rng).toBe((a.layers.get("Dropout1") as Dropout).rng);
  });
});

describe("LayerNet: describe and to(backend)", () => {
  it("describes the architecture as JSON", () => {
    const net = new MultiLayerNetExtend(6, [4], 3, { useBatchnorm: true, useDropout: true, seed: 1 });
    const d = net.describe();
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d.kind).toBe("MultiLayerNetExtend");
    expect(d.config).toMatchObject({ inputSize: 6, hiddenSizeList: [4], outputSize: 3, useBatchnorm: true, seed: 1 });
    expect(d.layers.map((l) => l.type)).toEqual(["Affine", "BatchNormalization", "Relu", "Dropout", "Affine"]);
    expect(d.layers[1]).toEqual({
      name: "BatchNorm1",
      type: "BatchNormalization",
      params: { gamma: "gamma1", beta: "beta1" },
      state: { runningMean: "runningMean1", runningVar: "runningVar1" },
      config: { momentum: 0.9 },
    });
    expect(d.paramShapes.W1).toEqual([6, 4]);
    expect(d.lastLayer).toEqual({ type: "SoftmaxWithLoss" });
  });

  it("to(backend) copies parameters and state: same numbers, different tensors", () => {
    const net = new MultiLayerNetExtend(6, [4], 3, { useBatchnorm: true, seed: 2, weightDecayLambda: 0.1 });
    net.gradient(x, t); // running statistics away from zero
    const backend = new CpuBackend();
    const copy = net.to(backend);
    expect(copy).toBeInstanceOf(LayerNet);
    expect(copy.backend).toBe(backend);
    expect(copy.params.W1).not.toBe(net.params.W1);
    expect(Array.from(copy.state.runningMean1!.data)).toEqual(Array.from(net.state.runningMean1!.data));
    expect(copy.loss(x.to(backend), t.to(backend))).toBe(net.loss(x, t));
    expect(copy.describe()).toEqual(net.describe());
  });

  it("a LayerNet of any layers; first layer's dx on request", () => {
    const W = randn([6, 3], { seed: 3 });
    const net = new LayerNet([["Affine1", new Affine(W, zeros([3]))]], new SoftmaxWithLoss(), { firstLayerDx: true });
    expect((net.layers.get("Affine1") as Affine).computeDx).toBe(true);
    expect(Object.keys(net.gradient(x, t))).toEqual(["W1", "b1"]);
    expect(net.describe().kind).toBe("LayerNet");
    expect(() => new LayerNet([], new SoftmaxWithLoss())).toThrow("LayerNet: a net needs at least one layer");
  });
});
