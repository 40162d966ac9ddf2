import { BackendError, DTypeError, Tensor, ValueError, describeValue, formatShape } from "@bp/tensor";

/**
 * Refuses an argument that is not a `Tensor` (a number, an array, null) with a `ValueError` naming
 * the op and the argument, before any code reads its shape. For layers of your own as well.
 */
export function checkTensor(op: string, name: string, v: unknown): asserts v is Tensor {
  if (!(v instanceof Tensor)) throw new ValueError(op, `${name} must be a Tensor, got ${describeValue(v)}`);
}

/** Refuses two tensors a layer computes with together (`W` and `b`) that differ in dtype or backend. */
export function checkSameKind(op: string, aName: string, a: Tensor, bName: string, b: Tensor): void {
  if (b.dtype !== a.dtype) throw new DTypeError(op, `${aName} is ${a.dtype} but ${bName} is ${b.dtype}`);
  if (b.backend !== a.backend)
    throw new BackendError(op, `${aName} lives on '${a.backend.name}' but ${bName} on '${b.backend.name}'`);
}

/** Refuses an input `x` of another dtype or backend than the layer's weight `W`. */
export function checkInputLike(op: string, x: Tensor, W: Tensor): void {
  if (x.dtype !== W.dtype)
    throw new DTypeError(
      op,
      `x is ${x.dtype} ${formatShape(x.shape)} but W is ${W.dtype}; convert one with .cast(dtype)`,
    );
  if (x.backend !== W.backend)
    throw new BackendError(op, `x lives on '${x.backend.name}' but W on '${W.backend.name}'; move x with .to(backend)`);
}
