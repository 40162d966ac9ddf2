import { ShapeError, ValueError, formatShape, type Tensor } from "@bp/tensor";
import { checkInputLike, checkSameKind, checkTensor } from "./arguments.js";
import { fromForward } from "./cache.js";
import { checkSameShape } from "./gradientShape.js";
import type { ParameterLayer } from "./Layer.js";

/**
 * The convolution layer by im2col (book section 7.4.3, `common/layers.py`). `W` is
 * [FN, C, FH, FW] (FN filters), `b` is [FN]; an [N, C, H, W] input gives [N, FN, outH, outW] with
 * outH = (H + 2·pad − FH) / stride + 1. Forward: `col = im2col(x)`, `out = col · colWᵀ + b`,
 * reordered from rows (n, oy, ox) to [N, FN, outH, outW]. Backward: with `dout` as rows of FN,
 * `db = Σ_rows dout`, `dW = doutᵀ · col` (reshaped like W), `dx = col2im(dout · colW)`.
 *
 * `W` and `b` are held, not copied: updating them in place (`W.assign(...)`, as the optimizers do)
 * changes what the layer computes.
 */
export class Convolution implements ParameterLayer {
  readonly W: Tensor;
  readonly b: Tensor;
  readonly stride: number;
  readonly pad: number;
  /** Whether `backward` computes `dx` (a net turns it off on its first layer). */
  computeDx = true;
  /** The input of the last forward. */
  x: Tensor | null = null;
  /** im2col of the input: [N * outH * outW, C * FH * FW]. */
  col: Tensor | null = null;
  /** W as FN rows of C * FH * FW values, a view of W (the book's `col_W` is its transpose; matmul
   * reads it transposed in place). */
  colW: Tensor | null = null;
  dW: Tensor | null = null;
  db: Tensor | null = null;

  constructor(W: Tensor, b: Tensor, stride = 1, pad = 0) {
    const op = "Convolution";
    checkTensor(op, "W [FN, C, FH, FW]", W);
    checkTensor(op, "b", b);
    if (W.rank !== 4) throw new ShapeError(op, `W must be 4-d [FN, C, FH, FW], got shape ${formatShape(W.shape)}`);
    if (b.rank !== 1 || b.shape[0] !== W.shape[0]) {
      throw new ShapeError(
        op,
        `b must have shape [${W.shape[0]}] to match W ${formatShape(W.shape)}, got ${formatShape(b.shape)}`,
      );
    }
    checkSameKind(op, "W", W, "b", b);
    if (!Number.isInteger(stride) || stride < 1)
      throw new ValueError(op, `stride must be a positive integer, got ${stride}`);
    if (!Number.isInteger(pad) || pad < 0) throw new ValueError(op, `pad must be a non-negative integer, got ${pad}`);
    this.W = W;
    this.b = b;
    this.stride = stride;
    this.pad = pad;
  }

  get params(): { W: Tensor; b: Tensor } {
    return { W: this.W, b: this.b };
  }

  /** `{ W: dW, b: db }` from the last `backward`. */
  get grads(): { W: Tensor; b: Tensor } {
    return {
      W: fromForward(this.dW, "Convolution.grads", "dW"),
      b: fromForward(this.db, "Convolution.grads", "db"),
    };
  }

  forward(x: Tensor): Tensor {
    const op = "Convolution.forward";
    checkTensor(op, "x", x);
    const [FN, C, FH, FW] = this.W.shape as [number, number, number, number];
    if (x.rank !== 4 || x.shape[1] !== C) {
      throw new ShapeError(
        op,
        `x has shape ${formatShape(x.shape)} but W has shape ${formatShape(this.W.shape)}: expected [N, ${C}, H, W]`,
      );
    }
    checkInputLike(op, x, this.W);
    const N = x.shape[0]!;
    const outH = (x.shape[2]! + 2 * this.pad - FH) / this.stride + 1;
    const outW = (x.shape[3]! + 2 * this.pad - FW) / this.stride + 1;
    this.x = x;
    this.col = x.im2col(FH, FW, this.stride, this.pad);
    this.colW = this.W.reshape([FN, -1]);
    // The bias is added to the rows (n, oy, ox) of FN values, one row broadcast as the book does;
    // then one reordering to [N, FN, outH, outW].
    const out = this.col.matmul(this.colW, { transposeB: true }).add(this.b);
    return out.reshape([N, outH, outW, FN]).transpose([0, 3, 1, 2]);
  }

  backward(dout: Tensor): Tensor | null {
    const x = fromForward(this.x, "Convolution.backward", "x");
    const col = fromForward(this.col, "Convolution.backward", "col");
    const colW = fromForward(this.colW, "Convolution.backward", "colW");
    const [FN, , FH, FW] = this.W.shape as [number, number, number, number];
    const rows = col.shape[0]!;
    const windows = rows / x.shape[0]!;
    const outH = (x.shape[2]! + 2 * this.pad - FH) / this.stride + 1;
    checkSameShape("Convolution.backward", dout, [x.shape[0]!, FN, outH, windows / outH], "the forward output");
    // dout as rows (n, oy, ox) of FN values.
    const d = dout.transpose([0, 2, 3, 1]).reshape([rows, FN]);
    this.db = d.sum(0);
    this.dW = d.matmul(col, { transposeA: true }).reshape(this.W.shape);
    if (!this.computeDx) return null;
    const dcol = d.matmul(colW);
    return dcol.col2im(x.shape, FH, FW, this.stride, this.pad);
  }
}
