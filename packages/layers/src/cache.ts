import { BpError, type Tensor } from "@bp/tensor";

/**
 * A value that `forward` stores for `backward`; throws a clear error when `backward` (or a
 * gradient getter) runs before `forward` has filled it.
 */
export function fromForward<T>(value: T | null, op: string, name: string): T {
  if (value === null) {
    throw new BpError(op, `called before forward: '${name}' is not set yet (call forward first)`);
  }
  return value;
}

/**
 * `t` seen in `shape`, for a layer returning a reshape of its own result: `t` itself is disposed
 * right after the view is made (nobody else was given it), so the view alone holds the storage and
 * disposing the view returns it to the backend (Tensor.dispose).
 */
export function reshaped(t: Tensor, shape: readonly number[]): Tensor {
  const view = t.reshape(shape);
  t.dispose();
  return view;
}
