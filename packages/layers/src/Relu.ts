import type { Tensor } from "@bp/tensor";
import { checkTensor } from "./arguments.js";
import { fromForward } from "./cache.js";
import { checkSameShape } from "./gradientShape.js";
import type { Layer } from "./Layer.js";

/**
 * ReLU (book section 5.5.1): `out = x` where `x > 0`, else 0; backward lets `dout` through where
 * `x > 0` and gives 0 elsewhere. At exactly `x = 0` the gradient is 0, as in the book's layer
 * (its mask is `x <= 0`).
 */
export class Relu implements Layer {
  /** Nonzero exactly where `x > 0` (where the gradient passes), 0 elsewhere: the complement of
   * the book's `mask = (x <= 0)`, which marks the zeroed entries. It is the forward's output itself
   * (`x` where `x > 0`, else +0), so the mask costs no pass and no buffer of its own. */
  mask: Tensor | null = null;

  forward(x: Tensor): Tensor {
    checkTensor("Relu.forward", "x", x);
    const out = x.relu();
    this.mask = out;
    return out;
  }

  backward(dout: Tensor): Tensor {
    const mask = fromForward(this.mask, "Relu.backward", "mask");
    checkSameShape("Relu.backward", dout, mask, "the forward input");
    return dout.where(mask, 0);
  }
}
