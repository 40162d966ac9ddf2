import { ShapeError, ValueError, formatShape, type Tensor } from "@bp/tensor";
import { checkTensor } from "./arguments.js";
import { fromForward } from "./cache.js";
import { checkSameShape } from "./gradientShape.js";
import type { Layer } from "./Layer.js";

/**
 * Max pooling by im2col (book section 7.4.4, `common/layers.py`): each poolH x poolW window of each
 * channel, moved by `stride` over the input padded with `pad` zeros (the book pads with zeros, so a
 * window reaching into the padding has a maximum of at least 0), gives its maximum. An
 * [N, C, H, W] input gives [N, C, outH, outW], outH = (H + 2·pad − poolH) / stride + 1. `argMax`
 * keeps which element of each window won; backward routes each gradient to that element only and
 * adds the windows' gradients back with col2im.
 */
export class Pooling implements Layer {
  readonly poolH: number;
  readonly poolW: number;
  readonly stride: number;
  readonly pad: number;
  /** Whether `backward` computes `dx` (a net turns it off on its first layer). */
  computeDx = true;
  /** The input of the last forward. */
  x: Tensor | null = null;
  /** Index (within its window, 0 ... poolH * poolW - 1) of each window's maximum, one per
   * (image, channel, oy, ox), as int32 (the output's order; the book's `arg_max` holds the same
   * indices in (image, oy, ox, channel) order). */
  argMax: Tensor | null = null;

  constructor(poolH: number, poolW: number, stride = 1, pad = 0) {
    const sizes = { poolH, poolW, stride };
    for (const [name, v] of Object.entries(sizes)) {
      if (!Number.isInteger(v) || v < 1)
        throw new ValueError("Pooling", `${name} must be a positive integer, got ${v}`);
    }
    if (!Number.isInteger(pad) || pad < 0)
      throw new ValueError("Pooling", `pad must be a non-negative integer, got ${pad}`);
    this.poolH = poolH;
    this.poolW = poolW;
    this.stride = stride;
    this.pad = pad;
  }

  forward(x: Tensor): Tensor {
    checkTensor("Pooling.forward", "x", x);
    if (x.rank !== 4)
      throw new ShapeError("Pooling.forward", `x must be 4-d [N, C, H, W], got shape ${formatShape(x.shape)}`);
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const outH = (H + 2 * this.pad - this.poolH) / this.stride + 1;
    const outW = (W + 2 * this.pad - this.poolW) / this.stride + 1;
    // Each channel is pooled on its own, so im2col runs over the N * C planes as one-channel
    // images: its rows are the windows in the output's own order (image, channel, oy, ox), one
    // window of poolH * poolW values each, and the result needs no reordering (the book reorders
    // its (image, oy, ox, channel) rows with a transpose).
    const col = x.reshape([N * C, 1, H, W]).im2col(this.poolH, this.poolW, this.stride, this.pad);
    this.x = x;
    this.argMax = col.argmax(1);
    const out = col.max(1); // the book's np.max(col, axis=1): the value at argMax, bit for bit
    return out.reshape([N, C, outH, outW]);
  }

  backward(dout: Tensor): Tensor | null {
    const x = fromForward(this.x, "Pooling.backward", "x");
    const argMax = fromForward(this.argMax, "Pooling.backward", "argMax");
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const outH = (H + 2 * this.pad - this.poolH) / this.stride + 1;
    const outW = (W + 2 * this.pad - this.poolW) / this.stride + 1;
    checkSameShape("Pooling.backward", dout, [N, C, outH, outW], "the forward output");
    if (!this.computeDx) return null;
    // The book's dmax[arange, argMax] = dout: each window's gradient at its maximum, 0 elsewhere;
    // dout's elements are already in the windows' order.
    const dmax = dout.reshape([N * C * outH * outW]).putAlongLastAxis(argMax, this.poolH * this.poolW);
    const dx = dmax.col2im([N * C, 1, H, W], this.poolH, this.poolW, this.stride, this.pad);
    return dx.reshape(x.shape);
  }
}
