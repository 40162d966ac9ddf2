// BatchNormalization and Dropout against TensorFlow.js on the same seeded inputs: outputs and,
// through tf.grads on sum(out * dout), the gradients backward gives. bp runs in float64, tfjs in
// float32 (each intermediate rounded to relative 6e-8).
import { beforeAll, describe, expect, it } from "vitest";
import { Rng, rand, randn, type Tensor } from "@bp/tensor";
import { BATCH_NORM_EPS, BatchNormalization, Dropout } from "@bp/layers";
import { expectCloseToTf, setupTfjs, tf, toTf } from "./tfjsOracle.js";

// BatchNorm divides by a batch std that can be small; its float32 reductions over 8 rows and the
// division keep errors within relative 1e-5 of the values, which are O(1) here.
const ATOL = 1e-5;
const RTOL = 1e-4;

beforeAll(setupTfjs);

function tfBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const x2 = tf.reshape(x, [x.shape[0]!, -1]);
  const xc = tf.sub(x2, tf.mean(x2, 0));
  const std = tf.sqrt(tf.add(tf.mean(tf.square(xc), 0), BATCH_NORM_EPS));
  return tf.reshape(tf.add(tf.mul(tf.div(xc, std), gamma), beta), x.shape);
}

describe("chapter 6 layers against tfjs-core (float32)", () => {
  const rng = new Rng(61);

  for (const shape of [
    [8, 5],
    [6, 2, 3, 2],
  ]) {
    it(`BatchNormalization in training, x ${JSON.stringify(shape)}: out, dx, dgamma, dbeta`, () => {
      const d = shape.slice(1).reduce((a, b) => a * b, 1);
      const x = randn(shape, { rng, mean: 1, std: 2 });
      const gamma = randn([d], { rng, mean: 1, std: 0.3 });
      const beta = randn([d], { rng });
      const dout = randn(shape, { rng });
      const bn = new BatchNormalization(gamma, beta);
      const out = bn.forward(x);
      const dx = bn.backward(dout)!;
      const tfIn = [x, gamma, beta].map(toTf);
      const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => tfBatchNorm(a, g, b);
      const tfOut = f(tfIn[0]!, tfIn[1]!, tfIn[2]!);
      const [gx, gg, gb] = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(a, g, b), toTf(dout))),
      )(tfIn);
      expectCloseToTf(out, tfOut, ATOL, RTOL, "out");
      expectCloseToTf(dx, gx!, ATOL, RTOL, "dx");
      expectCloseToTf(bn.grads.gamma, gg!, ATOL, RTOL, "dgamma");
      expectCloseToTf(bn.grads.beta, gb!, ATOL, RTOL, "dbeta");
    });
  }

  it("BatchNormalization at test time uses the running statistics", () => {
    const x = randn([4, 3], { rng });
    const runningMean = randn([3], { rng });
    const runningVar = rand([3], { rng, low: 0.5, high: 2 });
    const gamma = randn([3], { rng });
    const beta = randn([3], { rng });
    const out = new BatchNormalization(gamma, beta, { runningMean, runningVar }).forward(x, false);
    const tfOut = tf.add(
      tf.mul(
        tf.div(tf.sub(toTf(x), toTf(runningMean)), tf.sqrt(tf.add(toTf(runningVar), BATCH_NORM_EPS))),
        toTf(gamma),
      ),
      toTf(beta),
    );
    expectCloseToTf(out, tfOut, ATOL, RTOL, "out");
  });

  it("Dropout: out and dx with its mask; x · (1 - ratio) at test time", () => {
    const x = randn([5, 7], { rng });
    const dout = randn([5, 7], { rng });
    const drop = new Dropout(new Rng(5), { dropoutRatio: 0.4 });
    const out = drop.forward(x);
    const dx = drop.backward(dout)!;
    const mask: Tensor = drop.mask!;
    const kept = Array.from(mask.data).filter((v) => v === 1).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(35);
    const tfMask = toTf(mask);
    const [gx] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.mul(a, tfMask), toTf(dout))))([toTf(x)]);
    // One float32 rounding of each input and one of the product: relative 2 · 6e-8 at most.
    const rtol = 1.3e-7;
    expectCloseToTf(out, tf.mul(toTf(x), tfMask), 0, rtol, "out");
    expectCloseToTf(dx, gx!, 0, rtol, "dx");
    expectCloseToTf(drop.forward(x, false), tf.mul(toTf(x), 0.6), 0, rtol, "test-time out");
  });
});
