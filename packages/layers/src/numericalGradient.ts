import { DTypeError, Tensor, ValueError, formatShape, isFloatDType, tensor, checkOptions } from "@bp/tensor";

/** A function of one tensor that gives a scalar: a number or a one-element tensor. */
export type ScalarFunction = (x: Tensor) => number | Tensor;

export interface NumericalGradientOptions {
  /** The step of the central difference (default 1e-4, as in the book). */
  h?: number;
}

/**
 * The gradient of `f` at `x` by central differences (the book's `numerical_gradient`, section
 * 4.4): for each element, `(f(x + h) - f(x - h)) / 2h`. The differences are taken in float64 and
 * the result is a float64 tensor of `x`'s shape on `x`'s backend.
 *
 * `x` is perturbed in place, one element at a time, and each element is restored in a `finally`,
 * so `x` is unchanged afterwards even when `f` throws. `f` is called with `x` itself; a closure that
 * ignores its argument (`() => net.loss(xBatch, tBatch)` with `x = net.params.W1`) works too,
 * because the perturbed tensor is the one the net computes with.
 */
export function numericalGradient(f: ScalarFunction, x: Tensor, options: NumericalGradientOptions = {}): Tensor {
  checkOptions("numericalGradient", options, "options");
  const h = options.h ?? 1e-4;
  if (!(h > 0) || !Number.isFinite(h))
    throw new ValueError("numericalGradient", `h must be a positive finite number, got ${h}`);
  if (!(x instanceof Tensor)) throw new ValueError("numericalGradient", "x must be a Tensor");
  if (!isFloatDType(x.dtype))
    throw new DTypeError("numericalGradient", `x must be float32 or float64, got ${x.dtype} ${formatShape(x.shape)}`);
  const data = x.data;
  const grad = new Float64Array(x.size);
  for (let i = 0; i < data.length; i++) {
    const old = data[i]!;
    try {
      data[i] = old + h;
      const fxh1 = scalarOf(f(x));
      data[i] = old - h;
      const fxh2 = scalarOf(f(x));
      grad[i] = (fxh1 - fxh2) / (2 * h);
    } finally {
      data[i] = old;
    }
  }
  return tensor(grad, { shape: x.shape, dtype: "float64", backend: x.backend });
}

function scalarOf(v: number | Tensor): number {
  if (typeof v === "number") return v;
  if (v instanceof Tensor) {
    if (v.size !== 1)
      throw new ValueError(
        "numericalGradient",
        `f must return a number or a one-element tensor, got shape ${formatShape(v.shape)}`,
      );
    return v.item();
  }
  throw new ValueError("numericalGradient", `f must return a number or a one-element tensor, got ${typeof v}`);
}
