import { AddLayer, Affine, CROSS_ENTROPY_DELTA, MulLayer, Relu, Sigmoid } from "@bp/layers";
import { BpError, type Tensor } from "@bp/tensor";
import type { Tensor as TfTensor } from "@tensorflow/tfjs-core";
import type { Tfjs } from "./loadTfjs.js";

export type { TfTensor };

/** A float32 (or int32, for labels) tfjs tensor with the values of a bp tensor. */
export function toTf(tf: Tfjs, t: Tensor): TfTensor {
  return t.dtype === "int32"
    ? tf.tensor(Int32Array.from(t.data), [...t.shape], "int32")
    : tf.tensor(Float32Array.from(t.data), [...t.shape], "float32");
}

const SUPPORTED = "Affine, Relu, Sigmoid, MulLayer, AddLayer (and SoftmaxWithLoss as a net's last layer)";

/**
 * The same computation as `layer.forward(...)` written with tfjs ops. `param` maps each bp
 * parameter tensor the layer holds (`Affine`'s `W` and `b`) to the tfjs tensor standing for it.
 */
export function layerInTf(
  tf: Tfjs,
  op: string,
  layer: object,
  inputs: TfTensor[],
  param: (p: Tensor, name: string) => TfTensor,
): TfTensor {
  const x = inputs[0]!;
  if (layer instanceof Affine) {
    return tf.add(tf.matMul(tf.reshape(x, [x.shape[0]!, -1]), param(layer.W, "W")), param(layer.b, "b"));
  }
  if (layer instanceof Relu) return tf.relu(x);
  if (layer instanceof Sigmoid) return tf.sigmoid(x);
  if (layer instanceof MulLayer) return tf.mul(x, inputs[1]!);
  if (layer instanceof AddLayer) return tf.add(x, inputs[1]!);
  throw new BpError(
    op,
    `no TensorFlow.js translation for ${layer.constructor?.name ?? "this layer"}; supported: ${SUPPORTED}`,
  );
}

/**
 * SoftmaxWithLoss in tfjs. `withDelta`: the book's value, `-Σ log(softmax(x)[i, t_i] + 1e-7) / N`.
 * Without it, `-Σ logSoftmax(x)[i, t_i] / N`, whose exact gradient is the `(y - t) / N` that
 * `SoftmaxWithLoss.backward` computes (the 1e-7 would add a relative 1e-7 / y_t to tfjs's gradient).
 * Labels are int32 class indices or one-hot rows (read by argmax, like the book).
 */
export function softmaxWithLossInTf(tf: Tfjs, scores: TfTensor, t: Tensor, withDelta: boolean): TfTensor {
  const x = scores.rank === 1 ? tf.reshape(scores, [1, -1]) : scores;
  const [n, c] = x.shape as [number, number];
  const labels =
    t.dtype === "int32" ? tf.tensor1d(Int32Array.from(t.data), "int32") : tf.argMax(tf.reshape(toTf(tf, t), [n, c]), 1);
  const oneHot = tf.oneHot(tf.reshape(labels, [n]), c);
  const logY = withDelta ? tf.log(tf.add(tf.softmax(x), CROSS_ENTROPY_DELTA)) : tf.logSoftmax(x);
  return tf.div(tf.neg(tf.sum(tf.mul(oneHot, logY))), n);
}
