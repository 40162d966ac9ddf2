import { Tensor, ValueError } from "@bp/tensor";

/** What a bad argument was, for an error message: "number 3", "null", "an array (...)", "Object". */
export function describeArgument(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return "an array (wrap it with tensor(...))";
  if (typeof v === "object") return v.constructor?.name ?? "an object";
  const shown = typeof v === "string" ? JSON.stringify(v) : String(v);
  return `${typeof v} ${shown.length > 40 ? `${shown.slice(0, 40)}...` : shown}`;
}

/**
 * Refuses an argument that is not a `Tensor` (a number, an array, null) with a `ValueError` naming
 * the op and the argument, before any code reads its shape. For layers of your own as well.
 */
export function checkTensor(op: string, name: string, v: unknown): asserts v is Tensor {
  if (!(v instanceof Tensor)) throw new ValueError(op, `${name} must be a Tensor, got ${describeArgument(v)}`);
}
