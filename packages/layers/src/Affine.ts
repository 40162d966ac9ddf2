import { ShapeError, formatShape, type Shape, type Tensor, checkOptions } from "@bp/tensor";
import { checkInputLike, checkSameKind, checkTensor } from "./arguments.js";
import { fromForward } from "./cache.js";
import { checkSameShape } from "./gradientShape.js";
import type { ParameterLayer } from "./Layer.js";

export interface AffineOptions {
  /**
   * Whether `backward` computes the input gradient `dx` (default true). A net's first layer does
   * not need it: with `false`, `backward` fills only `dW` and `db` and returns `null`. A net sets
   * this on its first layer itself (see `computeDx`).
   */
  computeDx?: boolean;
}

/**
 * The affine layer (book section 5.6.2): `out = x · W + b`. An input with more than two axes
 * (a batch of images, N x C x H x W) is flattened to N rows first, and `dx` comes back in the
 * input's shape. `backward` computes `dx = dout · Wᵀ`, `dW = xᵀ · dout`, `db = Σ_rows dout`.
 *
 * `W` and `b` are held, not copied: updating them in place (`W.assign(...)`, as `SGD` does)
 * changes what the layer computes.
 */
export class Affine implements ParameterLayer {
  readonly W: Tensor;
  readonly b: Tensor;
  /** Whether `backward` computes `dx` (the layer contract's switch; a net turns it off on its
   * first layer). */
  computeDx: boolean;
  /** The input seen as a 2-d tensor of N rows (a reshape view of it, as the book's `x.reshape(N, -1)`). */
  x: Tensor | null = null;
  /** The shape the input came in, restored on `dx`. */
  originalXShape: Shape | null = null;
  dW: Tensor | null = null;
  db: Tensor | null = null;

  constructor(W: Tensor, b: Tensor, options: AffineOptions = {}) {
    checkOptions("Affine", options, "options");
    checkTensor("Affine", "W (inputs x outputs)", W);
    checkTensor("Affine", "b", b);
    if (W.rank !== 2)
      throw new ShapeError("Affine", `W must be 2-d (inputs x outputs), got shape ${formatShape(W.shape)}`);
    if (b.rank !== 1 || b.shape[0] !== W.shape[1]) {
      throw new ShapeError(
        "Affine",
        `b must have shape [${W.shape[1]}] to match W ${formatShape(W.shape)}, got ${formatShape(b.shape)}`,
      );
    }
    checkSameKind("Affine", "W", W, "b", b);
    this.W = W;
    this.b = b;
    this.computeDx = options.computeDx ?? true;
  }

  get params(): { W: Tensor; b: Tensor } {
    return { W: this.W, b: this.b };
  }

  /** `{ W: dW, b: db }` from the last `backward`. */
  get grads(): { W: Tensor; b: Tensor } {
    return { W: fromForward(this.dW, "Affine.grads", "dW"), b: fromForward(this.db, "Affine.grads", "db") };
  }

  forward(x: Tensor): Tensor {
    const op = "Affine.forward";
    checkTensor(op, "x", x);
    const inputs = this.W.shape[0]!;
    if (x.rank < 1) throw new ShapeError(op, `x must have at least one axis (N rows), got a scalar`);
    const rows = x.shape[0]!;
    if (x.rank === 1 || x.size !== rows * inputs) {
      throw new ShapeError(
        op,
        `x has shape ${formatShape(x.shape)} but W has shape ${formatShape(this.W.shape)}: expected N rows of ${inputs} values ([N, ${inputs}] or [N, ...] with ${inputs} elements per row)`,
      );
    }
    checkInputLike(op, x, this.W);
    this.originalXShape = x.shape;
    this.x = x.reshape([rows, inputs]);
    return this.x.matmul(this.W).add(this.b);
  }

  backward(dout: Tensor): Tensor | null {
    const x = fromForward(this.x, "Affine.backward", "x");
    const originalXShape = fromForward(this.originalXShape, "Affine.backward", "originalXShape");
    checkSameShape("Affine.backward", dout, [x.shape[0]!, this.W.shape[1]!], "the forward output");
    this.dW = x.matmul(dout, { transposeA: true });
    this.db = dout.sum(0);
    if (!this.computeDx) return null;
    return dout.matmul(this.W, { transposeB: true }).reshape(originalXShape);
  }
}
