// The book's TwoLayerNet training step written with @tensorflow/tfjs-core ops, shared by the
// train-step bench and the full book run: forward (Affine1, Relu1, Affine2, SoftmaxWithLoss), the
// book's hand-derived backward pass (as TwoLayerNet's layers compute it; the first layer's input
// gradient is not needed), then SGD, in float32 on the active tfjs backend (cpu or wasm).
import * as tf from "@tensorflow/tfjs-core";

export interface TfjsParams {
  W1: tf.Variable;
  b1: tf.Variable;
  W2: tf.Variable;
  b2: tf.Variable;
}

/** One SGD step on the minibatch (xb, one-hot tb); returns the minibatch's loss. */
export function tfjsSgdStep(p: TfjsParams, xb: tf.Tensor2D, tb: tf.Tensor2D, lr: number): number {
  return tf.tidy(() => {
    const batch = xb.shape[0];
    const a1 = tf.add(tf.matMul(xb, p.W1), p.b1);
    const z1 = tf.relu(a1);
    const a2 = tf.add(tf.matMul(z1, p.W2), p.b2);
    const y = tf.softmax(a2);
    const loss = tf.div(tf.neg(tf.sum(tf.mul(tb, tf.log(tf.add(y, 1e-7))))), batch).dataSync()[0]!;
    const da2 = tf.div(tf.sub(y, tb), batch);
    const dW2 = tf.matMul(z1, da2, true, false);
    const db2 = tf.sum(da2, 0);
    const dz1 = tf.matMul(da2, p.W2, false, true);
    const da1 = tf.mul(dz1, tf.step(a1));
    const dW1 = tf.matMul(xb, da1, true, false);
    const db1 = tf.sum(da1, 0);
    p.W1.assign(tf.sub(p.W1, tf.mul(dW1, lr)));
    p.b1.assign(tf.sub(p.b1, tf.mul(db1, lr)));
    p.W2.assign(tf.sub(p.W2, tf.mul(dW2, lr)));
    p.b2.assign(tf.sub(p.b2, tf.mul(db2, lr)));
    return loss;
  });
}
