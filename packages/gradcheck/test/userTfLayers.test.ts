// The tfjs cross-check of layers of your own: a row { layerClass, forward } passed in the option
// tfLayers (never registered globally), for one layer and inside a net.
import { describe, expect, it } from "vitest";
import { Affine, Relu, SoftmaxWithLoss, type Layer } from "@bp/layers";
import { Rng, ValueError, randn, tensor, zeros, type Tensor } from "@bp/tensor";
import { LayerNet } from "@bp/nets";
import { formatReport } from "@bp/gradcheck";
import { TF_LAYERS, crossCheckLayer, crossCheckNet, loadTfjs, type TfLayerRow } from "@bp/gradcheck/tfjs";

// float32 tolerances for bp (float64) against tfjs (float32): tanh and a few products, each within
// a relative 6e-8 of the exact value, so 1e-6 absolute and 1e-5 relative leave a wide margin.
const TOL = { atol: 1e-6, rtol: 1e-5 };

class Tanh implements Layer {
  out: Tensor | null = null;
  forward(x: Tensor): Tensor {
    this.out = x.tanh();
    return this.out;
  }
  backward(dout: Tensor): Tensor {
    return dout.mul(this.out!.square().neg().add(1));
  }
}

/** out = x + c, with a trained parameter c (one per column). */
class Shift implements Layer {
  readonly params: { c: Tensor };
  grads: { c: Tensor };
  constructor(c: Tensor) {
    this.params = { c };
    this.grads = { c: zeros(c.shape) };
  }
  forward(x: Tensor): Tensor {
    return x.add(this.params.c);
  }
  backward(dout: Tensor): Tensor {
    this.grads = { c: dout.sum(0) };
    return dout;
  }
}

const tanhTfRow: TfLayerRow<Tanh> = { layerClass: Tanh, forward: (tf, _l, [x]) => tf.tanh(x!) };
const shiftTfRow: TfLayerRow<Shift> = {
  layerClass: Shift,
  forward: (tf, l, [x], ctx) => tf.add(x!, ctx.param(l.params.c, "c")),
};

const rng = new Rng(19);

describe("crossCheckLayer with a row of your own (option tfLayers)", () => {
  it("Tanh: output and input gradient agree with tfjs in float32", async () => {
    const x = randn([4, 5], { rng, std: 2 });
    const report = await crossCheckLayer(new Tanh(), x, { ...TOL, tfLayers: [tanhTfRow] });
    expect(report.passed, formatReport(report)).toBe(true);
    expect(Object.keys(report.comparisons)).toEqual(["out", "x"]);
    expect(report.comparisons.out!.maxAbsDiff).toBeLessThan(1e-6);
    expect(report.comparisons.x!.maxAbsDiff).toBeLessThan(1e-6);
  });

  it("tfjs's own numbers for one value: tanh(1) = 0.7615942, its derivative 1 - tanh²(1) = 0.4199743", async () => {
    const tf = await loadTfjs();
    const g = tf.grad((v) => tf.sum(tanhTfRow.forward(tf, new Tanh(), [v], { param: () => v, train: true })));
    expect(g(tf.tensor([1])).dataSync()[0]).toBeCloseTo(0.4199743, 6);
    expect(tf.tanh(tf.tensor([1])).dataSync()[0]).toBeCloseTo(0.7615942, 6);
  });

  it("a wrong row is caught: Tanh translated as sigmoid fails with differences of order 0.1", async () => {
    const wrong: TfLayerRow<Tanh> = { layerClass: Tanh, forward: (tf, _l, [x]) => tf.sigmoid(x!) };
    const report = await crossCheckLayer(new Tanh(), randn([3, 4], { rng }), { ...TOL, tfLayers: [wrong] });
    expect(report.passed).toBe(false);
    // |tanh(x) - sigmoid(x)| at x = 0 is 0.5; over a few normal draws the largest is far above 0.1
    expect(report.comparisons.out!.maxAbsDiff).toBeGreaterThan(0.1);
  });

  it("a parameter of your layer is differentiated through ctx.param", async () => {
    const layer = new Shift(randn([5], { rng }));
    const report = await crossCheckLayer(layer, randn([3, 5], { rng }), { ...TOL, tfLayers: [shiftTfRow] });
    expect(report.passed, formatReport(report)).toBe(true);
    expect(Object.keys(report.comparisons)).toEqual(["out", "x", "c"]);
  });

  it("without the row: an error naming the layer and the option", async () => {
    await expect(crossCheckLayer(new Tanh(), randn([2, 3], { rng }))).rejects.toThrow(
      "crossCheckLayer(Tanh): no TensorFlow.js translation for Tanh; supported: Affine, Convolution, Pooling, Relu, Sigmoid, MulLayer, AddLayer, BatchNormalization, Dropout (and SoftmaxWithLoss as a net's last layer); a layer of your own is translated by its row, passed in the option tfLayers",
    );
  });

  it("a row may not take a class a built-in row translates, nor repeat a row", async () => {
    const x = randn([2, 3], { rng });
    const relu = { layerClass: Relu, forward: (tf, _l, [v]) => tf.abs(v!) } as TfLayerRow<Relu>;
    await expect(crossCheckLayer(new Relu(), x, { tfLayers: [relu] })).rejects.toThrow(
      "crossCheckLayer(Relu): options.tfLayers[0] translates Relu, which the built-in row of Relu already translates; a layer class has one row",
    );
    await expect(crossCheckLayer(new Tanh(), x, { tfLayers: [tanhTfRow, tanhTfRow] })).rejects.toThrow(
      "options.tfLayers[1] translates Tanh, which the row of Tanh already translates",
    );
    await expect(crossCheckLayer(new Tanh(), x, { tfLayers: [{ layerClass: Tanh } as never] })).rejects.toThrow(
      ValueError,
    );
    expect(TF_LAYERS).toHaveLength(9);
  });
});

describe("crossCheckNet with rows of your own", () => {
  it("a LayerNet with Tanh and Shift: out, loss and every gradient (W1 b1 c1 W2 b2) agree with tfjs", async () => {
    const net = new LayerNet(
      [
        ["Affine1", new Affine(randn([4, 6], { rng, std: 0.5 }), zeros([6]))],
        ["Tanh1", new Tanh()],
        ["Shift1", new Shift(randn([6], { rng }))],
        ["Affine2", new Affine(randn([6, 3], { rng, std: 0.5 }), zeros([3]))],
      ],
      new SoftmaxWithLoss(),
      { weightDecayLambda: 0.1 },
    );
    const x = randn([5, 4], { rng });
    const t = tensor([0, 2, 1, 1, 0], { dtype: "int32" });
    const report = await crossCheckNet(net, x, t, { ...TOL, tfLayers: [tanhTfRow, shiftTfRow] });
    expect(report.passed, formatReport(report)).toBe(true);
    expect(Object.keys(report.comparisons)).toEqual(["out", "loss", "W1", "b1", "c1", "W2", "b2"]);
    // without Shift's row, the net's check names the missing one
    await expect(crossCheckNet(net, x, t, { tfLayers: [tanhTfRow] })).rejects.toThrow(
      "crossCheckNet: no TensorFlow.js translation for Shift",
    );
  });
});
