import type { Shape } from "./shape.js";

/** x viewed as [outer, axisLen, inner] around `axis` (already normalized, shapes validated). */
export function reduceDims(shape: Shape, axis: number): { outer: number; axisLen: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, axisLen: shape[axis]!, inner };
}

/** m, n, k of op(a) @ op(b) for 2-d shapes (already validated). */
export function matmulDims(
  a: Shape,
  b: Shape,
  transposeA: boolean,
  transposeB: boolean,
): { m: number; n: number; k: number } {
  const m = transposeA ? a[1]! : a[0]!;
  const k = transposeA ? a[0]! : a[1]!;
  const n = transposeB ? b[0]! : b[1]!;
  return { m, n, k };
}
