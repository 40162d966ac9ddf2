import { describe, expect, it } from "vitest";
import { CpuBackend, Rng, randn, tensor, type Tensor } from "@bp/tensor";
import { checkNet, compareBackends, compareNets, formatReport } from "@bp/gradcheck";
import { TinyNet } from "./tinyNet.js";

function batch(seed: number, n: number, inputs: number, classes: number): { x: Tensor; t: Tensor } {
  const rng = new Rng(seed);
  return { x: randn([n, inputs], { rng }), t: tensor(Array.from(rng.choice(classes, n)), { dtype: "int32" }) };
}

describe("checkNet", () => {
  it("passes for a correct float64 net and names every parameter", () => {
    const net = TinyNet.random(5, 4, 3, 1);
    const { x, t } = batch(2, 6, 5, 3);
    const report = checkNet(net, x, t);
    expect(report.passed, formatReport(report)).toBe(true);
    expect(Object.keys(report.comparisons)).toEqual(["W1", "b1", "W2", "b2"]);
    // Central differences are good to ~1e-9 here; the rest is the book's 1e-7 inside the log, which
    // the numerical gradient sees and backprop's (y - t) / N does not (relative 1e-7 / y_t).
    for (const c of Object.values(report.comparisons)) expect(c.meanAbsDiff).toBeLessThan(1e-6);
  });

  it("fails for a net whose backward has a planted bug, and names the parameters hit", () => {
    const net = TinyNet.random(5, 4, 3, 1);
    // Plant the bug: the second Affine forgets to sum db over the batch (keeps row 0 only).
    const affine2 = net.affine2;
    const original = affine2.backward.bind(affine2);
    affine2.backward = (dout: Tensor) => {
      const dx = original(dout);
      affine2.db = dout.gather([0]).reshape([dout.shape[1]!]);
      return dx;
    };
    const { x, t } = batch(2, 6, 5, 3);
    const report = checkNet(net, x, t);
    expect(report.passed).toBe(false);
    expect(Object.values(report.comparisons).map((c) => c.passed)).toEqual([true, true, true, false]);
    expect(() => checkNet(net, x, t, { throwOnFailure: true })).toThrow(/b2 .*FAIL/);
  });

  it("runs on the backend the net lives on", () => {
    const backend = new CpuBackend();
    const net = TinyNet.random(4, 3, 2, 6, backend);
    const { x, t } = batch(7, 3, 4, 2);
    const report = checkNet(net, x.to(backend), t.to(backend));
    expect(report.passed, formatReport(report)).toBe(true);
    expect(net.params.W1.backend).toBe(backend);
  });

  it("leaves the parameters unchanged", () => {
    const net = TinyNet.random(3, 2, 2, 4);
    const before = Object.values(net.params).map((p) => p.toArray());
    const { x, t } = batch(5, 2, 3, 2);
    checkNet(net, x, t);
    expect(Object.values(net.params).map((p) => p.toArray())).toEqual(before);
  });
});

describe("compareNets and compareBackends", () => {
  const { x, t } = batch(3, 4, 5, 3);

  it("two cpu backend objects give identical outputs and gradients", () => {
    const net = TinyNet.random(5, 4, 3, 9);
    const report = compareBackends(net, new CpuBackend(), x, t);
    expect(report.title).toBe("compareBackends(cpu vs cpu)");
    expect(Object.keys(report.comparisons)).toEqual(["out", "loss", "W1", "b1", "W2", "b2"]);
    for (const c of Object.values(report.comparisons)) expect(c.maxAbsDiff).toBe(0);
  });

  it("float64 against float32 differs by float32 rounding only", () => {
    const net = TinyNet.random(5, 4, 3, 9);
    const { W1, b1, W2, b2 } = net.params;
    const net32 = new TinyNet({
      W1: W1.cast("float32"),
      b1: b1.cast("float32"),
      W2: W2.cast("float32"),
      b2: b2.cast("float32"),
    });
    const report = compareNets(net, net32, x, t, { atol: 1e-6, rtol: 1e-5 });
    expect(report.passed, formatReport(report)).toBe(true);
    // float32 keeps 24 bits: relative rounding 6e-8 per operation; values here are O(1).
    const out = report.comparisons.out!;
    expect(out.maxAbsDiff).toBeGreaterThan(0);
    expect(out.maxAbsDiff).toBeLessThan(1e-6);
  });
});
