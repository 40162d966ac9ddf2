#!/usr/bin/env node
// The book's full training run (what `bp train` does with its defaults: TwoLayerNet 784-50-10 on
// MNIST, 10000 SGD iterations of batch 100, lr 0.1, accuracy on the whole train and test sets after
// every epoch) written with @tensorflow/tfjs-core on tfjs-backend-cpu or tfjs-backend-wasm (XNNPACK,
// one thread in Node), float32 (all tfjs runs).
// Same recipe and numbers as bp: the initial weights are TwoLayerNet's (seed 0), the minibatches
// come from the same generator (batchRng(seed), i.e. Rng(seed + 1)), the gradients are the book's backprop.
// Prints one JSON line: { final: { trainAccuracy, testAccuracy, loss }, seconds, iterations }.
//   node tools/bench/dist/book-run-tfjs.js [--iters N] [--backend cpu|wasm]
import * as tf from "@tensorflow/tfjs-core";
import { loadMnist } from "@bp/data";
import { TwoLayerNet, batchRng } from "@bp/nets";
import { openTfjs, type TfjsBackendName } from "./tfjs-target.js";
import { tfjsSgdStep } from "./tfjs-two-layer-net.js";

const USAGE = "usage: node tools/bench/dist/book-run-tfjs.js [--iters N] [--backend cpu|wasm]";
const args = process.argv.slice(2);
let iterations = 10_000;
let backend: TfjsBackendName = "cpu";
for (let i = 0; i < args.length; i += 2) {
  const value = args[i + 1];
  if (args[i] === "--iters" && value !== undefined) iterations = Number(value);
  else if (args[i] === "--backend" && (value === "cpu" || value === "wasm")) backend = value;
  else {
    console.error(`book-run-tfjs: bad argument ${JSON.stringify(args[i])}\n${USAGE}`);
    process.exit(2);
  }
}
if (!Number.isInteger(iterations) || iterations < 1) {
  console.error(`book-run-tfjs: --iters needs a positive integer\n${USAGE}`);
  process.exit(2);
}

await openTfjs(backend);

const seed = 0;
const batch = 100;
const lr = 0.1;
const mnist = loadMnist({ dtype: "float32" });
const trainSize = mnist.xTrain.shape[0]!;
const xTrain = tf.tensor2d(mnist.xTrain.data as Float32Array, [trainSize, 784]);
const tTrain = tf.tensor1d(mnist.tTrain.data as Int32Array, "int32");
const xTest = tf.tensor2d(mnist.xTest.data as Float32Array, [mnist.xTest.shape[0]!, 784]);
const tTest = tf.tensor1d(mnist.tTest.data as Int32Array, "int32");

const start = performance.now();
const init = new TwoLayerNet(784, 50, 10, { seed, weightInitStd: 0.01, dtype: "float32" }).params;
const W1 = tf.variable(tf.tensor2d(init.W1.data as Float32Array, [784, 50]));
const b1 = tf.variable(tf.tensor1d(init.b1.data as Float32Array));
const W2 = tf.variable(tf.tensor2d(init.W2.data as Float32Array, [50, 10]));
const b2 = tf.variable(tf.tensor1d(init.b2.data as Float32Array));
const rng = batchRng(seed); // the seeded setup of @bp/nets
const perEpoch = Math.max(1, Math.floor(trainSize / batch));

const predict = (x: tf.Tensor2D): tf.Tensor2D => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, W1), b1)), W2), b2);
const accuracy = (x: tf.Tensor2D, t: tf.Tensor1D): number =>
  tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(predict(x), 1), t), "int32")).dataSync()[0]! / x.shape[0]);

let lossSum = 0;
let lossCount = 0;
let last = { trainAccuracy: NaN, testAccuracy: NaN, loss: NaN, iteration: 0 };
const evaluate = (iteration: number): void => {
  last = {
    trainAccuracy: accuracy(xTrain, tTrain),
    testAccuracy: accuracy(xTest, tTest),
    loss: lossSum / lossCount,
    iteration,
  };
  lossSum = 0;
  lossCount = 0;
};

for (let i = 1; i <= iterations; i++) {
  const idx = tf.tensor1d(rng.choice(trainSize, batch), "int32");
  const xb = tf.gather(xTrain, idx);
  const tb = tf.oneHot(tf.gather(tTrain, idx), 10);
  const loss = tfjsSgdStep({ W1, b1, W2, b2 }, xb as tf.Tensor2D, tb as tf.Tensor2D, lr);
  xb.dispose();
  tb.dispose();
  idx.dispose();
  lossSum += loss;
  lossCount++;
  if (i % perEpoch === 0) evaluate(i);
}
if (last.iteration !== iterations) evaluate(iterations);
const seconds = (performance.now() - start) / 1000;
console.log(
  JSON.stringify({
    final: { trainAccuracy: last.trainAccuracy, testAccuracy: last.testAccuracy, loss: last.loss },
    seconds,
    iterations,
  }),
);
