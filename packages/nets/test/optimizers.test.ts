import { describe, expect, it } from "vitest";
import { tensor } from "@bp/tensor";
import { Momentum, SGD, TwoLayerNet } from "@bp/nets";

describe("SGD", () => {
  it("params -= lr * grads, in place (the same tensor objects)", () => {
    const W = tensor([1, 2]);
    const params = { W };
    new SGD({ lr: 0.5 }).update(params, { W: tensor([2, -4]) });
    // [1 - 0.5*2, 2 - 0.5*(-4)] = [0, 4]
    expect(params.W).toBe(W);
    expect(W.toArray()).toEqual([0, 4]);
  });

  it("defaults to the book's lr = 0.01 and names a missing gradient", () => {
    expect(new SGD().lr).toBe(0.01);
    expect(() => new SGD().update({ W: tensor([1]) }, { b: tensor([1]) })).toThrow(
      "SGD.update: no gradient for parameter 'W' (grads has b)",
    );
    expect(() => new SGD({ lr: -1 })).toThrow("SGD: lr must be a finite number >= 0, got -1");
  });

  it("an update through net.params changes what the net computes", () => {
    const net = new TwoLayerNet(3, 4, 2, { seed: 1, weightInitStd: 1 });
    const x = tensor([[1, 2, 3]]);
    const t = tensor([1], { dtype: "int32" });
    const before = net.loss(x, t);
    new SGD({ lr: 0.1 }).update(net.params, net.gradient(x, t));
    expect(net.loss(x, t)).toBeLessThan(before);
  });
});

describe("Momentum", () => {
  it("v = momentum * v - lr * grad; param += v (book 6.1.4)", () => {
    const W = tensor([1]);
    const opt = new Momentum({ lr: 0.1, momentum: 0.9 });
    opt.update({ W }, { W: tensor([1]) });
    // v = -0.1; W = 0.9
    expect(W.item()).toBeCloseTo(0.9, 15);
    opt.update({ W }, { W: tensor([1]) });
    // v = 0.9 * -0.1 - 0.1 = -0.19; W = 0.71
    expect(W.item()).toBeCloseTo(0.71, 15);
    expect(opt.v.get("W")!.item()).toBeCloseTo(-0.19, 15);
  });
});
