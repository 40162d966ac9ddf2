// The training-step bench: one SGD step of the book's TwoLayerNet (784-50-10) on a minibatch of 100
// rows: gather the minibatch, forward, backward (backpropagation), update. Every target runs the same
// recipe on the same numbers: the same data, initial weights and sequence of minibatches.
import { Rng, rand, type FloatDType, type Tensor } from "@bp/tensor";
import { TwoLayerNet, type Net, type Optimizer } from "@bp/nets";

export const TRAIN_STEP = { input: 784, hidden: 50, output: 10, batch: 100, lr: 0.1, rows: 1000, seed: 1 } as const;

/** How rows name the bench's shape. */
export const TRAIN_STEP_SHAPE = `${TRAIN_STEP.input}-${TRAIN_STEP.hidden}-${TRAIN_STEP.output}, batch ${TRAIN_STEP.batch}`;

/** Floating-point operations of the step's matrix products (a multiply and an add per term):
 * forward x @ W1 and z1 @ W2; backward dz1 = da2 @ W2^T, dW2 = z1^T @ da2, dW1 = x^T @ da1 (the
 * first layer's input gradient is not computed). The rest of the step (element-wise ops, softmax,
 * the update) is timed but not counted. */
export function trainStepFlops(): number {
  const { input: d, hidden: h, output: o, batch: n } = TRAIN_STEP;
  return 2 * (n * d * h + n * h * o + n * o * h + h * n * o + d * n * h);
}

/** The data every target trains on: `rows` inputs in [0, 1) and their labels (the class whose fixed
 * random template fits best), as plain arrays. */
export function trainingData(): { x: Float64Array; labels: Int32Array } {
  const x = rand([TRAIN_STEP.rows, TRAIN_STEP.input], { seed: 7 });
  const templates = rand([TRAIN_STEP.input, TRAIN_STEP.output], { seed: 8, low: -1, high: 1 });
  return { x: Float64Array.from(x.data), labels: Int32Array.from(x.matmul(templates).argmax(1).data) };
}

/** The initial weights, as TwoLayerNet draws them from TRAIN_STEP.seed (book's std 0.01). */
export function initialWeights(dtype: FloatDType): {
  W1: Float64Array;
  b1: Float64Array;
  W2: Float64Array;
  b2: Float64Array;
} {
  const p = new TwoLayerNet(TRAIN_STEP.input, TRAIN_STEP.hidden, TRAIN_STEP.output, { seed: TRAIN_STEP.seed, dtype })
    .params;
  return {
    W1: Float64Array.from(p.W1.data),
    b1: Float64Array.from(p.b1.data),
    W2: Float64Array.from(p.W2.data),
    b2: Float64Array.from(p.b2.data),
  };
}

/** The minibatch sequence: a fresh generator per target, so each sees the same batches. */
export function minibatches(): () => Int32Array {
  const rng = new Rng(4);
  return () => Int32Array.from(rng.choice(TRAIN_STEP.rows, TRAIN_STEP.batch));
}

/**
 * One training step as bp's Trainer runs it, for the bench loops: gradient on the minibatch rows
 * `idx` of x and t, the optimizer's update, then the minibatch disposed (the loop made it, nobody
 * else holds it), so its storage serves the next step (Tensor.dispose). The gradients are the net's
 * (the Net contract): its next gradient disposes them, as it does the layers' replaced caches.
 */
export function trainingStep(net: Net, optimizer: Optimizer, x: Tensor, t: Tensor, idx: ArrayLike<number>): void {
  const xBatch = x.gather(idx);
  const tBatch = t.gather(idx);
  optimizer.update(net.params, net.gradient(xBatch, tBatch));
  xBatch.dispose();
  tBatch.dispose();
}
