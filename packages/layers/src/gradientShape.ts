import { ShapeError, Tensor, describeValue, formatShape, type Shape } from "@bp/tensor";
import { checkTensor } from "./arguments.js";

/** A number or a tensor: what `MulLayer` and `AddLayer` accept and return. */
export type Value = number | Tensor;

/**
 * Sums a gradient that was broadcast from `shape` back down to `shape` (the leading axes that
 * broadcasting added, and every axis where `shape` has length 1).
 */
export function sumToShape(grad: Tensor, shape: Shape): Tensor {
  let g = grad;
  while (g.rank > shape.length) g = g.sum(0);
  for (let axis = 0; axis < shape.length; axis++) {
    if (shape[axis] === 1 && g.shape[axis] !== 1) g = g.sum(axis, true);
  }
  if (g.shape.length !== shape.length || g.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(
      "sumToShape",
      `cannot reduce a gradient of shape ${formatShape(grad.shape)} to ${formatShape(shape)}`,
    );
  }
  return g;
}

/** `grad` brought to the kind and shape of `input`: a number for a number input, a tensor of the
 * input's shape otherwise. A gradient equal to `dout` itself is copied, so that callers never get
 * back the tensor they passed in. */
export function gradientLike(grad: Value, input: Value, dout: Value): Value {
  if (typeof input === "number") return typeof grad === "number" ? grad : grad.sum().item();
  if (typeof grad === "number")
    throw new ShapeError(
      "gradientLike",
      `got a number gradient for a tensor input of shape ${formatShape(input.shape)}`,
    );
  const g = sumToShape(grad, input.shape);
  return g === dout ? g.clone() : g;
}

export function multiply(a: Value, b: Value): Value {
  if (typeof a === "number") return typeof b === "number" ? a * b : b.mul(a);
  return a.mul(b);
}

export function plus(a: Value, b: Value): Value {
  if (typeof a === "number") return typeof b === "number" ? a + b : b.add(a);
  return a.add(b);
}

/** Checks that `dout` has the kind and shape of the forward output `out`. */
export function checkDout(op: string, dout: Value, out: Value): void {
  if (typeof out === "number") {
    if (typeof dout !== "number") {
      throw new ShapeError(
        op,
        `forward returned a number, so dout must be a number, got ${dout instanceof Tensor ? `a Tensor of shape ${formatShape(dout.shape)}` : describeValue(dout)}`,
      );
    }
    return;
  }
  if (!(dout instanceof Tensor)) {
    throw new ShapeError(
      op,
      `forward returned a Tensor of shape ${formatShape(out.shape)}, so dout must be a Tensor of that shape, got ${describeValue(dout)}`,
    );
  }
  checkSameShape(op, dout, out, "the forward output");
}

export function checkSameShape(op: string, dout: Tensor, like: Tensor | Shape, what: string): void {
  checkTensor(op, "dout", dout);
  const shape = like instanceof Tensor ? like.shape : like;
  if (!sameDims(dout.shape, shape)) {
    throw new ShapeError(op, `dout has shape ${formatShape(dout.shape)} but ${what} has shape ${formatShape(shape)}`);
  }
}

function sameDims(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
