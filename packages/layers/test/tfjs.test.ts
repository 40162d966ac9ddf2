// Each layer against TensorFlow.js on the same seeded inputs: forward outputs and, through
// tf.grads on sum(out * dout), the gradients backward returns. bp runs in float64, tfjs in float32.
import { beforeAll, describe, it } from "vitest";
import { Rng, randn, tensor, type Tensor } from "@bp/tensor";
import { AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss, crossEntropyError, softmax } from "@bp/layers";
import { expectCloseToTf, setupTfjs, tf, toTf } from "./tfjsOracle.js";

// float32 tolerances: tfjs rounds every intermediate to float32 (relative 6e-8 each); a handful of
// ops and sums of at most a few dozen terms stay well inside these.
const ATOL = 1e-6;
const RTOL = 1e-5;

beforeAll(setupTfjs);

/** tfjs's gradients of sum(f(inputs) * dout) with respect to each input. */
function tfGrads(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: Tensor[],
  dout: Tensor,
): { out: tf.Tensor; grads: tf.Tensor[] } {
  const xs = inputs.map(toTf);
  const out = f(...xs);
  const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), toTf(dout))))(xs);
  return { out, grads };
}

describe("layers against tfjs-core (float32)", () => {
  const rng = new Rng(42);

  it("MulLayer", () => {
    const x = randn([4, 3], { rng });
    const y = randn([3], { rng }); // broadcast over rows
    const dout = randn([4, 3], { rng });
    const layer = new MulLayer();
    const out = layer.forward(x, y);
    const [dx, dy] = layer.backward(dout) as [Tensor, Tensor];
    const tfr = tfGrads((a, b) => tf.mul(a!, b!), [x, y], dout);
    expectCloseToTf(out, tfr.out, ATOL, RTOL, "out");
    expectCloseToTf(dx, tfr.grads[0]!, ATOL, RTOL, "dx");
    expectCloseToTf(dy, tfr.grads[1]!, ATOL, RTOL, "dy");
  });

  it("AddLayer", () => {
    const x = randn([2, 3, 4], { rng });
    const y = randn([3, 1], { rng });
    const dout = randn([2, 3, 4], { rng });
    const layer = new AddLayer();
    const out = layer.forward(x, y);
    const [dx, dy] = layer.backward(dout) as [Tensor, Tensor];
    const tfr = tfGrads((a, b) => tf.add(a!, b!), [x, y], dout);
    expectCloseToTf(out, tfr.out, ATOL, RTOL, "out");
    expectCloseToTf(dx, tfr.grads[0]!, ATOL, RTOL, "dx");
    expectCloseToTf(dy, tfr.grads[1]!, ATOL, RTOL, "dy");
  });

  it("Relu", () => {
    const x = randn([5, 6], { rng });
    const dout = randn([5, 6], { rng });
    const layer = new Relu();
    const out = layer.forward(x);
    const dx = layer.backward(dout);
    const tfr = tfGrads((a) => tf.relu(a!), [x], dout);
    expectCloseToTf(out, tfr.out, ATOL, RTOL, "out");
    expectCloseToTf(dx, tfr.grads[0]!, ATOL, RTOL, "dx");
  });

  it("Sigmoid", () => {
    const x = randn([5, 6], { rng, std: 3 });
    const dout = randn([5, 6], { rng });
    const layer = new Sigmoid();
    const out = layer.forward(x);
    const dx = layer.backward(dout);
    const tfr = tfGrads((a) => tf.sigmoid(a!), [x], dout);
    expectCloseToTf(out, tfr.out, ATOL, RTOL, "out");
    expectCloseToTf(dx, tfr.grads[0]!, ATOL, RTOL, "dx");
  });

  it("Affine (3-d input flattened to rows)", () => {
    const x = randn([4, 2, 3], { rng });
    const W = randn([6, 5], { rng });
    const b = randn([5], { rng });
    const dout = randn([4, 5], { rng });
    const layer = new Affine(W, b);
    const out = layer.forward(x);
    const dx = layer.backward(dout)!;
    const tfr = tfGrads((a, w, c) => tf.add(tf.matMul(tf.reshape(a!, [4, 6]), w!), c!), [x, W, b], dout);
    expectCloseToTf(out, tfr.out, ATOL, RTOL, "out");
    expectCloseToTf(dx, tfr.grads[0]!, ATOL, RTOL, "dx");
    expectCloseToTf(layer.dW!, tfr.grads[1]!, ATOL, RTOL, "dW");
    expectCloseToTf(layer.db!, tfr.grads[2]!, ATOL, RTOL, "db");
  });

  it("softmax (1-d and 2-d, with large scores)", () => {
    const x2 = randn([4, 10], { rng, std: 5 }).add(500);
    expectCloseToTf(softmax(x2), tf.softmax(toTf(x2)), ATOL, RTOL, "softmax 2-d");
    const x1 = randn([7], { rng, std: 5 });
    expectCloseToTf(softmax(x1), tf.softmax(toTf(x1)), ATOL, RTOL, "softmax 1-d");
  });

  // The book's loss: -sum(onehot * log(softmax(x) + 1e-7)) / N, built from tfjs ops. Its backward,
  // (y - t) / N, is the exact gradient of the loss without the 1e-7 (with it, the gradient differs
  // by a relative 1e-7 / y_t, up to 3e-5 here), so the gradient is compared with tfjs's gradient of
  // -sum(onehot * logSoftmax(x)) / N.
  const tfLoss = (x: tf.Tensor, oneHot: tf.Tensor): tf.Scalar =>
    tf.div(tf.neg(tf.sum(tf.mul(oneHot, tf.log(tf.add(tf.softmax(x), 1e-7))))), x.shape[0]!) as tf.Scalar;
  const tfLossNoDelta = (x: tf.Tensor, oneHot: tf.Tensor): tf.Scalar =>
    tf.div(tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(x)))), x.shape[0]!) as tf.Scalar;

  it("crossEntropyError", () => {
    const y = softmax(randn([6, 10], { rng }));
    const labels = Int32Array.from(rng.choice(10, 6));
    const t = tensor(labels, { dtype: "int32" });
    const oneHot = tf.oneHot(tf.tensor1d(labels, "int32"), 10);
    const want = tf.div(tf.neg(tf.sum(tf.mul(oneHot, tf.log(tf.add(toTf(y), 1e-7))))), 6);
    expectCloseToTf(crossEntropyError(y, t), want, ATOL, RTOL, "cross entropy (indices)");
    expectCloseToTf(crossEntropyError(y, t.oneHot(10)), want, ATOL, RTOL, "cross entropy (one-hot)");
  });

  it("SoftmaxWithLoss (class indices and one-hot labels)", () => {
    const x = randn([6, 10], { rng, std: 2 });
    const labels = Int32Array.from(rng.choice(10, 6));
    const oneHot = tf.oneHot(tf.tensor1d(labels, "int32"), 10);
    const value = tfLoss(toTf(x), oneHot);
    const grads = tf.grads((a: tf.Tensor) => tfLossNoDelta(a, oneHot))([toTf(x)]);
    for (const t of [tensor(labels, { dtype: "int32" }), tensor(labels, { dtype: "int32" }).oneHot(10)]) {
      const layer = new SoftmaxWithLoss();
      expectCloseToTf(layer.forward(x, t), value, ATOL, RTOL, `loss (${t.dtype} labels)`);
      expectCloseToTf(layer.backward(), grads[0]!, ATOL, RTOL, `dx (${t.dtype} labels)`);
    }
  });
});
