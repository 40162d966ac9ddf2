import { Rng, ShapeError, ValueError, describeValue, formatShape, rand, type Tensor, checkOptions } from "@bp/tensor";
import { checkTensor } from "./arguments.js";
import { fromForward } from "./cache.js";
import { checkSameShape } from "./gradientShape.js";
import type { Layer } from "./Layer.js";

export interface DropoutOptions {
  /** The fraction of units dropped in training (default 0.5, the book's `dropout_ratio`). */
  dropoutRatio?: number;
}

/**
 * The book's Dropout (section 6.4.3, `common/layers.py`), not the "inverted" kind: in training
 * (`train = true`) each unit is kept where a uniform draw from the layer's `Rng` exceeds
 * `dropoutRatio` (`mask = rand(x.shape) > ratio`) and the output is `x * mask`; at test time the
 * output is `x * (1 - dropoutRatio)`. `backward` returns `dout * mask`.
 *
 * The masks come from the seeded `rng` the layer is given (drawn on the calling thread), so the
 * same seed gives the same masks on every backend. Set `fixedMask` to use one mask for every
 * training forward instead (for gradient checks, whose repeated forwards must see one function).
 */
export class Dropout implements Layer {
  readonly dropoutRatio: number;
  readonly rng: Rng;
  /** 1 where the unit is kept, 0 where it is dropped (of the last training forward). */
  mask: Tensor | null = null;
  /** When set, training forwards use this mask (1 keep, 0 drop) instead of drawing one. */
  fixedMask: Tensor | null = null;
  computeDx = true;

  constructor(rng: Rng, options: DropoutOptions = {}) {
    checkOptions("Dropout", options, "options");
    const ratio = options.dropoutRatio ?? 0.5;
    if (!(ratio >= 0 && ratio < 1)) throw new ValueError("Dropout", `dropoutRatio must be in [0, 1), got ${ratio}`);
    if (!(rng instanceof Rng))
      throw new ValueError("Dropout", `rng must be an Rng (new Rng(seed)), got ${describeValue(rng)}`);
    this.dropoutRatio = ratio;
    this.rng = rng;
  }

  forward(x: Tensor, train = true): Tensor {
    checkTensor("Dropout.forward", "x", x);
    if (train && this.fixedMask !== null) {
      checkTensor("Dropout.forward", "fixedMask", this.fixedMask);
      const shape = this.fixedMask.shape;
      if (shape.length !== x.shape.length || shape.some((d, i) => d !== x.shape[i]))
        throw new ShapeError(
          "Dropout.forward",
          `x has shape ${formatShape(x.shape)} but fixedMask has shape ${formatShape(shape)}`,
        );
    }
    if (!train) {
      this.mask = null; // a backward now would use another pass's mask: make it throw
      return x.mul(1 - this.dropoutRatio);
    }
    this.mask = this.fixedMask ?? this.drawMask(x);
    return x.mul(this.mask);
  }

  /** `rand(x.shape) > dropoutRatio` as x's dtype. Drawn in float64 and compared there, so float32
   * nets drop the same units as float64 ones. */
  private drawMask(x: Tensor): Tensor {
    return rand(x.shape, { rng: this.rng, backend: x.backend }).gt(this.dropoutRatio).cast(x.dtype);
  }

  backward(dout: Tensor): Tensor | null {
    const mask = fromForward(this.mask, "Dropout.backward", "mask (backward needs a forward with train = true)");
    checkSameShape("Dropout.backward", dout, mask, "the forward input");
    if (!this.computeDx) return null;
    return dout.mul(mask);
  }
}
