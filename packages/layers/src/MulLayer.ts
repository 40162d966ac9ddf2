import { multiply, type Value } from "./gradientShape.js";
import { TwoInputLayer } from "./TwoInputLayer.js";

/**
 * The multiplication node of the book's section 5.4: `out = x * y`; backward swaps the inputs,
 * `dx = dout * y`, `dy = dout * x`. Works on plain numbers and on tensors (with broadcasting; a
 * gradient is summed back to its input's shape, and is a number for a number input).
 */
export class MulLayer extends TwoInputLayer {
  protected readonly layerName = "MulLayer";

  protected compute(x: Value, y: Value): Value {
    return multiply(x, y);
  }

  protected localGradients(dout: Value, x: Value, y: Value): [Value, Value] {
    return [multiply(dout, y), multiply(dout, x)];
  }
}
