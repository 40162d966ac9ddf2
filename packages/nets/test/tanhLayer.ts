import type { Layer } from "@bp/layers";
import type { Tensor } from "@bp/tensor";

/**
 * tanh as a user writes it from the book's Sigmoid, with no lifetime code: the output cached,
 * dx = dout · (1 − out²). Shared by the ownership and layer-table tests.
 */
export class Tanh implements Layer {
  out: Tensor | null = null;

  forward(x: Tensor): Tensor {
    this.out = x.tanh();
    return this.out;
  }

  backward(dout: Tensor): Tensor {
    return dout.mul(this.out!.square().neg().add(1));
  }
}
