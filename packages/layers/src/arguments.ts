import { Tensor, ValueError, describeValue } from "@bp/tensor";

/**
 * Refuses an argument that is not a `Tensor` (a number, an array, null) with a `ValueError` naming
 * the op and the argument, before any code reads its shape. For layers of your own as well.
 */
export function checkTensor(op: string, name: string, v: unknown): asserts v is Tensor {
  if (!(v instanceof Tensor)) throw new ValueError(op, `${name} must be a Tensor, got ${describeValue(v)}`);
}
