import type { Net } from "@bp/nets";
import { ValueError, type Backend, type Tensor, checkOptions } from "@bp/tensor";
import { compareValues, makeReport, tolerances, type CheckReport, type ToleranceOptions } from "./compare.js";
import { settle } from "./GradCheckError.js";

/**
 * Runs two nets (say, one net and its copy on another backend or in another dtype) on the same
 * inputs and compares their outputs (`out`, from `predict`), losses (`loss`) and gradients (one
 * comparison per parameter). `reference` gives the expected values. `x` and `t` are moved to each
 * net's backend (and `x` cast to its dtype) first.
 */
export function compareNets(
  reference: Net,
  other: Net,
  x: Tensor,
  t: Tensor,
  options: ToleranceOptions & { title?: string } = {},
): CheckReport {
  checkOptions("compareNets", options, "options");
  const tol = tolerances(options);
  const a = evaluate(reference, x, t);
  const b = evaluate(other, x, t);
  const comparisons = [
    compareValues("out", b.out.data, a.out.data, a.out.shape, tol),
    compareValues("loss", [b.loss], [a.loss], [], tol),
    ...Object.entries<Tensor>(a.grads).map(([name, g]) => {
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
export function compareBackends(
  net: Net,
  backend: Backend,
  x: Tensor,
  t: Tensor,
  options: ToleranceOptions = {},
): CheckReport {
  checkOptions("compareBackends", options, "options");
  return compareNets(net, net.to(backend), x, t, {
    ...options,
    title: `compareBackends(${net.backend.name} vs ${backend.name})`,
  });
}

function evaluate(
  net: Net,
  x: Tensor,
  t: Tensor,
): { out: Tensor; loss: number; grads: Readonly<Record<string, Tensor>> } {
  const xx = onto(x, net);
  const tt = onto(t, net);
  return { out: net.predict(xx), loss: net.loss(xx, tt), grads: net.gradient(xx, tt) };
}

function onto(v: Tensor, net: Net): Tensor {
  const moved = v.to(net.backend);
  return moved.dtype !== "int32" && moved.dtype !== net.dtype ? moved.cast(net.dtype) : moved;
}
