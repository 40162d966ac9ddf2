import { SoftmaxWithLoss, hasParams } from "@bp/layers";
import { BpError, Tensor } from "@bp/tensor";
import type { ComparableNet } from "../compareNets.js";
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
import { layerInTf, softmaxWithLossInTf, toTf, type TfTensor } from "./tfjsGraph.js";

export type CrossCheckOptions = LayerRunOptions & ToleranceOptions;

/**
 * A layer against TensorFlow.js: the same inputs and parameters in float32 through the same
 * computation built from tfjs ops, tfjs's gradients (`tf.grads`) of `sum(out * dout)` (or of the
 * loss), and a report comparing the output (`out`, or `loss` for a loss layer) and every gradient
 * (`x`, `y`, `W`, `b`) with tfjs's. Default tolerances: atol 1e-5, rtol 1e-3 (float32).
 */
export async function crossCheckLayer(
  layer: CheckableLayer,
  inputs: Tensor | readonly Tensor[],
  options: CrossCheckOptions = {},
): Promise<CheckReport> {
  const tf = await loadTfjs();
  const tol = tolerances(options);
  const title = `crossCheckLayer(${layerName(layer)})`;
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
      return layerInTf(tf, title, layer, xs.map(lookup), lookup);
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

/** A net whose layers can be rebuilt in tfjs: the book's `layers` (in order) and `lastLayer`. */
export interface TranslatableNet extends ComparableNet {
  readonly layers: ReadonlyMap<string, object>;
  readonly lastLayer: object;
}

/**
 * A whole net against TensorFlow.js: its layers rebuilt from tfjs ops with the net's parameters
 * (float32), compared on the output of `predict` (`out`), the loss (`loss`) and the gradient of
 * every parameter (`W1`, `b1`, ...) from `net.gradient` against `tf.grads` of the loss.
 */
export async function crossCheckNet(
  net: TranslatableNet,
  x: Tensor,
  t: Tensor,
  options: ToleranceOptions = {},
): Promise<CheckReport> {
  const tf = await loadTfjs();
  const tol = tolerances(options);
  const title = "crossCheckNet";
  if (!(net.lastLayer instanceof SoftmaxWithLoss))
    throw new BpError(title, `the last layer must be SoftmaxWithLoss, got ${layerName(net.lastLayer)}`);
  const names = Object.keys(net.params);
  const params = names.map((n) => net.params[n]!);
  const out = net.predict(x);
  const loss = net.loss(x, t);
  const grads = net.gradient(x, t);

  let tfOut: ArrayLike<number> = [];
  let tfLoss: ArrayLike<number> = [];
  let tfGrads: ArrayLike<number>[] = [];
  tf.tidy(() => {
    const tfX = toTf(tf, x);
    const predict = (vars: TfTensor[]): TfTensor => {
      let h = tfX;
      for (const [key, layer] of net.layers) {
        h = layerInTf(tf, title, layer, [h], (p, name) => {
          const i = params.indexOf(p);
          if (i < 0)
            throw new BpError(
              title,
              `${key}.${name} is not one of net.params (${names.join(", ")}); the params must be the tensors the layers use`,
            );
          return vars[i]!;
        });
      }
      return h;
    };
    const base = params.map((p) => toTf(tf, p));
    const scores = predict(base);
    tfOut = scores.dataSync().slice();
    tfLoss = softmaxWithLossInTf(tf, scores, t, true).dataSync().slice();
    tfGrads = tf
      .grads((...vars: TfTensor[]) => softmaxWithLossInTf(tf, predict(vars), t, false))(base)
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
