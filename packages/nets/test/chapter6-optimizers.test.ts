// The chapter 6 optimizers (common/optimizer.py), each checked over two updates against values
// derived by hand in the comments. Every case starts from p = [1, -2] and applies the gradients
// g1 = [0.5, -1], then g2 = [0.25, 2], with lr 0.1.
import { describe, expect, it } from "vitest";
import { ValueError, tensor } from "@bp/tensor";
import {
  AdaGrad,
  Adam,
  DEFAULT_LR,
  Momentum,
  Nesterov,
  OPTIMIZER_CLASS_NAMES,
  OPTIMIZER_NAMES,
  RMSprop,
  SGD,
  createOptimizer,
  type Optimizer,
} from "@bp/nets";

function twoSteps(optimizer: Optimizer): number[] {
  const p = tensor([1, -2]);
  const params = { p };
  optimizer.update(params, { p: tensor([0.5, -1]) });
  optimizer.update(params, { p: tensor([0.25, 2]) });
  expect(params.p).toBe(p); // updated in place
  return Array.from(p.data);
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, e] of expected.entries()) expect(Math.abs(actual[i]! - e)).toBeLessThanOrEqual(1e-12 * Math.abs(e));
}

describe("chapter 6 optimizers, two steps by hand", () => {
  it("SGD: p -= lr·g", () => {
    // p1 = [1 - 0.05, -2 + 0.1] = [0.95, -1.9]; p2 = [0.95 - 0.025, -1.9 - 0.2] = [0.925, -2.1]
    expectClose(twoSteps(new SGD({ lr: 0.1 })), [0.925, -2.1]);
  });

  it("Momentum: v = 0.9·v - lr·g; p += v", () => {
    // v1 = [-0.05, 0.1], p1 = [0.95, -1.9]
    // v2 = 0.9·v1 - 0.1·g2 = [-0.045 - 0.025, 0.09 - 0.2] = [-0.07, -0.11], p2 = [0.88, -2.01]
    expectClose(twoSteps(new Momentum({ lr: 0.1 })), [0.88, -2.01]);
  });

  it("Nesterov: v = 0.9·v - lr·g; p += 0.81·v - 1.9·lr·g", () => {
    // v1 = [-0.05, 0.1]; p1 = p0 + 0.81·v1 - 0.19·g1 = [1 - 0.0405 - 0.095, -2 + 0.081 + 0.19]
    //    = [0.8645, -1.729]
    // v2 = [-0.07, -0.11]; p2 = p1 + 0.81·v2 - 0.19·g2 = [0.8645 - 0.0567 - 0.0475,
    //    -1.729 - 0.0891 - 0.38] = [0.7603, -2.1981]
    expectClose(twoSteps(new Nesterov({ lr: 0.1 })), [0.7603, -2.1981]);
  });

  it("AdaGrad: h += g²; p -= lr·g / (√h + 1e-7)", () => {
    // h1 = [0.25, 1]: p1 = [1 - 0.05 / 0.5000001, -2 + 0.1 / 1.0000001]
    // h2 = [0.3125, 5]: p2 = p1 - [0.025 / (√0.3125 + 1e-7), 0.2 / (√5 + 1e-7)]
    const p1 = [1 - 0.05 / 0.5000001, -2 + 0.1 / 1.0000001];
    const p2 = [p1[0]! - 0.025 / (Math.sqrt(0.3125) + 1e-7), p1[1]! - 0.2 / (Math.sqrt(5) + 1e-7)];
    expectClose(p2, [0.8552786684499988, -1.9894427250999906]); // the same numbers from NumPy
    expectClose(twoSteps(new AdaGrad({ lr: 0.1 })), p2);
  });

  it("RMSprop (decay 0.99): h = 0.99·h + 0.01·g²; p -= lr·g / (√h + 1e-7)", () => {
    // h1 = 0.01·g1² = [0.0025, 0.01]: p1 = [1 - 0.05 / (0.05 + 1e-7), -2 + 0.1 / (0.1 + 1e-7)]
    // h2 = 0.99·h1 + 0.01·g2² = [0.002475 + 0.000625, 0.0099 + 0.04] = [0.0031, 0.0499]
    // p2 = p1 - [0.025 / (√0.0031 + 1e-7), 0.2 / (√0.0499 + 1e-7)]
    const p1 = [1 - 0.05 / (0.05 + 1e-7), -2 + 0.1 / (0.1 + 1e-7)];
    const p2 = [p1[0]! - 0.025 / (Math.sqrt(0.0031) + 1e-7), p1[1]! - 0.2 / (Math.sqrt(0.0499) + 1e-7)];
    expectClose(p2, [-0.4490104486207721, -1.895323561269267]); // NumPy
    expectClose(twoSteps(new RMSprop({ lr: 0.1 })), p2);
  });

  it("Adam: bias-corrected lr_t, m += 0.1·(g - m), v += 0.001·(g² - v), p -= lr_t·m / (√v + 1e-7)", () => {
    // step 1: lr_t = 0.1·√(1 - 0.999) / (1 - 0.9) = √0.001 = 0.0316227766...
    //   m1 = 0.1·g1 = [0.05, -0.1]; v1 = 0.001·g1² = [0.00025, 0.001]
    //   p1 = p0 - lr_t·m1 / (√v1 + 1e-7)
    // step 2: lr_t = 0.1·√(1 - 0.999²) / (1 - 0.9²) = 0.1·√0.001999 / 0.19 = 0.0235316725...
    //   m2 = m1 + 0.1·(g2 - m1) = [0.07, 0.11]; v2 = v1 + 0.001·(g2² - v1) = [0.00031225, 0.004999]
    const lr1 = (0.1 * Math.sqrt(0.001)) / 0.1;
    const p1 = [1 - (lr1 * 0.05) / (Math.sqrt(0.00025) + 1e-7), -2 + (lr1 * 0.1) / (Math.sqrt(0.001) + 1e-7)];
    const lr2 = (0.1 * Math.sqrt(0.001999)) / 0.19;
    const p2 = [
      p1[0]! - (lr2 * 0.07) / (Math.sqrt(0.00031225) + 1e-7),
      p1[1]! - (lr2 * 0.11) / (Math.sqrt(0.004999) + 1e-7),
    ];
    expectClose(p2, [0.8067831960988964, -1.936610617150388]); // NumPy
    const adam = new Adam({ lr: 0.1 });
    expectClose(twoSteps(adam), p2);
    expect(adam.iter).toBe(2);
  });
});

describe("createOptimizer", () => {
  it("builds each optimizer by name with the book's defaults", () => {
    expect(OPTIMIZER_NAMES).toEqual(["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]);
    expect(DEFAULT_LR).toEqual({
      sgd: 0.01,
      momentum: 0.01,
      nesterov: 0.01,
      adagrad: 0.01,
      rmsprop: 0.01,
      adam: 0.001,
    });
    for (const name of OPTIMIZER_NAMES) expect(createOptimizer(name).lr).toBe(DEFAULT_LR[name]);
    // Each row's class name is the class it makes (the web app's picker shows these).
    expect(Object.values(OPTIMIZER_CLASS_NAMES)).toEqual(["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]);
    for (const name of OPTIMIZER_NAMES)
      expect(createOptimizer(name).constructor.name).toBe(OPTIMIZER_CLASS_NAMES[name]);
    expect(createOptimizer("Adam")).toBeInstanceOf(Adam);
    expect((createOptimizer("rmsprop") as RMSprop).decayRate).toBe(0.99);
    expect((createOptimizer("momentum", { lr: 0.5, momentum: 0.5 }) as Momentum).momentum).toBe(0.5);
    const adam = createOptimizer("adam") as Adam;
    expect([adam.beta1, adam.beta2]).toEqual([0.9, 0.999]);
  });

  it("names the known optimizers when the name is unknown", () => {
    expect(() => createOptimizer("adamw")).toThrow(ValueError);
    expect(() => createOptimizer("adamw")).toThrow(
      'createOptimizer: unknown optimizer "adamw"; expected one of sgd, momentum, nesterov, adagrad, rmsprop, adam',
    );
    expect(() => createOptimizer("toString")).toThrow(ValueError);
  });
});
