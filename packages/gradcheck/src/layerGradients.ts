import { Tensor, ValueError, formatShape, randn, checkOptions } from "@bp/tensor";
import { hasParams, type Layer, type LossLayer, type TwoInputLayer } from "@bp/layers";

/**
 * Any of the book's layers: one-input layers (`Relu`, `Sigmoid`, `Affine`), two-input layers
 * (`MulLayer`, `AddLayer`, given two tensors) and loss layers (`SoftmaxWithLoss`, given labels `t`).
 */
export type CheckableLayer = Layer | LossLayer | TwoInputLayer;

/** What every kind of `CheckableLayer` can be called as, once the inputs match its kind. */
interface AnyLayer {
  forward(...args: Tensor[]): Tensor | number;
  backward(dout: Tensor | number): Tensor | number | readonly (Tensor | number)[] | null;
}

export interface LayerRunOptions {
  /** Labels for a loss layer: `forward(x, t)` gives a number. */
  t?: Tensor;
  /** The upstream gradient. Default: 1 for a loss layer, else a seeded standard-normal tensor of
   * the output's shape (a random direction checks more than all ones). */
  dout?: Tensor | number;
  /** Seed of the default `dout` (default 0). */
  seed?: number;
}

/** One forward and backward pass of a layer, with what a check needs. */
export interface LayerRun {
  out: Tensor | number;
  dout: Tensor | number;
  /** The tensors differentiated against, by name: inputs `x` (and `y`), then the layer's params. */
  wrt: Record<string, Tensor>;
  /** The layer's gradients under the same names (an input whose gradient the layer skips, like
   * `Affine`'s with `computeDx: false`, is left out of both). */
  grads: Record<string, Tensor>;
  /** The scalar whose gradients these are: sum(forward(...) * dout), or dout * loss. */
  objective: () => number;
}

const INPUT_NAMES = ["x", "y"];

/** Runs `layer` forward and backward once and collects its gradients by name. */
export function runLayer(
  op: string,
  checked: CheckableLayer,
  inputs: Tensor | readonly Tensor[],
  options: LayerRunOptions = {},
): LayerRun {
  checkOptions("runLayer", options, "options");
  const layer = checked as unknown as AnyLayer;
  const xs = inputs instanceof Tensor ? [inputs] : [...inputs];
  if (xs.length < 1 || xs.length > 2) throw new ValueError(op, `expected one or two input tensors, got ${xs.length}`);
  const t = options.t;
  const forward = (): Tensor | number => (t === undefined ? layer.forward(...xs) : layer.forward(xs[0]!, t));
  const out = forward();
  const dout =
    options.dout ??
    (typeof out === "number"
      ? 1
      : randn(out.shape, { seed: options.seed ?? 0, dtype: out.dtype, backend: out.backend }));
  if (typeof out === "number" && typeof dout !== "number")
    throw new ValueError(op, "the layer returns a number (a loss), so dout must be a number");
  if (typeof out !== "number" && !(dout instanceof Tensor && dout.shape.join() === out.shape.join())) {
    throw new ValueError(op, `dout must be a tensor of the output's shape ${formatShape(out.shape)}`);
  }
  const back = layer.backward(dout);
  const inputGrads = back === null ? [] : Array.isArray(back) ? back : [back];
  const wrt: Record<string, Tensor> = {};
  const grads: Record<string, Tensor> = {};
  xs.forEach((x, i) => {
    const g = inputGrads[i];
    if (g === undefined || g === null) return;
    if (typeof g === "number")
      throw new ValueError(op, `the gradient of input ${INPUT_NAMES[i]} is a number, expected a tensor`);
    wrt[INPUT_NAMES[i]!] = x;
    grads[INPUT_NAMES[i]!] = g;
  });
  if (hasParams(layer)) {
    const layerGrads = layer.grads;
    for (const [name, p] of Object.entries(layer.params)) {
      if (name in wrt) throw new ValueError(op, `parameter name '${name}' clashes with an input name`);
      wrt[name] = p;
      grads[name] = layerGrads[name]!;
    }
  }
  const objective = (): number => {
    const o = forward();
    return typeof o === "number"
      ? o * (dout as number)
      : o
          .mul(dout as Tensor)
          .sum()
          .item();
  };
  return { out, dout, wrt, grads, objective };
}

/** The class name of a layer, for report titles. */
export function layerName(layer: object): string {
  return layer.constructor?.name ?? "layer";
}
