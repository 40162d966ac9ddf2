import type { Tensor } from "@bp/tensor";
import { checkTensor } from "./arguments.js";
import { fromForward } from "./cache.js";
import { checkSameShape } from "./gradientShape.js";
import type { Layer } from "./Layer.js";

/**
 * Sigmoid (book section 5.5.2): `out = 1 / (1 + exp(-x))`; backward uses only the cached output,
 * `dx = dout * (1 - out) * out`.
 */
export class Sigmoid implements Layer {
  out: Tensor | null = null;

  forward(x: Tensor): Tensor {
    checkTensor("Sigmoid.forward", "x", x);
    this.out = x.sigmoid();
    return this.out;
  }

  backward(dout: Tensor): Tensor {
    const out = fromForward(this.out, "Sigmoid.backward", "out");
    checkSameShape("Sigmoid.backward", dout, out, "the forward output");
    return dout.mul(out.neg().add(1)).mul(out); // dout * (1 - out) * out
  }
}
