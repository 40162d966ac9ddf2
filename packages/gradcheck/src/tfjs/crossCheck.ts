import { SoftmaxWithLoss, hasParams } from "@bp/layers";
import { BpError, Tensor, checkOptions } from "@bp/tensor";
import type { Net } from "@bp/nets";
import {
  compareValues,
  makeReport,
  tolerances,
  type CheckReport,
  type Comparison,
  type ToleranceOptions,
} from "../compare.js";
import { settle } from "../GradCheckError.js";
import { layerName, runLayer, type CheckableLayer, type LayerRunOptions } from "../layerGradients.js";
import { loadTfjs, type Tfjs } from "./loadTfjs.js";
import { layerInTf, softmaxWithLossInTf, tfLayerTable, toTf, type TfLayerRow, type TfTensor } from "./tfjsGraph.js";

/** Rows of the tfjs translation table for layers of your own (see `TfLayerRow`). */
export interface TfLayersOption {
  /** One row per layer class of your own that the check meets (bp's layers are in `TF_LAYERS`). */
  tfLayers?: readonly TfLayerRow[];
}

/** Options of `crossCheckLayer`: the layer run (`dout`, labels `t`), tolerances and `tfLayers`. */
export type CrossCheckOptions = LayerRunOptions & ToleranceOptions & TfLayersOption;
/** Options of `crossCheckNet`: tolerances and `tfLayers`. */
export type CrossCheckNetOptions = ToleranceOptions & TfLayersOption;

/**
 * A layer against TensorFlow.js: the same inputs and parameters in float32 through the same
 * computation built from tfjs ops, tfjs's gradients (`tf.grads`) of `sum(out * dout)` (or of the
 * loss), and a report comparing the output (`out`, or `loss` for a loss layer) and every gradient
 * (`x`, `y`, `W`, `b`) with tfjs's. Default tolerances: atol 1e-5, rtol 1e-3 (float32). A layer
 * of your own is translated by its row in `options.tfLayers`.
 */
export async function crossCheckLayer(
  layer: CheckableLayer,
  inputs: Tensor | readonly Tensor[],
  options: CrossCheckOptions = {},
): Promise<CheckReport> {
  checkOptions("crossCheckLayer", options, "options");
  const tf = await loadTfjs();
  const tol = tolerances(options);
  const title = `crossCheckLayer(${layerName(layer)})`;
  const table = tfLayerTable(options.tfLayers, title);
  const xs = inputs instanceof Tensor ? [inputs] : [...inputs];
  const run = runLayer(title, layer, xs, options);
  const t = options.t;
  if (t !== undefined && !(layer instanceof SoftmaxWithLoss))
    throw new BpError(title, "labels t are only taken by a SoftmaxWithLoss layer");
  const names = Object.keys(run.wrt);
  const wrt = names.map((n) => run.wrt[n]!);
  const params = hasParams(layer) ? Object.values(layer.params) : [];
  const dout = run.dout;

  let out: ArrayLike<number> = [];
  let grads: ArrayLike<number>[] = [];
  tf.tidy(() => {
    const constants = new Map<Tensor, TfTensor>([...xs, ...params].map((v) => [v, toTf(tf, v)]));
    const forward = (vars: TfTensor[], withDelta: boolean): TfTensor => {
      const lookup = (v: Tensor): TfTensor => vars[wrt.indexOf(v)] ?? constants.get(v)!;
      if (t !== undefined) return softmaxWithLossInTf(tf, lookup(xs[0]!), t, withDelta);
      return layerInTf(tf, title, layer, xs.map(lookup), lookup, true, table);
    };
    const base = wrt.map((v) => constants.get(v)!);
    out = forward(base, true).dataSync().slice();
    const objective = (...vars: TfTensor[]): TfTensor => {
      const o = forward(vars, false);
      return typeof dout === "number" ? tf.mul(o, dout) : tf.sum(tf.mul(o, toTf(tf, dout)));
    };
    grads = tf
      .grads(objective)(base)
      .map((g) => g.dataSync().slice());
  });

  const ours = run.out;
  const comparisons: Comparison[] = [
    typeof ours === "number"
      ? compareValues("loss", [ours], out, [], tol)
      : compareValues("out", ours.data, out, ours.shape, tol),
    ...names.map((n, i) => compareValues(n, run.grads[n]!.data, grads[i]!, run.wrt[n]!.shape, tol)),
  ];
  return settle(makeReport(title, "bp vs tfjs", comparisons, tol), options.throwOnFailure);
}

/**
 * A whole net against TensorFlow.js: its layers rebuilt from tfjs ops (through `TF_LAYERS`) with
 * the net's parameters (float32), compared on the output of `predict` (`out`), the loss (`loss`,
 * weight decay included) and the gradient of every parameter (`W1`, `b1`, ...) from
 * `net.gradient` against `tf.grads` of the loss. `out` and `loss` are taken as at test time
 * (`train = false`, BatchNorm's running statistics); the gradients as in training (batch
 * statistics, and each Dropout layer's mask from the net's own forward pass). Layers of your own
 * are translated by their rows in `options.tfLayers`.
 */
export async function crossCheckNet(
  net: Net,
  x: Tensor,
  t: Tensor,
  options: CrossCheckNetOptions = {},
): Promise<CheckReport> {
  checkOptions("crossCheckNet", options, "options");
  const tf = await loadTfjs();
  const tol = tolerances(options);
  const title = "crossCheckNet";
  const table = tfLayerTable(options.tfLayers, title);
  if (!(net.lastLayer instanceof SoftmaxWithLoss))
    throw new BpError(title, `the last layer must be SoftmaxWithLoss, got ${layerName(net.lastLayer)}`);
  const names = Object.keys(net.params);
  const params = names.map((n) => net.params[n]!);
  // A LayerNet says its λ itself (describe() would need a layer-table row for each layer of your own).
  const own = (net as { weightDecayLambda?: unknown }).weightDecayLambda;
  const lambda = typeof own === "number" ? own : net.describe().weightDecayLambda;
  const weights = [...net.layers.values()].flatMap((l) => (hasParams(l) && l.params.W ? [l.params.W] : []));
  const lookup =
    (vars: TfTensor[], key: string) =>
    (p: Tensor, name: string): TfTensor => {
      const i = params.indexOf(p);
      if (i < 0)
        throw new BpError(
          title,
          `${key}.${name} is not one of net.params (${names.join(", ")}); the params must be the tensors the layers use`,
        );
      return vars[i]!;
    };
  const predict = (tfX: TfTensor, vars: TfTensor[], train: boolean): TfTensor => {
    let h = tfX;
    for (const [key, layer] of net.layers) h = layerInTf(tf, title, layer, [h], lookup(vars, key), train, table);
    return h;
  };
  const lossOf = (scores: TfTensor, vars: TfTensor[], withDelta: boolean): TfTensor => {
    const base = softmaxWithLossInTf(tf, scores, t, withDelta);
    if (lambda === 0) return base;
    const decay = weights.map((w) => tf.sum(tf.square(vars[params.indexOf(w)]!)));
    return tf.add(base, tf.mul(tf.addN(decay), 0.5 * lambda));
  };

  // Test-time values first (before net.gradient moves BatchNorm's running statistics).
  const out = net.predict(x);
  const loss = net.loss(x, t);
  let tfOut: ArrayLike<number> = [];
  let tfLoss: ArrayLike<number> = [];
  tf.tidy(() => {
    const base = params.map((p) => toTf(tf, p));
    const scores = predict(toTf(tf, x), base, false);
    tfOut = scores.dataSync().slice();
    tfLoss = lossOf(scores, base, true).dataSync().slice();
  });
  const grads = net.gradient(x, t);
  let tfGrads: ArrayLike<number>[] = [];
  tf.tidy(() => {
    const tfX = toTf(tf, x);
    tfGrads = tf
      .grads((...vars: TfTensor[]) => lossOf(predict(tfX, vars, true), vars, false))(params.map((p) => toTf(tf, p)))
      .map((g) => g.dataSync().slice());
  });

  const comparisons = [
    compareValues("out", out.data, tfOut, out.shape, tol),
    compareValues("loss", [loss], tfLoss, [], tol),
    ...names.map((n, i) => {
      const g = grads[n];
      if (g === undefined) throw new BpError(title, `net.gradient returned no '${n}'`);
      return compareValues(n, g.data, tfGrads[i]!, params[i]!.shape, tol);
    }),
  ];
  return settle(makeReport(title, "bp vs tfjs", comparisons, tol), options.throwOnFailure);
}

export type { Tfjs };
