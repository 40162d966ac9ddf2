import { ValueError, type Backend, type Tensor } from "@bp/tensor";
import type { GradientNet } from "./checkNet.js";
import { compareValues, makeReport, tolerances, type CheckReport, type ToleranceOptions } from "./compare.js";
import { settle } from "./GradCheckError.js";

/** A net that also predicts: what `compareNets` runs on both sides. */
export interface ComparableNet extends GradientNet {
  predict(x: Tensor): Tensor;
}

/** A net that can copy itself to another backend (`TwoLayerNet.to`). */
export interface MovableNet<N> extends ComparableNet {
  to(backend: Backend): N;
}

/**
 * Runs two nets (say, one net and its copy on another backend or in another dtype) on the same
 * inputs and compares their outputs (`out`, from `predict`), losses (`loss`) and gradients (one
 * comparison per parameter). `reference` gives the expected values. `x` and `t` are moved to each
 * net's backend (and `x` cast to its dtype) first.
 */
export function compareNets(
  reference: ComparableNet,
  other: ComparableNet,
  x: Tensor,
  t: Tensor,
  options: ToleranceOptions & { title?: string } = {},
): CheckReport {
  const tol = tolerances(options);
  const a = evaluate(reference, x, t);
  const b = evaluate(other, x, t);
  const comparisons = [
    compareValues("out", b.out.data, a.out.data, a.out.shape, tol),
    compareValues("loss", [b.loss], [a.loss], [], tol),
    ...Object.entries(a.grads).map(([name, g]) => {
      const h = b.grads[name];
      if (h === undefined) throw new ValueError("compareNets", `the second net's gradient has no '${name}'`);
      return compareValues(name, h.data, g.data, g.shape, tol);
    }),
  ];
  return settle(
    makeReport(options.title ?? "compareNets", "second net vs first", comparisons, tol),
    options.throwOnFailure,
  );
}

/**
 * One net against its copy on `backend` (`net.to(backend)`, same parameter values): the largest
 * differences of outputs, loss and gradients between the two backends.
 */
export function compareBackends<N extends ComparableNet>(
  net: MovableNet<N>,
  backend: Backend,
  x: Tensor,
  t: Tensor,
  options: ToleranceOptions = {},
): CheckReport {
  const from = firstParam(net).backend.name;
  return compareNets(net, net.to(backend), x, t, { ...options, title: `compareBackends(${from} vs ${backend.name})` });
}

function evaluate(
  net: ComparableNet,
  x: Tensor,
  t: Tensor,
): { out: Tensor; loss: number; grads: Readonly<Record<string, Tensor>> } {
  const like = firstParam(net);
  const xx = onto(x, like);
  const tt = onto(t, like);
  return { out: net.predict(xx), loss: net.loss(xx, tt), grads: net.gradient(xx, tt) };
}

function firstParam(net: GradientNet): Tensor {
  const p = Object.values(net.params)[0];
  if (p === undefined) throw new ValueError("compareNets", "the net has no parameters");
  return p;
}

function onto(v: Tensor, like: Tensor): Tensor {
  const moved = v.to(like.backend);
  return moved.dtype !== "int32" && moved.dtype !== like.dtype ? moved.cast(like.dtype) : moved;
}
