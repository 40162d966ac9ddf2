import { BpError } from "@bp/tensor";

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
