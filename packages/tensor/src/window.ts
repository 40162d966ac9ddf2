import { ShapeError, ValueError } from "./errors.js";
import type { WindowGeometry } from "./kernels/im2col.js";
import type { Shape } from "./shape.js";
import { formatShape } from "./shape.js";

/**
 * The window geometry of im2col/col2im on an [N, C, H, W] input, validated: filter sizes and stride
 * positive integers, pad a non-negative integer, and both output sizes
 * (H + 2*pad - filterH) / stride + 1 positive integers. Throws naming `op` and the numbers.
 */
export function windowGeometry(
  op: string,
  inputShape: Shape,
  filterH: number,
  filterW: number,
  stride: number,
  pad: number,
): WindowGeometry {
  if (inputShape.length !== 4) {
    throw new ShapeError(op, `needs an input of shape [N, C, H, W], got ${formatShape(inputShape)}`);
  }
  // No Object.entries, destructuring or closure: a conv layer calls this a few times a step, too
  // rarely for the engine's optimizing compiler, and those cost most in the code it runs until then.
  checkPositive(op, "filterH", filterH);
  checkPositive(op, "filterW", filterW);
  checkPositive(op, "stride", stride);
  if (!Number.isInteger(pad) || pad < 0) throw new ValueError(op, `pad must be a non-negative integer, got ${pad}`);
  const n = inputShape[0]!;
  const c = inputShape[1]!;
  const h = inputShape[2]!;
  const w = inputShape[3]!;
  const outH = outSize(op, "H", h, filterH, "fh", stride, pad, inputShape);
  const outW = outSize(op, "W", w, filterW, "fw", stride, pad, inputShape);
  return { n, c, h, w, filterH, filterW, stride, pad, outH, outW };
}

function checkPositive(op: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ValueError(op, `${name} must be a positive integer, got ${v}`);
}

/** (size + 2*pad - filter) / stride + 1, or a ShapeError naming the numbers unless it is a positive integer. */
function outSize(
  op: string,
  axis: "H" | "W",
  size: number,
  filter: number,
  filterName: string,
  stride: number,
  pad: number,
  inputShape: Shape,
): number {
  const span = size + 2 * pad - filter;
  if (span < 0 || span % stride !== 0) {
    throw new ShapeError(
      op,
      `output ${axis === "H" ? "height" : "width"} (${axis} + 2*pad - ${filterName}) / stride + 1 = (${size} + 2*${pad} - ${filter}) / ${stride} + 1 = ${span / stride + 1} is not a positive integer (input ${formatShape(inputShape)}, ${filterName} ${filter}, stride ${stride}, pad ${pad})`,
    );
  }
  return span / stride + 1;
}
