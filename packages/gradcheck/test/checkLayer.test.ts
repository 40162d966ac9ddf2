// A float64 gradient check for every layer of @bp/layers, and planted bugs that the check catches.
import { describe, expect, it } from "vitest";
import { Rng, randn, tensor, type Tensor } from "@bp/tensor";
import { AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss } from "@bp/layers";
import { GradCheckError, checkLayer, formatReport, type CheckReport } from "@bp/gradcheck";

const rng = new Rng(7);

/** Every comparison passes, and the mean abs diff is at most `bound` (central differences with
 * h = 1e-4 on these smooth float64 functions are accurate to about 1e-9). */
function expectPass(report: CheckReport, names: string[], bound = 1e-8): void {
  expect(report.passed, formatReport(report)).toBe(true);
  expect(Object.keys(report.comparisons)).toEqual(names);
  for (const c of Object.values(report.comparisons)) expect(c.meanAbsDiff).toBeLessThan(bound);
}

describe("checkLayer: every layer passes in float64", () => {
  it("Relu (no input near the kink at 0, where the numerical derivative is wrong)", () => {
    const x = randn([4, 5], { rng }).where(randn([4, 5], { rng }).abs().gt(0.01), 0.5);
    expectPass(checkLayer(new Relu(), x), ["x"]);
  });

  it("Sigmoid", () => {
    expectPass(checkLayer(new Sigmoid(), randn([4, 5], { rng, std: 2 })), ["x"]);
  });

  it("Affine, with a 3-d input, and with computeDx: false", () => {
    const W = randn([6, 3], { rng });
    const b = randn([3], { rng });
    expectPass(checkLayer(new Affine(W, b), randn([4, 2, 3], { rng })), ["x", "W", "b"]);
    expectPass(checkLayer(new Affine(W, b, { computeDx: false }), randn([4, 6], { rng })), ["W", "b"]);
  });

  it("MulLayer and AddLayer with broadcasting", () => {
    const x = randn([3, 4], { rng });
    const y = randn([4], { rng });
    expectPass(checkLayer(new MulLayer(), [x, y]), ["x", "y"]);
    expectPass(checkLayer(new AddLayer(), [x, randn([3, 1], { rng })]), ["x", "y"]);
  });

  it("SoftmaxWithLoss with class indices and one-hot labels, dout 1 and 3", () => {
    const x = randn([5, 4], { rng });
    const t = tensor(Array.from(rng.choice(4, 5)), { dtype: "int32" });
    // backward's (y - t) / N is the gradient of the loss without the book's 1e-7 inside the log;
    // the numerical gradient includes it: a difference of about 1e-7 / y_t relative, ~1e-8..1e-7.
    expectPass(checkLayer(new SoftmaxWithLoss(), x, { t }), ["x"], 1e-6);
    expectPass(checkLayer(new SoftmaxWithLoss(), x, { t: t.oneHot(4), dout: 3 }), ["x"], 1e-6);
  });

  it("reports the book's figures with the index of the largest errors", () => {
    const report = checkLayer(new Sigmoid(), randn([2, 3], { rng }));
    const c = report.comparisons.x!;
    expect(c.shape).toEqual([2, 3]);
    expect(c.maxAbsDiffAt).toHaveLength(2);
    expect(c.maxAbsDiff).toBeGreaterThanOrEqual(c.meanAbsDiff);
    expect(c.failures).toBe(0);
    expect(report.against).toBe("backprop vs numerical");
    expect(formatReport(report)).toMatch(
      /^checkLayer\(Sigmoid\): passed \(backprop vs numerical; atol 0\.00001, rtol 0\.001\)\nname/,
    );
  });
});

// Planted bugs: plausible mistakes in backward, each of which the default tolerances must catch.
class SigmoidMissingFactor extends Sigmoid {
  override backward(dout: Tensor): Tensor {
    return dout.mul(this.out!); // forgot (1 - out)
  }
}

class AffineMeanBias extends Affine {
  override backward(dout: Tensor): Tensor | null {
    const dx = super.backward(dout);
    this.db = dout.mean(0); // should be the sum over the batch
    return dx;
  }
}

class ReluPassThrough extends Relu {
  override backward(dout: Tensor): Tensor {
    return dout.clone(); // forgot the mask
  }
}

class SoftmaxWithLossNoBatchDivide extends SoftmaxWithLoss {
  override backward(dout = 1): Tensor {
    return super.backward(dout).mul(this.y!.shape[0]!); // forgot / N
  }
}

describe("checkLayer catches a wrong backward", () => {
  it("Sigmoid without the (1 - y) factor", () => {
    const report = checkLayer(new SigmoidMissingFactor(), randn([3, 4], { rng }));
    expect(report.passed).toBe(false);
    expect(report.comparisons.x!.failures).toBe(12);
    expect(report.comparisons.x!.meanAbsDiff).toBeGreaterThan(1e-2);
  });

  it("Affine with db averaged instead of summed: only b fails", () => {
    const report = checkLayer(new AffineMeanBias(randn([4, 3], { rng }), randn([3], { rng })), randn([5, 4], { rng }));
    expect(report.passed).toBe(false);
    expect([report.comparisons.x!.passed, report.comparisons.W!.passed, report.comparisons.b!.passed]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it("Relu without its mask", () => {
    expect(checkLayer(new ReluPassThrough(), randn([3, 4], { rng })).passed).toBe(false);
  });

  it("SoftmaxWithLoss without the division by the batch size, with throwOnFailure", () => {
    const t = tensor([0, 1, 2], { dtype: "int32" });
    const run = (): CheckReport =>
      checkLayer(new SoftmaxWithLossNoBatchDivide(), randn([3, 3], { rng }), { t, throwOnFailure: true });
    expect(run).toThrow(GradCheckError);
    expect(run).toThrow(/checkLayer\(SoftmaxWithLossNoBatchDivide\): values out of tolerance\n.*FAILED/);
    try {
      run();
    } catch (err) {
      expect((err as GradCheckError).report.comparisons.x!.passed).toBe(false);
    }
  });
});
