import { describe, expect, it } from "vitest";
import { CpuBackend, Rng, ShapeError, ValueError, cpu, randn, tensor, zeros } from "@bp/tensor";
import { Affine, Relu, SoftmaxWithLoss } from "@bp/layers";
import { SGD, TwoLayerNet } from "@bp/nets";
import { blobs } from "./syntheticData.js";

describe("TwoLayerNet: structure and initialisation (book 5.7.2)", () => {
  it("has the book's params, layers and last layer", () => {
    const net = new TwoLayerNet(4, 3, 2);
    expect(Object.keys(net.params)).toEqual(["W1", "b1", "W2", "b2"]);
    expect([net.params.W1.shape, net.params.b1.shape, net.params.W2.shape, net.params.b2.shape]).toEqual([
      [4, 3],
      [3],
      [3, 2],
      [2],
    ]);
    expect([...net.layers.keys()]).toEqual(["Affine1", "Relu1", "Affine2"]);
    expect(net.layers.get("Affine1")).toBeInstanceOf(Affine);
    expect(net.layers.get("Relu1")).toBeInstanceOf(Relu);
    expect(net.lastLayer).toBeInstanceOf(SoftmaxWithLoss);
    expect(net.params.b1.toArray()).toEqual([0, 0, 0]);
    expect([net.dtype, net.backend]).toEqual(["float64", cpu]);
  });

  it("draws W1 then W2 from one Rng(seed), times weightInitStd", () => {
    const net = new TwoLayerNet(2, 3, 2, { seed: 5, weightInitStd: 0.1 });
    const rng = new Rng(5);
    const draws = Array.from({ length: 6 + 6 }, () => 0.1 * rng.normal());
    expect(Array.from(net.params.W1.data)).toEqual(draws.slice(0, 6));
    expect(Array.from(net.params.W2.data)).toEqual(draws.slice(6));
    // same seed, same weights; another seed, others
    expect(new TwoLayerNet(2, 3, 2, { seed: 5, weightInitStd: 0.1 }).params.W2.toArray()).toEqual(
      net.params.W2.toArray(),
    );
    expect(new TwoLayerNet(2, 3, 2, { seed: 6, weightInitStd: 0.1 }).params.W2.toArray()).not.toEqual(
      net.params.W2.toArray(),
    );
  });

  it("float32 holds the same draws rounded, on any backend", () => {
    const a = new TwoLayerNet(3, 4, 2, { seed: 1 });
    const b = new TwoLayerNet(3, 4, 2, { seed: 1, dtype: "float32", backend: new CpuBackend() });
    expect(b.params.W1.dtype).toBe("float32");
    expect(Array.from(b.params.W1.data)).toEqual(Array.from(Float32Array.from(a.params.W1.data)));
  });

  it("params are the tensors the layers hold, and cannot be replaced", () => {
    const net = new TwoLayerNet(2, 2, 2);
    const affine1 = net.layers.get("Affine1") as Affine;
    const affine2 = net.layers.get("Affine2") as Affine;
    expect([affine1.W, affine1.b, affine2.W, affine2.b]).toEqual([
      net.params.W1,
      net.params.b1,
      net.params.W2,
      net.params.b2,
    ]);
    expect(affine1.W).toBe(net.params.W1);
    expect(Object.isFrozen(net.params)).toBe(true);
    expect(() => {
      (net.params as { W1: unknown }).W1 = zeros([2, 2]);
    }).toThrow(TypeError);
  });

  it("refuses bad sizes and options", () => {
    expect(() => new TwoLayerNet(0, 2, 2)).toThrow("TwoLayerNet: inputSize must be a positive integer, got 0");
    expect(() => new TwoLayerNet(2, 2, 2, { dtype: "int32" as "float64" })).toThrow(ValueError);
  });
});

describe("TwoLayerNet: predict, loss, accuracy, gradients", () => {
  // W1 = [[1, -1], [0, 2]], b1 = [0, 1], W2 = [[1, 0], [0, 1]], b2 = [0, 0]
  const net = TwoLayerNet.fromParams({
    W1: tensor([
      [1, -1],
      [0, 2],
    ]),
    b1: tensor([0, 1]),
    W2: tensor([
      [1, 0],
      [0, 1],
    ]),
    b2: tensor([0, 0]),
  });
  const x = tensor([
    [1, 1],
    [2, -1],
  ]);

  it("predict runs Affine1 -> Relu1 -> Affine2", () => {
    // row 1: x·W1 + b1 = [1, 1 + 1] = [1, 2], relu [1, 2]; row 2: [2, -2 - 2 + 1] = [2, -3] -> [2, 0]
    expect(net.predict(x).toArray()).toEqual([
      [1, 2],
      [2, 0],
    ]);
  });

  it("loss takes one-hot or index labels; accuracy returns a number", () => {
    // softmax([1, 2]) = [1, e] / (1 + e); softmax([2, 0]) = [e^2, 1] / (1 + e^2)
    const e = Math.E;
    const lossIfRight = -(Math.log(e / (1 + e) + 1e-7) + Math.log((e * e) / (1 + e * e) + 1e-7)) / 2;
    expect(net.loss(x, tensor([1, 0], { dtype: "int32" }))).toBeCloseTo(lossIfRight, 14);
    expect(
      net.loss(
        x,
        tensor([
          [0, 1],
          [1, 0],
        ]),
      ),
    ).toBeCloseTo(lossIfRight, 14);
    expect(net.accuracy(x, tensor([1, 0], { dtype: "int32" }))).toBe(1);
    expect(
      net.accuracy(
        x,
        tensor([
          [0, 1],
          [0, 1],
        ]),
      ),
    ).toBe(0.5);
    expect(() => net.accuracy(x, tensor([1], { dtype: "int32" }))).toThrow(ShapeError);
  });

  it("gradient matches numericalGradient (float64) and skips Affine1's dx", () => {
    const small = new TwoLayerNet(5, 4, 3, { seed: 2, weightInitStd: 0.5 });
    const rng = new Rng(3);
    const xs = randn([4, 5], { rng });
    const t = tensor(Array.from(rng.choice(3, 4)), { dtype: "int32" });
    const num = small.numericalGradient(xs, t);
    const grad = small.gradient(xs, t);
    for (const key of ["W1", "b1", "W2", "b2"] as const) {
      expect(grad[key].shape).toEqual(small.params[key].shape);
      for (const [i, v] of grad[key].data.entries()) expect(Math.abs(v - num[key].data[i]!)).toBeLessThan(1e-6);
    }
    const affine1 = small.layers.get("Affine1") as Affine;
    expect(affine1.computeDx).toBe(false);
    expect(affine1.backward(tensor([[0, 0, 0, 0]]).gather([0, 0, 0, 0]))).toBeNull();
  });

  it("gradients are the net's until its next gradient: a clone keeps the first result, the next call disposes it", () => {
    const small = new TwoLayerNet(3, 3, 2, { seed: 4, weightInitStd: 1 });
    const xs = randn([2, 3], { seed: 1 });
    const g1 = small.gradient(xs, tensor([0, 1], { dtype: "int32" }));
    const kept = g1.W1.clone();
    const before = g1.W1.toArray();
    const g2 = small.gradient(randn([2, 3], { seed: 2 }), tensor([1, 1], { dtype: "int32" }));
    expect(kept.toArray()).toEqual(before);
    expect(g2.W1.toArray()).not.toEqual(before);
    expect(() => g1.W1.data).toThrow("was disposed");
  });
});

describe("TwoLayerNet: backends and given params", () => {
  it("to(backend) copies identical parameter values to another backend", () => {
    const net = new TwoLayerNet(6, 5, 3, { seed: 8 });
    const other = new CpuBackend();
    const copy = net.to(other);
    expect(copy.backend).toBe(other);
    expect(copy.params.W1.backend).toBe(other);
    for (const key of ["W1", "b1", "W2", "b2"] as const) {
      expect(copy.params[key]).not.toBe(net.params[key]);
      expect(Array.from(copy.params[key].data)).toEqual(Array.from(net.params[key].data));
    }
    const x = randn([2, 6], { seed: 9 });
    expect(Array.from(copy.predict(x.to(other)).data)).toEqual(Array.from(net.predict(x).data));
    // training the copy leaves the original alone
    new SGD({ lr: 1 }).update(
      copy.params,
      copy.gradient(x.to(other), tensor([0, 2], { dtype: "int32", backend: other })),
    );
    expect(Array.from(copy.params.W2.data)).not.toEqual(Array.from(net.params.W2.data));
  });

  it("fromParams uses the given tensors and checks their shapes", () => {
    const W1 = randn([3, 2], { seed: 1 });
    const net = TwoLayerNet.fromParams({ W1, b1: zeros([2]), W2: randn([2, 4], { seed: 2 }), b2: zeros([4]) });
    expect(net.params.W1).toBe(W1);
    expect([net.inputSize, net.hiddenSize, net.outputSize]).toEqual([3, 2, 4]);
    expect(() => TwoLayerNet.fromParams({ W1, b1: zeros([3]), W2: randn([2, 4]), b2: zeros([4]) })).toThrow(
      "TwoLayerNet.fromParams: expected W1 [input, hidden], b1 [hidden], W2 [hidden, output], b2 [output]; got W1 [3, 2], b1 [3], W2 [2, 4], b2 [4]",
    );
    expect(() =>
      TwoLayerNet.fromParams({ W1, b1: zeros([2], { dtype: "float32" }), W2: randn([2, 4]), b2: zeros([4]) }),
    ).toThrow("parameters must share one float dtype and backend");
  });
});

describe("training with SGD (book 5.7.4, on a seeded synthetic problem)", () => {
  it("300 SGD steps take the loss from ln 4 to below 0.2 and reach 93% accuracy on held-out data", () => {
    // 4 overlapping blobs in 10-d (noise std 1): 600 training rows, 200 held out.
    const all = blobs(800, 10, 4, 1, 1);
    const rows = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
    const train = { x: all.x.gather(rows(0, 600)), t: all.t.gather(rows(0, 600)) };
    const test = { x: all.x.gather(rows(600, 200)), t: all.t.gather(rows(600, 200)) };
    const net = new TwoLayerNet(10, 16, 4, { seed: 0 });
    const optimizer = new SGD({ lr: 0.1 });
    const rng = new Rng(3);
    const initialLoss = net.loss(train.x, train.t);
    // Initial weights are tiny (std 0.01): scores ~0, softmax uniform, loss ~ ln 4.
    expect(initialLoss).toBeCloseTo(Math.log(4), 2);
    for (let step = 0; step < 300; step++) {
      const idx = rng.choice(600, 32);
      const xb = train.x.gather(idx);
      const tb = train.t.gather(idx);
      optimizer.update(net.params, net.gradient(xb, tb));
    }
    const finalLoss = net.loss(train.x, train.t);
    // measured: loss 0.107, train accuracy 0.967, held-out 0.975
    expect(finalLoss).toBeLessThan(0.2);
    expect(net.accuracy(train.x, train.t)).toBeGreaterThanOrEqual(0.93);
    expect(net.accuracy(test.x, test.t)).toBeGreaterThanOrEqual(0.93);
  });
});
