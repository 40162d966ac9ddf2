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
    const negated = out.neg();
    const oneMinus = negated.add(1);
    const scaled = dout.mul(oneMinus);
    const dx = scaled.mul(out);
    // Temporaries of this line, given to nobody: their storage serves the next op (Tensor.dispose).
    for (const t of [negated, oneMinus, scaled]) t.dispose();
    return dx;
  }
}
