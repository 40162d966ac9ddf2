import {
  AddLayer,
  Affine,
  BATCH_NORM_EPS,
  BatchNormalization,
  CROSS_ENTROPY_DELTA,
  Convolution,
  Dropout,
  MulLayer,
  Pooling,
  Relu,
  Sigmoid,
} from "@bp/layers";
import { BpError, ValueError, type Tensor } from "@bp/tensor";
import type { Tensor as TfTensor } from "@tensorflow/tfjs-core";
import type { Tfjs } from "./loadTfjs.js";

export type { TfTensor };

/** A float32 (or int32, for labels) tfjs tensor with the values of a bp tensor. */
export function toTf(tf: Tfjs, t: Tensor): TfTensor {
  return t.dtype === "int32"
    ? tf.tensor(Int32Array.from(t.data), [...t.shape], "int32")
    : tf.tensor(Float32Array.from(t.data), [...t.shape], "float32");
}

/** What a translation may use besides the layer and its inputs. */
export interface TfLayerContext {
  /** The tfjs tensor standing for one of the layer's parameters (`W`, `gamma`, ...). */
  param(p: Tensor, name: string): TfTensor;
  /** The book's `train_flg` of the forward pass being translated. */
  train: boolean;
}

/**
 * One row of the translation table: a bp layer class and the same forward pass in tfjs ops (tfjs
 * differentiates it, so a row never writes a backward). bp's own rows are `TF_LAYERS`; a layer of
 * your own gets a row passed where it is needed, never registered globally:
 * `crossCheckLayer(layer, x, { tfLayers: [row] })`, `crossCheckNet(net, x, t, { tfLayers: [row] })`.
 *
 * ```ts
 * const tanhTfRow: TfLayerRow<Tanh> = { layerClass: Tanh, forward: (tf, _layer, [x]) => tf.tanh(x!) };
 * ```
 */
export interface TfLayerRow<L extends object = object> {
  /** The layer's class (one row per class: layers are found by `instanceof`). */
  readonly layerClass: abstract new (
    ...args: never[]
  ) => L;
  /** The layer's forward pass on `inputs` (one per input of `layer.forward`); parameters through
   * `ctx.param(layer.W, "W")`, so that tfjs differentiates with respect to them. */
  forward(tf: Tfjs, layer: L, inputs: TfTensor[], ctx: TfLayerContext): TfTensor;
}

const row = <L extends object>(r: {
  layerClass: abstract new (...args: never[]) => L;
  forward(tf: Tfjs, layer: L, inputs: TfTensor[], ctx: TfLayerContext): TfTensor;
}): TfLayerRow => r as unknown as TfLayerRow;

/** An NCHW tensor padded with `pad` zeros on every side of H and W (the book's im2col padding), as
 * NHWC for tfjs's image ops. */
const paddedNhwc = (tf: Tfjs, x: TfTensor, pad: number): TfTensor =>
  tf.pad(tf.transpose(x, [0, 2, 3, 1]), [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ]);

/** Rows `[N, ...]` as `[N, D]`. */
const rows2d = (tf: Tfjs, x: TfTensor): TfTensor => tf.reshape(x, [x.shape[0]!, -1]);

/**
 * The tfjs translation of every layer type (one row per type; adding a layer type is one row).
 * Labels and the loss layer are translated by `softmaxWithLossInTf`.
 */
export const TF_LAYERS: readonly TfLayerRow[] = [
  row<Affine>({
    layerClass: Affine,
    forward: (tf, l, [x], ctx) => tf.add(tf.matMul(rows2d(tf, x!), ctx.param(l.W, "W")), ctx.param(l.b, "b")),
  }),
  row<Convolution>({
    layerClass: Convolution,
    forward: (tf, l, [x], ctx) => {
      const filters = tf.transpose(ctx.param(l.W, "W"), [2, 3, 1, 0]) as Parameters<Tfjs["conv2d"]>[1];
      const y = tf.conv2d(paddedNhwc(tf, x!, l.pad) as Parameters<Tfjs["conv2d"]>[0], filters, l.stride, "valid");
      return tf.transpose(tf.add(y, ctx.param(l.b, "b")), [0, 3, 1, 2]);
    },
  }),
  row<Pooling>({
    layerClass: Pooling,
    forward: (tf, l, [x]) => {
      const input = paddedNhwc(tf, x!, l.pad) as Parameters<Tfjs["maxPool"]>[0];
      return tf.transpose(tf.maxPool(input, [l.poolH, l.poolW], l.stride, "valid"), [0, 3, 1, 2]);
    },
  }),
  row<Relu>({ layerClass: Relu, forward: (tf, _l, [x]) => tf.relu(x!) }),
  row<Sigmoid>({ layerClass: Sigmoid, forward: (tf, _l, [x]) => tf.sigmoid(x!) }),
  row<MulLayer>({ layerClass: MulLayer, forward: (tf, _l, [x, y]) => tf.mul(x!, y!) }),
  row<AddLayer>({ layerClass: AddLayer, forward: (tf, _l, [x, y]) => tf.add(x!, y!) }),
  row<BatchNormalization>({
    layerClass: BatchNormalization,
    forward: (tf, l, [x], ctx) => {
      const x2 = rows2d(tf, x!);
      let xn: TfTensor;
      if (ctx.train) {
        const xc = tf.sub(x2, tf.mean(x2, 0));
        xn = tf.div(xc, tf.sqrt(tf.add(tf.mean(tf.square(xc), 0), BATCH_NORM_EPS)));
      } else {
        const std = tf.sqrt(tf.add(toTf(tf, l.runningVar), BATCH_NORM_EPS));
        xn = tf.div(tf.sub(x2, toTf(tf, l.runningMean)), std);
      }
      return tf.reshape(tf.add(tf.mul(xn, ctx.param(l.gamma, "gamma")), ctx.param(l.beta, "beta")), x!.shape);
    },
  }),
  row<Dropout>({
    layerClass: Dropout,
    forward: (tf, l, [x], ctx) => {
      if (!ctx.train) return tf.mul(x!, 1 - l.dropoutRatio);
      if (l.mask === null) throw new BpError("Dropout in tfjs", "needs the mask of a training forward pass first");
      return tf.mul(x!, toTf(tf, l.mask));
    },
  }),
];

/**
 * The translation table with the caller's own rows: `TF_LAYERS` and `extra`, each extra row checked
 * (a layer class and a `forward` function). A row may not take a class a built-in row (or an
 * earlier row) translates, nor a class those extend: one layer, one translation. `where` names the
 * option in errors.
 */
export function tfLayerTable(
  extra: readonly TfLayerRow[] | undefined,
  op: string,
  where = "options.tfLayers",
): readonly TfLayerRow[] {
  if (extra === undefined || extra.length === 0) return TF_LAYERS;
  if (!Array.isArray(extra)) throw new ValueError(op, `${where} must be an array of tfjs rows { layerClass, forward }`);
  const table: TfLayerRow[] = [...TF_LAYERS];
  extra.forEach((r: unknown, i) => {
    const at = `${where}[${i}]`;
    const row = r as Partial<TfLayerRow> | null;
    if (typeof row !== "object" || row === null || typeof row.layerClass !== "function")
      throw new ValueError(
        op,
        `${at} must be a tfjs row { layerClass, forward } with the layer's class, got ${String(r)}`,
      );
    if (typeof row.forward !== "function")
      throw new ValueError(op, `${at} (${row.layerClass.name}) needs a forward(tf, layer, inputs, ctx) function`);
    const cls = row.layerClass;
    for (const other of table)
      if (other.layerClass === cls || other.layerClass.prototype instanceof cls)
        throw new ValueError(
          op,
          `${at} translates ${cls.name}, which the ${TF_LAYERS.includes(other) ? "built-in " : ""}row of ${other.layerClass.name} already translates; a layer class has one row`,
        );
    table.push(row as TfLayerRow);
  });
  return table;
}

/**
 * The same computation as `layer.forward(..., train)` written with tfjs ops, found in `table`
 * (`TF_LAYERS`, or `tfLayerTable(yourRows)`; a row of your own is looked up first, so a class
 * extending a built-in one finds its own). `param` maps each bp parameter tensor the layer holds
 * to the tfjs tensor standing for it. A Dropout layer in training uses the mask of its last bp
 * forward pass.
 */
export function layerInTf(
  tf: Tfjs,
  op: string,
  layer: object,
  inputs: TfTensor[],
  param: (p: Tensor, name: string) => TfTensor,
  train = true,
  table: readonly TfLayerRow[] = TF_LAYERS,
): TfTensor {
  const own = table.slice(TF_LAYERS.length);
  const found = own.find((r) => layer instanceof r.layerClass) ?? TF_LAYERS.find((r) => layer instanceof r.layerClass);
  if (found === undefined) {
    const supported = table.map((r) => r.layerClass.name).join(", ");
    throw new BpError(
      op,
      `no TensorFlow.js translation for ${layer.constructor?.name ?? "this layer"}; supported: ${supported} (and SoftmaxWithLoss as a net's last layer); a layer of your own is translated by its row, passed in the option tfLayers: [{ layerClass, forward }]`,
    );
  }
  return found.forward(tf, layer as never, inputs, { param, train });
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
